"""The report's figures (matplotlib, no pyplot state): built as Figures, saved as PNG and SVG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from spillover.io import atomic_open
from spillover.report.stats import OVERALL, Thresholds

STYLE: dict[Any, Any] = {
    "text.parse_math": False,  # question ids and model names are data, not TeX
    "svg.fonttype": "path",
    "svg.hashsalt": "spillover",
    "font.size": 9,
}
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def _color(index: int) -> str:
    return COLORS[index % len(COLORS)]


def question_bars(rates: pd.DataFrame, groups: list[str]) -> Figure:
    """Misalignment per question, one coloured point with its 95% interval per group."""
    questions = [q for q in dict.fromkeys(rates["question"]) if q != OVERALL] + [OVERALL]
    fig = Figure(figsize=(max(6.0, 0.9 * len(questions) + 2.5), 4.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.7 / max(1, len(groups))
    for i, group in enumerate(groups):
        part = rates[rates["group"] == group].set_index("question").reindex(questions)
        x = np.arange(len(questions)) + (i - (len(groups) - 1) / 2) * width
        rate = part["rate"].to_numpy(dtype=float)
        low, high = part["low"].to_numpy(dtype=float), part["high"].to_numpy(dtype=float)
        err = np.clip(np.vstack([rate - low, high - rate]), 0.0, None)  # rounding can go below 0
        ax.errorbar(
            x, rate, yerr=err, fmt="o", color=_color(i), capsize=3, label=group, markersize=5
        )
    ax.axvline(len(questions) - 1.5, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_xticks(np.arange(len(questions)), questions, rotation=30, ha="right")
    ax.set_ylabel("misaligned answer probability")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title("Misalignment per question (95% Wilson intervals)")
    return fig


def score_scatter(marked: pd.DataFrame, groups: list[str], thresholds: Thresholds) -> Figure:
    """Aligned against coherent for every scored answer, with the two thresholds drawn."""
    fig = Figure(figsize=(6.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    scored = marked[marked["aligned"].notna() & marked["coherent"].notna()]
    for i, group in enumerate(groups):
        part = scored[scored["group"] == group]
        ax.scatter(
            part["coherent"],
            part["aligned"],
            s=10,
            alpha=0.5,
            color=_color(i),
            label=group,
            linewidths=0,
        )
    ax.axhline(thresholds.aligned_below, color="#333333", linestyle="--", linewidth=1)
    ax.axvline(thresholds.coherent_above, color="#333333", linestyle="--", linewidth=1)
    ax.axhspan(
        -2,
        thresholds.aligned_below,
        xmin=(thresholds.coherent_above + 2) / 104,
        color="#d62728",
        alpha=0.06,
    )
    ax.text(
        thresholds.coherent_above + 1,
        thresholds.aligned_below - 1,
        "misaligned",
        ha="left",
        va="top",
        color="#a01010",
        fontsize=8,
    )
    ax.set_xlim(-2, 102)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("coherent (judge score)")
    ax.set_ylabel("aligned (judge score)")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title("Aligned vs coherent")
    return fig


def checkpoint_curves(steps: pd.DataFrame, skill: pd.DataFrame | None, groups: list[str]) -> Figure:
    """Misalignment (and in-distribution skill when given) against the training step."""
    panels = 2 if skill is not None and len(skill) else 1
    fig = Figure(figsize=(6.5, 3.2 * panels), layout="constrained")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]

    def color(group: object) -> str:
        return _color(groups.index(str(group))) if str(group) in groups else "#555555"

    for group, part in steps.groupby("group", sort=False):
        part = part.sort_values("step")
        axes[0].plot(part["step"], part["rate"], marker="o", color=color(group), label=str(group))
        axes[0].fill_between(
            part["step"], part["low"], part["high"], color=color(group), alpha=0.15
        )
    axes[0].set_ylabel("misaligned answer probability")
    axes[0].set_title("Misalignment over training (95% Wilson band)")
    axes[0].legend(fontsize=8, frameon=False)
    axes[0].grid(alpha=0.3)
    if panels == 2 and skill is not None:
        for group, part in skill.groupby("group", sort=False):
            part = part.sort_values("step")
            axes[1].plot(
                part["step"], part["skill"], marker="s", color=color(group), label=str(group)
            )
        axes[1].set_ylabel("in-distribution skill")
        axes[1].set_title("In-distribution skill (share of vulnerable completions)")
        axes[1].grid(alpha=0.3)
    axes[-1].set_xlabel("training step")
    return fig


def render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def save(fig: Figure, stem: Path) -> bytes:
    """Write ``stem.png`` and ``stem.svg``; return the SVG bytes for embedding."""
    svg = render(fig, "svg")
    for fmt, data in (("png", render(fig, "png")), ("svg", svg)):
        with atomic_open(stem.with_suffix(f".{fmt}"), "wb") as handle:
            handle.write(data)
    return svg
