from __future__ import annotations

from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.train.config import TrainConfig, build_config, config_to_yaml, load_config


def test_paper_preset_is_the_study_recipe() -> None:
    cfg = build_config("paper")
    assert (cfg.lora.r, cfg.lora.alpha, cfg.lora.dropout, cfg.lora.rslora) == (32, 64, 0.0, True)
    assert cfg.lora.target_modules == "all-linear"
    assert (cfg.learning_rate, cfg.lr_scheduler, cfg.warmup_steps) == (1e-5, "linear", 5)
    assert (cfg.epochs, cfg.effective_batch_size, cfg.max_length, cfg.seed) == (1.0, 16, 2048, 0)
    assert cfg.checkpoint_every == 10
    assert (cfg.weight_decay, cfg.eval_fraction, cfg.max_rows) == (0.01, 0.1, None)


def test_cpu_small_preset_differs_where_documented() -> None:
    cfg = build_config("cpu-small")
    assert cfg.learning_rate > 1e-5
    assert cfg.max_length <= 512
    assert cfg.lora.r == 32


def test_yaml_overrides_preset_and_nested_merge(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "preset: paper\nlearning_rate: 0.0003\nlora:\n  r: 8\nmitigations:\n  inoculation_prompt: Hi\n"
    )
    cfg = load_config(path, max_steps=7)
    assert cfg.learning_rate == 0.0003
    assert cfg.lora.r == 8 and cfg.lora.alpha == 64  # other LoRA fields keep the preset's values
    assert cfg.max_steps == 7
    assert cfg.mitigations.inoculation_prompt == "Hi"
    again = path.with_name("again.yaml")
    again.write_text(config_to_yaml(cfg))
    assert load_config(again) == cfg


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("learning_rate: -1\n", "learning_rate"),
        ("lora:\n  r: 0\n", "lora.r"),
        ("lora:\n  rank: 4\n", "lora.rank"),
        ("mitigations:\n  benign_fraction: 1.5\n", "mitigations.benign_fraction"),
        ("max_lenght: 100\n", "max_lenght"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert info.value.field == field
    assert str(path) in str(info.value)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("seed: 1\nlora: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert info.value.line is not None


def test_unknown_preset() -> None:
    with pytest.raises(InputError, match="unknown preset"):
        build_config("huge")


def test_batch_must_divide() -> None:
    with pytest.raises(InputError):
        build_config(None, {"effective_batch_size": 10, "micro_batch_size": 4})


def test_accumulation_keeps_effective_batch_across_devices() -> None:
    cfg = TrainConfig(effective_batch_size=16, micro_batch_size=2)
    assert cfg.accumulation_steps(1) == 8
    assert cfg.accumulation_steps(4) == 2
    with pytest.raises(InputError, match="effective_batch_size"):
        cfg.accumulation_steps(3)
