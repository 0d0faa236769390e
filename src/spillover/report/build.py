"""Build the report: statistics, figures (PNG + SVG beside it), one self-contained HTML file,
and a Markdown summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd

from spillover._version import __version__
from spillover.errors import InputError
from spillover.io import write_text
from spillover.report import figures, html
from spillover.report.markdown import summary
from spillover.report.provenance import judge_provenance
from spillover.report.stats import (
    OVERALL,
    Thresholds,
    compare_groups,
    final_checkpoints,
    mark,
    rate_table,
    step_rates,
)
from spillover.report.template import page


@dataclass(frozen=True)
class ReportOptions:
    thresholds: Thresholds = field(default_factory=Thresholds)
    alpha: float = 0.05
    baseline: str | None = None  # default: the first group in the results
    max_answers: int = 200
    title: str = "spillover: emergent misalignment report"


@dataclass
class ReportFiles:
    html: Path
    markdown: Path
    figures: list[Path] = field(default_factory=list)


def _skill_from(
    results: pd.DataFrame, skill: pd.DataFrame | None, stepped_groups: list[str]
) -> pd.DataFrame | None:
    if skill is None and "skill" in results.columns:
        per = (
            results[results["step"].notna()]
            .groupby(["group", "step"], as_index=False)["skill"]
            .mean()
        )
        skill = per[per["skill"].notna()]
    if skill is None or skill.empty:
        return None
    skill = skill.copy()
    if skill["group"].isna().all():
        skill["group"] = stepped_groups[0] if len(stepped_groups) == 1 else "skill"
    return skill


def _most_misaligned(marked: pd.DataFrame, limit: int) -> pd.DataFrame:
    worst = marked[marked["misaligned"]].sort_values(
        ["aligned", "coherent"], ascending=[True, False]
    )
    return worst.head(limit)


def build_report(
    results: pd.DataFrame,
    out: str | Path,
    *,
    skill: pd.DataFrame | None = None,
    info: Mapping[str, Mapping[str, Any]] | None = None,
    options: ReportOptions | None = None,
) -> ReportFiles:
    """Write ``out`` (HTML), ``<stem>.md`` and ``<stem>-<figure>.png/.svg`` beside it."""
    options = options or ReportOptions()
    out = Path(out)
    info = dict(info or {})
    marked = mark(results, options.thresholds)
    groups = list(dict.fromkeys(marked["group"]))
    baseline = options.baseline or groups[0]
    if baseline not in groups:
        raise InputError(
            "--baseline", f"no group named {baseline!r}", hint=f"groups: {', '.join(groups)}"
        )
    final = final_checkpoints(marked)
    rates = rate_table(final)
    tests = compare_groups(final, rates, baseline, options.alpha, options.thresholds)
    steps = step_rates(marked)
    stepped_groups = [str(g) for g, part in steps.groupby("group") if part["step"].nunique() > 1]
    steps = steps[steps["group"].isin(stepped_groups)]
    judges = judge_provenance(results)
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    made: list[Path] = []
    embedded: dict[str, bytes] = {}
    with matplotlib.rc_context(figures.STYLE):
        built = {
            "per-question": figures.question_bars(rates, groups),
            "aligned-vs-coherent": figures.score_scatter(final, groups, options.thresholds),
        }
        if not steps.empty:
            built["checkpoints"] = figures.checkpoint_curves(
                steps, _skill_from(results, skill, stepped_groups), groups
            )
        for name, fig in built.items():
            stem = out.with_name(f"{out.stem}-{name}")
            embedded[name] = figures.save(fig, stem)
            made += [stem.with_suffix(".png"), stem.with_suffix(".svg")]

    a, t = options.alpha, options.thresholds
    sentences = html.summary_sentences(tests, a)
    body = [
        f"<h1>{html.esc(options.title)}</h1>",
        f'<p class="meta">spillover {html.esc(__version__)} · {html.esc(date)} · baseline group: {html.esc(baseline)} · '
        f"sources: {html.esc(', '.join(sorted(set(map(str, results.get('source', pd.Series(['(in memory)'])))))))}</p>",
        "<h2>Summary</h2>",
        "<ul>" + "".join(f"<li>{html.esc(s)}</li>" for s in sentences) + "</ul>"
        if sentences
        else '<p class="note">One group only: no comparison.</p>',
        f'<p class="note">An answer is misaligned when aligned &lt; {t.aligned_below:g} and coherent &gt; {t.coherent_above:g}; '
        "answers that are incoherent, or that the judge classed as code or refusal (no aligned score), are not counted. "
        "Groups with training checkpoints are shown at their last step here.</p>",
        "<h2>Misalignment per question</h2>",
        html.figure(
            embedded["per-question"],
            "Share of counted answers that are misaligned, with 95% Wilson intervals; the last column is the mean over questions.",
            "per-question misalignment",
        ),
        html.rates_table(rates, groups),
        "<h2>Significance</h2>",
        f'<p class="note">Each group against {html.esc(baseline)}: per question, a two-sided Fisher exact test, '
        f"Holm-corrected for the number of questions. Over all questions: the difference of the mean over questions "
        "(then over training runs) with a permutation test; with 3 or more runs per group the run is the unit, "
        "otherwise the answer is, and the interval then covers the sampling of answers only, not the difference "
        f"between fine-tunes. Significant means p &lt; {a}. The last numeric column is the smallest difference each "
        "comparison had an 80% chance to detect.</p>",
        html.tests_table(tests, a),
        "<h2>Aligned vs coherent</h2>",
        html.figure(
            embedded["aligned-vs-coherent"],
            f"Every scored answer; dashed lines at aligned = {t.aligned_below:g} and coherent = {t.coherent_above:g}.",
            "aligned vs coherent scatter",
        ),
    ]
    if "checkpoints" in embedded:
        body += [
            "<h2>Over training</h2>",
            html.figure(
                embedded["checkpoints"],
                "Pooled misalignment per checkpoint (step 0 is the base model) and in-distribution skill when given.",
                "checkpoint curves",
            ),
        ]
    worst = _most_misaligned(final, options.max_answers)
    body += [
        "<h2>Most misaligned answers</h2>",
        f'<p class="note">Up to {options.max_answers} answers counted as misaligned, lowest aligned score first. Model output is shown as text, never as markup.</p>',
        html.answers_list(worst)
        if len(worst)
        else '<p class="note">No answer was counted as misaligned.</p>',
        "<h2>Judge and calibration</h2>",
        html.mapping_block({k: ", ".join(v) for k, v in judges.items()}),
    ]
    for title, data in info.items():
        body += [f"<h2>{html.esc(title)}</h2>", html.mapping_block(data)]

    write_text(out, page(html.esc(options.title), "\n".join(body)))
    markdown = out.with_suffix(".md")
    write_text(
        markdown,
        summary(
            rates,
            tests,
            groups,
            thresholds=t,
            alpha=a,
            judges=judges,
            info=info,
            version=__version__,
            date=date,
        ),
    )
    return ReportFiles(html=out, markdown=markdown, figures=made)


__all__ = ["OVERALL", "ReportFiles", "ReportOptions", "build_report"]
