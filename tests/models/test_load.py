"""Attaching a LoRA adapter prints no library deprecation warning, and hides nothing else."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from spillover.models.load import attach_adapter, load_causal_lm, peft_wrapping  # noqa: E402


def test_attach_adapter_raises_no_deprecation_warning(tiny_model_dir: Path, tmp_path: Path) -> None:
    from peft import LoraConfig, get_peft_model

    base = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu").model
    config = LoraConfig(r=2, lora_alpha=4, target_modules="all-linear", task_type="CAUSAL_LM")
    with peft_wrapping():
        get_peft_model(base, config).save_pretrained(tmp_path / "adapter")
    fresh = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu").model
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrapped = attach_adapter(fresh, tmp_path / "adapter")
    assert hasattr(wrapped, "peft_config")
    assert [str(w.message) for w in caught if "deprecat" in str(w.message)] == []


def test_peft_wrapping_hides_only_the_one_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with peft_wrapping():
            warnings.warn("`is_gradient_checkpointing` is deprecated", FutureWarning, stacklevel=1)
            warnings.warn("`something_else` is deprecated", FutureWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["`something_else` is deprecated"]
