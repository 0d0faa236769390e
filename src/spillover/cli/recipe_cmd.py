"""`spillover recipe`: list the study's experiments and run one at cpu, gpu or paper scale."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from spillover.choices import Scale
from spillover.cli._app import app

recipe_app = typer.Typer(
    help="The study's experiments as recipes: one file and one YAML config each, at cpu or paper "
    "scale (main and dynamics also at gpu scale).",
    no_args_is_help=True,
)
app.add_typer(recipe_app, name="recipe")

_OUT = typer.Option(
    None,
    "--out",
    help="Output directory (default spillover-recipe-NAME-SCALE); re-running resumes.",
)
_SET = typer.Option(
    None,
    "--set",
    help="Override a scale setting, e.g. --set rows=40 --set options.ks=[0,4] (values are YAML).",
)


@recipe_app.command("list")
def list_cmd() -> None:
    """Show the recipes: name, what it does, and what the paper found."""
    from rich.table import Table

    from spillover.cli._table import print_table
    from spillover.recipes import list_recipes

    table = Table("recipe", "what it runs", "what the paper found", show_lines=True)
    for item in list_recipes():
        table.add_row(item["name"], item["summary"], item["paper"])
    print_table(table, keep=("recipe",))


@recipe_app.command("run")
def run_cmd(
    name: str = typer.Argument(..., help="Recipe name (see `spillover recipe list`)."),
    scale: Scale = typer.Option(
        "cpu", "--scale", help="cpu (local registry models), gpu (one GPU, few steps) or paper."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Subject model (overrides the scale's)."
    ),
    judge: str | None = typer.Option(None, "--judge", help="Judge model (overrides the scale's)."),
    out: Path | None = _OUT,
    assignments: list[str] | None = _SET,
    seeds: str | None = typer.Option(
        None, "--seeds", help="Training seeds, e.g. 0,1,2: one run per seed and trained arm."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Resolve and print the whole plan without running anything."
    ),
) -> None:
    """Run one recipe end to end and write its report, with the paper's findings beside ours."""
    from spillover.recipes import run_recipe
    from spillover.train.seeds import parse_seeds

    if seeds is not None:
        assignments = [*(assignments or []), f"seeds={json.dumps(parse_seeds(seeds))}"]
    summary = run_recipe(
        name,
        scale=scale,
        out=out,
        model=model,
        judge=judge,
        assignments=assignments,
        dry_run=dry_run,
    )
    if dry_run:
        typer.echo(f"plan for recipe {name} at {scale} scale (dry run, nothing was run):")
        for key, value in summary["settings"].items():
            typer.echo(f"  {key}: {value}")
        typer.echo(f"  judge (resolved): {summary['judge']}")
        for line in summary["plan"]:
            typer.echo(f"  {line}")
        from spillover.recipes.protocol import ProtocolRow, text_table

        rows = [ProtocolRow.from_dict(r) for r in summary["protocol"]]
        typer.echo("protocol, this run beside the study's:")
        for line in text_table(rows):
            typer.echo(f"  {line}")
        return
    for item in summary["comparison"]:
        typer.echo(f"- {item['claim']}\n    ours: {item['ours']} -> {item['verdict']}")
    for note in summary["notes"]:
        typer.echo(f"note: {note}")
    for line in summary.get("verdict", []):
        typer.echo(line)
    typer.echo(f"report: {summary['report']}")
    typer.echo(json.dumps(summary["timings_s"]))
