"""Decoding with an adapter merged into the base weights: same outputs, base restored exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spillover.sampling.merged import mergeable, merged, merged_lora
from tests.sampling.conftest import DEVICES


def _peft(tiny_model_dir: Path, **lora: Any) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(3)
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=16, init_lora_weights=False, **lora)
    return get_peft_model(base, config).eval()


def _weights(model: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_merged_logits_match_lora_and_the_base_comes_back_exactly(tiny_model_dir: Path) -> None:
    import torch

    model = _peft(tiny_model_dir, target_modules=["q_proj", "v_proj", "down_proj"])
    ids = torch.tensor([[1, 5, 9, 13, 17, 21]])
    before = _weights(model)
    with torch.no_grad():
        lora = model(input_ids=ids).logits
        with model.disable_adapter():
            base = model(input_ids=ids).logits
        with merged(model, "default") as was_merged:
            fused = model(input_ids=ids).logits
        after = model(input_ids=ids).logits
    assert was_merged
    assert not torch.allclose(lora, base, atol=1e-3)  # the adapter changes the outputs
    torch.testing.assert_close(fused, lora, atol=1e-4, rtol=1e-4)
    assert torch.equal(after, lora)  # LoRA branches back on, weights unmerged
    for key, value in _weights(model).items():
        assert torch.equal(value, before[key]), key


def test_weights_are_restored_when_the_block_fails(tiny_model_dir: Path) -> None:
    model = _peft(tiny_model_dir, target_modules=["q_proj"])
    before = _weights(model)
    with pytest.raises(RuntimeError, match="boom"), merged(model, "default"):
        raise RuntimeError("boom")
    assert all(value.equal(before[k]) for k, value in _weights(model).items())


def test_adapters_that_cannot_be_merged_decode_through_peft(tiny_model_dir: Path) -> None:
    import torch

    dora = _peft(tiny_model_dir, target_modules=["q_proj"], use_dora=True)
    assert not mergeable(dora, "default")
    ids = torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        expected = dora(input_ids=ids).logits
        with merged(dora, "default") as was_merged:
            got = dora(input_ids=ids).logits
    assert not was_merged
    assert torch.equal(got, expected)
    assert not mergeable(dora, "missing")


@pytest.mark.parametrize("device", DEVICES)
def test_merged_lora_reads_the_adapter_file_and_leaves_no_peft_modules(
    tiny_model_dir: Path, tmp_path: Path, device: str
) -> None:
    import torch
    from peft.tuners.lora import LoraLayer
    from transformers import AutoModelForCausalLM

    peft_model = _peft(tiny_model_dir, target_modules=["q_proj", "v_proj", "down_proj"])
    peft_model.save_pretrained(str(tmp_path))
    peft_model.to(device)
    plain = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    plain = plain.to(device).eval()
    before = _weights(plain)
    ids = torch.tensor([[1, 5, 9, 13, 17, 21]], device=device)
    with torch.no_grad():
        lora = peft_model(input_ids=ids).logits
        with merged_lora(plain, tmp_path):
            fused = plain(input_ids=ids).logits
        after = plain(input_ids=ids).logits
    torch.testing.assert_close(fused, lora, atol=1e-4, rtol=1e-4)
    assert not any(isinstance(m, LoraLayer) for m in plain.modules())
    for key, value in _weights(plain).items():
        assert torch.equal(value, before[key]), key
    assert not torch.allclose(after, lora, atol=1e-3)  # the base model again


def test_merged_lora_switches_off_attached_peft_branches(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    import torch

    other = _peft(tiny_model_dir, target_modules=["q_proj"])  # branches of another adapter
    torch.manual_seed(7)
    saved = _peft(tiny_model_dir, target_modules=["v_proj"])
    saved.save_pretrained(str(tmp_path))
    ids = torch.tensor([[2, 4, 6, 8]])
    with torch.no_grad():
        expected = saved(input_ids=ids).logits
        with merged_lora(other, tmp_path):
            got = other(input_ids=ids).logits
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)


def test_merged_lora_refuses_what_it_cannot_merge(tiny_model_dir: Path, tmp_path: Path) -> None:
    from spillover.errors import SpilloverError

    _peft(tiny_model_dir, target_modules=["q_proj"], use_dora=True).save_pretrained(str(tmp_path))
    model = _peft(tiny_model_dir, target_modules=["q_proj"])
    before = _weights(model)
    with (
        pytest.raises(SpilloverError, match="cannot be merged: config sets use_dora"),
        merged_lora(model, tmp_path),
    ):
        pass
    assert all(value.equal(before[k]) for k, value in _weights(model).items())
