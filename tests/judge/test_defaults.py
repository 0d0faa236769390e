"""One default judge: every judging command, given no judge flags, runs the same spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spillover.cli import main
from spillover.errors import SpilloverError
from spillover.judge.base import JudgeSpec
from spillover.judge.calibration import shipped_calibration
from spillover.judge.defaults import describe_judge, resolve_judge
from spillover.models import DEFAULT_JUDGE


class Stop(BaseException):
    """Raised where a command would start judging: the spec it got is what the test needs."""


def test_the_default_is_the_audited_configuration() -> None:
    spec = resolve_judge()
    assert spec.model == DEFAULT_JUDGE and spec.mode == "binary"
    assert spec.calibration == str(shipped_calibration(DEFAULT_JUDGE, "binary"))


def test_a_judge_named_without_a_mode_gets_its_calibrations_mode() -> None:
    assert resolve_judge(DEFAULT_JUDGE) == resolve_judge()
    explicit = resolve_judge(f"spillover/{DEFAULT_JUDGE}")  # the local provider, spelled out
    assert (explicit.mode, explicit.calibration) == ("binary", resolve_judge().calibration)
    cal = shipped_calibration(DEFAULT_JUDGE, "binary")
    assert resolve_judge(calibration=str(cal)).mode == "binary"


def test_a_mode_that_contradicts_the_calibration_is_an_error() -> None:
    with pytest.raises(SpilloverError, match="fitted for binary mode, not scale mode"):
        resolve_judge(mode="scale")
    cal = shipped_calibration(DEFAULT_JUDGE, "binary")
    with pytest.raises(SpilloverError, match="fitted for binary mode"):
        resolve_judge(mode="scale", calibration=str(cal))


def test_without_a_calibration_the_study_mode() -> None:
    assert resolve_judge(calibration="none") == JudgeSpec(model=DEFAULT_JUDGE, mode="scale")
    api = resolve_judge("openai/gpt-4o-2024-08-06")
    assert (api.mode, api.calibration) == ("scale", None)
    assert resolve_judge("openai/gpt-4o-2024-08-06", "binary").mode == "binary"


def _capture(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seen: list[JudgeSpec]
) -> None:
    def stop(*args: Any, **kwargs: Any) -> Any:
        judge = kwargs.get("judge") or kwargs.get("options", {}).get("judge")
        seen.append(judge)
        raise Stop

    monkeypatch.setattr(module, name, stop)


def test_every_command_resolves_to_the_same_spec(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spillover.cli import judge_cmd
    from spillover.evaluate import runner
    from spillover.gate import run as gate_run
    from spillover.recipes import run_recipe

    seen: list[JudgeSpec] = []
    _capture(monkeypatch, runner, "run_eval", seen)
    import spillover.evaluate.sweep

    _capture(monkeypatch, spillover.evaluate.sweep, "run_sweep", seen)

    def evaluate(model: str, out_dir: Path, options: dict[str, Any]) -> Path:
        seen.append(options["judge"])
        raise Stop

    monkeypatch.setattr(gate_run, "_evaluate", evaluate)

    def make_judge(model: str, mode: str, *args: Any) -> Any:
        raise Stop

    monkeypatch.setattr(judge_cmd, "_make_judge", make_judge)
    commands = [
        ["eval", "--model", "m", "--out", str(tmp_path / "e")],
        ["sweep", str(tmp_path / "run")],
        ["gate", "--candidate", "a", "--reference", "b", "--out", str(tmp_path / "g")],
    ]
    for args in commands:
        with pytest.raises(Stop):
            main(args)
    # judge-audit names the judge it resolved before it loads it
    with pytest.raises(Stop):
        main(["judge-audit", str(_labelled(tmp_path))])
    assert f"judge: {describe_judge(resolve_judge())}" in capsys.readouterr().err
    recipes = [JudgeSpec(**run_recipe(n, dry_run=True)["judge"]) for n in ("main", "demo")]
    assert seen + recipes == [resolve_judge()] * (len(commands) + len(recipes))


def _labelled(tmp_path: Path) -> Path:
    from importlib import resources

    del tmp_path
    return Path(str(resources.files("spillover.judge") / "calibration_data" / "labelled.jsonl"))
