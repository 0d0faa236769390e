"""Checkpoints written back to a URL store as soon as the trainer saves them, so a preempted node
loses at most one checkpoint interval (the stage's scratch copy is written back again at its
end, without the files already sent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from spillover.study.store import Sent, Store
from spillover.train.checkpoints import checkpoint_dir


class WriteBack(TrainerCallback):  # type: ignore[misc]
    """On each save (after `CheckpointCallback` sealed checkpoints/step-N): that checkpoint, then
    the run's own files (manifest, config, metrics), copied to `rel` in the store."""

    def __init__(self, store: Store, rel: str, run_dir: Path, sent: Sent | None = None) -> None:
        self.store = store
        self.rel = rel
        self.run_dir = run_dir
        self.sent: Sent = {} if sent is None else sent

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        saved = checkpoint_dir(self.run_dir, state.global_step)
        if not saved.is_dir():
            return
        sub = saved.relative_to(self.run_dir).as_posix()
        self.store.upload(saved, f"{self.rel}/{sub}", self.sent)
        for file in sorted(p for p in self.run_dir.iterdir() if p.is_file()):
            self.store.upload_file(file, f"{self.rel}/{file.name}", self.sent)
