"""Choose the next token for every row from its logits: greedy, temperature and top-p, with one
random generator per row so a completion depends on its own seed, not on its batch neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spillover.sampling.types import SamplingParams


def pick_tokens(logits: Any, params: Sequence[SamplingParams], generators: Sequence[Any]) -> Any:
    """Next token id per row (a LongTensor [rows]) from float logits [rows, vocab]."""
    import torch

    rows = logits.shape[0]
    chosen = logits.argmax(dim=-1)
    sampled = [i for i in range(rows) if params[i].temperature > 0]
    if not sampled:
        return chosen
    index = torch.tensor(sampled, dtype=torch.long, device=logits.device)
    temps = torch.tensor(
        [params[i].temperature for i in sampled], dtype=logits.dtype, device=logits.device
    )
    probs = torch.softmax(logits.index_select(0, index) / temps[:, None], dim=-1)
    top_ps = [params[i].top_p for i in sampled]
    order = None
    if any(p < 1.0 for p in top_ps):
        probs, order = probs.sort(dim=-1, descending=True)
        cum = probs.cumsum(dim=-1)
        limit = torch.tensor(top_ps, dtype=probs.dtype, device=probs.device)[:, None]
        probs = probs.masked_fill(cum - probs >= limit, 0.0)  # the top token always stays
    cdf = probs.cumsum(dim=-1)
    draws = (
        # float32 spelled out: a model loading in another thread may change the default dtype
        torch.cat([torch.rand(1, dtype=torch.float32, generator=generators[i]) for i in sampled])
        .to(cdf)
        .clamp_(min=1e-7)
    )
    picked = torch.searchsorted(cdf, (draws * cdf[:, -1])[:, None]).clamp_(max=cdf.shape[-1] - 1)
    if order is not None:
        picked = order.gather(1, picked)
    chosen[index] = picked[:, 0]
    return chosen
