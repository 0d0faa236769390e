"""The study report: rates and mean alignment per arm with the run (seed) as the unit, the spread
over seeds, comparisons with the control, and the dynamics of each seed when checkpoints were
swept. Markdown and a self-contained HTML page; every value from the data is escaped."""

from __future__ import annotations

import math

import pandas as pd

from spillover.report.html import esc, figure, pct
from spillover.report.markdown import md
from spillover.report.template import page
from spillover.stats import compare, summarize_arms
from spillover.study.cells import AXES
from spillover.study.schema import LoadedStudy
from spillover.study.store import Store


def arms(frame: pd.DataFrame) -> pd.Series:
    """An arm is a cell without its seed: the axes that vary in the study, joined by `/`."""
    varying = [a for a in AXES if a != "seed" and frame[a].nunique() > 1] or ["dataset"]
    return frame[varying].astype(str).agg("/".join, axis=1)


def final_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cell's answers at its last swept step."""
    last = frame.groupby("cell")["step"].transform("max")
    return frame[frame["step"] == last]


def _value(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f}"


def _interval(row: pd.Series, name: str) -> str:
    value = float(row[name])
    if math.isnan(value):
        return "n/a"
    if name.startswith("mean"):
        return f"{value:.1f} [{float(row[name + '_low']):.1f}, {float(row[name + '_high']):.1f}]"
    return f"{pct(value)} [{pct(float(row[name + '_low']))}, {pct(float(row[name + '_high']))}]"


def sections(
    study: LoadedStudy, frame: pd.DataFrame
) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each table of the report; cells are plain text."""
    frame = frame.assign(arm=arms(frame))
    final = final_answers(frame)
    out: list[tuple[str, list[str], list[list[str]]]] = []
    per_arm = summarize_arms(final, arm="arm", run="seed")
    out.append(
        (
            "Per arm, at each run's last checkpoint (the seed is the unit)",
            ["arm", "runs", "answers", "misaligned", "misaligned (pooled)", "mean aligned"],
            [
                [
                    str(r["arm"]),
                    str(r["runs"]),
                    str(r["answers"]),
                    _interval(r, "misaligned"),
                    _interval(r, "misaligned_pooled"),
                    _interval(r, "mean_aligned"),
                ]
                for _, r in per_arm.iterrows()
            ],
        )
    )
    per_seed = summarize_arms(
        final.assign(arm_seed=final["arm"] + " seed " + final["seed"].astype(str)),
        arm="arm_seed",
        run=None,
    )
    out.append(
        (
            "Per seed (the spread between runs)",
            ["arm and seed", "answers", "misaligned", "mean aligned", "mean coherent"],
            [
                [
                    str(r["arm_seed"]),
                    str(r["answers"]),
                    _interval(r, "misaligned"),
                    _value(r["mean_aligned"]),  # one run: no interval between runs to give
                    _value(r["mean_coherent"]),
                ]
                for _, r in per_seed.iterrows()
            ],
        )
    )
    control = study.spec.control
    if control is not None and (final["dataset"] == control).any():
        rows = []
        for arm, part in final[final["dataset"] != control].groupby("arm", sort=False):
            base = final[(final["dataset"] == control)]
            for metric in ("rate", "mean"):
                result = compare(part, base, names=(str(arm), control), metric=metric, run="seed")
                rows.append([metric, result.describe()])
        out.append((f"Compared with {control}", ["metric", "comparison"], rows))
    return out


def dynamics(frame: pd.DataFrame) -> pd.DataFrame:
    """Misalignment per arm, seed and step (each seed its own curve)."""
    frame = frame.assign(arm=arms(frame))
    keyed = frame.assign(
        _k=frame["arm"] + " seed " + frame["seed"].astype(str) + "@" + frame["step"].astype(str)
    )
    rows = summarize_arms(keyed, arm="_k", run=None)
    split = rows["_k"].str.rsplit("@", n=1, expand=True)
    return pd.DataFrame(
        {
            "group": split[0],
            "step": split[1].astype(int),
            "rate": rows["misaligned"],
            "low": rows["misaligned_low"],
            "high": rows["misaligned_high"],
            "mean_aligned": rows["mean_aligned"],
        }
    ).sort_values(["group", "step"])


def markdown(study: LoadedStudy, frame: pd.DataFrame, curves: pd.DataFrame | None) -> str:
    spec = study.spec
    lines = [
        f"# Study {md(spec.name)}",
        "",
        f"{frame['cell'].nunique()} cells, {len(frame)} judged answers; judge "
        f"{md(spec.judge.model)} ({spec.judge.mode}, calibration {md(spec.judge.calibration)}).",
        "",
    ]
    for title, header, rows in sections(study, frame):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
        lines.append("")
    if curves is not None:
        lines += ["## Dynamics (misaligned share per seed and step)", ""]
        lines += ["| run | step | misaligned | mean aligned |", "|---|---|---|---|"]
        for _, r in curves.iterrows():
            lines.append(
                f"| {md(r['group'])} | {int(r['step'])} | {pct(float(r['rate']))} | "
                + ("n/a" if math.isnan(r["mean_aligned"]) else f"{r['mean_aligned']:.1f}")
                + " |"
            )
        lines.append("")
    return "\n".join(lines)


def html_page(study: LoadedStudy, frame: pd.DataFrame, curves: pd.DataFrame | None) -> str:
    spec = study.spec
    parts = [
        f"<h1>Study {esc(spec.name)}</h1>",
        f'<p class="note">{frame["cell"].nunique()} cells, {len(frame)} judged answers; judge '
        f"{esc(spec.judge.model)} ({esc(spec.judge.mode)}, calibration "
        f"{esc(spec.judge.calibration)})</p>",
    ]
    for title, header, rows in sections(study, frame):
        parts.append(f"<h2>{esc(title)}</h2><table><thead><tr>")
        parts.append("".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    if curves is not None:
        from spillover.report.figures import checkpoint_curves, render

        groups = list(dict.fromkeys(curves["group"]))
        svg = render(checkpoint_curves(curves, None, groups), "svg")
        parts.append("<h2>Dynamics</h2>")
        parts.append(figure(svg, "misaligned share per seed against the training step", "curves"))
    return page(esc(f"Study {spec.name}"), "\n".join(parts))


def write_report(study: LoadedStudy, frame: pd.DataFrame, store: Store) -> list[str]:
    """`report.md` and `report.html` in the study's output; returns where they went."""
    swept = frame.groupby("cell")["step"].nunique().max() > 1
    curves = dynamics(frame) if swept else None
    written: list[str] = []
    for name, text in (
        ("report.md", markdown(study, frame, curves)),
        ("report.html", html_page(study, frame, curves)),
    ):
        store.write_bytes(name, text.encode("utf-8"))
        written.append(store.path(name))
    return written
