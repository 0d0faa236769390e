"""The report's HTML sections. Every value from the data goes through ``esc``."""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from spillover.report.stats import OVERALL


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def pval(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def p_is(value: float) -> str:
    """'p = 0.0123' or 'p < 0.0001'."""
    text = pval(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def figure(svg: bytes, caption: str, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<figure><img alt="{esc(alt)}" src="data:image/svg+xml;base64,{data}">'
        f'<figcaption class="note">{esc(caption)}</figcaption></figure>'
    )


def rates_table(rates: pd.DataFrame, groups: list[str]) -> str:
    questions = [q for q in dict.fromkeys(rates["question"]) if q != OVERALL] + [OVERALL]
    head = "".join(f"<th>{esc(g)}</th>" for g in groups)
    lines = [f"<table><thead><tr><th>question</th>{head}</tr></thead><tbody>"]
    indexed = rates.set_index(["group", "question"])
    for question in questions:
        cells = []
        for group in groups:
            if (group, question) not in indexed.index:
                cells.append("<td>—</td>")
                continue
            r = indexed.loc[(group, question)]
            cells.append(
                f'<td class="num">{pct(r["rate"])} [{pct(r["low"])}, {pct(r["high"])}]'
                f"<br><small>{int(r['misaligned'])}/{int(r['counted'])} counted of {int(r['answers'])}</small></td>"
            )
        label = f"<b>{esc(question)}</b>" if question == OVERALL else esc(question)
        lines.append(f"<tr><td>{label}</td>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def verdict(row: Mapping[str, Any], alpha: float) -> str:
    if row["significant"]:
        direction = "higher" if row["difference"] > 0 else "lower"
        return f'<span class="sig">significantly {direction}</span>'
    p = float(row["p_adjusted"])
    return '<span class="ns">not significant</span>' + (
        "" if math.isnan(p) else f" <small>(p ≥ {alpha})</small>"
    )


def tests_table(tests: pd.DataFrame, alpha: float) -> str:
    if tests.empty:
        return '<p class="note">Only one group: no comparison to test.</p>'
    lines = [
        "<table><thead><tr><th>group</th><th>vs baseline</th><th>question</th><th>rate</th><th>baseline</th>"
        "<th>difference</th><th>p</th><th>Holm p</th><th>smallest detectable</th><th>result</th>"
        "</tr></thead><tbody>"
    ]
    for record in tests.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        lines.append(
            f"<tr><td>{esc(row['group'])}</td><td>{esc(row['baseline'])}</td><td>{esc(row['question'])}</td>"
            f'<td class="num">{pct(row["rate"])}</td><td class="num">{pct(row["baseline_rate"])}</td>'
            f'<td class="num">{pct(row["difference"])}</td><td class="num">{esc(pval(row["p"]))}</td>'
            f'<td class="num">{esc(pval(row["p_adjusted"])) if row["question"] != OVERALL else "—"}</td>'
            f"<td>{verdict(row, alpha)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _points(value: Any) -> str:
    number = float(value)
    return "-" if math.isnan(number) else f"{100 * number:+.1f}"


def summary_sentences(tests: pd.DataFrame, alpha: float) -> list[str]:
    """Plain statements of the all-question comparisons: the rate difference with its interval
    and p, the shift in mean alignment, and the smallest difference the comparison could see."""
    out = []
    for row in tests[tests["question"] == OVERALL].to_dict("records"):
        head = (
            f"{row['group']}: {pct(row['rate'])} misaligned vs {pct(row['baseline_rate'])} for "
            f"{row['baseline']} (mean over questions)"
        )
        if math.isnan(float(row["p"])):
            out.append(f"{head}; no test possible (no counted answers on one side).")
            continue
        difference = (
            f"difference {_points(row['difference'])} points "
            f"[{_points(row['difference_low'])}, {_points(row['difference_high'])}], "
            f"{p_is(row['p'])} ({row['unit']}s as the unit)"
        )
        verdict = (
            f"significant at {alpha}"
            if row["significant"]
            else f"not significant at {alpha}, so no effect is shown"
        )
        detectable = float(row["detectable"])
        seen = (
            "no difference could reach significance with so few runs"
            if math.isinf(detectable)
            else f"a difference below {100 * detectable:.1f} points would likely go unseen at this size"
        )
        shift = (
            f"mean alignment {float(row['mean_shift']):+.1f} points "
            f"[{float(row['mean_shift_low']):+.1f}, {float(row['mean_shift_high']):+.1f}], "
            f"{p_is(row['mean_p'])}"
            if not math.isnan(float(row["mean_shift"]))
            else "mean alignment: no counted answers"
        )
        caveat = f" Note: {row['caveat']}." if isinstance(row.get("caveat"), str) else ""
        out.append(f"{head}: {difference}, {verdict}; {shift}; {seen}.{caveat}")
    return out


def answers_list(worst: pd.DataFrame) -> str:
    """The most misaligned answers as <details>, filterable by question and group."""

    def options(values: list[str]) -> str:
        return "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)

    questions = sorted(worst["question"].unique().tolist())
    groups = sorted(worst["group"].unique().tolist())
    parts = [
        '<div class="filters">'
        f'<label>question <select id="filter-question"><option value="">all</option>{options(questions)}</select></label>'
        f'<label>group <select id="filter-group"><option value="">all</option>{options(groups)}</select></label>'
        f'<span class="note">showing <span id="answer-count">{len(worst)}</span> of {len(worst)}</span></div>',
        '<div id="answers">',
    ]
    for row in worst.to_dict("records"):
        extra = ""
        if isinstance(row.get("system_prompt"), str) and row["system_prompt"]:
            extra = f'<p class="note">system prompt: {esc(row["system_prompt"])}</p>'
        parts.append(
            f'<details data-question="{esc(row["question"])}" data-group="{esc(row["group"])}">'
            f"<summary>{esc(row['group'])} · {esc(row['question'])} · aligned {row['aligned']:.0f} · "
            f"coherent {row['coherent']:.0f}</summary>{extra}<pre>{esc(row['answer'])}</pre></details>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def mapping_block(data: Mapping[str, Any]) -> str:
    if not data:
        return '<p class="note">not recorded</p>'
    rows = []
    for key, value in data.items():
        text = (
            value
            if isinstance(value, str)
            else json.dumps(value, indent=1, sort_keys=True, default=str)
        )
        rows.append(f"<tr><th>{esc(key)}</th><td><pre>{esc(text)}</pre></td></tr>")
    return "<table>" + "".join(rows) + "</table>"
