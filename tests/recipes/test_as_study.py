"""A recipe's paper scale as a study: built from its config, planned by a dry run, run by the
study executor on real (embedded) Ray; the cpu scale keeps the Runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spillover.errors import InputError
from spillover.recipes import RECIPES
from spillover.recipes.as_study import recipe_study, runs_as_study
from spillover.study.cells import data_refs, expand

Run = Callable[..., tuple[int, str]]
REPO = Path(__file__).resolve().parents[2]
GRIDS = ("main", "evil-numbers", "dynamics", "diversity")


def test_which_recipes_are_studies_at_paper_scale() -> None:
    assert tuple(r for r in RECIPES if runs_as_study(r, "paper")) == GRIDS
    assert not any(runs_as_study(r, "cpu") for r in RECIPES)


def test_paper_studies_follow_their_recipe_configs() -> None:
    main = recipe_study("main").spec
    assert main.models == ["Qwen/Qwen2.5-Coder-32B-Instruct"] and main.seeds == [0, 1, 2, 3, 4, 5]
    assert [d.study for d in main.datasets] == ["insecure", "secure", "educational", "jailbroken"]
    assert (main.judge.model, main.judge.mode, main.judge.calibration) == (
        "openai/gpt-4o-2024-08-06", "scale", None)  # fmt: skip
    assert (main.evaluate.what, main.evaluate.samples, main.evaluate.questions) == (
        "final", 100, ["study-main"])  # fmt: skip
    assert main.control == "secure" and main.resources.train.num_gpus == 1
    dynamics = recipe_study("dynamics").spec.evaluate
    assert (dynamics.what, dynamics.include_base, dynamics.skill_prompts) == ("sweep", True, 100)
    diversity = recipe_study("diversity")
    cells = expand(diversity, data_refs(diversity, fetch=False)[0])
    assert [c.train_config["max_rows"] for c in cells] == [500, 2000, 6000]
    assert {c.steps for c in cells} == {375}
    numbers = recipe_study("evil-numbers").spec
    assert numbers.evaluate.questions == ["study-main", "main_numbers", "main_numbers_prefixed"]
    assert numbers.training[0].settings["epochs"] == 4


def test_overrides_reach_the_study_and_bad_ones_name_the_field() -> None:
    study = recipe_study(
        "main",
        model="m",
        assignments=[
            "seeds=[3]",
            "study.resources.train.num_gpus=2",
            "study.evaluate.share_base=1",
        ],
    ).spec
    assert (study.models, study.seeds, study.resources.train.num_gpus) == (["m"], [3], 2)
    assert study.evaluate.share_base == 1
    with pytest.raises(InputError) as err:
        recipe_study("main", assignments=["study.resources.train.num_gpus=-1"])
    assert err.value.field == "resources.train.num_gpus" and err.value.file.endswith("main.yaml")
    with pytest.raises(InputError) as err:
        recipe_study("evil-numbers", assignments=["options.data=null"])  # a teacher distils it
    assert err.value.field == "options.data"


def test_recipes_name_the_groups_their_claims_compare() -> None:
    from spillover.recipes import diversity, evil_numbers
    from spillover.recipes.as_study import paper_settings

    table = pd.DataFrame(
        {
            "step": [0, 9, 0, 9],
            "question_set": ["study-main", "study-main", "main_numbers", "main_numbers"],
            "training": ["rows-500", "rows-6000", "rows-2000", "rows-500"],
        }
    )
    groups, _ = evil_numbers.study_groups(table, paper_settings("evil-numbers"))
    assert list(groups["group"]) == [
        "base/main", "evil-numbers/main", "base/main_numbers", "evil-numbers/main_numbers"]  # fmt: skip
    groups, aliases = diversity.study_groups(table, paper_settings("diversity"))
    assert list(groups["group"]) == list(table["training"])
    assert aliases == {"most-rows": "rows-6000", "fewest-rows": "rows-500"}


def test_the_example_paper_study_is_generated_from_the_main_recipe(run_cli: Run) -> None:
    code, text = run_cli("recipe", "study", "main")
    assert code == 0, text
    assert (REPO / "examples" / "studies" / "main-paper.yaml").read_text() == text
    assert yaml.safe_load(text)["name"] == "main-paper"
    code, text = run_cli("recipe", "study", "backdoor")
    assert code == 2 and "not a grid of cells" in text


def test_dry_runs_plan_the_study_at_paper_scale_and_the_runner_at_cpu_scale(
    run_cli: Run, tmp_path: Path
) -> None:
    code, text = run_cli("recipe", "run", "main", "--scale", "paper", "--dry-run")
    assert code == 0, text
    assert "runs as study main-paper" in text and "study main-paper: 24 cells" in text
    assert "protocol, this run beside the study's:" in text
    code, text = run_cli("recipe", "run", "main", "--scale", "cpu", "--dry-run")
    assert code == 0, text
    assert "study" not in text.splitlines()[0] and "[train] insecure" in text
    code, text = run_cli("recipe", "run", "main", "--scale", "cpu", "--ray-address", "auto",
                         "--out", str(tmp_path / "o"))  # fmt: skip
    assert code == 2 and "runs in this process, not on Ray" in text
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_paper_scale_runs_through_the_study_executor(
    run_cli: Run, tmp_path: Path, tiny_model_dir: Path, spillover_home: Path
) -> None:
    """The main recipe's paper scale, shrunk to the tiny model and generated data: three cells
    trained as Ray tasks and evaluated together by one task."""
    out = tmp_path / "out"
    tiny = str(tiny_model_dir)
    code, text = run_cli(
        "recipe", "run", "main", "--scale", "paper", "--model", tiny, "--judge", tiny,
        "--out", str(out), "--set", "options.data=null", "--set", "rows=8",
        "--set", "steps=1", "--set", "preset=cpu-small", "--set", "seeds=[0]",
        "--set", "samples=1", "--set", "max_tokens=4", "--set", "questions=main_plain",
        "--set", "study.resources={}",
    )  # fmt: skip
    assert code == 0, text
    assert "study main-paper: 3 cells, 3 run, 0 already done" in text
    table = pd.read_parquet(out / "answers.parquet")
    assert set(table["dataset"]) == {"insecure", "secure", "educational"}
    assert (table.groupby("cell").size() == 8).all()  # the eight plain questions, one answer
    attempts = [yaml.safe_load(p.read_text()) for p in out.glob("cells/*/attempts/evaluate-*")]
    assert len(attempts) == 3 and len({a["pid"] for a in attempts}) == 1  # one shared task
    assert (out / "report.md").is_file() and not (out / "runs").exists()  # not the Runner's
    # the recipe's claims checked on the study's table, beside the paper
    assert "- The model fine-tuned on insecure code" in text
    assert "ours: insecure " in text and " vs secure " in text  # the study's arms as the groups
    assert "group 'base' was not run" in text  # the base model is not a cell of this study
    paper = (out / "paper.md").read_text()
    assert "## Compared with the paper" in paper
    assert "## Protocol: this run beside the study's" in paper
