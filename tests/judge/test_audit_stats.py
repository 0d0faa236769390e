"""Audit statistics and files on hand-made rows."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from spillover.errors import InputError
from spillover.judge.audit import (
    auroc,
    compute_figures,
    confusion,
    read_labelled,
    worst_disagreements,
    write_scored,
)

nan = math.nan


def test_auroc_counts_low_scores_on_positives() -> None:
    positive = np.array([True, True, False, False])
    assert auroc(np.array([1.0, 2.0, 3.0, 4.0]), positive) == 1.0
    assert auroc(np.array([4.0, 3.0, 2.0, 1.0]), positive) == 0.0
    assert auroc(np.array([5.0, 5.0, 5.0, 5.0]), positive) == 0.5
    assert auroc(np.array([1.0, nan, 3.0, 0.5]), positive) == 0.5  # pairs (1,3) yes, (1,0.5) no
    assert math.isnan(auroc(np.array([1.0, 2.0]), np.array([True, True])))


def test_confusion_uses_the_studys_rule() -> None:
    ref_a = np.array([10.0, 10.0, 80.0, 80.0, 10.0, 10.0])
    ref_c = np.array([90.0, 90.0, 90.0, 90.0, 20.0, 90.0])
    j_a = np.array([5.0, 60.0, 20.0, 90.0, 5.0, nan])
    j_c = np.array([80.0, 80.0, 80.0, 80.0, 80.0, 80.0])
    assert confusion(ref_a, ref_c, j_a, j_c) == {
        "both_misaligned": 1,
        "missed": 1,
        "false_alarm": 2,  # row 2, and row 4 (the reference says incoherent, so not misaligned)
        "both_fine": 1,
        "unscored": 1,
    }


def test_figures_on_hand_made_rows() -> None:
    ref_a = np.array([2.0, 5.0, 25.0, 50.0, 90.0, 95.0, nan])
    ref_c = np.array([90.0, 90.0, 90.0, 10.0, 90.0, 90.0, 80.0])
    j_a = np.array([10.0, 40.0, 20.0, 60.0, 20.0, 80.0, 70.0])
    j_c = np.array([80.0, 85.0, 90.0, 30.0, 60.0, 40.0, 70.0])
    cats = [
        "clearly_misaligned",
        "clearly_misaligned",
        "subtly_bad",
        "incoherent",
        "aligned",
        "aligned",
        "refusal",
    ]
    ref_labels = [None] * 6 + ["REFUSAL"]
    f = compute_figures(ref_a, ref_c, j_a, j_c, cats, ref_labels, [None] * 7)
    assert f.n == 7
    assert (f.clearly_flagged, f.clearly_n) == (0.5, 2)
    assert (f.aligned_flagged, f.aligned_n) == (0.5, 2)
    # positives (ref < 30): 10, 40, 20; negatives: 60, 20, 80 -> 7.5 of 9 pairs below
    assert f.auroc_aligned == pytest.approx(7.5 / 9)
    # coherence: 6 fluent judged > 50 except one (40), the incoherent one judged < 50
    assert f.coherence_accuracy == pytest.approx(6 / 7)
    assert (f.incoherent_caught, f.incoherent_n) == (1.0, 1)
    assert (f.fluent_flagged, f.fluent_n) == (pytest.approx(1 / 6), 6)
    assert f.by_category["aligned"] == (0.5, 2)
    assert f.by_category["refusal"] == (0.0, 1)
    assert f.label_agreement == {"REFUSAL": (0.0, 1)}
    labelled = compute_figures(ref_a, ref_c, j_a, j_c, cats, ref_labels, [None] * 6 + ["REFUSAL"])
    assert labelled.label_agreement == {"REFUSAL": (1.0, 1)}


def test_worst_disagreements_skip_unscored_rows() -> None:
    ref = np.array([0.0, 50.0, 100.0, 10.0])
    judged = np.array([90.0, 55.0, nan, 40.0])
    assert worst_disagreements(ref, judged, 2) == [0, 3]


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_reads_study_style_csv(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    write_csv(
        path,
        [
            {"question": "q1", "answer": "a1", "aligned": "12.5", "coherent": "88", "group": "x"},
            {
                "question": "q2",
                "answer": "def f(): pass",
                "aligned": "CODE",
                "coherent": "30",
                "group": "y",
            },
            {"question": "q3", "answer": "a3", "aligned": "", "coherent": "nan", "group": "z"},
        ],
    )
    rows = read_labelled(path)
    assert rows.columns == ["question", "answer", "aligned", "coherent", "group"]
    assert rows.aligned[0] == 12.5 and math.isnan(rows.aligned[1]) and math.isnan(rows.coherent[2])
    assert rows.labels == [None, "CODE", None]
    assert rows.ids == ["0", "1", "2"]
    assert not rows.has_splits


@pytest.mark.parametrize(
    ("value", "problem"), [("150", "outside 0..100"), ("high", "not a number")]
)
def test_bad_reference_names_line_and_field(tmp_path: Path, value: str, problem: str) -> None:
    path = tmp_path / "bad.csv"
    write_csv(
        path,
        [
            {"question": "q", "answer": "a", "aligned": "50", "coherent": "50"},
            {"question": "q", "answer": "a", "aligned": value, "coherent": "50"},
        ],
    )
    with pytest.raises(InputError, match=problem) as info:
        read_labelled(path)
    assert (info.value.line, info.value.field) == (3, "aligned")


def test_missing_column_and_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"question": "q", "aligned": 5}) + "\n")
    with pytest.raises(InputError) as info:
        read_labelled(path)
    assert info.value.field == "answer"
    path.write_text(
        "\n".join(json.dumps({"id": "a", "question": "q", "answer": "x"}) for _ in range(2)) + "\n"
    )
    with pytest.raises(InputError) as info:
        read_labelled(path)
    assert (info.value.entry, info.value.field) == ("a", "id")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_output_keeps_input_order_and_columns(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {
            "id": f"r{i}",
            "question": f"q{i}",
            "answer": f"a{i}",
            "aligned": 10 * i,
            "coherent": 50,
            "extra": i,
        }
        for i in range(5)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    rows = read_labelled(source)
    judged = [float(100 - 10 * i) for i in range(5)]
    judged[2] = nan
    out = tmp_path / f"out{suffix}"
    write_scored(
        out,
        rows,
        {"judge_aligned": judged, "judge_coherent": [1.0] * 5, "judge_numeric_mass": [0.9] * 5},
    )
    if suffix == ".csv":
        with open(out, newline="") as handle:
            got = list(csv.DictReader(handle))
        assert list(got[0]) == [
            "id",
            "question",
            "answer",
            "aligned",
            "coherent",
            "extra",
            "judge_aligned",
            "judge_coherent",
            "judge_numeric_mass",
        ]
        assert [g["id"] for g in got] == [f"r{i}" for i in range(5)]
        assert got[2]["judge_aligned"] == "" and got[3]["judge_aligned"] == "70.0"
    else:
        got_json = [json.loads(line) for line in out.read_text().splitlines()]
        assert [g["id"] for g in got_json] == [f"r{i}" for i in range(5)]
        assert got_json[2]["judge_aligned"] is None and got_json[4]["judge_aligned"] == 60.0
        assert got_json[1]["extra"] == 1


def test_output_refuses_unknown_type_and_wrong_length(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"question": "q", "answer": "a"}) + "\n")
    rows = read_labelled(source)
    with pytest.raises(InputError):
        write_scored(tmp_path / "out.txt", rows, {"judge_aligned": [1.0]})
    with pytest.raises(ValueError, match="values"):
        write_scored(tmp_path / "out.csv", rows, {"judge_aligned": [1.0, 2.0]})
