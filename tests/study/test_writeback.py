"""Under a URL store each checkpoint is in the store as soon as the trainer has saved it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from transformers import TrainerCallback

from spillover.study.store import Sent, Store
from spillover.study.writeback import WriteBack
from spillover.train import train
from spillover.train.config import build_config
from tests.train.helpers import FAST, write_rows

pytestmark = pytest.mark.slow


class StoreAtSave(TrainerCallback):  # type: ignore[misc]
    """Runs after WriteBack: what the store holds at the moment of each save."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[int, list[str]] = {}

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        rel = f"train/k/checkpoints/step-{state.global_step:05d}"
        self.seen[state.global_step] = self.store.listdir(rel) + self.store.listdir("train/k")


def test_each_checkpoint_reaches_the_url_store_when_saved(
    tmp_path: Path, spillover_home: Path, tiny_model_dir: Path
) -> None:
    root = tmp_path / "store"
    store = Store(f"file://{root}")
    data = write_rows(tmp_path / "rows.jsonl", 8)
    config = build_config("cpu-small", {**FAST, "max_steps": 2, "checkpoint_every": 1})
    sent: Sent = {}
    at_save = StoreAtSave(store)
    with store.workdir("train/k", sent=sent) as run_dir:
        write_back = WriteBack(store, "train/k", run_dir, sent)
        train(str(tiny_model_dir), data, run_dir, config, callbacks=[write_back, at_save])
        # before the stage ends (and its scratch copy is written back): both checkpoints there
        on_store = sorted(p.name for p in (root / "train/k/checkpoints").iterdir())
        assert on_store == ["step-00001", "step-00002"]
    for step in (1, 2):
        assert "adapter_model.safetensors" in at_save.seen[step]
        assert "manifest.json" in at_save.seen[step]
    # recorded as sent at their saves, so the stage's final write-back skipped them
    sent_at_save = {p.parent.name for p in sent if p.parent.parent.name == "checkpoints"}
    assert sent_at_save == {"step-00001", "step-00002"}
    ckpt = root / "train/k/checkpoints/step-00001"
    assert (ckpt / "adapter_model.safetensors").stat().st_size > 0
    assert (root / "train/k/manifest.json").is_file()
