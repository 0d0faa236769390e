"""Trainer callbacks: metrics to metrics.jsonl, checkpoints moved into our sealed layout."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from spillover.train.checkpoints import adopt_trainer_checkpoint

METRICS = "metrics.jsonl"


def trim_metrics(run_dir: Path, last_step: int) -> None:
    """Drop metric lines past `last_step` (a resumed run writes them again)."""
    path = run_dir / METRICS
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if int(json.loads(line).get("step", 0)) <= last_step:
                kept.append(line)
        except (ValueError, AttributeError):
            continue
    path.write_text("".join(k + "\n" for k in kept), encoding="utf-8")


class MetricsCallback(TrainerCallback):  # type: ignore[misc]
    """One JSON line per log: step, loss, lr, tokens/s (all non-pad tokens), grad norm."""

    def __init__(self, run_dir: Path, is_main: bool) -> None:
        self.path = run_dir / METRICS
        self.is_main = is_main
        self._last_time = time.perf_counter()
        self._last_tokens = 0.0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last_time = time.perf_counter()
        self._last_tokens = 0.0

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not self.is_main or not logs or "loss" not in logs:
            return
        now = time.perf_counter()
        tokens = float(logs.get("num_tokens", 0.0))
        elapsed = now - self._last_time
        record = {
            "step": state.global_step,
            "epoch": logs.get("epoch"),
            "loss": logs.get("loss"),
            "lr": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "token_accuracy": logs.get("mean_token_accuracy"),
            "tokens": tokens,
            "tokens_per_s": (tokens - self._last_tokens) / elapsed
            if elapsed > 0 and tokens
            else None,
            "time": time.time(),
        }
        self._last_time, self._last_tokens = now, tokens
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


class CheckpointCallback(TrainerCallback):  # type: ignore[misc]
    """After the Trainer saves `checkpoint-N`, move it to checkpoints/step-N and seal it."""

    def __init__(self, run_dir: Path, is_main: bool) -> None:
        self.run_dir = run_dir
        self.is_main = is_main
        self.saved: list[Path] = []

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self.is_main:
            return
        source = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if source.is_dir():
            self.saved.append(adopt_trainer_checkpoint(source, self.run_dir, state.global_step))
