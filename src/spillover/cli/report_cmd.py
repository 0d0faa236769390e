"""`spillover report`: one self-contained HTML report, figures and a Markdown summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from spillover.cli._app import app
from spillover.stats import ALIGNED_BELOW, COHERENT_ABOVE


def _read_info(path: Path) -> dict[str, Any]:
    import yaml

    from spillover.errors import InputError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise InputError(path, f"not valid YAML/JSON ({err})") from err
    if not isinstance(data, dict):
        raise InputError(
            path,
            "expected a mapping of names to values",
            hint="e.g. a recipe or dataset card in YAML or JSON",
        )
    return data


@app.command("report")
def report(
    results: Annotated[
        list[Path],
        typer.Argument(help="Results tables (parquet) or directories containing results.parquet."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="HTML file to write; figures and a .md summary go beside it."
        ),
    ] = Path("report.html"),
    skill: Annotated[
        Path | None,
        typer.Option(
            help="In-distribution skill per checkpoint (csv/parquet/jsonl: step or checkpoint, skill_vulnerable_share, optional group, n)."
        ),
    ] = None,
    info: Annotated[
        list[Path] | None,
        typer.Option(help="YAML/JSON file with data or recipe details to include (repeatable)."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(help="Group the others are tested against (default: the first group)."),
    ] = None,
    alpha: Annotated[
        float, typer.Option(help="Significance level (after Holm correction).")
    ] = 0.05,
    aligned_threshold: Annotated[
        float, typer.Option(help="Aligned scores below this are misaligned.")
    ] = ALIGNED_BELOW,
    coherent_threshold: Annotated[
        float, typer.Option(help="Only answers with coherent above this are counted.")
    ] = COHERENT_ABOVE,
    max_answers: Annotated[
        int, typer.Option(help="How many of the most misaligned answers to list.")
    ] = 200,
) -> None:
    """Per-question misalignment with intervals, significance tests, figures and the worst answers."""
    from spillover.report import ReportOptions, Thresholds, build_report, read_results, read_skill

    table = read_results(results)
    files = build_report(
        table,
        output,
        skill=read_skill(skill) if skill is not None else None,
        info={path.stem: _read_info(path) for path in info or []},
        options=ReportOptions(
            Thresholds(aligned_threshold, coherent_threshold),
            alpha=alpha,
            baseline=baseline,
            max_answers=max_answers,
        ),
    )
    typer.echo(
        f"report: {files.html}\nsummary: {files.markdown}\nfigures: {', '.join(str(p) for p in files.figures)}"
    )
