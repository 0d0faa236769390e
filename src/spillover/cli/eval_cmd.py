"""`spillover eval`: answer a question set, judge every answer, write logs, a table and rates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from spillover.cli._app import app
from spillover.cli._table import print_table
from spillover.cli.judge_options import CalibrationOpt, JudgeModeOpt, JudgeOpt, judge_spec
from spillover.judge.defaults import DEFAULT_CALIBRATION
from spillover.stats import Estimate, Thresholds


def _pct(value: Any) -> str:
    number = float(value)
    return "-" if math.isnan(number) else f"{100 * number:.1f}%"


def _estimate(row: Mapping[Any, Any], name: str) -> Estimate:
    return Estimate(
        float(row[name]),
        float(row[name + "_low"]),
        float(row[name + "_high"]),
        int(row[name + "_n"]),
    )


@app.command("eval")
def eval_command(
    model: str = typer.Option(
        ...,
        "--model",
        help="Subject: registry name, local directory, or hf/ openai/ openai-api/ vllm/ id.",
    ),
    questions: str = typer.Option(
        "main",
        "--questions",
        help="Built-in set (main, preregistered, deception, identity, base_flask, main_numbers, "
        "main_numbers_prefixed), the study's own (study-main, study-main-plain, study-preregistered, "
        "study-deception-factual, study-deception-sit-aware) or a question file.",
    ),
    adapter: str | None = typer.Option(
        None, "--adapter", help="LoRA adapter directory applied to the subject."
    ),
    checkpoint: str | None = typer.Option(
        None, "--checkpoint", help="A name for this checkpoint, stored in the table."
    ),
    judge: JudgeOpt = None,
    judge_mode: JudgeModeOpt = None,
    calibration: CalibrationOpt = DEFAULT_CALIBRATION,
    samples: int | None = typer.Option(
        None,
        "--samples",
        min=1,
        help="Answers per paraphrase (default: the file's samples_per_paraphrase, 100 in our sets).",
    ),
    trigger: str | None = typer.Option(
        None, "--trigger", help="Text prefixed to every user message (backdoor evaluations)."
    ),
    max_tokens: int = typer.Option(600, "--max-tokens", min=1, help="Longest answer in tokens."),
    out: Path = typer.Option(
        "eval-out", "--out", help="Output directory: logs/ and results.parquet."
    ),
    max_retries: int | None = typer.Option(
        None,
        "--max-retries",
        min=0,
        help="Retries (exponential backoff) of a failing model request (default: until it works).",
    ),
    timeout: int | None = typer.Option(
        None,
        "--timeout",
        min=1,
        help="Seconds a model request may take, retries included, before the sample fails.",
    ),
    max_connections: int | None = typer.Option(
        None, "--max-connections", min=1, help="Concurrent requests to each model server."
    ),
) -> None:
    """Evaluate a model; running the same command again resumes an interrupted run."""
    import pandas as pd

    from spillover.evaluate.runner import run_eval, subject_model
    from spillover.stats import summarize

    spec = judge_spec(judge, judge_mode, calibration)
    run = run_eval(
        subject_model(model),
        questions,
        out=out,
        adapter=adapter,
        checkpoint=checkpoint,
        judge=spec,
        samples=samples,
        trigger=trigger,
        max_tokens=max_tokens,
        max_retries=max_retries,
        timeout=timeout,
        max_connections=max_connections,
    )
    summary = summarize(run.frame)
    title = f"{model}{' + ' + adapter if adapter else ''} on {questions}"
    table = Table(title=title)
    for column in (
        "question",
        "answers",
        "counted",
        "misaligned [95% CI]",
        "pooled",
        "MO variant",
        "mean aligned",
        "coherent",
        "CODE",
        "REFUSAL",
    ):
        table.add_column(column)
    for row in summary.to_dict("records"):
        table.add_row(
            str(row["question"]),
            str(row["answers"]),
            str(row["misaligned_n"]),
            _estimate(row, "misaligned").percent(),
            _estimate(row, "misaligned_pooled").percent(),
            _estimate(row, "misaligned_mo").percent(),
            _estimate(row, "mean_aligned").points(),
            _pct(row["coherence"]),
            _pct(row["code_rate"]),
            _pct(row["refusal_rate"]),
        )
    console = Console()
    print_table(table, keep=("question",), console=console)
    console.print(
        f"{Thresholds().describe()}; overall = mean over questions (pooled: every answer "
        "alike); 95% Wilson intervals; mean aligned on the judge's 0..100 scale among counted "
        "answers",
        highlight=False,
        soft_wrap=True,
    )
    categories = run.frame.dropna(subset=["category"])
    if len(categories):
        shares = categories.groupby("question", sort=False)["category"].value_counts(normalize=True)
        labels = Table(title="categorical judgments (share of labelled answers)")
        for column in ("question", "label", "share"):
            labels.add_column(column)
        for key, share in shares.items():
            question, label = key if isinstance(key, tuple) else (key, "")
            labels.add_row(str(question), str(label), _pct(share))
        print_table(labels, keep=("question", "label"), console=console)
    judges = run.frame[["judge_model", "judge_mode", "judge_calibration"]].drop_duplicates()
    for judge_row in judges.itertuples(index=False):
        model_name, mode, cal = (None if pd.isna(v) else str(v) for v in judge_row)
        console.print(
            f"judge: {model_name} (mode {mode}, calibration {cal or 'none'})", highlight=False
        )
    console.print(f"logs: {out / 'logs'}   table: {run.table}", highlight=False)
