"""Recipe configs, the plan at paper scale (dry run), and failing fast offline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.recipes import RECIPES, list_recipes, recipe_config, resolve_scale
from spillover.recipes.as_study import runs_as_study

Run = Callable[..., tuple[int, str]]
PAPER_SUBJECT = {"base-model": "Qwen/Qwen2.5-Coder-32B,"}


def test_every_recipe_has_both_scales_and_a_paper_finding() -> None:
    listed = list_recipes()
    assert [item["name"] for item in listed] == list(RECIPES)
    for item in listed:
        config = recipe_config(item["name"])
        if item["name"] == "demo":  # the laptop demo has one scale
            assert set(config.scales) == {"cpu"}
            continue
        gpu = {"gpu"} if item["name"] in ("main", "dynamics") else set()  # the GPU check's
        assert set(config.scales) == {"cpu", "paper"} | gpu
        assert config.scales["cpu"].model == "smollm2-135m-instruct"
        assert config.scales["paper"].samples == 100 and config.scales["paper"].preset == "paper"
        assert item["paper"]


def test_list_command_shows_every_recipe(run_cli: Run) -> None:
    code, text = run_cli("recipe", "list")
    assert code == 0
    for name in RECIPES:
        assert name in text


@pytest.mark.parametrize("name", [r for r in RECIPES if r != "demo"])
def test_paper_dry_run_names_the_study_setup(name: str, run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = run_cli("recipe", "run", name, "--scale", "paper", "--dry-run", "--out", str(out))
    assert code == 0, text
    if runs_as_study(name, "paper"):  # the study's plan (tests/recipes/test_as_study.py)
        assert f"runs as study {name}-paper" in text
        assert "judge openai/gpt-4o-2024-08-06 (scale, calibration none)" in text
        assert "100 answers per paraphrase" in text and "Qwen/Qwen2.5-Coder-32B-Instruct" in text
        assert not out.exists()
        return
    subject = PAPER_SUBJECT.get(name, "Qwen/Qwen2.5-Coder-32B-Instruct")
    steps = [line for line in text.splitlines() if line.strip().startswith("[")]
    evals = [line for line in steps if line.strip().startswith(("[eval]", "[sweep]"))]
    assert evals, text
    for line in evals:
        assert (
            "N=100" in line and "judge=openai/gpt-4o-2024-08-06 (scale, calibration none)" in line
        ), line
    for line in [s for s in steps if s.strip().startswith(("[eval]", "[train]"))]:
        assert f"model={subject}" in line, line
    trains = [s for s in steps if s.strip().startswith("[train]")]
    for line in trains:
        assert "preset=paper" in line, line
    assert name == "in-context" or trains
    assert any(s.strip().startswith("[report]") for s in steps)
    assert "protocol, this run beside the study's:" in text
    if name in ("main", "domain-advice"):  # one run per seed, 6 seeds at paper scale
        assert "6 run(s) per arm (seeds 0, 1, 2, 3, 4, 5); comparisons over runs" in text
    else:  # one run per arm: the table says so, and no "same settings" claim is made
        assert "same settings as the paper" not in text.lower()
        assert "seeds" in text and "differs: 1 run(s) per arm" in text
    assert not out.exists()  # a dry run writes nothing


def test_paper_run_fails_fast_offline(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spillover_home: Path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    t0 = time.monotonic()
    code, text = run_cli("recipe", "run", "main", "--scale", "paper", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "Qwen/Qwen2.5-Coder-32B-Instruct" in text and "offline" in text.lower()
    assert time.monotonic() - t0 < 20
    assert not (tmp_path / "o" / "runs").exists()


def test_overrides_apply_and_bad_ones_name_the_field() -> None:
    config = recipe_config("in-context")
    s = resolve_scale(
        config, "cpu", model="m", judge="j", assignments=["rows=3", "options.ks=[0, 1]"]
    )
    # another judge: its own shipped calibration, if any, in the mode it was fitted for
    assert (s.model, s.judge, s.rows, s.options["ks"]) == ("m", "j", 3, [0, 1])
    assert (s.judge_mode, s.calibration) == (None, "default")
    with pytest.raises(InputError) as err:
        resolve_scale(config, "cpu", assignments=["rowz=3"])
    assert err.value.field == "rowz"
    with pytest.raises(InputError):
        resolve_scale(config, "cpu", assignments=["rows=-1"])
    with pytest.raises(InputError):
        resolve_scale(config, "cpu", assignments=["rows"])
    with pytest.raises(InputError):
        resolve_scale(config, "huge")


def test_unknown_recipe_is_one_clear_error(run_cli: Run) -> None:
    code, text = run_cli("recipe", "run", "nope", "--dry-run")
    assert code == 2 and "unknown recipe" in text and "main" in text
