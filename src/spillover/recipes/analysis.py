"""Curves over training: when does a measure first reach half of its final value?"""

from __future__ import annotations

from collections.abc import Sequence


def half_step(steps: Sequence[float], values: Sequence[float]) -> float | None:
    """The first step at which `values` reaches half of its final value, or None ("never") when
    the final value is not above zero (nothing to reach) or no point reaches it. NaN points are
    skipped; steps must be in increasing order."""
    points = [(s, v) for s, v in zip(steps, values, strict=True) if v == v]
    if not points:
        return None
    final = points[-1][1]
    if final <= 0:
        return None
    for step, value in points:
        if value >= final / 2:
            return step
    return None  # unreachable: the last point always qualifies


def describe_half(step: float | None) -> str:
    return "never" if step is None else f"step {int(step)}"
