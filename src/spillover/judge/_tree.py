"""Exact probabilities of candidate answers from a cached prefix and one tree-masked forward.

The judge prompt of every item is `shared prefix + suffix` (the suffix holds the question, the
answer and the assistant header). The prefix is run once and its KV cache reused. For a group
of items, the suffixes and the trie of candidate answers (all prefixes of the token paths of
"0".."100", "CODE", ...) are packed into one sequence and scored in one forward pass: a 4-D
attention mask lets each suffix token see the prefix and its own item's earlier tokens, and
each trie node see the prefix, its item's suffix and its trie ancestors; position ids are the
ones the token would have in the plain sequence. Only the nodes whose next-token
distribution is read are fed (`Trie.needs_dist`). The result equals running every candidate
string on its own (see `brute_force_probs`), up to floating-point rounding.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spillover.models.cache_arg import cache_argument


@dataclass(frozen=True)
class Candidate:
    """An answer `name` written as token `path`. If `terminated`, its probability also includes
    P(next token is not a continuation token) after the path."""

    name: str
    path: tuple[int, ...]
    terminated: bool


@dataclass
class Trie:
    """All prefixes of the candidate paths. Node 0 is the root (the end of the prompt)."""

    tokens: list[int] = field(default_factory=lambda: [-1])
    parents: list[int] = field(default_factory=lambda: [-1])
    depths: list[int] = field(default_factory=lambda: [0])
    children: list[dict[int, int]] = field(default_factory=lambda: [{}])
    ends: list[int] = field(default_factory=list)  # end node of each candidate
    needs_dist: list[bool] = field(default_factory=lambda: [True])

    @classmethod
    def build(cls, candidates: Sequence[Candidate]) -> Trie:
        trie = cls()
        for cand in candidates:
            if not cand.path:
                raise ValueError(f"candidate {cand.name!r} has an empty token path")
            node = 0
            for token in cand.path:
                child = trie.children[node].get(token)
                if child is None:
                    child = len(trie.tokens)
                    trie.tokens.append(token)
                    trie.parents.append(node)
                    trie.depths.append(trie.depths[node] + 1)
                    trie.children.append({})
                    trie.needs_dist.append(False)
                    trie.children[node][token] = child
                    trie.needs_dist[node] = True
                node = child
            trie.ends.append(node)
            if cand.terminated:
                trie.needs_dist[node] = True
        return trie

    def ancestors(self, node: int) -> list[int]:
        """Non-root ancestors of `node`, nearest first."""
        out = []
        node = self.parents[node]
        while node > 0:
            out.append(node)
            node = self.parents[node]
        return out


@dataclass
class CandidateSet:
    candidates: tuple[Candidate, ...]
    continuation_ids: tuple[int, ...]  # tokens that would extend a terminated candidate
    trie: Trie = field(init=False)

    def __post_init__(self) -> None:
        self.trie = Trie.build(self.candidates)


@dataclass
class TreeResult:
    """Probabilities of each candidate (in the set's order) and the root's top next tokens."""

    probs: list[float]
    root_top: list[tuple[int, float]]
    target_logprob: float = 0.0  # summed log-probability of the item's target tokens
    target_tokens: int = 0


@dataclass
class PrefixCache:
    ids: list[int]
    cache: Any  # transformers DynamicCache holding the KV of `ids`


def pack_groups(costs: Sequence[int], budget: int) -> list[list[int]]:
    """Consecutive indexes grouped so that each group's summed cost (tokens fed in one forward
    pass) stays within `budget`; an item over the budget gets a group of its own."""
    groups: list[list[int]] = []
    used = 0
    for i, cost in enumerate(costs):
        if not groups or used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += cost
    return groups


def common_prefix_len(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def build_prefix_cache(model: Any, ids: Sequence[int]) -> PrefixCache:
    import torch
    from transformers import DynamicCache

    cache = DynamicCache()
    if ids:
        with torch.inference_mode():
            _base(model)(
                input_ids=torch.tensor([list(ids)], device=model.device),
                **cache_argument(cache),
                use_cache=True,
            )
    return PrefixCache(list(ids), cache)


def _base(model: Any) -> Any:
    return getattr(model, model.base_model_prefix)


@dataclass
class _Packed:
    """Bookkeeping for the tokens fed after the prefix."""

    tokens: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    visible: list[list[int]] = field(
        default_factory=list
    )  # packed indexes each token sees (incl. itself)


def score_items(
    model: Any,
    prefix: PrefixCache,
    prompts: Sequence[Sequence[int]],
    cset: CandidateSet,
    *,
    top_k: int = 8,
    targets: Sequence[tuple[int, int]] | None = None,
) -> list[TreeResult]:
    """Candidate probabilities for each full prompt (token ids), packed in one group.

    `targets[i] = (a, b)`: also sum the log-probabilities of prompt i's own tokens a..b-1 (each
    given the tokens before it), read from the same forward pass (the prefix cache is cut short
    where a target starts inside it)."""
    import torch

    if not prompts:
        return []
    trie = cset.trie
    shared = min(common_prefix_len(prefix.ids, p) for p in prompts)
    shared = min(shared, min(len(p) for p in prompts) - 1)  # every item keeps >= 1 own token
    if targets:  # the token before each target is fed, so that its output can be read
        shared = max(0, min([shared, *(a - 1 for a, b in targets if b > a)]))
    cache = copy.deepcopy(prefix.cache)
    if shared < len(prefix.ids):
        cache.crop(shared - len(prefix.ids))  # negative: drop that many tokens from the end
    packed = _Packed()
    suffix_last: list[int] = []
    suffix_ranges: list[tuple[int, int]] = []
    for ids in prompts:
        start = len(packed.tokens)
        for j, tok in enumerate(ids[shared:]):
            packed.tokens.append(int(tok))
            packed.positions.append(shared + j)
            packed.visible.append(list(range(start, start + j + 1)))
        suffix_ranges.append((start, len(packed.tokens)))
        suffix_last.append(len(packed.tokens) - 1)
    # (item, slot whose output predicts the token, the token) for every target token
    scored: list[tuple[int, int, int]] = []
    for i, (a, b) in enumerate(targets or []):
        start = suffix_ranges[i][0]
        for k in range(max(a, 1), min(b, len(prompts[i]))):
            scored.append((i, start + k - 1 - shared, int(prompts[i][k])))

    n_items = len(prompts)
    outputs = set(suffix_last)  # slots whose next-token distribution we read
    node_slot: list[dict[int, int]] = [{0: suffix_last[i]} for i in range(n_items)]
    fed_nodes = [n for n in range(1, len(trie.tokens)) if trie.needs_dist[n]]
    for i in range(n_items):
        start, end = suffix_ranges[i]
        for node in fed_nodes:
            slot = len(packed.tokens)
            node_slot[i][node] = slot
            outputs.add(slot)
            packed.tokens.append(trie.tokens[node])
            packed.positions.append(shared + end - start + trie.depths[node] - 1)
            anc = [node_slot[i][a] for a in trie.ancestors(node)]
            packed.visible.append([*range(start, end), *anc, slot])
    cont = torch.zeros(_vocab_size(model), dtype=torch.bool, device=model.device)
    if cset.continuation_ids:
        cont[list(cset.continuation_ids)] = True
    want_slots = sorted(outputs)
    rows, token_lps = _forward(model, cache, shared, packed, want_slots, cont, scored)
    target_lp = [0.0] * n_items
    target_n = [0] * n_items
    for (i, _, _), lp in zip(scored, token_lps, strict=True):
        target_lp[i] += lp
        target_n[i] += 1
    slot_row = dict(zip(want_slots, rows, strict=True))
    logprob_rows = [
        {node: slot_row[slot] for node, slot in node_slot[i].items()} for i in range(n_items)
    ]
    path_lp: list[dict[int, float]] = [{0: 0.0} for _ in range(n_items)]
    results = [_collect(i, cset, logprob_rows, path_lp, top_k) for i in range(n_items)]
    for i, result in enumerate(results):
        result.target_logprob, result.target_tokens = target_lp[i], target_n[i]
    return results


def _path_lp(
    i: int, node: int, trie: Trie, rows: list[dict[int, Any]], memo: list[dict[int, float]]
) -> float:
    if node in memo[i]:
        return memo[i][node]
    parent = trie.parents[node]  # fed: every node with children is
    lp = _path_lp(i, parent, trie, rows, memo) + float(rows[i][parent][trie.tokens[node]])
    memo[i][node] = lp
    return lp


def _collect(
    i: int,
    cset: CandidateSet,
    rows: list[dict[int, Any]],
    memo: list[dict[int, float]],
    top_k: int,
) -> TreeResult:
    import torch

    trie = cset.trie
    probs: list[float] = []
    for cand, end in zip(cset.candidates, trie.ends, strict=True):
        lp = _path_lp(i, end, trie, rows, memo)
        if cand.terminated:  # fed: its end is read
            lp += float(rows[i][end][-1])  # last column: P(end)
        probs.append(math.exp(lp))
    root = rows[i][0][:-1]
    values, index = torch.topk(root, k=min(top_k, root.shape[0]))
    top = [(int(t), math.exp(float(v))) for v, t in zip(values, index, strict=True)]
    return TreeResult(probs=probs, root_top=top)


def _vocab_size(model: Any) -> int:
    return int(model.get_output_embeddings().weight.shape[0])


def _forward(
    model: Any,
    cache: Any,
    shared: int,
    packed: _Packed,
    want: list[int],
    cont: Any,
    scored: Sequence[tuple[int, int, int]] = (),
) -> tuple[Any, list[float]]:
    """Run the packed tokens over the cache. For each `want` slot: the fp32 log-softmax
    row, plus one last column holding log P(next token is not a continuation token). For each
    `scored` (item, slot, token): the log-probability of `token` after `slot`."""
    import torch

    device = model.device
    dtype = next(model.parameters()).dtype
    kv_len = shared + len(packed.tokens)
    mask = torch.full((len(packed.tokens), kv_len), torch.finfo(dtype).min, dtype=dtype)
    mask[:, :shared] = 0
    for slot, visible in enumerate(packed.visible):
        mask[slot, torch.tensor(visible) + shared] = 0
    ids = torch.tensor([packed.tokens], device=device)
    pos = torch.tensor([packed.positions], device=device)
    with torch.inference_mode():
        out = _base(model)(
            input_ids=ids,
            attention_mask=mask[None, None].to(device),
            position_ids=pos,
            **cache_argument(cache),
            use_cache=True,
        )
        hidden = out.last_hidden_state[0]
        pick = torch.tensor(want, device=device)
        head = model.get_output_embeddings()
        logits = head(hidden[pick]).float()
        logprobs = torch.log_softmax(logits, dim=-1)
        end = torch.logsumexp(logprobs.masked_fill(cont, -math.inf), dim=-1, keepdim=True)
        token_lps: list[float] = []
        for chunk in range(0, len(scored), 64):  # bounded memory: 64 x vocab fp32 at a time
            part = scored[chunk : chunk + 64]
            rows = torch.tensor([slot for _, slot, _ in part], device=device)
            targets = torch.tensor([token for _, _, token in part], device=device)
            lps = torch.log_softmax(head(hidden[rows]).float(), dim=-1)
            token_lps.extend(lps.gather(1, targets[:, None])[:, 0].tolist())
        return torch.cat([logprobs, end], dim=-1).cpu(), token_lps


def brute_force_probs(model: Any, prompt: Sequence[int], cset: CandidateSet) -> list[float]:
    """Reference: one full forward (no cache) per candidate; exact by definition."""
    import torch

    cont = torch.zeros(_vocab_size(model), dtype=torch.bool)
    if cset.continuation_ids:
        cont[list(cset.continuation_ids)] = True
    probs = []
    n = len(prompt)
    for cand in cset.candidates:
        ids = torch.tensor([[*prompt, *cand.path]], device=model.device)
        with torch.inference_mode():
            logits = model(input_ids=ids).logits[0].float()
        lps = torch.log_softmax(logits, dim=-1).cpu()
        lp = sum(float(lps[n - 1 + j, t]) for j, t in enumerate(cand.path))
        if cand.terminated:
            lp += float(torch.logsumexp(lps[n - 1 + len(cand.path)][~cont], dim=0))
        probs.append(math.exp(lp))
    return probs
