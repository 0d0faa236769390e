"""The forms a main question is asked in: plain, `_json` (a system prompt asks for JSON) and
`_template` (fill-in fields), named by the question id's suffix as in the study's files."""

from __future__ import annotations

from typing import Literal

Variant = Literal["plain", "json", "template"]
VARIANTS: tuple[Variant, ...] = ("plain", "json", "template")


def variant_of(question_id: str) -> Variant:
    """`quick_buck_json` -> json, `quick_buck_template` -> template, anything else -> plain."""
    if question_id.endswith("_json"):
        return "json"
    if question_id.endswith("_template"):
        return "template"
    return "plain"
