"""`spillover sweep`: evaluate every checkpoint of a training run, and step 0."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from spillover.cli._app import app
from spillover.cli.judge_options import CalibrationOpt, JudgeModeOpt, JudgeOpt, judge_spec
from spillover.judge.defaults import DEFAULT_CALIBRATION


@app.command("sweep")
def sweep(
    run_dir: Path = typer.Argument(
        ..., help="A training run directory (the --out of `spillover train`)."
    ),
    questions: str = typer.Option(
        "main", "--questions", help="Question set name or study-format YAML file."
    ),
    judge: JudgeOpt = None,
    judge_mode: JudgeModeOpt = None,
    calibration: CalibrationOpt = DEFAULT_CALIBRATION,
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
    from spillover.evaluate.sweep import run_sweep

    result = run_sweep(
        run_dir,
        questions,
        out=out,
        judge=judge_spec(judge, judge_mode, calibration),
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
