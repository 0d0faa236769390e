from __future__ import annotations

import math

import pytest
import torch

from spillover.sampling.pick import CHUNK, inverse_cdf, pick_tokens
from spillover.sampling.types import SamplingParams


def one_level(weights: torch.Tensor, draws: torch.Tensor) -> torch.Tensor:
    """The plain inverse CDF over the whole vocabulary, in float64."""
    cum = weights.double().cumsum(dim=-1)
    return torch.searchsorted(cum, (draws.double() * cum[:, -1])[:, None])[:, 0]


def test_inverse_cdf_agrees_with_the_one_level_inverse() -> None:
    torch.manual_seed(0)
    vocab = 5 * CHUNK + 37  # a partial last chunk
    weights = torch.randn(400, vocab).mul(3).exp()
    draws = torch.rand(400)
    ours, plain = inverse_cdf(weights, draws), one_level(weights, draws)
    # float32 sums against float64 ones may differ where a draw falls on a boundary
    assert (ours == plain).float().mean() > 0.99
    assert (ours - plain).abs().max() <= 1


def test_inverse_cdf_only_returns_positive_weights_even_at_the_edges() -> None:
    weights = torch.zeros(4, 3 * CHUNK + 5)
    weights[:, [CHUNK + 3, 2 * CHUNK, 3 * CHUNK + 1]] = torch.tensor([1.0, 1e-30, 2.0])
    draws = torch.tensor([0.0, 1.0 - 2**-24, 0.5, 1e-20])
    picked = inverse_cdf(weights, draws)
    assert picked.tolist() == [CHUNK + 3, 3 * CHUNK + 1, 3 * CHUNK + 1, CHUNK + 3]


def test_inverse_cdf_draws_the_right_distribution() -> None:
    torch.manual_seed(1)
    probs = torch.tensor([0.1, 0.2, 0.3, 0.4])
    weights = torch.zeros(1, 2 * CHUNK + 9)
    positions = [1, CHUNK - 1, CHUNK, 2 * CHUNK + 8]
    weights[0, positions] = probs
    draws = 40_000
    picked = inverse_cdf(weights.expand(draws, -1).contiguous(), torch.rand(draws))
    counts = torch.tensor([(picked == p).sum().item() for p in positions], dtype=torch.float64)
    assert counts.sum() == draws
    chi2 = float((((counts - draws * probs.double()) ** 2) / (draws * probs.double())).sum())
    assert chi2 < 16.3  # p = 0.001 with 3 degrees of freedom


def params(temperature: float = 1.0, top_p: float = 1.0) -> SamplingParams:
    return SamplingParams(temperature=temperature, top_p=top_p, max_new_tokens=1, seed=0)


def test_greedy_rows_take_the_argmax_beside_sampled_rows() -> None:
    torch.manual_seed(2)
    logits = torch.randn(3, 1000).to(torch.bfloat16)
    generators = [torch.Generator().manual_seed(i) for i in range(3)]
    chosen = pick_tokens(logits, [params(0.0), params(1.0), params(0.0)], generators)
    assert chosen[0] == logits[0].float().argmax() and chosen[2] == logits[2].float().argmax()
    assert 0 <= int(chosen[1]) < 1000


@pytest.mark.parametrize("use_scratch", [False, True])
def test_same_generator_state_same_token_with_or_without_scratch(use_scratch: bool) -> None:
    torch.manual_seed(3)
    logits = torch.randn(5, 777)
    scratch = torch.full((8, 777), math.nan) if use_scratch else None
    first = pick_tokens(
        logits, [params()] * 5, [torch.Generator().manual_seed(i) for i in range(5)]
    )
    again = pick_tokens(
        logits, [params()] * 5, [torch.Generator().manual_seed(i) for i in range(5)], scratch
    )
    assert torch.equal(first, again)


def test_low_temperature_concentrates_and_top_p_keeps_the_nucleus() -> None:
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]]).expand(2000, -1).contiguous()
    generators = [torch.Generator().manual_seed(i) for i in range(2000)]
    cold = pick_tokens(logits, [params(0.05)] * 2000, generators)
    assert (cold == 0).all()
    nucleus = pick_tokens(logits, [params(1.0, top_p=0.7)] * 2000, generators)
    # softmax: 0.644, 0.237, 0.087, 0.032; the top two cover 0.7
    assert set(nucleus.tolist()) == {0, 1}
    share = float((nucleus == 0).float().mean())
    assert abs(share - 0.644 / (0.644 + 0.237)) < 0.04
