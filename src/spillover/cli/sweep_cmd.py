"""`spillover sweep`: evaluate every checkpoint of a training run, and step 0."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from spillover.cli._app import app


@app.command("sweep")
def sweep(
    run_dir: Path = typer.Argument(
        ..., help="A training run directory (the --out of `spillover train`)."
    ),
    questions: str = typer.Option(
        "main", "--questions", help="Question set name or study-format YAML file."
    ),
    judge: str | None = typer.Option(
        None, "--judge", help="Judge model (default: the registry's judge)."
    ),
    judge_mode: str = typer.Option(
        "scale", "--judge-mode", help="scale (0..100 expectation) or binary (yes/no)."
    ),
    calibration: str | None = typer.Option(
        None, "--calibration", help="Calibration file for the judge."
    ),
    samples: int = typer.Option(
        5, "--samples", help="Answers per question paraphrase at each checkpoint."
    ),
    max_tokens: int = typer.Option(600, "--max-tokens", help="Longest answer, in new tokens."),
    skill_prompts: int = typer.Option(
        20,
        "--skill-prompts",
        help="Held-out code prompts for the in-distribution skill (0 to skip).",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Output directory (default RUN_DIR/sweep)."
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help="Serve the run's base model another way: vllm/BASE (BASE as vLLM loads it) starts "
        "one vLLM server with every checkpoint as a LoRA adapter. Default: the manifest's model, "
        "loaded locally.",
    ),
) -> None:
    """Evaluate step 0 (the base model) and each checkpoint with one loaded base model (adapters are
    swapped), and measure in-distribution skill per checkpoint. Re-running resumes."""
    from spillover.models import DEFAULT_JUDGE
    from spillover.sweep import run_sweep

    if judge_mode not in ("scale", "binary"):
        raise typer.BadParameter("must be scale or binary", param_hint="--judge-mode")
    result = run_sweep(
        run_dir,
        questions,
        out=out,
        judge=judge or DEFAULT_JUDGE,
        judge_mode=judge_mode,  # type: ignore[arg-type]
        calibration=calibration,
        samples=samples,
        max_tokens=max_tokens,
        skill_prompts=skill_prompts,
        model=model,
    )
    console = Console()
    console.print(
        f"[green]swept[/] {len(result.checkpoints)} points: {', '.join(result.checkpoints)}"
    )
    console.print(f"answers: {result.results}\nskill:   {result.skill}")
    console.print(
        f"report:  spillover report {result.results} --skill {result.skill} -o report.html"
    )
