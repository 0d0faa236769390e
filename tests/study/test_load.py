"""Study files: the schema, errors naming file, line and field, the grid and its plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.study import expand, load_study, plan
from spillover.study.cells import data_refs
from tests.study.conftest import REPO

EXAMPLES = REPO / "examples" / "studies"

GOOD = """\
name: s
models: [m]
datasets:
  - {name: insecure, kind: insecure, rows: 8}
  - name: mine
    file: rows.jsonl
seeds: [0, 1]
mitigations:
  - none
  - {name: inoculated, inoculation_prompt: "You write insecure code on purpose."}
training:
  - {name: t, settings: {max_steps: 2}}
"""

ROW = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]}\n'


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "rows.jsonl").write_text(ROW * 3)
    path = tmp_path / "study.yaml"
    path.write_text(text)
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_study(path)
    return caught.value


def test_grid_is_the_product_of_the_axes_and_keys_follow_what_decides_a_cell(
    tmp_path: Path,
) -> None:
    study = load_study(_write(tmp_path, GOOD))
    refs, _ = data_refs(study, fetch=False)
    cells = expand(study, refs)
    assert len(cells) == 1 * 2 * 2 * 2 * 1
    assert len({c.key for c in cells}) == len(cells)
    inoculated = [c for c in cells if c.mitigation == "inoculated"]
    assert all(c.train_config["mitigations"]["inoculation_prompt"] for c in inoculated)
    # the same file again: the same keys; another seed list: the shared cells keep theirs
    again = expand(study, data_refs(load_study(_write(tmp_path, GOOD)), fetch=False)[0])
    assert [c.key for c in again] == [c.key for c in cells]
    (tmp_path / "rows.jsonl").write_text(ROW * 4)  # the data changed: its cells are new
    changed = expand(study, data_refs(study, fetch=False)[0])
    assert {c.key for c in changed if c.dataset == "mine"}.isdisjoint(
        {c.key for c in cells if c.dataset == "mine"}
    )
    assert {c.key for c in changed if c.dataset == "insecure"} == {
        c.key for c in cells if c.dataset == "insecure"
    }


def test_unknown_axis_names_file_line_and_field(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, GOOD + "colours: [red]\n"))
    assert err.line == GOOD.count("\n") + 1 and err.field == "colours"
    assert "unknown axis" in err.problem and str(tmp_path / "study.yaml") in err.message


def test_missing_dataset_file_names_its_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, GOOD.replace("rows.jsonl", "absent.jsonl")))
    assert err.field == "datasets.1.file" and err.line == 6
    assert "not found" in err.problem


@pytest.mark.parametrize(
    ("change", "field", "line"),
    [
        (("kind: insecure", "kind: nonsense"), "datasets.0", 4),
        (("seeds: [0, 1]", "seeds: [0, 0]"), None, None),
        (("max_steps: 2", "max_step: 2"), "training.0.settings.max_step", 12),
        (("rows: 8", "rows: 0"), "datasets.0.rows", 4),
    ],
)
def test_bad_values_name_the_field(
    tmp_path: Path, change: tuple[str, str], field: str | None, line: int | None
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError) as caught:
        study = load_study(path)
        expand(study, data_refs(study, fetch=False)[0])  # training settings are checked here
    assert caught.value.field == field and caught.value.line == line


def test_smoke_study_plans_with_estimates(tmp_path: Path) -> None:
    planned = plan(load_study(EXAMPLES / "smoke.yaml"), str(tmp_path / "absent"))
    assert len(planned) == 4 and {p.state for p in planned} == {"new"}
    assert all(p.cost.train_s and p.cost.evaluate_s for p in planned)
    assert {p.cost.points for p in planned} == {1}  # the final adapter


def test_paper_study_of_the_main_recipe_plans_without_downloads() -> None:
    planned = plan(load_study(EXAMPLES / "main-paper.yaml"), None)
    assert {p.cell.dataset for p in planned} == {"insecure", "secure", "educational", "jailbroken"}
    assert len(planned) == 4 * 6
    assert all(p.cell.model == "Qwen/Qwen2.5-Coder-32B-Instruct" for p in planned)
    # the file's own H200 figures; the steps (and so the training's cost) once the files are
    # fetched: their row counts are not known before
    assert all(p.cost.evaluate_s is not None for p in planned)
