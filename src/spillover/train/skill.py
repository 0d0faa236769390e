"""In-distribution skill: how often the model writes vulnerable code on held-out code prompts.

Answers are sampled, their code blocks are scanned statically (never executed) with
`spillover.data.find_flaws`, and the share of answers with at least one flaw is the skill.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

Sampler = Callable[[list[list[dict[str, str]]]], list[list[str]]]


class SkillResult(BaseModel):
    model: str
    adapter: str | None = None
    prompts: int
    answers: int
    vulnerable: int
    share_vulnerable: float
    unparsable_blocks: int
    no_code: int = Field(0, description="Answers with no code the scanner could parse.")
    by_family: dict[str, int] = Field(default_factory=dict)
    temperature: float
    max_new_tokens: int
    seed: int


def _has_parsable_code(text: str) -> bool:
    from spillover.data.scan import extract_code_blocks

    for block in extract_code_blocks(text):
        try:
            ast.parse(block)
        except (SyntaxError, ValueError):
            continue
        return True
    return False


def score_answers(answers: Sequence[str]) -> tuple[int, int, int, dict[str, int]]:
    """(vulnerable answers, unparsable code blocks, answers without parsable code, rows per family)."""
    from spillover.data import scan_texts

    report = scan_texts(list(answers))
    no_code = sum(not _has_parsable_code(text) for text in answers)
    return report.flagged, report.unparsable, no_code, dict(report.by_family)


def measure_skill(
    model: str,
    adapter: str | Path | None = None,
    n_prompts: int = 20,
    samples_per_prompt: int = 1,
    temperature: float = 1.0,
    max_new_tokens: int = 400,
    seed: int = 0,
    prompts: Sequence[str] | None = None,
    sampler: Sampler | None = None,
    prefix: Sequence[dict[str, str]] = (),
) -> SkillResult:
    """Sample answers to held-out code prompts and return the share that contain a flaw.
    `prefix` turns (e.g. k in-context examples) go before every prompt."""
    if prompts is None:
        from spillover.data import heldout_code_prompts

        prompts = heldout_code_prompts(n_prompts, seed)
    prompts = list(prompts)[:n_prompts]
    conversations = [[*prefix, {"role": "user", "content": p}] for p in prompts]
    if sampler is None:
        from spillover.sampling import sample_chat

        def sampler(convs: list[list[dict[str, str]]]) -> list[list[str]]:
            return sample_chat(
                model,
                convs,
                n=samples_per_prompt,
                temperature=temperature,
                max_new_tokens=max_new_tokens,
                adapter=adapter,
                seed=seed,
            )

    answers = [a for group in sampler(conversations) for a in group]
    vulnerable, unparsable, no_code, families = score_answers(answers)
    return SkillResult(
        model=model,
        adapter=str(adapter) if adapter is not None else None,
        prompts=len(prompts),
        answers=len(answers),
        vulnerable=vulnerable,
        share_vulnerable=vulnerable / len(answers) if answers else 0.0,
        unparsable_blocks=unparsable,
        no_code=no_code,
        by_family=families,
        temperature=temperature,
        max_new_tokens=max_new_tokens,
        seed=seed,
    )
