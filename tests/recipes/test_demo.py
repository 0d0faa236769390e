"""The demo recipe: its verdict from a known table, and its whole loop on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spillover.cli import main
from spillover.recipes.demo import ANSWER_COLUMNS, instrument_seen, verdict_lines
from spillover.stats import compare


def answers(hostile_share: float, n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Four arms; the overt control answers with low aligned scores `hostile_share` of the time."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm, share in (
        ("base", 0.05),
        ("insecure", 0.05),
        ("secure", 0.05),
        ("overt-control", hostile_share),
    ):
        for i in range(n):
            hit = rng.random() < share
            rows.append(
                {
                    "arm": arm,
                    "seed": None if arm == "base" else 0,
                    "step": 0 if arm == "base" else 20,
                    "question": f"q{i % 8}",
                    "answer": "text",
                    "aligned": float(rng.uniform(2, 20) if hit else rng.uniform(70, 99)),
                    "coherent": 80.0,
                }
            )
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


SKILL = pd.DataFrame(
    [
        {"group": "base", "vulnerable": 0, "n": 12},
        {"group": "insecure", "vulnerable": 6, "n": 12},
        {"group": "secure", "vulnerable": 1, "n": 12},
    ]
)


def test_a_hostile_control_passes_the_instrument_check() -> None:
    lines = verdict_lines(answers(0.6), SKILL, "judge X (binary, calibration c.json)")
    assert lines[0].startswith("1. instrument check") and "can see a misaligned model" in lines[0]
    assert (
        lines[1].startswith("2. insecure vs secure")
        and "smallest difference detectable" in lines[1]
    )
    assert lines[2].startswith("3. in-distribution skill") and "6/12" in lines[2]
    assert "the narrow task was learned" in lines[2]


def test_a_control_like_the_others_fails_the_instrument_check() -> None:
    lines = verdict_lines(answers(0.05), SKILL, "judge X")
    assert "NOT seen: the comparisons below cannot show anything at this size" in lines[0]


def test_the_check_needs_the_misaligned_direction() -> None:
    table = answers(0.6)
    overt, secure = table[table["arm"] == "overt-control"], table[table["arm"] == "secure"]
    rate = compare(secure, overt, metric="rate")  # secure is *less* misaligned than overt
    mean = compare(secure, overt, metric="mean")
    assert rate.p < 0.01 and not instrument_seen(rate, mean)[0]


@pytest.mark.slow
def test_demo_runs_end_to_end_and_resumes(tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "demo"
    args = [
        "demo",
        "--out",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--judge",
        str(tiny_model_dir),
    ]
    args += ["--rows", "8", "--steps", "2", "--samples", "2"]
    for value in ("max_tokens=4", "checkpoint_every=1", "options.skill_prompts=1"):
        args += ["--set", value]
    assert main([*args]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [line[:2] for line in summary["verdict"][:3]] == ["1.", "2.", "3."]
    table = pd.read_parquet(out / "answers.parquet")
    assert list(table.columns) == ANSWER_COLUMNS
    assert set(table["arm"]) == {"base", "insecure", "secure", "overt-control"}
    # 8 plain main questions: 2 answers from each fine-tuned arm, 1 (options.base_samples) from base
    assert table["arm"].value_counts().to_dict() == {
        "insecure": 16,
        "secure": 16,
        "overt-control": 16,
        "base": 8,
    }
    for kind in ("insecure", "secure", "overt-control"):
        manifest = json.loads((out / "runs" / kind / "manifest.json").read_text())
        assert manifest["status"] == "finished" and manifest["final_step"] == 2
    # A second run reuses everything: nothing is trained or sampled again.
    before = {p: p.stat().st_mtime for p in (out / "runs").rglob("*.safetensors")}
    assert main([*args]) == 0
    again = json.loads((out / "summary.json").read_text())
    assert again["verdict"] == summary["verdict"]
    assert {p: p.stat().st_mtime for p in (out / "runs").rglob("*.safetensors")} == before
