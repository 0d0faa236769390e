from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


# The CUDA cases run on a GPU machine (see docs/gpu-check.md) and skip on a CPU.
DEVICES = [
    "cpu",
    pytest.param(
        "cuda", marks=pytest.mark.skipif(not _cuda_available(), reason="needs a CUDA GPU")
    ),
]


@pytest.fixture(scope="session")
def tiny_fp32(tiny_model_dir: Path) -> Any:
    """The tiny model loaded in float32 (exact comparisons between batch layouts)."""
    import torch

    from spillover.models.load import load_causal_lm

    return load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")


@pytest.fixture(scope="session", params=DEVICES)
def tiny_fp32_on(request: pytest.FixtureRequest, tiny_model_dir: Path) -> Any:
    """The tiny model in float32 on each device of DEVICES (the CUDA case skips on a CPU)."""
    import torch

    from spillover.models.load import load_causal_lm

    return load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device=request.param)


@pytest.fixture(scope="session")
def tiny_adapter(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA adapter with random (non-zero) weights on the tiny model, saved with peft."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    config = LoraConfig(
        r=4,
        lora_alpha=32,
        target_modules=["q_proj", "v_proj", "down_proj"],
        init_lora_weights=False,
    )
    peft_model = get_peft_model(base, config)
    out = tmp_path_factory.mktemp("tiny-lora")
    peft_model.save_pretrained(str(out))
    return out
