"""The GPU check's dry run: every recipe stage planned at the `gpu` scale, on any machine."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dry_run_plans_every_recipe_at_gpu_scale(gpu_check: ModuleType, tmp_path: Path) -> None:
    result = gpu_check.main(["--out", str(tmp_path), "--dry-run"])
    written = json.loads((tmp_path / "gpu_check.json").read_text())
    assert written["stages"].keys() == result["stages"].keys() == {"main", "dynamics", "vllm"}
    for name in ("main", "dynamics"):
        stage = written["stages"][name]
        assert stage["ok"] and stage["planned"], stage
        assert f"recipe run {name} --scale gpu --out {tmp_path / name}" in stage["command"]
    assert not list(tmp_path.glob("*/runs"))  # nothing was trained


def test_a_recipe_without_a_gpu_scale_fails_its_stage_alone(
    gpu_check: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(gpu_check, "RECIPES", ("demo",))  # the demo has no gpu scale
    stages = gpu_check.main(["--out", str(tmp_path), "--dry-run"])["stages"]
    assert not stages["demo"]["ok"] and "--dry-run failed" in stages["demo"]["error"]
    assert "recipe 'demo' has no scale 'gpu'" in " ".join(capsys.readouterr())
    assert stages["vllm"]["ok"]  # the next stage still ran


def test_real_stages_pass_the_built_checkpoints(gpu_check: ModuleType, tmp_path: Path) -> None:
    models = {"subject": tmp_path / "qwen", "judge": tmp_path / "smol"}
    argv = gpu_check.recipe_argv("dynamics", tmp_path, models)
    assert argv[argv.index("--model") + 1] == str(models["subject"])
    assert argv[argv.index("--judge") + 1] == str(models["judge"])
