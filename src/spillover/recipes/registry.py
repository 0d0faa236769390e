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
    out: str | Path | None = None,
    model: str | None = None,
    judge: str | None = None,
    assignments: list[str] | None = None,
    dry_run: bool = False,
    ray_address: str | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Run recipe `name` (or, with `dry_run`, only resolve its plan); returns the summary. A
    recipe's paper scale that is a grid of cells runs as a study (`spillover.recipes.as_study`),
    on Ray embedded here or at `ray_address`; `out` may then be an fsspec URL."""
    from spillover.recipes.as_study import runs_as_study

    where = str(out or f"spillover-recipe-{name}-{scale}")
    if runs_as_study(name, scale):
        return _run_as_study(name, where, model, judge, assignments, dry_run, ray_address, console)
    if ray_address:
        raise SpilloverError(
            f"recipe {name!r} at {scale} scale runs in this process, not on Ray",
            "--ray-address is for the paper scale of a recipe that runs as a study: "
            + ", ".join(n for n in RECIPES if runs_as_study(n, "paper")),
        )
    config = recipe_config(name)
    settings = resolve_scale(config, scale, model=model, judge=judge, assignments=assignments)
    runner = Runner(config, settings, scale, Path(where), dry_run=dry_run, console=console)
    summary = recipe_module(name).run(runner)
    if dry_run:
        summary = {
            "recipe": name,
            "scale": scale,
            "out": where,
            "settings": settings.model_dump(),
            "judge": runner.judge.model_dump(),
            "plan": [p.line() for p in runner.plan],
            "protocol": [row.as_dict() for row in runner.protocol()],
        }
    return summary


def _run_as_study(
    name: str,
    out: str,
    model: str | None,
    judge: str | None,
    assignments: list[str] | None,
    dry_run: bool,
    ray_address: str | None,
    console: Console | None,
) -> dict[str, Any]:
    """The study of recipe `name`'s paper scale: its plan (`dry_run`) or its run."""
    from spillover.recipes.as_study import (
        SCALE,
        compare_with_paper,
        paper_settings,
        protocol,
        recipe_study,
    )

    settings = paper_settings(name, model=model, judge=judge, assignments=assignments)
    study = recipe_study(name, model=model, judge=judge, assignments=assignments)
    summary: dict[str, Any] = {
        "recipe": name,
        "scale": SCALE,
        "out": out,
        "study": study,
        "protocol": [row.as_dict() for row in protocol(name, settings)],
    }
    if dry_run:
        return summary
    from spillover.study.executor import run_study
    from spillover.study.store import Store

    run = run_study(study, out, address=ray_address, console=console)
    store = Store(out)
    return {
        **summary,
        **compare_with_paper(name, settings, store),
        "cells": len(run.cells),
        "finished": len(run.finished),
        "skipped": len(run.skipped),
        "redone": len(run.redone),
        "report": store.path("report.html"),
        "timings_s": {"total": round(run.seconds["total"], 1)},
    }
