"""The recipes: each is one Python file (the steps, top to bottom) plus one YAML config."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console

from spillover.errors import SpilloverError
from spillover.recipes.settings import RecipeConfig, config_path, load_recipe_config, resolve_scale
from spillover.recipes.steps import Runner

RECIPES: tuple[str, ...] = (
    "demo",
    "main",
    "backdoor",
    "evil-numbers",
    "base-model",
    "dynamics",
    "diversity",
    "in-context",
    "mitigations",
    "domain-advice",
)


class RecipeModule(Protocol):
    def run(self, r: Runner) -> dict[str, Any]: ...


def recipe_config(name: str) -> RecipeConfig:
    if name not in RECIPES:
        raise SpilloverError(f"unknown recipe {name!r}", f"choose one of: {', '.join(RECIPES)}")
    return load_recipe_config(config_path(name))


def recipe_module(name: str) -> RecipeModule:
    module: RecipeModule = importlib.import_module(f"spillover.recipes.{name.replace('-', '_')}")  # type: ignore[assignment]
    return module


def list_recipes() -> list[dict[str, str]]:
    """Name, one line, and what the paper found, for each recipe."""
    from spillover.recipes.paper import finding

    out = []
    for name in RECIPES:
        config = recipe_config(name)
        out.append(
            {
                "name": name,
                "summary": config.summary,
                "paper": str(finding(config.finding)["summary"]),
            }
        )
    return out


def run_recipe(
    name: str,
    *,
    scale: str = "cpu",
    out: Path | None = None,
    model: str | None = None,
    judge: str | None = None,
    assignments: list[str] | None = None,
    dry_run: bool = False,
    console: Console | None = None,
) -> dict[str, Any]:
    """Run recipe `name` (or, with `dry_run`, only resolve its plan); returns the summary."""
    config = recipe_config(name)
    settings = resolve_scale(config, scale, model=model, judge=judge, assignments=assignments)
    where = out or Path(f"spillover-recipe-{name}-{scale}")
    runner = Runner(config, settings, scale, where, dry_run=dry_run, console=console)
    summary = recipe_module(name).run(runner)
    if dry_run:
        summary = {
            "recipe": name,
            "scale": scale,
            "out": str(where),
            "settings": settings.model_dump(),
            "judge": runner.judge.model_dump(),
            "plan": [p.line() for p in runner.plan],
            "protocol": [row.as_dict() for row in runner.protocol()],
        }
    return summary
