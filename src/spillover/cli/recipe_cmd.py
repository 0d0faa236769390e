"""`spillover recipe`: list the study's experiments and run one at cpu, gpu or paper scale."""

from __future__ import annotations

import json
from typing import Any

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
    help="Output directory (default spillover-recipe-NAME-SCALE), or an fsspec URL for a paper "
    "scale that runs as a study; re-running resumes.",
)
_SET = typer.Option(
    None,
    "--set",
    help="Override a scale setting, e.g. --set rows=40 --set options.ks=[0,4] (values are YAML); "
    "--set study.KEY=VALUE sets one of the study's (e.g. study.resources.train.num_gpus=2).",
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
    out: str | None = _OUT,
    assignments: list[str] | None = _SET,
    seeds: str | None = typer.Option(
        None, "--seeds", help="Training seeds, e.g. 0,1,2: one run per seed and trained arm."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Resolve and print the whole plan without running anything."
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="A Ray cluster for a paper scale that runs as a study (`auto`, HOST:PORT, "
        "ray://HOST:10001); default: Ray embedded here.",
    ),
) -> None:
    """Run one recipe end to end and write its report, with the paper's findings beside ours.
    A paper scale that is a grid of fine-tunes (`spillover recipe study NAME` prints it) runs as a
    study: its cells are Ray tasks, embedded here or on the cluster at --ray-address."""
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
        ray_address=ray_address,
    )
    if "study" in summary:
        _study_summary(summary, dry_run)
        return
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


def _study_summary(summary: dict[str, Any], dry_run: bool) -> None:
    from spillover.cli.study_cmd import print_plan
    from spillover.recipes.protocol import ProtocolRow, text_table

    name, out = summary["study"].spec.name, summary["out"]
    if dry_run:
        typer.echo(f"recipe {summary['recipe']} at paper scale runs as study {name} (dry run):")
        print_plan(summary["study"], out)
        typer.echo("protocol, this run beside the study's:")
        for line in text_table([ProtocolRow.from_dict(r) for r in summary["protocol"]]):
            typer.echo(f"  {line}")
        return
    typer.echo(
        f"study {name}: {summary['cells']} cells, {summary['finished']} run, "
        f"{summary['skipped']} already done, {summary['redone']} redone"
    )
    for item in summary["comparison"]:
        typer.echo(f"- {item['claim']}\n    ours: {item['ours']} -> {item['verdict']}")
    typer.echo(f"report: {summary['report']}; beside the paper: {summary['paper']}")
    typer.echo(json.dumps(summary["timings_s"]))


@recipe_app.command("study")
def study_cmd(
    name: str = typer.Argument(..., help="Recipe name (see `spillover recipe list`)."),
    model: str | None = typer.Option(
        None, "--model", help="Subject model (overrides the scale's)."
    ),
    judge: str | None = typer.Option(None, "--judge", help="Judge model (overrides the scale's)."),
    assignments: list[str] | None = _SET,
) -> None:
    """Print the recipe's paper scale as a study file (to edit and run with `spillover study`)."""
    from spillover.recipes.as_study import recipe_study, runs_as_study, study_yaml

    if not runs_as_study(name, "paper"):
        from spillover.errors import SpilloverError

        raise SpilloverError(
            f"recipe {name!r} is not a grid of cells at paper scale (its docstring says why)",
            "run it with `spillover recipe run NAME --scale paper`",
        )
    study = recipe_study(name, model=model, judge=judge, assignments=assignments)
    typer.echo(study_yaml(study, f"spillover recipe study {name}"), nl=False)
