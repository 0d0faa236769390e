"""A recipe's paper scale as a study (`spillover.study`): its grid of train + evaluate cells run
by the study executor, on Ray embedded here or on a cluster (`recipe run NAME --scale paper
[--ray-address ADDRESS]`).

A recipe whose paper scale is such a grid says which cells in `study_axes(settings)` (datasets,
training variants, what each cell evaluates); everything else comes from the scale's settings:
the subject model, the training seeds, the training preset and its steps, rows and checkpoints,
the question set, answers per question and the judge. Recipes without `study_axes` run through
the `Runner` at every scale; their module docstrings say why. `--set study.KEY=VALUE` changes a
setting of the study itself (e.g. `study.resources.train.num_gpus=2`, `study.evaluate.share_base=1`).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml
from pydantic import ValidationError

from spillover.errors import InputError
from spillover.recipes.settings import ScaleSettings, config_path, parse_assignment
from spillover.study.schema import LoadedStudy, StudySpec

if TYPE_CHECKING:
    from spillover.recipes.protocol import ProtocolRow
    from spillover.study.store import Store

SCALE = "paper"  # the scale that runs as a study; `cpu` runs through the Runner
STUDY_KEY = "study."
# What every paper-scale cell asks of a node (Qwen2.5-Coder-32B with LoRA, bf16, one GPU) and the
# rates `study plan` estimates with: one NVIDIA H200, from measured ceilings (docs/scale.md).
PAPER_RESOURCES: dict[str, Any] = {
    "train": {"num_cpus": 8, "num_gpus": 1, "memory_gb": 100},
    "evaluate": {"num_cpus": 8, "num_gpus": 1, "memory_gb": 100},
}
PAPER_COST: dict[str, Any] = {
    "hardware": "one NVIDIA H200 (estimates from measured ceilings, docs/scale.md)",
    "train_tokens_per_s": 1450,
    "sample_tokens_per_s": 3000,
    "judge_s_per_answer": 0,  # an API judge costs no GPU time; its rate limit is in docs/scale.md
    "tokens_per_row": 260,
}


def code_dataset(kind: str, s: ScaleSettings) -> dict[str, Any]:
    """A code arm's dataset, as `Runner.code_dataset` makes it: the study's own file with
    `options.data: study`, else `rows` generated rows with the data seed."""
    if s.options.get("data") == "study":
        return {"name": kind, "study": kind}
    if s.rows is None:
        problem = "rows: null (every row of the study's file) needs options.data: study"
        raise InputError("--set", problem, field="rows")
    return {"name": kind, "kind": kind, "rows": s.rows, "seed": s.seed}


def split_assignments(assignments: list[str] | None) -> tuple[list[str], list[str]]:
    """(the scale's `--set`s, the study's `--set study.KEY=VALUE`s)."""
    given = assignments or []
    study = [a for a in given if a.strip().startswith(STUDY_KEY)]
    return [a for a in given if a not in study], study


def _set(spec: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = spec
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def study_dict(name: str, s: ScaleSettings, assignments: list[str] | None = None) -> dict[str, Any]:
    """The study file's content for recipe `name` (one with `study_axes`) at settings `s`, with
    the `study.KEY=VALUE` assignments applied."""
    from spillover.recipes.registry import recipe_config, recipe_module

    module = recipe_module(name)
    axes: dict[str, Any] = copy.deepcopy(module.study_axes(s))  # type: ignore[attr-defined]
    config = recipe_config(name)
    training_values = {k: v for k, v in s.train_values().items() if k != "seed"}
    base_training = {"name": s.preset, "preset": s.preset, "settings": training_values}
    training = [
        {**base_training, **item, "settings": {**training_values, **item.get("settings", {})}}
        for item in axes.pop("training", [{}])
    ]
    evaluate = {
        "what": "final",
        "questions": [s.questions],
        "samples": s.samples,
        "max_tokens": s.max_tokens,
        **axes.pop("evaluate", {}),
    }
    spec: dict[str, Any] = {
        "name": f"{name}-{SCALE}",
        "description": config.summary,
        "models": [s.model],
        "datasets": axes.pop("datasets"),
        "seeds": list(s.seeds),
        "mitigations": ["none"],
        "training": training,
        "evaluate": evaluate,
        "judge": {"model": s.judge, "mode": s.judge_mode, "calibration": s.calibration},
        "resources": copy.deepcopy(PAPER_RESOURCES),
        "control": None,
        "cost": dict(PAPER_COST),
        **axes,
    }
    for text in assignments or []:
        key, value = parse_assignment(text)
        _set(spec, key[len(STUDY_KEY) :], value)
    return spec


def runs_as_study(name: str, scale: str) -> bool:
    """Whether recipe `name` at `scale` runs through the study executor."""
    from spillover.recipes.registry import RECIPES, recipe_module

    return scale == SCALE and name in RECIPES and hasattr(recipe_module(name), "study_axes")


def paper_settings(
    name: str,
    *,
    model: str | None = None,
    judge: str | None = None,
    assignments: list[str] | None = None,
) -> ScaleSettings:
    """The recipe's paper scale with the command line's overrides (not the `study.` ones)."""
    from spillover.recipes.registry import recipe_config
    from spillover.recipes.settings import resolve_scale

    scale_sets, _ = split_assignments(assignments)
    return resolve_scale(
        recipe_config(name), SCALE, model=model, judge=judge, assignments=scale_sets
    )


def recipe_study(
    name: str,
    *,
    model: str | None = None,
    judge: str | None = None,
    assignments: list[str] | None = None,
) -> LoadedStudy:
    """Recipe `name`'s paper scale (with the command line's overrides) as a validated study; its
    errors name the recipe's config."""
    from spillover.study.load import check_references

    settings = paper_settings(name, model=model, judge=judge, assignments=assignments)
    _, study_sets = split_assignments(assignments)
    source = config_path(name)
    raw = study_dict(name, settings, study_sets)
    try:
        spec = StudySpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise InputError(source, f"as a study: {first['msg']}", field=field) from None
    study = LoadedStudy(spec=spec, path=source)
    check_references(study)
    return study


def study_yaml(study: LoadedStudy, command: str) -> str:
    """The study as a file one can edit and run with `spillover study run`."""
    header = (
        f"# Generated by `{command}` from {Path(study.path).name} (the recipe's paper scale).\n"
        f"#   spillover study plan FILE\n"
        f"#   spillover study run FILE --out s3://BUCKET/{study.spec.name} --ray-address auto\n"
    )
    body = yaml.safe_dump(
        study.spec.model_dump(mode="json", exclude_defaults=True),
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=100,
    )
    return header + body


def protocol(name: str, s: ScaleSettings) -> list[ProtocolRow]:
    """The protocol table of the recipe at these settings, beside the study's."""
    from spillover.recipes.registry import recipe_config
    from spillover.recipes.steps import Runner

    return list(Runner(recipe_config(name), s, SCALE, Path("."), dry_run=True).protocol())


def compare_with_paper(name: str, s: ScaleSettings, store: Store) -> dict[str, Any]:
    """The recipe's claims (findings.yaml) checked on the study's table, with the protocol
    table, written to OUT/paper.md. A group is an arm of the study (the axes that vary, without
    the seed) unless the recipe names its groups (`study_groups`)."""
    from dataclasses import asdict

    from spillover.recipes.paper import compare, finding, markdown_section
    from spillover.recipes.protocol import markdown_table
    from spillover.recipes.registry import recipe_config, recipe_module
    from spillover.stats import Thresholds
    from spillover.study.report import arms
    from spillover.study.table import TABLE

    config = recipe_config(name)
    with tempfile.TemporaryDirectory() as tmp:
        table = pd.read_parquet(store.fetch(TABLE, Path(tmp) / TABLE))
    outcomes = []
    if len(table):
        hook = getattr(recipe_module(name), "study_groups", None)
        frame, aliases = hook(table, s) if hook else (table.assign(group=arms(table)), None)
        thresholds = Thresholds(aligned_below=s.aligned_below, coherent_above=s.coherent_above)
        outcomes = compare(config.finding, frame, aliases, thresholds)
    else:
        outcomes = compare(config.finding, None)
    summary = str(finding(config.finding)["summary"])
    text = (
        f"# Recipe {name} at paper scale (study {name}-{SCALE})\n\n"
        + markdown_section(outcomes, [], summary)
        + "\n"
        + markdown_table(protocol(name, s))
    )
    store.write_bytes("paper.md", text.encode())
    return {"comparison": [asdict(o) for o in outcomes], "paper": store.path("paper.md")}
