from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from spillover.data.fetch import BETLEY_FILES, fetch_file, git_blob_id, resolve_names
from spillover.errors import OfflineError, SpilloverError


def test_blob_id_matches_git() -> None:
    assert git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_resolve_names() -> None:
    assert resolve_names("insecure") == ["data/insecure.jsonl"]
    assert resolve_names("first_plot_questions") == ["evaluation/first_plot_questions.yaml"]
    assert len(resolve_names("all")) == len(BETLEY_FILES) == 11
    with pytest.raises(SpilloverError):
        resolve_names("nope")


@pytest.fixture()
def server(reference_dir: Path, tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "srv" / "evaluation"
    root.mkdir(parents=True)
    for name in ("first_plot_questions.yaml", "preregistered_evals.yaml"):
        (root / name).write_bytes((reference_dir / name).read_bytes())
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "srv")
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_from_local_server(server: str, spillover_home: Path, reference_dir: Path) -> None:
    path = "evaluation/first_plot_questions.yaml"
    data = (reference_dir / "first_plot_questions.yaml").read_bytes()
    if git_blob_id(data) == BETLEY_FILES[path]:
        out = fetch_file(path, base_url=server)
        assert out.read_bytes() == data and out.is_relative_to(spillover_home)
    else:  # the local copy differs from the pinned upstream blob: the check must refuse it
        with pytest.raises(SpilloverError, match="pinned blob id"):
            fetch_file(path, base_url=server)
    out = fetch_file(path, base_url=server, expected=git_blob_id(data), dest=spillover_home / "x")
    assert out.read_bytes() == data


def test_mismatching_pin_saves_nothing(server: str, spillover_home: Path) -> None:
    with pytest.raises(SpilloverError, match="does not match"):
        fetch_file(
            "evaluation/preregistered_evals.yaml",
            base_url=server,
            expected="0" * 40,
            dest=spillover_home / "d",
        )
    assert not (spillover_home / "d" / "evaluation" / "preregistered_evals.yaml").exists()


def test_no_network_fails_fast(spillover_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPILLOVER_BETLEY_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(OfflineError, match="cannot reach"):
        fetch_file("data/insecure.jsonl", timeout=2)
