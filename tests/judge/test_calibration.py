from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.judge.calibration import load_calibration


def test_piecewise_linear_and_clamped(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"x": [10, 50, 90], "y": [0, 20, 100], "source": "test"}))
    cal = load_calibration(path)
    assert cal.apply(0) == 0
    assert cal.apply(30) == pytest.approx(10)
    assert cal.apply(70) == pytest.approx(60)
    assert cal.apply(100) == 100
    assert math.isnan(cal.apply(math.nan))
    assert cal.meta == {"source": "test"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"x": [0, 0], "y": [0, 1]}, "x"),
        ({"x": [0, 50], "y": [10, 5]}, "y"),
        ({"x": [0, 50, 100], "y": [0, 5]}, "y"),
        ({"x": [0, 500], "y": [0, 5]}, "x"),
        ({"y": [0, 5]}, "x"),
    ],
)
def test_bad_maps_name_the_field(tmp_path: Path, data: dict[str, object], field: str) -> None:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load_calibration(path)
    assert err.value.field == field


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_calibration(tmp_path / "nope.json")
