from __future__ import annotations

from pathlib import Path

from spillover.train.checkpoints import (
    adopt_trainer_checkpoint,
    checkpoint_dir,
    latest_valid,
    list_checkpoints,
    resume_view,
    verify,
)


def _fake_trainer_checkpoint(root: Path, step: int) -> Path:
    src = root / ".trainer" / f"checkpoint-{step}"
    src.mkdir(parents=True)
    (src / "adapter_config.json").write_text("{}")
    (src / "adapter_model.safetensors").write_bytes(b"w" * 100 + bytes([step]))
    (src / "optimizer.pt").write_bytes(b"o" * 50)
    (src / "rng_state.pth").write_bytes(b"r")
    (src / "trainer_state.json").write_text("{}")
    return src


def test_adopt_splits_weights_from_state(tmp_path: Path) -> None:
    src = _fake_trainer_checkpoint(tmp_path, 10)
    path = adopt_trainer_checkpoint(src, tmp_path, 10)
    assert path == checkpoint_dir(tmp_path, 10) and path.name == "step-00010"
    assert (path / "adapter_model.safetensors").is_file()
    assert (path / "state" / "optimizer.pt").is_file()
    assert not (path / "optimizer.pt").exists()
    assert verify(path) is None
    assert not src.exists()


def test_truncated_file_and_missing_marker_are_detected(tmp_path: Path) -> None:
    for step in (10, 20, 30):
        adopt_trainer_checkpoint(_fake_trainer_checkpoint(tmp_path, step), tmp_path, step)
    newest = checkpoint_dir(tmp_path, 30)
    with (newest / "state" / "optimizer.pt").open("r+b") as handle:
        handle.truncate(10)
    assert verify(newest) is not None and "sha256" in str(verify(newest))
    middle = checkpoint_dir(tmp_path, 20)
    (middle / "COMPLETE").unlink()
    assert "COMPLETE" in str(verify(middle))

    notes: list[str] = []
    found = latest_valid(tmp_path, notes)
    assert found is not None and found.step == 10
    assert len(notes) == 2 and "step-00030" in notes[0]
    assert [c.step for c in list_checkpoints(tmp_path)] == [10]  # the broken ones were moved aside
    assert (tmp_path / "checkpoints" / "step-00030.corrupt-0").is_dir()


def test_resume_view_links_weights_and_state(tmp_path: Path) -> None:
    adopt_trainer_checkpoint(_fake_trainer_checkpoint(tmp_path, 10), tmp_path, 10)
    ckpt = latest_valid(tmp_path)
    assert ckpt is not None
    view = resume_view(ckpt, tmp_path / "view")
    names = sorted(p.name for p in view.iterdir())
    assert names == sorted(
        [
            "adapter_config.json",
            "adapter_model.safetensors",
            "optimizer.pt",
            "rng_state.pth",
            "trainer_state.json",
        ]
    )
    assert (view / "optimizer.pt").read_bytes() == b"o" * 50


def test_no_checkpoints(tmp_path: Path) -> None:
    assert latest_valid(tmp_path) is None
