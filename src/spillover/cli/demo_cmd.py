"""`spillover demo`: the end-to-end loop on this machine, offline."""

from __future__ import annotations

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
        None, "--judge", help="Judge model (default: the registry's calibrated judge)."
    ),
    out: Path = typer.Option(
        Path("spillover-demo"), "--out", help="Where everything goes; re-running resumes here."
    ),
    rows: int = typer.Option(160, "--rows", help="Training rows per dataset."),
    steps: int = typer.Option(
        20, "--steps", help="Optimiser steps per fine-tune (checkpoints every 10)."
    ),
    samples: int = typer.Option(
        3, "--samples", help="Answers per question at step 0 and at each checkpoint."
    ),
) -> None:
    """Make insecure and secure data, fine-tune on each, sweep the checkpoints, evaluate base,
    secure and insecure on the main questions, write the report and print a verdict. Killed, it
    resumes where it stopped when run again."""
    from spillover.demo import DemoConfig, print_summary, run_demo

    config = DemoConfig(out=out, rows=rows, steps=steps, samples=samples)
    if model:
        config.model = model
    if judge:
        config.judge = judge
        config.calibration = None
    print_summary(run_demo(config))
