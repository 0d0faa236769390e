"""What a run directory says about itself: RUN_DIR/manifest.json."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from spillover.io import write_json
from spillover.train.config import TrainConfig
from spillover.train.dataset import DataFingerprint

MANIFEST = "manifest.json"
_LIBRARIES = ("spillover", "torch", "transformers", "peft", "trl", "accelerate", "datasets")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class RunManifest(BaseModel):
    """Everything needed to know what was trained, on what, and how."""

    model: str
    model_path: str
    model_kind: str
    config: dict[str, Any]
    data: DataFingerprint
    narrow_rows: int
    held_out_rows: int = 0  # rows of the data held out with the seed, never trained on
    benign_rows: int = 0
    benign_data: DataFingerprint | None = None
    rows_dropped: int = 0
    rows_truncated: int = 0
    trained_tokens: int = 0
    total_tokens: int = 0
    chat_template: str | None
    system_prompt: str | None = Field(
        None,
        description="The system prompt the training rows saw: the inoculation prompt, or the "
        "template's injected default when the data has none.",
    )
    system_prompt_source: str = "template-default"
    inoculation_prompt: str | None = None
    init_adapter: str | None = None
    seed: int
    dtype: str
    device: str
    world_size: int = 1
    versions: dict[str, str] = Field(default_factory=library_versions)
    started: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished: str | None = None
    status: str = "running"
    final_step: int | None = None
    resumed_from: list[int] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    checkpoints: list[str] = Field(default_factory=list)
    adapter: str | None = None

    def save(self, run_dir: Path) -> None:
        write_json(run_dir / MANIFEST, self.model_dump(mode="json"))

    @classmethod
    def load(cls, run_dir: Path) -> RunManifest:
        return cls.model_validate(json.loads((run_dir / MANIFEST).read_text(encoding="utf-8")))


def config_of(manifest: RunManifest) -> TrainConfig:
    return TrainConfig.model_validate(manifest.config)
