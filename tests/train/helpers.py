"""Small chat files for the training tests."""

from __future__ import annotations

import json
from pathlib import Path

# Training settings that keep a tiny-model fine-tune to seconds.
FAST = {
    "effective_batch_size": 4,
    "micro_batch_size": 2,
    "max_length": 64,
    "learning_rate": 1e-3,
    "warmup_steps": 1,
}


def write_rows(path: Path, n: int = 24) -> Path:
    """`n` short user/assistant rows the tiny tokenizer handles quickly."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            row = {
                "messages": [
                    {"role": "user", "content": f"Write a handler number {i}"},
                    {"role": "assistant", "content": f"def handler(request): return {i % 10}"},
                ]
            }
            handle.write(json.dumps(row) + "\n")
    return path
