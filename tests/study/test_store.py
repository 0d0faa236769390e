"""The study's store: a plain directory worked in place, a URL through fsspec copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from spillover.study.store import Store


@pytest.mark.parametrize("url_form", [False, True])
def test_files_markers_and_workdirs_round_trip(
    tmp_path: Path, spillover_home: Path, url_form: bool
) -> None:
    root = tmp_path / "out"
    store = Store(f"file://{root}" if url_form else str(root))
    assert store.in_place is not url_form
    store.write_json("cells/a/done.json", {"sha256": "x"})
    assert store.read_json("cells/a/done.json") == {"sha256": "x"}
    assert store.listdir("cells") == ["a"]
    with store.workdir("train/k") as work:
        (work / "checkpoints").mkdir()
        (work / "checkpoints" / "w.bin").write_bytes(b"weights")
    # on the store now, whichever way it was worked
    assert (root / "train/k/checkpoints/w.bin").read_bytes() == b"weights"
    with pytest.raises(RuntimeError), store.workdir("train/k") as work:
        assert (work / "checkpoints/w.bin").read_bytes() == b"weights"  # fetched for a resume
        (work / "checkpoints/w2.bin").write_bytes(b"more")
        raise RuntimeError("killed mid-stage")
    assert (root / "train/k/checkpoints/w2.bin").is_file()  # written back although it failed
    with store.workdir("train/k", write_back=False) as work:
        (work / "scratch.txt").write_text("only here")
    assert not (root / "train/k/scratch.txt").exists() or not url_form
    store.move("cells/a", "corrupt/a-1")
    assert not store.exists("cells/a") and store.exists("corrupt/a-1/done.json")
    assert len(store.sha256("corrupt/a-1/done.json")) == 64
    assert not list(root.rglob("*.partial-*"))
