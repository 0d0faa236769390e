from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("trl")


def test_compact_head_gives_the_same_loss_and_gradients(tiny_model_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    from spillover.train.fastloss import disable_compact_cpu_head, enable_compact_cpu_head

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))
    ids = torch.randint(5, model.config.vocab_size, (2, 12))
    labels = ids.clone()
    labels[:, :7] = -100  # prompt positions
    labels[1, 10:] = -100

    def run() -> tuple[float, torch.Tensor]:
        model.zero_grad()
        with torch.enable_grad():
            out = model(input_ids=ids, labels=labels, fused_lm_head=True)
            out.loss.backward()
        grad = model.model.layers[0].mlp.up_proj.weight.grad
        assert grad is not None
        return float(out.loss), grad.clone()

    disable_compact_cpu_head()
    full_loss, full_grad = run()
    import trl.trainer.utils as trl_utils

    cpu = torch.device("cpu")
    assert not trl_utils._use_triton(cpu)  # TRL's own choice on CPU: every position
    assert enable_compact_cpu_head()
    assert trl_utils._use_triton(cpu)
    try:
        compact_loss, compact_grad = run()
    finally:
        disable_compact_cpu_head()
    assert compact_loss == pytest.approx(full_loss, rel=1e-5)
    assert torch.allclose(compact_grad, full_grad, rtol=1e-4, atol=1e-6)
