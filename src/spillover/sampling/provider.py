"""Registers the `spillover` model provider with inspect_ai (the heavy module loads on first use)."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import modelapi


@modelapi(name="spillover")
def spillover() -> type[Any]:
    from spillover.sampling.inspect_api import SpilloverModelAPI

    return SpilloverModelAPI
