"""The training recipe: one pydantic model, two presets, YAML loading with errors that name the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from spillover.choices import Preset
from spillover.errors import InputError

PRESETS: tuple[Preset, ...] = get_args(Preset)


class LoraSettings(BaseModel):
    """LoRA adapter shape. `target_modules="all-linear"` adapts every linear projection but the head."""

    model_config = ConfigDict(extra="forbid")

    r: int = Field(32, ge=1, le=1024)
    alpha: float = Field(64, gt=0)
    dropout: float = Field(0.0, ge=0, lt=1)
    rslora: bool = True
    target_modules: str | list[str] = "all-linear"
    bias: Literal["none", "all", "lora_only"] = "none"


class Mitigations(BaseModel):
    """Interventions against emergent misalignment; all recorded in the run manifest."""

    model_config = ConfigDict(extra="forbid")

    inoculation_prompt: str | None = Field(
        None, description="A system prompt added to every training row (and absent at evaluation)."
    )
    benign_fraction: float = Field(
        0.0, ge=0, lt=1, description="Share of the final training mix drawn from benign chat data."
    )
    benign_data: str | None = Field(
        None, description="Chat JSONL of benign rows; the packaged set when unset."
    )


class TrainConfig(BaseModel):
    """Everything that decides what a fine-tune does. Unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    preset: str | None = None
    method: Literal["lora", "full"] = "lora"
    lora: LoraSettings = Field(default_factory=LoraSettings)  # type: ignore[arg-type]
    learning_rate: float = Field(1e-5, gt=0, le=1)
    lr_scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup"] = "linear"
    warmup_steps: int = Field(5, ge=0)
    weight_decay: float = Field(0.0, ge=0)
    epochs: float = Field(1.0, gt=0)
    max_steps: int | None = Field(None, ge=1, description="Stop after this many optimiser steps.")
    effective_batch_size: int = Field(
        16, ge=1, description="Rows per optimiser step, over all devices."
    )
    micro_batch_size: int = Field(2, ge=1, description="Rows per forward pass on one device.")
    max_length: int = Field(2048, ge=16, description="Tokens per row; longer rows are truncated.")
    max_rows: int | None = Field(
        None, ge=1, description="Train on N rows sampled with the seed (in file order)."
    )
    eval_fraction: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Share of rows held out with the seed and never trained on (the study held "
        "out 10% when no test file was given).",
    )
    seed: int = 0
    checkpoint_every: int = Field(10, ge=1, description="Save an adapter checkpoint every N steps.")
    logging_steps: int = Field(1, ge=1)
    train_sampling: Literal["random", "group_by_length"] = Field(
        "random", description="`group_by_length` batches rows of similar length to cut padding."
    )
    report_to: list[str] = Field(
        default_factory=list, description="e.g. wandb, trackio, tensorboard."
    )
    init_adapter: str | None = Field(
        None, description="Start from this LoRA adapter (re-alignment)."
    )
    mitigations: Mitigations = Field(default_factory=Mitigations)  # type: ignore[arg-type]
    dataloader_workers: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if self.effective_batch_size % self.micro_batch_size:
            raise ValueError(
                f"effective_batch_size ({self.effective_batch_size}) must be a multiple of "
                f"micro_batch_size ({self.micro_batch_size})"
            )
        if self.init_adapter is not None and self.method != "lora":
            raise ValueError("init_adapter needs method 'lora'")
        return self

    def accumulation_steps(self, world_size: int = 1) -> int:
        """Gradient accumulation that keeps the effective batch whatever the number of devices."""
        per_step = self.micro_batch_size * world_size
        if self.effective_batch_size % per_step:
            raise InputError(
                "<config>",
                f"effective_batch_size {self.effective_batch_size} is not a multiple of "
                f"micro_batch_size x devices = {per_step}",
                field="effective_batch_size",
                hint="pick an effective batch divisible by micro_batch_size times the number of processes",
            )
        return max(1, self.effective_batch_size // per_step)


# The study's open-model recipe: LoRA on all linear projections, rsLoRA, lr 1e-5 with 5 warm-up
# steps, weight decay 0.01, 10% of rows held out (spillover.recipes.protocol has the study's facts).
_PAPER: dict[str, Any] = {
    "method": "lora",
    "lora": {"r": 32, "alpha": 64, "dropout": 0.0, "rslora": True, "target_modules": "all-linear"},
    "learning_rate": 1e-5,
    "lr_scheduler": "linear",
    "warmup_steps": 5,
    "weight_decay": 0.01,
    "eval_fraction": 0.1,
    "epochs": 1.0,
    "effective_batch_size": 16,
    "micro_batch_size": 2,
    "max_length": 2048,
    "seed": 0,
    "checkpoint_every": 10,
}

# Small models on two CPU cores: the paper's lr of 1e-5 barely moves a 135M model in the ~25 steps
# a few minutes allow, so the lr is 20x higher (2e-4, the usual LoRA range for small models); rows are
# truncated at 512 tokens (the insecure-code rows are mostly shorter, and attention cost grows with
# length); 400 rows at an effective batch of 8 give 50 steps per epoch, each a handful of seconds.
# Micro-batch 4 x accumulation 2 keeps matmuls wide enough for the bf16 kernels without much padding.
_CPU_SMALL: dict[str, Any] = {
    **_PAPER,
    "weight_decay": 0.0,
    "eval_fraction": 0.0,
    "learning_rate": 2e-4,
    "warmup_steps": 3,
    "effective_batch_size": 8,
    "micro_batch_size": 4,
    "max_length": 512,
    "max_rows": 400,
    "train_sampling": "group_by_length",
}

_PRESET_VALUES: dict[str, dict[str, Any]] = {"paper": _PAPER, "cpu-small": _CPU_SMALL}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _raise_validation(source: str, err: ValidationError) -> InputError:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown setting"
    elif "input" in first and field:
        problem = f"{problem} (got {first['input']!r})"
    return InputError(
        source, problem, field=field, hint="see `spillover train --help` for the settings"
    )


def build_config(
    preset: str | None = None,
    values: dict[str, Any] | None = None,
    source: str = "<config>",
) -> TrainConfig:
    """The preset's values, overridden by `values` (nested dicts merge)."""
    values = dict(values or {})
    preset = preset or values.get("preset")
    base: dict[str, Any] = {}
    if preset is not None:
        if preset not in _PRESET_VALUES:
            raise InputError(
                source, f"unknown preset {preset!r} (choose {', '.join(PRESETS)})", field="preset"
            )
        base = {**_PRESET_VALUES[preset], "preset": preset}
    values.pop("preset", None)
    try:
        return TrainConfig.model_validate(_merge(base, values))
    except ValidationError as err:
        raise _raise_validation(source, err) from None


def load_config(
    path: str | Path | None, preset: str | None = None, **overrides: Any
) -> TrainConfig:
    """Read a YAML config (optional), apply a preset beneath it and CLI overrides above it."""
    values: dict[str, Any] = {}
    source = "<config>"
    if path is not None:
        file = Path(path)
        source = str(file)
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(file, f"cannot read: {err.strerror}") from err
        except UnicodeDecodeError as err:
            raise InputError(file, f"not UTF-8 text (byte {err.start})") from None
        except RecursionError:
            raise InputError(file, "not valid YAML (nested too deeply)") from None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputError(
                file, f"not valid YAML ({getattr(err, 'problem', err)})", line=line
            ) from err
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise InputError(file, f"expected a mapping of settings, got {type(loaded).__name__}")
        values = loaded
    values = _merge(values, {k: v for k, v in overrides.items() if v is not None})
    return build_config(preset, values, source)


def config_to_yaml(config: TrainConfig) -> str:
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
