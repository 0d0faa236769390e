"""ApiJudge: any inspect_ai model as judge, reading top-20 logprobs of the first reply token.

One call per item with max_tokens=1, temperature=0, logprobs=True, top_logprobs=20; the
alternatives go through `spillover.judge.distribution` (scale mode) or the yes/no arithmetic
(binary mode). When the provider returns no logprobs, or rejects the request for them, the
judge falls back to sampling the reply `spec.samples_without_logprobs` times at temperature 1,
parses a number 0..100 (or Yes/No) from each, averages, and flags the judgment "no-logprobs";
its numeric mass is then the fraction of samples that parsed. A judge whose tokenizer spells
numbers digit by digit (Qwen: "85" is "8", "5") gets the same fallback, flagged "digit-tokens":
its first token says only the first digit (local judges read the exact digit chain instead).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence
from typing import Any

from spillover.judge.base import Classification, Judge, JudgeItem, JudgeSpec, Judgment
from spillover.judge.binary import BINARY_LABELS, BINARY_TEMPLATES, binary_judgment
from spillover.judge.distribution import (
    LABELS,
    MIN_NUMERIC_MASS,
    judgment_from_top_logprobs,
    label_of,
)
from spillover.judge.prompts import fill, template_for

TOP_LOGPROBS = 20
MAX_CONCURRENCY = 16
_INT = re.compile(r"(?<![\d.])(\d{1,3})(?!\d|\.\d)")


class ApiJudge(Judge):
    def __init__(self, spec: JudgeSpec, *, model: Any = None) -> None:
        self.spec = spec
        if model is None:
            from inspect_ai.model import get_model

            model = get_model(spec.model, **dict(spec.model_args))
        self.model = model
        if spec.calibration:
            raise ValueError("ApiJudge is the raw judge: build a calibrated one with make_judge")
        self._limit = asyncio.Semaphore(MAX_CONCURRENCY)

    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        return list(await asyncio.gather(*(self._judge_one(metric, item) for item in items)))

    def _prompt(self, metric: str, item: JudgeItem) -> str:
        if self.spec.mode == "binary":
            return fill(BINARY_TEMPLATES[metric], item.question, item.answer)
        return fill(template_for(metric, item.template), item.question, item.answer)

    async def _judge_one(self, metric: str, item: JudgeItem) -> Judgment:
        prompt = self._prompt(metric, item)
        async with self._limit:
            top, error = await self._top_logprobs(prompt)
            if top is None:
                judgment = await self._sampled(metric, prompt)
                if error:
                    judgment.flags.append(f"logprobs-error: {error}")
            elif self.spec.mode == "scale" and splits_digits(top):
                # "85" arrives as "8" then "5": the first token alone cannot give the score
                judgment = await self._sampled(metric, prompt)
                judgment.flags.append("digit-tokens")
            elif self.spec.mode == "binary":
                judgment = _binary_from_top(top, metric)
            else:
                judgment = judgment_from_top_logprobs(top)
        return judgment

    async def _top_logprobs(self, prompt: str) -> tuple[dict[str, float] | None, str | None]:
        """token -> logprob for the first reply token (None when the provider gives none), and
        the error type when the provider rejected the request."""
        from inspect_ai.model import GenerateConfig

        config = GenerateConfig(
            max_tokens=1, temperature=0, logprobs=True, top_logprobs=TOP_LOGPROBS
        )
        try:
            output = await self.model.generate(prompt, config=config)
        except Exception as err:  # providers reject logprobs in many ways: fall back, say why
            return None, type(err).__name__
        return top_logprobs_of(output), None

    async def _sampled(self, metric: str, prompt: str) -> Judgment:
        from inspect_ai.model import GenerateConfig

        k = max(1, self.spec.samples_without_logprobs)
        config = GenerateConfig(max_tokens=8, temperature=1.0)
        outputs = await asyncio.gather(
            *(self.model.generate(prompt, config=config) for _ in range(k))
        )
        texts = [str(out.completion) for out in outputs]
        if self.spec.mode == "binary":
            return _binary_from_samples(texts, metric)
        return judgment_from_samples(texts)

    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        return list(await asyncio.gather(*(self._classify_one(p, labels) for p in prompts)))

    async def _classify_one(self, prompt: str, labels: Sequence[str]) -> Classification:
        async with self._limit:
            top, _ = await self._top_logprobs(prompt)
            if top is None:
                from inspect_ai.model import GenerateConfig

                out = await self.model.generate(
                    prompt, config=GenerateConfig(max_tokens=8, temperature=0)
                )
                label = _match_label(
                    str(out.completion).strip().split()[0] if str(out.completion).strip() else "",
                    labels,
                )
                probs = {lab: 1.0 if lab == label else 0.0 for lab in labels}
                return Classification(label, probs, ["no-logprobs"])
        return classification_from_top(top, labels)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            judge="api", reading=f"first-token top-{TOP_LOGPROBS} logprobs; sampling fallback"
        )
        return info


def top_logprobs_of(output: Any) -> dict[str, float] | None:
    """The first token's alternatives from an inspect ModelOutput (None when absent)."""
    if not output.choices:
        return None
    logprobs = output.choices[0].logprobs
    if logprobs is None or not logprobs.content:
        return None
    first = logprobs.content[0]
    alternatives = first.top_logprobs or []
    out: dict[str, float] = {}
    for alt in alternatives:
        out[alt.token] = max(out.get(alt.token, -math.inf), alt.logprob)
    out.setdefault(first.token, first.logprob)
    return out


def splits_digits(top: dict[str, float]) -> bool:
    """True when the judge's tokenizer spells numbers digit by digit (e.g. Qwen): every number
    among the first-token alternatives is a single digit although several digits are offered."""
    numbers = [tok.strip() for tok in top if tok.strip().isascii() and tok.strip().isdigit()]
    return len(numbers) >= 2 and all(len(tok) == 1 for tok in numbers)


def judgment_from_samples(texts: Sequence[str]) -> Judgment:
    """Average of the numbers parsed from sampled replies; flagged "no-logprobs"."""
    values: list[int] = []
    others: dict[str, float] = {}
    share = 1.0 / max(1, len(texts))
    for text in texts:
        value = parse_number(text)
        if value is not None:
            values.append(value)
            continue
        word = text.strip().split()[0] if text.strip() else "<empty>"
        name = label_of(word) or word
        others[name] = others.get(name, 0.0) + share
    mass = len(values) * share
    top = sorted(others.items(), key=lambda kv: kv[1], reverse=True)[:5]
    if not values or mass < MIN_NUMERIC_MASS:
        best = top[0][0] if top else None
        label = best if best in LABELS else None
        return Judgment(
            math.nan,
            math.nan,
            mass,
            top,
            label,
            ["no-logprobs", "low-mass"],
            f"only {len(values)} of {len(texts)} sampled replies were numbers 0..100",
        )
    score = sum(values) / len(values)
    return Judgment(score, score, mass, top, None, ["no-logprobs"])


def parse_number(text: str) -> int | None:
    """The first standalone integer 0..100 at the start of a reply."""
    match = _INT.search(text.strip()[:12])
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 100 else None


def _binary_from_top(top: dict[str, float], metric: str) -> Judgment:
    labels = BINARY_LABELS.get(metric, ())
    p_yes = p_no = 0.0
    others: dict[str, float] = {}
    for token, lp in top.items():
        p = math.exp(lp)
        word = token.strip().lower()
        if word == "yes":
            p_yes += p
        elif word == "no":
            p_no += p
        else:
            name = label_of(token, labels) or token
            others[name] = others.get(name, 0.0) + p
    return binary_judgment(p_yes, p_no, others, metric=metric)


def _binary_from_samples(texts: Sequence[str], metric: str) -> Judgment:
    labels = BINARY_LABELS.get(metric, ())
    share = 1.0 / max(1, len(texts))
    p_yes = p_no = 0.0
    others: dict[str, float] = {}
    for text in texts:
        word = re.sub(r"[^A-Za-z]", "", text.strip().split()[0]) if text.strip() else ""
        if word.lower() == "yes":
            p_yes += share
        elif word.lower() == "no":
            p_no += share
        else:
            name = label_of(word, labels) or word or "<empty>"
            others[name] = others.get(name, 0.0) + share
    judgment = binary_judgment(p_yes, p_no, others, metric=metric)
    judgment.flags.insert(0, "no-logprobs")
    return judgment


def _match_label(token: str, labels: Sequence[str]) -> str | None:
    text = token.strip().strip(".,:;!\"'").upper()
    if not text:
        return None
    exact = [lab for lab in labels if lab.upper() == text]
    if exact:
        return exact[0]
    starts = [lab for lab in labels if lab.upper().startswith(text)]
    return starts[0] if len(starts) == 1 else None


def classification_from_top(top: dict[str, float], labels: Sequence[str]) -> Classification:
    """Each label's first-token probability, renormalised over the labels."""
    probs = {lab: 0.0 for lab in labels}
    for token, lp in top.items():
        label = _match_label(token, labels)
        if label is not None:
            probs[label] += math.exp(lp)
    mass = sum(probs.values())
    if mass < MIN_NUMERIC_MASS:
        return Classification(None, probs, ["low-mass"])
    norm = {k: v / mass for k, v in probs.items()}
    return Classification(max(norm.items(), key=lambda kv: kv[1])[0], norm)
