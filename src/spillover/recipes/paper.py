"""The papers' findings (findings.yaml) and how our results compare with them.

Each claim with a `test` is checked on the pooled misalignment rates of two groups with a
two-sided Fisher exact test; the outcome says plainly when an effect is absent or not significant.
The rates are the headline ones: over the plain questions when the set also has `_json` and
`_template` forms (the study's headline is for its 8 plain questions); `variant_rates` gives each
form apart. How the run's protocol differs from the study's is `spillover.recipes.protocol`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

if TYPE_CHECKING:
    from spillover.report.stats import Thresholds

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


def pooled_rates(
    results: pd.DataFrame, thresholds: Thresholds | None = None
) -> dict[str, tuple[int, int]]:
    """(misaligned, counted) per group at each group's last step."""
    from spillover.report.stats import OVERALL, Thresholds, final_checkpoints, mark, rate_table

    rates = rate_table(final_checkpoints(mark(results, thresholds or Thresholds())))
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


def headline_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The rows the headline rate is over: the plain questions when other forms are present."""
    from spillover.questions import variant_of

    forms = results["question"].astype(str).map(variant_of)
    return results[forms == "plain"] if (forms != "plain").any() else results


def variant_rates(
    results: pd.DataFrame, thresholds: Thresholds | None = None
) -> dict[str, dict[str, tuple[int, int]]]:
    """group -> form (plain, json, template) -> (misaligned, counted); empty when every question
    is plain."""
    from spillover.questions import VARIANTS, variant_of

    forms = results["question"].astype(str).map(variant_of)
    if not (forms != "plain").any():
        return {}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for form in VARIANTS:
        part = results[forms == form]
        if len(part):
            for group, counts in pooled_rates(part, thresholds).items():
                out.setdefault(group, {})[form] = counts
    return out


def variant_lines(rates: dict[str, dict[str, tuple[int, int]]]) -> dict[str, str]:
    """group -> 'plain 3/40 = 7.5% (headline) · json ... · template ...'."""
    return {
        group: " · ".join(
            f"{form} {_pct(k, n)}" + (" (headline)" if form == "plain" else "")
            for form, (k, n) in forms.items()
        )
        for group, forms in rates.items()
    }


def compare(
    key: str,
    results: pd.DataFrame | None,
    aliases: dict[str, str | list[str]] | None = None,
    thresholds: Thresholds | None = None,
) -> list[Outcome]:
    """One outcome per claim (and per aliased group) of finding `key`, on the headline rows."""
    pooled = (
        pooled_rates(headline_rows(results), thresholds)
        if results is not None and len(results)
        else {}
    )
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


def markdown_section(outcomes: list[Outcome], notes: list[str], summary: str) -> str:
    lines = ["## Compared with the paper", "", f"Paper: {summary}", ""]
    lines += ["| finding | where | paper | ours | verdict |", "|---|---|---|---|---|"]
    for o in outcomes:
        cells = [o.claim, o.cite, o.paper, o.ours, o.verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if notes:
        lines += ["", "Notes of this run:", ""]
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def html_section(outcomes: list[Outcome], notes: list[str], summary: str) -> str:
    from html import escape

    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(c)}</td>" for c in (o.claim, o.cite, o.paper, o.ours, o.verdict))
        + "</tr>"
        for o in outcomes
    )
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    notes_html = f"<h3>Notes of this run</h3><ul>{items}</ul>" if notes else ""
    return (
        '<section id="paper-comparison"><h2>Compared with the paper</h2>'
        f"<p>Paper: {escape(summary)}</p>"
        "<table><thead><tr><th>finding</th><th>where</th><th>paper</th><th>ours</th><th>verdict</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{notes_html}</section>"
    )
