"""`spillover gate`: exit 0 when a candidate passes against a reference, 1 when it does not (or
the evidence is too thin), 2 on error."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spillover.cli._app import app
from spillover.cli.judge_options import CalibrationOpt, JudgeModeOpt, JudgeOpt, judge_spec
from spillover.gate.choices import MAX_DECREASE, MAX_INCREASE, Metric, Test
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
    test: Annotated[
        Test,
        typer.Option(
            help="safety: pass only on evidence that the change is below the margin; "
            "harm: fail only on evidence that it is above."
        ),
    ] = "safety",
    metric: Annotated[
        Metric,
        typer.Option(
            help="rate: the misalignment rate; mean: mean alignment among coherent answers."
        ),
    ] = "rate",
    max_increase: Annotated[
        float,
        typer.Option(help="Margin for --metric rate: increase in the rate (0.02 = 2 points)."),
    ] = MAX_INCREASE,
    max_decrease: Annotated[
        float,
        typer.Option(
            help="Margin for --metric mean: decrease in mean alignment, in points of the "
            "judge's 0-100 scale."
        ),
    ] = MAX_DECREASE,
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
    """Compare a candidate with a reference: exit 0 on PASS, 1 on FAIL, 2 on error.

    safety (default): PASS only when the change's one-sided upper bound is below the margin.

    With too few answers to show that, it says how many per arm would be enough.

    harm: FAIL only when the lower bound is above the margin; a PASS says what it could miss.

    The change: the rise in the misalignment rate or the fall in mean alignment. Writes gate.json.
    """
    from spillover.gate.decide import decide
    from spillover.gate.run import results_for
    from spillover.io import write_json

    options = {
        "questions": questions,
        "samples": samples,
        "judge": judge_spec(judge, judge_mode, calibration),
    }
    cand = results_for("candidate", candidate, candidate_results, out, options)
    ref = results_for("reference", reference, reference_results, out, options)
    result = decide(
        cand,
        ref,
        test=test,
        metric=metric,
        margin=max_increase if metric == "rate" else max_decrease,
        alpha=alpha,
    )
    data = result.to_json()
    data["candidate"]["model"] = candidate or sorted(set(map(str, cand["group"])))
    data["reference"]["model"] = reference or sorted(set(map(str, ref["group"])))
    write_json(out / "gate.json", data)
    for line in result.lines():
        typer.echo(line)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not result.passed:
        raise typer.Exit(1)
