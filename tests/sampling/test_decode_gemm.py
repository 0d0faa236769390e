from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import torch
from torch import nn

from spillover.sampling import Engine, Request, SamplingParams, decode_gemm, render_chat
from spillover.sampling.decode_gemm import (
    LINEAR,
    DecodeLayout,
    choose_decode_layout,
    clear_weight_major,
    decode_layout,
    pin_decode_layout,
    probe_rows,
    set_weight_major,
    shape_of,
)


@contextmanager
def weight_major(model: nn.Module, rows: int) -> Iterator[None]:
    set_weight_major(model, rows)
    try:
        yield
    finally:
        clear_weight_major(model)


def _overridden(model: nn.Module) -> list[bool]:
    return ["forward" in m.__dict__ for m in model.modules() if type(m) is nn.Linear]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 16), (8, 16), (2, 3, 16), (1, 1, 16)])
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


class _TwoShapes(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.narrow = nn.Linear(4, 4)
        self.wide = nn.Linear(4, 12)
        self.wide_again = nn.Linear(4, 12)


@pytest.mark.parametrize("wide_faster_swapped", [True, False])
def test_weight_major_is_kept_for_the_shapes_it_speeds_up(
    monkeypatch: pytest.MonkeyPatch, wide_faster_swapped: bool
) -> None:
    timed: list[tuple[str, list[int]]] = []

    def fake_times(layer: nn.Linear, row_counts: list[int]) -> tuple[float, float]:
        timed.append((shape_of(layer), row_counts))
        if layer.out_features == 12 and wide_faster_swapped:
            return 1.0, 0.9
        return 1.0, 0.97  # saves less than MIN_SAVING: not worth a different kernel

    monkeypatch.setattr(decode_gemm, "time_layouts", fake_times)
    model = _TwoShapes()
    layout = choose_decode_layout(model, rows=16, device="cpu")
    assert [shape for shape, _ in timed] == ["4->4", "4->12"]  # each shape timed once
    assert timed[0][1] == probe_rows(16)
    assert layout.weight_major == ({"4->12"} if wide_faster_swapped else set())
    assert _overridden(model) == [False, wide_faster_swapped, wide_faster_swapped]
    assert (str(layout) == LINEAR) != wide_faster_swapped


def test_probe_rows_span_the_batch_with_odd_counts() -> None:
    assert probe_rows(64) == [21, 33, 51, 64]
    assert probe_rows(1) == [1]
    assert all(1 <= r <= 4 for r in probe_rows(4))


def test_cuda_keeps_linear_without_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode_gemm, "time_layouts", lambda *a: pytest.fail("timed"))
    model = _TwoShapes()
    layout = choose_decode_layout(model, rows=4, device="cuda:0")
    assert str(layout) == LINEAR and not layout.weight_major
    assert _overridden(model) == [False, False, False]


def test_a_pinned_layout_is_kept_untimed(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _TwoShapes()
    set_weight_major(model, rows=4)
    pin_decode_layout(model, DecodeLayout(4))
    assert _overridden(model) == [False, False, False]
    monkeypatch.setattr(decode_gemm, "time_layouts", lambda *a: pytest.fail("timed"))
    assert decode_layout(model, 4, "cpu") == DecodeLayout(4)


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
    layout = first.decode_layout
    assert layout is not None and layout.rows == 4
    shapes = {shape_of(m) for m in tiny_fp32.model.modules() if type(m) is nn.Linear}
    assert {shape for shape, _ in layout.by_shape} == shapes
    second = Engine(tiny_fp32, max_batch=4)
    assert [c.token_ids for c in second.generate(requests)] == out
    assert second.decode_layout is layout  # the model's choice, not timed again
    assert {
        shape_of(m) for m in tiny_fp32.model.modules() if "forward" in m.__dict__
    } == layout.weight_major
    # every linear weight-major samples the same greedy tokens, and so does none
    try:
        for arrange in (set_weight_major, lambda model, rows: clear_weight_major(model)):
            arrange(tiny_fp32.model, 4)
            assert [c.token_ids for c in Engine(tiny_fp32, max_batch=4).generate(requests)] == out
    finally:  # the model is shared by the pytest session's tests: leave its choice as it was
        layout.apply(tiny_fp32.model)
    for engine in (first, second):
        engine.close()
