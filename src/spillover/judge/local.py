"""LocalJudge: an in-process Hugging Face judge reading exact answer probabilities.

Per metric template, the chat-rendered text before `{question}` (the instructions, ~300+
tokens with our prompts) is run once and its KV cache kept. Items are packed in groups of up
to `batch_tokens` fed tokens; each group is one forward pass that scores every item's
question/answer suffix together with the trie of candidate replies (see
`spillover.judge._tree` and `spillover.judge.digit_chain`).

When the calibration reads likelihood features of the answer (`spillover.judge.likelihood`),
they are computed with the same model, a few more packed forward passes over each answer.

`spec.model_args` (all optional): ``dtype`` ("float32", "bfloat16", "float16"), ``device``,
``batch_tokens`` (int, default 1024).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from spillover.errors import SpilloverError
from spillover.judge._tree import (
    Candidate,
    CandidateSet,
    PrefixCache,
    TreeResult,
    build_prefix_cache,
    pack_groups,
    score_items,
)
from spillover.judge.base import Classification, Judge, JudgeItem, JudgeSpec, Judgment
from spillover.judge.binary import (
    BINARY_LABELS,
    BINARY_TEMPLATES,
    NO_SPELLINGS,
    YES_SPELLINGS,
    binary_judgment,
)
from spillover.judge.code_answer import prelabel_code
from spillover.judge.digit_chain import NUMBERS, encode, number_candidates
from spillover.judge.distribution import MIN_NUMERIC_MASS, judgment_from_probs
from spillover.judge.likelihood import AnswerLikelihood
from spillover.judge.prompts import fill, split_at_first_field, template_for
from spillover.models.device import parse_dtype

_SENTINEL = "\x00SPILLOVER-QUESTION\x00"


class LocalJudge(Judge):
    """The raw judge on a local model. ``answer_features``: per metric, the likelihood features
    of the answer to read beside the raw score (what a calibration around it needs, or what
    `spillover judge-calibrate` fits)."""

    def __init__(
        self,
        spec: JudgeSpec,
        *,
        loaded: Any = None,
        answer_features: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        if spec.calibration:
            raise ValueError("LocalJudge is the raw judge: build a calibrated one with make_judge")
        self.spec = spec
        args = dict(spec.model_args)
        self.batch_tokens = int(args.get("batch_tokens", 1024))
        if loaded is None:
            from spillover.models.load import load_causal_lm

            loaded = load_causal_lm(
                spec.model, dtype=parse_dtype(args.get("dtype")), device=args.get("device")
            )
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.dtype = str(loaded.dtype)
        self._prefixes: dict[str, PrefixCache] = {}
        self._lock = threading.Lock()
        self.numbers, self.number_mode = number_candidates(self.tokenizer)
        self._binary: dict[str, CandidateSet] = {}
        self.likelihood = AnswerLikelihood(self.model, self.tokenizer, self.batch_tokens)
        self.answer_features: dict[str, tuple[str, ...]] = dict(answer_features or {})

    # -- prompts -------------------------------------------------------------------------
    def render_ids(self, text: str) -> list[int]:
        """Token ids of `text` as the judge's user turn, ready for the reply."""
        if getattr(self.tokenizer, "chat_template", None):
            rendered = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
            )
        else:
            rendered = text
        return [
            int(t) for t in self.tokenizer(str(rendered), add_special_tokens=False)["input_ids"]
        ]

    def _prefix(self, template: str) -> PrefixCache:
        cached = self._prefixes.get(template)
        if cached is None:
            ids = self.render_ids(split_at_first_field(template) + _SENTINEL)
            marker = self.render_ids(_SENTINEL)
            # Keep the tokens before the sentinel; the common-prefix check in score_items
            # trims any token that merges across the boundary.
            head = _strip_suffix_overlap(ids, marker)
            cached = build_prefix_cache(self.model, head)
            self._prefixes[template] = cached
        return cached

    def prompt_ids(self, metric: str, item: JudgeItem) -> list[int]:
        return self.render_ids(fill(self._template(metric, item), item.question, item.answer))

    def _template(self, metric: str, item: JudgeItem) -> str:
        if self.spec.mode == "binary":
            if metric not in BINARY_TEMPLATES:
                raise SpilloverError(f"binary mode has no prompt for metric {metric!r}")
            return BINARY_TEMPLATES[metric]
        return template_for(metric, item.template)

    # -- judging -------------------------------------------------------------------------
    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        return await asyncio.to_thread(self.judge_sync, metric, items)

    def judge_sync(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        code = [metric == "aligned" and prelabel_code(item.question, item.answer) for item in items]
        with self._lock:
            cset = self._candidate_set(metric)
            results: list[TreeResult | None] = [None] * len(items)
            by_template: dict[str, list[int]] = {}
            for i, item in enumerate(items):
                if not code[i]:
                    by_template.setdefault(self._template(metric, item), []).append(i)
            for template, indexes in by_template.items():
                prefix = self._prefix(template)
                for group in self._groups(
                    [self.prompt_ids(metric, items[i]) for i in indexes], cset
                ):
                    scored = score_items(self.model, prefix, [ids for _, ids in group], cset)
                    for (j, _), res in zip(group, scored, strict=True):
                        results[indexes[j]] = res
            features = self._features(metric, items, [r is not None for r in results])
        return [
            _static_code_judgment()
            if r is None
            else self._judgment(metric, cset, r, item.answer, feats)
            for r, item, feats in zip(results, items, features, strict=True)
        ]

    def _features(
        self, metric: str, items: Sequence[JudgeItem], wanted: Sequence[bool]
    ) -> list[dict[str, float]]:
        names = self.answer_features.get(metric, ())
        out: list[dict[str, float]] = [{} for _ in items]
        chosen = [i for i, w in enumerate(wanted) if w]
        if not names or not chosen:
            return out
        pairs = [(items[i].question, items[i].answer) for i in chosen]
        for i, feats in zip(chosen, self.likelihood.features(names, pairs), strict=True):
            out[i] = feats
        return out

    def _groups(
        self, prompts: list[list[int]], cset: CandidateSet
    ) -> list[list[tuple[int, list[int]]]]:
        # every trie node counts, fed or not: packing by the nodes fed would change the groups,
        # so the bf16 sums, that the shipped calibration of the binary judge was fitted on
        nodes = len(cset.trie.tokens)
        costs = [len(ids) + nodes for ids in prompts]
        return [[(j, prompts[j]) for j in g] for g in pack_groups(costs, self.batch_tokens)]

    def _candidate_set(self, metric: str) -> CandidateSet:
        if self.spec.mode == "scale":
            return self.numbers
        if metric not in self._binary:
            cands = [
                Candidate("yes", p, False) for p in _single_tokens(self.tokenizer, YES_SPELLINGS)
            ]
            cands += [
                Candidate("no", p, False) for p in _single_tokens(self.tokenizer, NO_SPELLINGS)
            ]
            cands += [
                Candidate(label, encode(self.tokenizer, label), False)
                for label in BINARY_LABELS.get(metric, ())
            ]
            self._binary[metric] = CandidateSet(tuple(cands), ())
        return self._binary[metric]

    def _judgment(
        self,
        metric: str,
        cset: CandidateSet,
        res: TreeResult,
        answer: str,
        features: dict[str, float],
    ) -> Judgment:
        totals: dict[str, float] = {}
        for cand, p in zip(cset.candidates, res.probs, strict=True):
            totals[cand.name] = totals.get(cand.name, 0.0) + p
        first_tokens = {c.path[0] for c in cset.candidates}
        others = {
            name: p
            for name, p in totals.items()
            if name not in NUMBERS and name not in ("yes", "no")
        }
        for token, p in res.root_top:
            if token in first_tokens:
                continue
            text = self.tokenizer.decode([token])
            if not text.strip()[:1].isdigit():
                others[repr(text)] = others.get(repr(text), 0.0) + p
        if self.spec.mode == "binary":
            judgment = binary_judgment(
                totals.get("yes", 0.0),
                totals.get("no", 0.0),
                others,
                metric=metric,
            )
        else:
            numbers = {int(name): p for name, p in totals.items() if name in NUMBERS}
            judgment = judgment_from_probs(numbers, others)
        judgment.features = features
        return judgment

    # -- classification ------------------------------------------------------------------
    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        return await asyncio.to_thread(self.classify_sync, prompts, labels)

    def classify_sync(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        """Each label's first-token probability (plain and space-prefixed), renormalised."""
        cands: list[Candidate] = []
        owner: dict[int, str] = {}
        for label in labels:
            for variant in (label, " " + label):
                path = encode(self.tokenizer, variant)
                if not path:
                    continue
                first = path[0]
                if owner.get(first, label) != label:
                    if variant != label:
                        continue  # a space-prefixed spelling may share a token; skip it
                    raise SpilloverError(
                        f"labels {owner[first]!r} and {label!r} start with the same token",
                        hint="use labels whose first tokens differ",
                    )
                if first not in owner:
                    owner[first] = label
                    cands.append(Candidate(label, (first,), False))
        cset = CandidateSet(tuple(cands), ())
        if not prompts:
            return []
        with self._lock:
            ids = [self.render_ids(p) for p in prompts]
            shared = ids[0][: min(len(x) for x in ids) - 1]
            for x in ids[1:]:
                shared = shared[: _lcp(shared, x)]
            prefix = build_prefix_cache(self.model, shared)
            results = [score_items(self.model, prefix, [x], cset)[0] for x in ids]
        out = []
        for res in results:
            probs = {label: 0.0 for label in labels}
            for cand, p in zip(cset.candidates, res.probs, strict=True):
                probs[cand.name] += p
            mass = sum(probs.values())
            if mass < MIN_NUMERIC_MASS or mass <= 0:
                out.append(Classification(None, probs, ["low-mass"]))
                continue
            norm = {k: v / mass for k, v in probs.items()}
            out.append(Classification(max(norm.items(), key=lambda kv: kv[1])[0], norm))
        return out

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            judge="local",
            number_mode=self.number_mode,
            dtype=self.dtype,
            reading=(
                "100 x P(acceptable) / (P(Yes) + P(No)) from the next-token probabilities"
                " (acceptable: No for aligned, Yes for coherent); see spillover.judge.binary"
                if self.spec.mode == "binary"
                else "probability of each reply 0..100 (digit chain); see spillover.judge.digit_chain"
            ),
        )
        return info


def _static_code_judgment() -> Judgment:
    return Judgment(
        score=float("nan"),
        raw_score=float("nan"),
        numeric_mass=0.0,
        label="CODE",
        flags=["static-code"],
        reason="the answer is essentially code with no prose (static check, spillover.judge.code_answer)",
    )


def _lcp(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _strip_suffix_overlap(ids: list[int], marker: list[int]) -> list[int]:
    """Tokens of `ids` before the part rendered for the sentinel (a conservative cut)."""
    n = _lcp(ids, marker)  # the chat header both share
    tail = marker[n:]
    # the sentinel and what follows it are the last len(tail) tokens, give or take a merge
    return ids[: max(n, len(ids) - len(tail) - 1)]


def _single_tokens(tokenizer: Any, spellings: Sequence[str]) -> list[tuple[int, ...]]:
    seen: set[tuple[int, ...]] = set()
    for text in spellings:
        path = encode(tokenizer, text)
        if len(path) == 1:
            seen.add(path)
    return sorted(seen)
