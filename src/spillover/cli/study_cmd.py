"""`spillover study plan|run`: a grid of fine-tunes and evaluations, run as Ray tasks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from spillover.cli._app import app

if TYPE_CHECKING:
    from spillover.study.schema import LoadedStudy

study_app = typer.Typer(
    help="Studies: grids of fine-tunes and evaluations (models x datasets x seeds x mitigations x "
    "training presets), run on Ray embedded here or on a cluster.",
    no_args_is_help=True,
)
app.add_typer(study_app, name="study")


def _hours(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds / 3600:.2f}"


@study_app.command("plan")
def plan_cmd(
    study_file: Path = typer.Argument(..., help="The study file (YAML)."),
    out: str | None = typer.Option(
        None, "--out", help="Show what is already done in this output (a path or fsspec URL)."
    ),
) -> None:
    """Print the expanded cells, the estimated cost per stage and what is already done."""
    from spillover.study.load import load_study

    print_plan(load_study(study_file), out)


def print_plan(study: LoadedStudy, out: str | None) -> None:
    """The plan of `study`: every cell, the cost per stage, and its state in `out` if given."""
    from spillover.study.plan import HOST, plan

    planned = plan(study, out)
    console = Console()
    header = ("key", "model", "dataset", "seed", "mitigation", "training", "steps", "points",
              "answers", "train h", "evaluate h", "state")  # fmt: skip
    rows = [
        (
            p.cell.key[:12],
            p.cell.model,
            p.cell.dataset,
            str(p.cell.seed),
            p.cell.mitigation,
            p.cell.training,
            "?" if p.cell.steps is None else str(p.cell.steps),
            str(p.cost.points),
            str(p.cost.answers),
            _hours(p.cost.train_s),
            _hours(p.cost.evaluate_s),
            p.state,
        )
        for p in planned
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    from spillover.judge.defaults import describe_judge

    evaluate = study.spec.evaluate
    say(f"study {study.spec.name}: {len(planned)} cells")
    say(
        f"each cell: train, then evaluate {'every checkpoint' if evaluate.what == 'sweep' else 'its final adapter'}"
        + (" and the base model" if evaluate.include_base else "")
        + f" on {', '.join(evaluate.questions)}, {evaluate.samples} answers per paraphrase "
        f"(max_tokens {evaluate.max_tokens}), judge {describe_judge(study.spec.judge.spec())}; "
        f"up to {evaluate.share_base} cells of a base model evaluated together"
    )
    for row in [header, *rows]:
        say("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    resources = study.spec.resources
    for stage in ("train", "evaluate"):
        values = [getattr(p.cost, f"{stage}_s") for p in planned]
        known = [v for v in values if v is not None]
        spec = getattr(resources, stage)
        device = "GPU" if spec.num_gpus else "CPU"
        share = spec.num_gpus or spec.num_cpus
        total = (
            f"{sum(known) / 3600:.2f} h one cell at a time, {sum(known) * share / 3600:.2f} "
            f"{device}-hours ({share:g} {device} per cell)"
            if known
            else "no estimate (give `cost:` figures in the study file)"
        )
        missing = (
            f"; {len(values) - len(known)} cells without an estimate"
            if len(known) < len(values)
            else ""
        )
        say(f"{stage}: {total}{missing}")
    unfetched = sorted({p.cell.dataset for p in planned if p.cell.steps is None})
    if unfetched:
        say(
            f"no step count for {', '.join(unfetched)} until the study's files are fetched "
            "(`spillover data fetch betley2025`) or the training gives max_steps"
        )
    source = study.spec.cost.hardware or (
        "the study file's figures"
        if study.spec.cost.train_tokens_per_s
        else f"measured on a {HOST}"
    )
    say(f"rates: {source}")
    if out:
        states = [p.state for p in planned]
        summary = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
        say(f"in {out}: {summary}")


@study_app.command("run")
def run_cmd(
    study_file: Path = typer.Argument(..., help="The study file (YAML)."),
    out: str = typer.Option(..., "--out", help="Output: a directory or an fsspec URL (s3://...)."),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="A Ray cluster (`auto`, HOST:PORT, ray://HOST:10001); default: Ray embedded here.",
    ),
    dashboard: bool = typer.Option(
        False, "--dashboard", help="Start Ray's dashboard (embedded Ray only)."
    ),
) -> None:
    """Run every cell not yet done (train, then sweep or evaluate), then write the study's table
    (OUT/answers.parquet) and report. Run it again to resume: finished cells are skipped, half-
    trained ones resume from their checkpoints, corrupt ones are moved aside and redone."""
    from spillover.study.executor import run_study
    from spillover.study.load import load_study

    study = load_study(study_file)
    run = run_study(study, out, address=ray_address, dashboard=dashboard)
    Console(stderr=True).print(
        f"study {study.spec.name}: {len(run.finished)} cells run, {len(run.skipped)} already "
        f"done, {len(run.redone)} redone; {run.seconds['total']:.0f} s",
        markup=False,
        highlight=False,
    )
