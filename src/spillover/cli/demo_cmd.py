"""`spillover demo`: the `demo` recipe, offline on this machine."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from spillover.cli._app import app


@app.command("demo")
def demo(
    model: str | None = typer.Option(
        None,
        "--model",
        help="Subject model (default smollm2-135m-instruct; try qwen2.5-coder-0.5b-instruct).",
    ),
    judge: str | None = typer.Option(
        None, "--judge", help="Judge model (default: the audited registry judge)."
    ),
    out: Path = typer.Option(
        Path("spillover-demo"), "--out", help="Where everything goes; re-running resumes here."
    ),
    rows: int | None = typer.Option(None, "--rows", help="Training rows per dataset."),
    steps: int | None = typer.Option(None, "--steps", help="Optimiser steps per fine-tune."),
    samples: int | None = typer.Option(
        None, "--samples", help="Answers per question for each arm."
    ),
    seeds: str | None = typer.Option(
        None, "--seeds", help="Training seeds, e.g. 0,1,2: one run per seed and arm."
    ),
    settings: list[str] | None = typer.Option(
        None, "--set", help="Any other setting of the demo recipe's config, KEY=VALUE (YAML)."
    ),
) -> None:
    """Fine-tune on overt-control, insecure and secure data, evaluate them and the base model
    on the main questions, write the report and answers.parquet, and print three verdicts:
    the instrument check, insecure vs secure, and in-distribution skill. Killed, it resumes
    where it stopped when run again."""
    from spillover.recipes import run_recipe

    assignments = [
        f"{key}={value}"
        for key, value in (("rows", rows), ("steps", steps), ("samples", samples))
        if value is not None
    ]
    assignments += settings or []
    if seeds is not None:
        from spillover.train.seeds import parse_seeds

        assignments.append(f"seeds={json.dumps(parse_seeds(seeds))}")
    summary = run_recipe("demo", out=out, model=model, judge=judge, assignments=assignments)
    for line in summary["verdict"]:
        typer.echo(line)
    typer.echo(f"report: {summary['report']}")
    typer.echo(f"answers: {summary['answers']}")
    typer.echo(json.dumps(summary["timings_s"]))
