"""The papers' findings (findings.yaml) and how our results compare with them.

Each claim with a `test` is checked on the pooled misalignment rates of two groups with a
two-sided Fisher exact test; the outcome says plainly when an effect is absent or not significant.
Reasons our numbers may differ (model size, judge, data size, answers per question) are listed
from the run's own settings, not assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from spillover.recipes.settings import ScaleSettings

FINDINGS_FILE = Path(__file__).resolve().parent / "findings.yaml"
ALPHA = 0.05


@cache
def findings() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(FINDINGS_FILE.read_text(encoding="utf-8"))
    return loaded


def finding(key: str) -> dict[str, Any]:
    found: dict[str, Any] = findings()[key]
    return found


@dataclass(frozen=True)
class Outcome:
    claim: str
    cite: str
    paper: str
    ours: str
    verdict: str  # reproduced / same direction, not significant / absent / consistent / differs / not run / not tested


def pooled_rates(results: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(misaligned, counted) per group at each group's last step."""
    from spillover.report.stats import OVERALL, final_checkpoints, mark, rate_table

    rates = rate_table(final_checkpoints(mark(results)))
    pooled = rates[rates["question"] == OVERALL]
    return {
        str(r["group"]): (int(r["misaligned"]), int(r["counted"])) for _, r in pooled.iterrows()
    }


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} = {k / n:.1%}" if n else "0 counted answers"


def judge_claim(
    test: dict[str, str], group: str, than: str, pooled: dict[str, tuple[int, int]]
) -> tuple[str, str]:
    """(our figures, verdict) for one test between two groups."""
    from spillover.report.stats import fisher_p

    if group not in pooled or than not in pooled:
        missing = group if group not in pooled else than
        return (f"group {missing!r} was not run", "not run")
    (k1, n1), (k2, n2) = pooled[group], pooled[than]
    p = fisher_p(k1, n1, k2, n2)
    ours = f"{group} {_pct(k1, n1)} vs {than} {_pct(k2, n2)}" + (
        "" if math.isnan(p) else f", Fisher p = {p:.3g}"
    )
    if math.isnan(p):
        return (ours, "no comparison possible: a group has no counted answers")
    higher = n1 > 0 and n2 > 0 and k1 / n1 > k2 / n2
    significant = p < ALPHA
    if test["kind"] == "higher":
        if higher and significant:
            return (ours, "reproduced")
        if higher:
            return (
                ours,
                "same direction but not significant: no evidence of the effect at this size",
            )
        return (ours, "absent: no higher misalignment in our run")
    if higher and significant:
        return (ours, "differs: ours is significantly higher")
    return (ours, "consistent (not significantly higher)")


def compare(
    key: str,
    results: pd.DataFrame | None,
    aliases: dict[str, str | list[str]] | None = None,
) -> list[Outcome]:
    """One outcome per claim (and per aliased group) of finding `key`."""
    pooled = pooled_rates(results) if results is not None and len(results) else {}
    out: list[Outcome] = []
    for claim in finding(key)["claims"]:
        paper = str(claim.get("number") or "qualitative finding (no number stated)")
        test = claim.get("test")
        if not test:
            out.append(
                Outcome(claim["text"], claim["cite"], paper, "-", "not tested by this recipe")
            )
            continue
        groups = (aliases or {}).get(test["group"], test["group"])
        than = (aliases or {}).get(test["than"], test["than"])
        assert isinstance(than, str)
        for group in [groups] if isinstance(groups, str) else groups:
            ours, verdict = judge_claim(test, group, than, pooled)
            out.append(Outcome(claim["text"], claim["cite"], paper, ours, verdict))
    return out


def differences(settings: ScaleSettings, scale: str, extra: list[str] | None = None) -> list[str]:
    """Why our figures may differ from the paper's, from this run's settings."""
    ref = findings()["paper_models"]
    notes: list[str] = []
    if settings.model not in (ref["subject"], ref["subject_api"]):
        notes.append(
            f"subject model {settings.model} instead of {ref['subject']} / {ref['subject_api']}: "
            "the study found the effect stronger in larger, more capable models"
        )
    if settings.judge != ref["judge"]:
        notes.append(
            f"judge {settings.judge} ({settings.judge_mode or 'its default mode'}) instead of {ref['judge']} scoring 0-100: "
            "a small judge is noisier and may miss or invent misalignment"
        )
    if settings.options.get("data") != "study":
        notes.append("training data from our own generators, not the study's files")
    if settings.rows < ref["rows"]:
        notes.append(f"{settings.rows} rows instead of the study's {ref['rows']}")
    if settings.samples < ref["samples"]:
        notes.append(
            f"{settings.samples} answer(s) per question instead of {ref['samples']}: "
            "wide intervals, so only large effects can be significant"
        )
    if settings.steps is not None and scale == "cpu":
        notes.append(
            f"{settings.steps} optimiser steps (preset {settings.preset}) instead of one full epoch"
        )
    return notes + list(extra or [])


def markdown_section(outcomes: list[Outcome], notes: list[str], summary: str) -> str:
    lines = ["## Compared with the paper", "", f"Paper: {summary}", ""]
    lines += ["| finding | where | paper | ours | verdict |", "|---|---|---|---|---|"]
    for o in outcomes:
        cells = [o.claim, o.cite, o.paper, o.ours, o.verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "Why our figures may differ:", ""]
    lines += [f"- {n}" for n in notes] or ["- (same settings as the paper)"]
    return "\n".join(lines) + "\n"


def html_section(outcomes: list[Outcome], notes: list[str], summary: str) -> str:
    from html import escape

    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(c)}</td>" for c in (o.claim, o.cite, o.paper, o.ours, o.verdict))
        + "</tr>"
        for o in outcomes
    )
    items = (
        "".join(f"<li>{escape(n)}</li>" for n in notes) or "<li>(same settings as the paper)</li>"
    )
    return (
        '<section id="paper-comparison"><h2>Compared with the paper</h2>'
        f"<p>Paper: {escape(summary)}</p>"
        "<table><thead><tr><th>finding</th><th>where</th><th>paper</th><th>ours</th><th>verdict</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><h3>Why our figures may differ</h3><ul>{items}</ul></section>"
    )
