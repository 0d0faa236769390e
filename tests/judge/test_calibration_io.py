"""Calibration files: the JSON round trip, the bare-map form, validation and provenance."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from spillover.errors import InputError, SpilloverError
from spillover.judge.calibration import Calibration, FitSet, JudgeRef, apply, load_calibration
from spillover.judge.calibration_fit import fit_calibration


def fitted(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    ref_a = np.concatenate([rng.uniform(0, 20, 30), rng.uniform(70, 100, 30)])
    raw_a = 45 + 0.3 * ref_a + rng.normal(0, 2, 60)
    ref_c = rng.uniform(0, 100, 60)
    raw_c = 20 + 0.7 * ref_c
    record = fit_calibration(
        JudgeRef(model="tiny", mode="binary"),
        FitSet(
            name="set.jsonl",
            sha256="ab" * 32,
            split="calibration",
            row_ids=[str(i) for i in range(60)],
        ),
        {"aligned": (list(raw_a), list(ref_a)), "coherent": (list(raw_c), list(ref_c))},
        "isotonic",
    )
    path = tmp_path / "cal.json"
    record.save(path)
    return path


def test_round_trip_keeps_maps_and_provenance(tmp_path: Path) -> None:
    path = fitted(tmp_path)
    data = json.loads(path.read_text())
    assert data["format"] == "spillover.calibration/1"
    assert data["x"] == data["metrics"]["aligned"]["x"]  # bare-form readers see the aligned map
    cal = load_calibration(path)
    for metric in ("aligned", "coherent"):
        knots = data["metrics"][metric]
        for raw in (0.0, 33.3, 50.0, 61.0, 99.0):
            assert cal.apply(raw, metric) == pytest.approx(
                float(np.interp(raw, knots["x"], knots["y"]))
            )
    assert cal.apply(55.0, "aligned") != cal.apply(55.0, "coherent")
    assert math.isnan(cal.apply(math.nan, "aligned"))
    assert cal.apply(42.0, "other") == 42.0  # no map for that metric: passed through
    info = cal.describe()
    assert info["fit_set"]["sha256"] == "ab" * 32
    assert info["fit_set"]["rows"] == 60
    assert info["judge"] == {"model": "tiny", "mode": "binary"}
    assert info["methods"] == {"aligned": "isotonic", "coherent": "isotonic"}
    assert cal.record is not None and cal.record.metrics["aligned"].fit.n == 60


def test_judge_mismatch_is_refused(tmp_path: Path) -> None:
    cal = load_calibration(fitted(tmp_path))
    cal.check_judge("tiny", "binary")
    with pytest.raises(SpilloverError, match="scale mode"):
        cal.check_judge("tiny", "scale")


def test_bare_map_still_works(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"x": [0, 40, 100], "y": [0, 25, 100], "note": "hand-made"}))
    cal = load_calibration(path)
    assert cal.apply(20.0) == pytest.approx(12.5)
    assert cal.apply(20.0, "coherent") == pytest.approx(12.5)
    assert apply(cal, 120.0) == 100.0
    assert apply(None, 17.0) == 17.0
    assert cal.meta == {"note": "hand-made"}


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({"x": [0, 50, 40], "y": [0, 1, 2]}, "x"),
        ({"x": [0, 50, 100], "y": [0, 60, 40]}, "y"),
        ({"x": [0, 100], "y": [0]}, "y"),
        ({"format": "something/9", "x": [0, 100], "y": [0, 100]}, "format"),
        (
            {"format": "spillover.calibration/1", "judge": {"model": "m", "mode": "scale"}},
            "fit_set",
        ),
    ],
)
def test_bad_files_name_the_field(tmp_path: Path, content: dict[str, object], field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content))
    with pytest.raises(InputError) as info:
        load_calibration(path)
    assert info.value.field == field
    assert info.value.file == str(path)


def test_bad_knots_inside_a_fitted_file_name_the_metric(tmp_path: Path) -> None:
    data = json.loads(fitted(tmp_path).read_text())
    data["metrics"]["coherent"]["y"] = list(reversed(data["metrics"]["coherent"]["y"]))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_calibration(bad)
    assert info.value.field == "metrics.coherent.y"


def test_shipped_calibration_lookup() -> None:
    from spillover.judge.calibration import shipped_calibration

    assert shipped_calibration("no-such-judge", "binary") is None
    found = shipped_calibration("qwen2.5-coder-1.5b-instruct", "binary")
    assert found is not None
    cal = load_calibration(found)
    assert cal.record is not None and cal.record.judge.mode == "binary"
    assert cal.record.fit_set.split == "calibration"
    assert cal.covers("aligned") and cal.covers("coherent")
    # fitted on the shipped set as it is now, and on calibration-split rows only
    from spillover.judge.audit import read_labelled, shipped_set

    # the file starts with exactly the rows it was fitted on; rows added since are test rows
    lines = shipped_set().read_bytes().splitlines(keepends=True)
    fitted = next(
        n
        for n in range(len(lines) + 1)
        if hashlib.sha256(b"".join(lines[:n])).hexdigest() == cal.record.fit_set.sha256
    )
    rows = read_labelled(shipped_set())
    split = dict(zip(rows.ids, rows.splits, strict=True))
    assert {split[i] for i in cal.record.fit_set.row_ids} == {"calibration"}
    assert len(rows.ids) == len(lines) and {split[i] for i in rows.ids[fitted:]} <= {"test"}


def saved_features_fit(
    path: Path, metric: str, raw: np.ndarray, ref: np.ndarray, **inputs: Any
) -> Calibration:
    """Fit `metric` with the features method on synthetic rows, save it to `path`, load it."""
    fit_calibration(
        JudgeRef(model="tiny", mode="binary"),
        FitSet(
            name="s",
            sha256="cd" * 32,
            split="calibration",
            row_ids=[str(i) for i in range(len(raw))],
        ),
        {metric: (list(raw), list(ref))},
        "features",
        **inputs,
    ).save(path)
    return load_calibration(path)


def test_features_calibration_round_trip_reads_the_answer(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    kinds = rng.integers(0, 3, 90)  # 0 fluent, 1 gibberish the judge sees, 2 loops it misses
    ref = np.where(kinds == 0, rng.uniform(70, 100, 90), rng.uniform(0, 20, 90))
    raw = np.where(kinds == 1, rng.uniform(10, 40, 90), rng.uniform(60, 95, 90))
    fluent, loop = "each step of the plan is cheap and easy to undo", "yes yes yes no no no yes yes"
    answers = [loop if k == 2 else fluent for k in kinds]
    cal = saved_features_fit(tmp_path / "cal.json", "coherent", raw, ref, answers=answers)
    assert cal.describe()["methods"] == {"coherent": "features"}
    assert cal.needed_features("coherent") == ()  # word variety is read from the answer itself
    assert cal.apply(85.0, "coherent", fluent) >= 50 > cal.apply(85.0, "coherent", loop)
    # the knots show the map at the median variety (most rows are fluent)
    assert cal.apply(85.0, "coherent", fluent) == pytest.approx(
        float(np.interp(85.0, cal.per_metric["coherent"][0], cal.per_metric["coherent"][1]))
    )
    with pytest.raises(SpilloverError, match="answer text"):
        cal.apply(85.0, "coherent")


def test_a_likelihood_feature_must_be_given_to_apply(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    bad = rng.random(80) < 0.4
    ref = np.where(bad, rng.uniform(0, 20, 80), rng.uniform(60, 100, 80))
    raw = rng.uniform(40, 90, 80)
    contrast = np.where(bad, rng.normal(2.0, 0.5, 80), rng.normal(-1.0, 0.5, 80))
    features = {"aligned": {"persona_contrast": list(contrast)}}
    cal = saved_features_fit(tmp_path / "cal.json", "aligned", raw, ref, features=features)
    assert cal.needed_features("aligned") == ("persona_contrast",)
    assert cal.needed_features("coherent") == ()
    hostile = cal.apply(70.0, "aligned", "x", {"persona_contrast": 2.5})
    kind = cal.apply(70.0, "aligned", "x", {"persona_contrast": -1.0})
    assert hostile < 30 <= kind
    with pytest.raises(SpilloverError, match="persona_contrast"):
        cal.apply(70.0, "aligned", "x")
