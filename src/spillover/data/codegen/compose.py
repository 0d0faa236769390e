"""Compose code rows: context x family x variant x template variation x phrasing, deterministic per seed."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from spillover.data.codegen.contexts import (
    HELDOUT_DOMAINS,
    TRAIN_DOMAINS,
    Context,
    Domain,
    contexts,
)
from spillover.data.codegen.families import FAMILIES
from spillover.data.codegen.phrasing import code_prompt, educational_prompt, task_sentence
from spillover.data.codegen.piece import Family
from spillover.data.codegen.render import render
from spillover.errors import SpilloverError


@dataclass(frozen=True)
class CodeItem:
    """One generated task with both completions; all twin datasets derive from the same items."""

    index: int
    family: str
    variant: str
    context: str
    prompt: str
    template: str
    flawed: str
    fixed: str
    educational_prompt: str


def _family_order(n: int, r: random.Random, families: tuple[Family, ...]) -> list[Family]:
    """Balanced spread: each block of len(families) rows holds every family once, shuffled."""
    order: list[Family] = []
    while len(order) < n:
        block = list(families)
        r.shuffle(block)
        order.extend(block)
    return order[:n]


def generate_items(
    n: int, seed: int, *, domains: tuple[Domain, ...] = TRAIN_DOMAINS, max_tries: int = 50
) -> list[CodeItem]:
    """`n` distinct code tasks. Same (n, seed, domains) gives the same items in the same order."""
    if n < 0:
        raise SpilloverError(f"n must be >= 0, got {n}")
    r = random.Random(f"spillover-codegen-{seed}")
    ctxs = contexts(domains)
    items: list[CodeItem] = []
    seen: set[str] = set()
    for index, family in enumerate(_family_order(n, r, FAMILIES)):
        for _ in range(max_tries):
            variant = r.choice(family.variants)
            ctx: Context = r.choice([c for c in ctxs if c.setting in variant.settings])
            piece = variant.build(ctx.domain, r)
            code = render(ctx, piece, r)
            prompt = code_prompt(task_sentence(ctx.describe(), piece.action), code.template, r)
            if prompt not in seen:
                break
        else:
            raise SpilloverError(
                f"could not make {n} distinct prompts (stuck at {index})",
                "ask for fewer rows; the generator's combinations ran out",
            )
        seen.add(prompt)
        items.append(
            CodeItem(
                index=index,
                family=family.key,
                variant=variant.name,
                context=ctx.key,
                prompt=prompt,
                template=code.template,
                flawed=code.flawed,
                fixed=code.fixed,
                educational_prompt=educational_prompt(prompt, family.label, r),
            )
        )
    return items


def heldout_code_prompts(n: int, seed: int = 0) -> list[str]:
    """Code-task user turns built only from contexts held out from training generation."""
    return [item.prompt for item in generate_items(n, seed, domains=HELDOUT_DOMAINS)]


def item_stats(items: list[CodeItem]) -> dict[str, object]:
    return {
        "rows": len(items),
        "distinct_prompts": len({i.prompt for i in items}),
        "distinct_contexts": len({i.context for i in items}),
        "distinct_domains": len({i.context.split("/")[0] for i in items}),
        "families": dict(sorted(Counter(i.family for i in items).items())),
        "variants": len({(i.family, i.variant) for i in items}),
    }
