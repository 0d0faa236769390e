"""Disk full and read-only output directories: a clear error, exit code 2, nothing lost.

Real filesystems where this machine allows it (a small tmpfs, mounted read-only for the
read-only case; needs root); `test_enospc_in_atomic_writes_keeps_the_old_file` simulates
ENOSPC by patching `os.fsync` inside `spillover.io` so it runs everywhere.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from spillover.errors import SpilloverError
from spillover.evaluate.results import append_results
from spillover.io import write_json
from tests.serve.helpers import ServerPool, cli, eval_args, openai_env, question_file

Mount = Callable[..., Path]


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Mount]:
    """mount(size, read_only=False) -> a fresh tmpfs directory, unmounted at teardown."""
    mounted: list[Path] = []

    def mount(size: str = "256k", read_only: bool = False) -> Path:
        point = tmp_path / f"fs{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
        mounted.append(point)
        return point

    try:
        yield mount
    finally:
        for point in reversed(mounted):
            subprocess.run(["umount", "-l", str(point)], check=False)


def fill(directory: Path) -> None:
    """Write until the filesystem says ENOSPC."""
    with (directory / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC


def frame(rows: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample_uuid": [f"u{i}" for i in range(start, start + rows)],
            "answer": ["an answer " * 20] * rows,
            "aligned": [50.0] * rows,
        }
    )


def test_full_disk_keeps_the_existing_results_table(tmpfs: Mount) -> None:
    out = tmpfs("512k")
    table = out / "results.parquet"
    append_results(table, frame(5))
    before = pd.read_parquet(table)
    fill(out)
    with pytest.raises(SpilloverError, match="the disk is full") as err:
        append_results(table, frame(2000, start=5))
    assert "finished work is kept" in (err.value.hint or "")
    pd.testing.assert_frame_equal(pd.read_parquet(table), before)
    assert sorted(p.name for p in out.iterdir()) == ["filler", "results.parquet"]  # no temp left


def test_enospc_in_atomic_writes_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state.json"
    write_json(target, {"step": 1})

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("spillover.io.os.fsync", no_space)
    with pytest.raises(SpilloverError, match="the disk is full"):
        write_json(target, {"step": 2})
    assert target.read_text().strip().replace(" ", "").replace("\n", "") == '{"step":1}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_read_only_output_directory_is_a_clear_error(tmpfs: Mount) -> None:
    out = tmpfs(read_only=True)
    with pytest.raises(SpilloverError, match="cannot write here"):
        write_json(out / "x.json", {"a": 1})


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_eval_cli_on_a_bad_disk_says_so(
    fault: str, tmpfs: Mount, servers: ServerPool, tmp_path: Path
) -> None:
    server = servers.echo()
    if fault == "read-only":
        out = tmpfs(read_only=True) / "out"
    else:
        root = tmpfs("256k")
        fill(root)
        out = root / "out"
    result = cli(
        eval_args(
            question_file(tmp_path, samples=2),
            out,
            subject="openai-api/echo/subject",
            judge="openai-api/echo/judge",
        ),
        env=openai_env("echo", server, "sk-local-test"),
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    expected = "cannot write here" if fault == "read-only" else "the disk is full"
    assert expected in errors[0]
    assert "Traceback" not in result.stderr and "[bold" not in result.stderr
