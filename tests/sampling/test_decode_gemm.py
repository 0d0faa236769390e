from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import torch
from torch import nn

from spillover.sampling import Engine, Request, SamplingParams, render_chat
from spillover.sampling.decode_gemm import (
    LINEAR,
    WEIGHT_MAJOR,
    choose_decode_layout,
    clear_weight_major,
    set_weight_major,
    weight_major,
)


def _overridden(model: nn.Module) -> list[bool]:
    return ["forward" in m.__dict__ for m in model.modules() if type(m) is nn.Linear]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 16), (2, 3, 16), (1, 1, 16)])
def test_weight_major_computes_what_linear_computes(bias: bool, shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    layer = nn.Linear(16, 40, bias=bias)
    x = torch.randn(*shape)
    expected = layer(x)
    with weight_major(layer, rows=8):
        assert "forward" in layer.__dict__
        got = layer(x)
    assert "forward" not in layer.__dict__
    assert got.shape == expected.shape and got.is_contiguous()
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_inputs_over_the_row_limit_take_linears_own_path() -> None:
    torch.manual_seed(0)
    layer = nn.Linear(16, 40)
    x = torch.randn(3, 4, 16)  # 12 rows
    expected = nn.functional.linear(x, layer.weight, layer.bias)
    with weight_major(layer, rows=11):
        assert torch.equal(layer(x), expected)  # bit for bit: the same kernel


def test_gradients_flow_through_weight_major() -> None:
    torch.manual_seed(0)
    layer = nn.Linear(8, 4)
    x = torch.randn(3, 8, requires_grad=True)
    layer(x).square().sum().backward()
    plain = (x.grad.clone(), layer.weight.grad.clone())  # type: ignore[union-attr]
    x.grad, layer.weight.grad = None, None
    with weight_major(layer, rows=8):
        layer(x).square().sum().backward()
    torch.testing.assert_close(x.grad, plain[0])
    torch.testing.assert_close(layer.weight.grad, plain[1])


def test_a_deep_copy_computes_with_its_own_weights() -> None:
    model = nn.Sequential(nn.Linear(4, 4))
    set_weight_major(model, rows=4)
    twin = copy.deepcopy(model)
    twin_layer = next(m for m in twin.modules() if isinstance(m, nn.Linear))
    with torch.no_grad():
        twin_layer.weight.zero_()
        twin_layer.bias.zero_()
    x = torch.ones(2, 4)
    assert torch.equal(twin(x), torch.zeros(2, 4))
    assert not torch.equal(model(x), torch.zeros(2, 4))
    clear_weight_major(model)
    assert _overridden(model) == [False]


class _Timed(nn.Module):
    """A model whose forward is slow in one layout, to check the choice follows the clock."""

    def __init__(self, slow_when_weight_major: bool) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.slow_when_weight_major = slow_when_weight_major

    def forward(self, input_ids: torch.Tensor, use_cache: bool = False) -> torch.Tensor:
        if ("forward" in self.proj.__dict__) == self.slow_when_weight_major:
            time.sleep(0.05)
        out: torch.Tensor = self.proj(torch.zeros(input_ids.shape[0], 4))
        return out


@pytest.mark.parametrize(
    ("slow_when_weight_major", "expected"), [(True, LINEAR), (False, WEIGHT_MAJOR)]
)
def test_the_faster_layout_is_kept(slow_when_weight_major: bool, expected: str) -> None:
    model = _Timed(slow_when_weight_major)
    assert choose_decode_layout(model, rows=4, device="cpu") == expected
    assert _overridden(model) == [expected == WEIGHT_MAJOR]


def test_cuda_keeps_linear_without_timing() -> None:
    model = _Timed(slow_when_weight_major=False)
    assert choose_decode_layout(model, rows=4, device="cuda:0") == LINEAR
    assert _overridden(model) == [False]


def test_an_engine_chooses_once_per_model_and_samples_the_same_either_way(
    tiny_fp32: Any,
) -> None:
    prompt = render_chat(tiny_fp32.tokenizer, [{"role": "user", "content": "hello there"}])
    requests = [
        Request(prompt.ids, SamplingParams(temperature=0.0, max_new_tokens=6, seed=i))
        for i in range(4)
    ]
    first = Engine(tiny_fp32, max_batch=4)
    out = [c.token_ids for c in first.generate(requests)]
    assert first.decode_layout in (LINEAR, WEIGHT_MAJOR)
    second = Engine(tiny_fp32, max_batch=4)
    assert [c.token_ids for c in second.generate(requests)] == out
    assert second.decode_layout == first.decode_layout  # the model's choice, not timed again
    chosen = first.decode_layout == WEIGHT_MAJOR
    assert set(_overridden(tiny_fp32.model)) == {chosen}
    # the other layout samples the same greedy tokens
    if chosen:
        clear_weight_major(tiny_fp32.model)
    else:
        set_weight_major(tiny_fp32.model, rows=4)
    try:
        assert [c.token_ids for c in Engine(tiny_fp32, max_batch=4).generate(requests)] == out
    finally:  # the model is shared by the session's tests: leave its choice as it was
        if chosen:
            set_weight_major(tiny_fp32.model, rows=4)
        else:
            clear_weight_major(tiny_fp32.model)
    for engine in (first, second):
        engine.close()
