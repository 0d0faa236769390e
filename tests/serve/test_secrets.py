"""API keys come from the environment and are never written anywhere: logs, .eval files,
parquet tables, caches, reports, or the terminal."""

from __future__ import annotations

import secrets
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.serve.helpers import ServerPool, cli, eval_args, openai_env, question_file

ZIP_ZSTD = 93  # inspect compresses .eval members with zstandard


def zip_members(path: Path) -> list[bytes]:
    """Every member of a zip archive, decompressed (stored, deflate or zstandard)."""
    import struct

    import zstandard

    out: list[bytes] = []
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        for info in archive.infolist():
            if info.compress_type != ZIP_ZSTD:
                out.append(archive.read(info))
                continue
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_len + extra_len)
            packed = handle.read(info.compress_size)
            out.append(zstandard.ZstdDecompressor().decompressobj().decompress(packed))
    return out


def files_containing(root: Path, needle: str) -> list[str]:
    """Every file under `root` whose bytes hold `needle`, looking inside zip (.eval) members and
    parquet cells too, since their compression would hide a plain byte search."""
    raw = needle.encode()
    hits: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found = raw in data
        if not found and zipfile.is_zipfile(path):
            found = any(raw in member for member in zip_members(path))
        if not found and path.suffix == ".parquet":
            found = needle in pd.read_parquet(path).to_csv()
        if found:
            hits.append(str(path))
    return hits


@pytest.mark.slow
def test_the_api_key_is_never_written(
    servers: ServerPool, tmp_path: Path, spillover_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = f"sk-spillover-test-{secrets.token_hex(12)}"
    server = servers.echo()
    state = tmp_path / "xdg"
    env = {
        **openai_env("echo", server, key),
        "OPENAI_API_KEY": key,
        "INSPECT_LOG_DIR": str(tmp_path / "inspect-logs"),
        "XDG_DATA_HOME": str(state / "data"),  # inspect's sample buffers and traces
        "XDG_CACHE_HOME": str(state / "cache"),
        "XDG_STATE_HOME": str(state / "state"),
    }
    out = tmp_path / "out"
    evaluated = cli(
        eval_args(
            question_file(tmp_path, samples=3),
            out,
            subject="openai-api/echo/subject",
            judge="openai-api/echo/judge",
        ),
        env=env,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    reported = cli(
        ["report", str(out), "--output", str(tmp_path / "report" / "report.html")], env=env
    )
    assert reported.returncode == 0, reported.stderr

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".eval" for p in written)
    assert (tmp_path / "report" / "report.html").is_file()
    assert (out / "results.parquet").is_file()
    assert files_containing(tmp_path, key) == []
    assert spillover_home.is_relative_to(tmp_path)
    for stream in (evaluated.stdout, evaluated.stderr, reported.stdout, reported.stderr):
        assert key not in stream
    # the search itself works: the answers (which are in the logs) are found the same way
    answer = str(pd.read_parquet(out / "results.parquet")["answer"].iloc[0])
    holders = files_containing(out / "logs", answer)
    assert any(path.endswith(".eval") for path in holders)
