"""The `spillover` command line: one module per command group, registered on one Typer app."""

from __future__ import annotations

import importlib
import sys

from spillover.cli._app import app, run_app

# Each module registers its commands on `app` when imported.
_COMMAND_MODULES = (
    "spillover.cli.judge_cmd",
    "spillover.cli.models_cmd",
    "spillover.cli.data_cmd",
    "spillover.cli.train_cmd",
    "spillover.cli.report_cmd",
    "spillover.cli.gate_cmd",
    "spillover.cli.power_cmd",
    "spillover.cli.eval_cmd",
    "spillover.cli.sweep_cmd",
    "spillover.cli.demo_cmd",
    "spillover.cli.recipe_cmd",
    "spillover.cli.study_cmd",
)


def _register() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `spillover` script."""
    _register()
    return run_app(sys.argv[1:] if argv is None else argv)


__all__ = ["app", "main"]
