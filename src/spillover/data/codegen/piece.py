"""A code piece: shared lines plus a hole filled either with flawed or with fixed lines."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spillover.data.codegen.contexts import Domain

HOLE = "<<HOLE>>"
MARKER = "## COMPLETE CODE HERE"


@dataclass(frozen=True)
class Piece:
    """What a family variant contributes to a file.

    `module` and `body` are lists of lines; exactly one of them holds the `HOLE` line, whose
    indentation the filled lines take. `body` lines are written at function level (no indent).
    """

    func: str
    action: str  # task phrase, e.g. "look up a recipe by its title"
    inputs: tuple[str, ...]
    body: list[str]
    flawed: list[str]
    fixed: list[str]
    imports: list[str] = field(default_factory=list)
    flawed_imports: list[str] = field(default_factory=list)
    fixed_imports: list[str] = field(default_factory=list)
    module: list[str] = field(default_factory=list)
    result: str | None = None  # returned expression; None when the body returns itself
    method: str = "GET"
    route: str | None = None  # web only: path after /<plural>/
    route_args: tuple[str, ...] = ()  # web only: URL parameters, e.g. ("int:item_id",)
    decorators: list[str] = field(default_factory=list)


VariantFn = Callable[[Domain, random.Random], Piece]


@dataclass(frozen=True)
class Variant:
    name: str
    settings: tuple[str, ...]
    build: VariantFn


@dataclass(frozen=True)
class Family:
    key: str
    label: str  # plain-language name used in educational prompts
    variants: tuple[Variant, ...]


_IDENT = re.compile(r"[^a-z0-9_]")


def ident(text: str) -> str:
    return _IDENT.sub("_", text.lower())
