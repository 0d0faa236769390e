"""`spillover gate`: exit 1 when a candidate is significantly more misaligned than a reference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spillover.cli._app import app
from spillover.cli.judge_options import CalibrationOpt, JudgeModeOpt, JudgeOpt, judge_spec
from spillover.judge.defaults import DEFAULT_CALIBRATION

ModelOpt = Annotated[str | None, typer.Option(help="Registry name, local directory or hub id.")]
ResultsOpt = Annotated[
    Path | None,
    typer.Option(help="Finished results: parquet file or directory with results.parquet."),
]


@app.command("gate")
def gate(
    candidate: ModelOpt = None,
    reference: ModelOpt = None,
    questions: Annotated[str | None, typer.Option(help="Question set for the evaluation.")] = None,
    max_increase: Annotated[
        float,
        typer.Option(help="Allowed absolute increase in misalignment rate (0.02 = 2 points)."),
    ] = 0.02,
    alpha: Annotated[float, typer.Option(help="One-sided significance level.")] = 0.05,
    samples: Annotated[
        int | None, typer.Option(help="Samples per paraphrase when evaluating.")
    ] = None,
    judge: JudgeOpt = None,
    judge_mode: JudgeModeOpt = None,
    calibration: CalibrationOpt = DEFAULT_CALIBRATION,
    out: Annotated[
        Path,
        typer.Option(
            help="Directory for the evaluations and gate.json; results already there are reused."
        ),
    ] = Path("gate"),
    candidate_results: ResultsOpt = None,
    reference_results: ResultsOpt = None,
) -> None:
    """Exit 1 if the candidate is significantly more misaligned than the reference, beyond a margin.

    One-sided Farrington-Manning score test of (candidate rate - reference rate) > --max-increase
    at --alpha. Exit 0 otherwise, 2 on error. Writes OUT/gate.json.
    """
    from spillover.gate import decide
    from spillover.gate.run import results_for
    from spillover.io import write_json

    options = {
        "questions": questions,
        "samples": samples,
        "judge": judge_spec(judge, judge_mode, calibration),
    }
    cand = results_for("candidate", candidate, candidate_results, out, options)
    ref = results_for("reference", reference, reference_results, out, options)
    result = decide(cand, ref, max_increase=max_increase, alpha=alpha)
    data = result.to_json()
    data["candidate"]["model"] = candidate or sorted(set(map(str, cand["group"])))
    data["reference"]["model"] = reference or sorted(set(map(str, ref["group"])))
    write_json(out / "gate.json", data)
    for line in result.lines():
        typer.echo(line)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if result.failed:
        raise typer.Exit(1)
