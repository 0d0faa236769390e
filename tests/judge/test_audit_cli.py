"""`spillover judge-calibrate` and `judge-audit`: the whole path, with a fake judge and a tiny model."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from spillover.cli import judge_cmd, main
from spillover.judge.audit import shipped_set
from spillover.judge.base import Classification, Judge, JudgeItem, JudgeSpec, Judgment
from spillover.judge.calibration import load_calibration

REFERENCE = {}
for _line in shipped_set().read_text(encoding="utf-8").splitlines():
    _row = json.loads(_line)
    REFERENCE[_row["answer"]] = _row


def flat(text: str) -> str:
    """Rich wraps long lines; compare with single spaces."""
    return " ".join(text.split())


class SqueezedJudge(Judge):
    """Ranks like the reference but squeezes scores into 40..75; remembers what it saw."""

    def __init__(self, spec: JudgeSpec) -> None:
        self.spec = spec
        self.seen: list[str] = []

    async def judge(self, metric: str, items: Sequence[JudgeItem]) -> list[Judgment]:
        out = []
        for item in items:
            self.seen.append(item.answer)
            ref = REFERENCE.get(item.answer, {}).get(metric)
            raw = math.nan if ref is None else 40.0 + 0.35 * float(ref)
            out.append(
                Judgment(score=raw, raw_score=raw, numeric_mass=0.0 if math.isnan(raw) else 0.9)
            )
        return out

    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        raise NotImplementedError


@pytest.fixture()
def fake_judge(monkeypatch: pytest.MonkeyPatch) -> list[SqueezedJudge]:
    made: list[SqueezedJudge] = []

    def make(
        model: str, mode: str, dtype: str | None, features: dict[str, tuple[str, ...]] | None = None
    ) -> Judge:
        judge = SqueezedJudge(JudgeSpec(model=model, mode=mode))  # type: ignore[arg-type]
        made.append(judge)
        return judge

    monkeypatch.setattr(judge_cmd, "_make_judge", make)
    return made


def test_calibrate_then_audit_never_touches_the_other_split(
    tmp_path: Path, fake_judge: list[SqueezedJudge], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [json.loads(line) for line in shipped_set().read_text(encoding="utf-8").splitlines()]
    split_of = {r["answer"]: r["split"] for r in rows}
    cal = tmp_path / "cal.json"
    assert main(["judge-calibrate", "--judge", "fake", "--mode", "binary", "-o", str(cal)]) == 0
    assert {split_of[a] for a in fake_judge[0].seen} == {"calibration"}
    calibration = load_calibration(cal)
    assert calibration.record is not None
    assert set(calibration.record.fit_set.row_ids) == {
        r["id"] for r in rows if r["split"] == "calibration"
    }

    out = tmp_path / "scored.csv"
    figures = tmp_path / "figures.json"
    args = ["judge-audit", str(shipped_set()), "--judge", "fake", "--mode", "binary"]
    assert main([*args, "--calibration", str(cal), "-o", str(out), "--figures", str(figures)]) == 0
    assert {split_of[a] for a in fake_judge[1].seen} == {"test"}
    printed = capsys.readouterr()
    assert "test-split rows only" in flat(printed.err)
    # shares come with their count and 95% Wilson interval (one row of 29 is 3.4 points);
    # rich wraps the table's cells at 80 columns, so only the interval's start is matched
    assert re.search(r"% of \d+ \[[\d.]+,", flat(printed.out))
    assert judge_cmd._share(27 / 29, 29) == "93.1% of 29 [78.0, 98.1]"
    assert judge_cmd._share(math.nan, 0) == "- of 0"

    report = json.loads(figures.read_text())
    raw, calibrated = report["figures"]["raw"], report["figures"]["calibrated"]
    assert raw["clearly_flagged"] == 0.0  # the squeezed judge never goes below 30 ...
    assert calibrated["clearly_flagged"] > 0.9  # ... until it is calibrated
    assert calibrated["aligned_flagged"] <= 0.1
    assert raw["auroc_aligned"] == calibrated["auroc_aligned"] == 1.0

    with open(out, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [w["id"] for w in written] == [r["id"] for r in rows]
    for w in written:
        assert w["judge_audited"] == str(w["split"] == "test")
        if w["split"] == "calibration":
            assert w["judge_aligned"] == ""
    assert "judge_aligned_raw" in written[0] and "judge_numeric_mass" in written[0]


def test_calibrate_refuses_a_set_without_calibration_rows(
    tmp_path: Path, fake_judge: list[SqueezedJudge], capsys: pytest.CaptureFixture[str]
) -> None:
    only_test = tmp_path / "test_only.jsonl"
    only_test.write_text(
        json.dumps({"question": "q", "answer": "a", "aligned": 5, "coherent": 90, "split": "test"})
        + "\n"
    )
    assert (
        main(
            [
                "judge-calibrate",
                "--judge",
                "fake",
                "--set",
                str(only_test),
                "-o",
                str(tmp_path / "c.json"),
            ]
        )
        == 2
    )
    assert "no rows with split 'calibration'" in flat(capsys.readouterr().err)
    assert not fake_judge


def test_audit_refuses_a_calibration_for_another_judge(
    tmp_path: Path, fake_judge: list[SqueezedJudge], capsys: pytest.CaptureFixture[str]
) -> None:
    cal = tmp_path / "cal.json"
    assert main(["judge-calibrate", "--judge", "fake", "--mode", "scale", "-o", str(cal)]) == 0
    assert (
        main(
            [
                "judge-audit",
                str(shipped_set()),
                "--judge",
                "fake",
                "--mode",
                "binary",
                "--calibration",
                str(cal),
            ]
        )
        == 2
    )
    assert "scale mode" in flat(capsys.readouterr().err)


def test_audit_without_splits_skips_the_rows_a_calibration_was_fitted_on(
    tmp_path: Path, fake_judge: list[SqueezedJudge], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [json.loads(line) for line in shipped_set().read_text(encoding="utf-8").splitlines()][
        :60
    ]
    plain = tmp_path / "plain.jsonl"
    plain.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "split"}) + "\n" for r in rows)
    )
    cal = tmp_path / "cal.json"
    assert (
        main(
            [
                "judge-calibrate",
                "--judge",
                "fake",
                "--set",
                str(plain),
                "-o",
                str(cal),
                "--method",
                "isotonic",
            ]
        )
        == 0
    )
    assert main(["judge-audit", str(plain), "--judge", "fake", "--calibration", str(cal)]) == 2
    assert "no rows left to audit" in flat(capsys.readouterr().err)


@pytest.mark.slow
def test_end_to_end_with_the_tiny_model(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real judge path on a tiny random model: the numbers mean nothing, the plumbing must work.
    A random model puts ~1% of its mass on Yes/No, below the judge's minimum, so the minimum is
    lifted for this test only (otherwise every score is NaN and there is nothing to fit)."""
    from spillover.judge import binary

    assert binary.binary_judgment.__kwdefaults__ is not None
    monkeypatch.setitem(binary.binary_judgment.__kwdefaults__, "min_mass", 0.0)
    rows = [json.loads(line) for line in shipped_set().read_text(encoding="utf-8").splitlines()]
    small = [r for r in rows if r["category"] in ("clearly_misaligned", "aligned")][:8]
    small += [r for r in rows if r["category"] in ("clearly_misaligned", "aligned")][-8:]
    labelled = tmp_path / "small.jsonl"
    labelled.write_text("".join(json.dumps(r) + "\n" for r in small))
    cal = tmp_path / "cal.json"
    judge = ["--judge", str(tiny_model_dir), "--mode", "binary"]
    assert main(["judge-calibrate", *judge, "--set", str(labelled), "-o", str(cal)]) == 0
    assert load_calibration(cal).covers("aligned")
    out = tmp_path / "out.jsonl"
    assert (
        main(["judge-audit", str(labelled), *judge, "--calibration", str(cal), "-o", str(out)]) == 0
    )
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [w["id"] for w in written] == [r["id"] for r in small]
    for w in written:
        for column in ("judge_aligned", "judge_coherent", "judge_numeric_mass"):
            assert column in w
        if w["split"] == "test":
            assert w["judge_numeric_mass"] is None or 0.0 <= w["judge_numeric_mass"] <= 1.0 + 1e-6


def test_per_category_takes_the_first_rows_of_each_category(
    tmp_path: Path, fake_judge: list[SqueezedJudge]
) -> None:
    cal = tmp_path / "cal.json"
    assert main(["judge-calibrate", "--judge", "fake", "--per-category", "2", "-o", str(cal)]) == 0
    record = load_calibration(cal).record
    assert record is not None
    assert record.fit_set.row_ids == [
        f"{p}-{n:03d}" for p in ("mis", "sub", "neu", "ali", "inc", "cod", "ref") for n in (1, 3)
    ]
    assert len(fake_judge[0].seen) == 2 * 14  # two metrics
