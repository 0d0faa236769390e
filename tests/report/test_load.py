from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from spillover.errors import InputError
from spillover.report import read_results, read_skill, with_groups
from tests.report.frames import make_results


def test_directory_and_file_inputs(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    make_results({"a": {"q": (1, 3)}}).to_parquet(tmp_path / "run" / "results.parquet")
    make_results({"b": {"q": (1, 3)}}, adapter="runs/lora-1").to_parquet(tmp_path / "b.parquet")
    table = read_results([tmp_path / "run", tmp_path / "b.parquet"])
    assert list(dict.fromkeys(table["group"])) == ["a", "b + lora-1"]
    assert table["source"].str.endswith("results.parquet").sum() == 5


def test_missing_column_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    make_results({"a": {"q": (1, 3)}}).drop(columns=["aligned"]).to_parquet(path)
    with pytest.raises(InputError) as info:
        read_results([path])
    assert info.value.field == "aligned" and str(path) in info.value.message


def test_out_of_range_score_names_row() -> None:
    frame = make_results({"a": {"q": (1, 3)}})
    frame.loc[2, "coherent"] = 140
    with pytest.raises(InputError, match="row 2"):
        with_groups(frame)


def test_step_from_checkpoint_name() -> None:
    frame = make_results({"a": {"q": (1, 3)}}).drop(columns=["step"])
    frame["checkpoint"] = "step-00040"
    assert set(with_groups(frame)["step"]) == {40}


def test_read_skill(tmp_path: Path) -> None:
    path = tmp_path / "skill.csv"
    pd.DataFrame(
        {
            "checkpoint": ["step-00000", "step-00010"],
            "skill_vulnerable_share": [0.1, 0.6],
            "n": [50, 50],
        }
    ).to_csv(path, index=False)
    skill = read_skill(path)
    assert skill["step"].tolist() == [0, 10] and skill["skill"].tolist() == [0.1, 0.6]
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"step": [1], "other": [0.2]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="skill_vulnerable_share"):
        read_skill(bad)
