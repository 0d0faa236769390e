"""A study's cells: the product of its axes, each keyed by a hash of everything that decides it."""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from spillover.study.load import dataset_file
from spillover.study.schema import DatasetSpec, LoadedStudy

AXES: tuple[str, ...] = ("model", "dataset", "seed", "mitigation", "training")


class DataRef(BaseModel):
    """A dataset's identity (sha256 of its bytes; a pinned git blob id for a study file not yet
    fetched) and where its copy lives in the store once materialised."""

    model_config = ConfigDict(extra="forbid")

    name: str
    identity: str
    rows: int | None
    rel: str


class Cell(BaseModel):
    """One fine-tune and its evaluation."""

    model_config = ConfigDict(extra="forbid")

    key: str
    train_key: str
    model: str
    dataset: str
    seed: int
    mitigation: str
    training: str
    data: DataRef
    train_config: dict[str, Any]
    evaluate: dict[str, Any]
    judge: dict[str, Any]
    steps: int | None

    @property
    def train_rel(self) -> str:
        return f"train/{self.train_key[:16]}"

    @property
    def cell_rel(self) -> str:
        return f"cells/{self.key[:16]}"

    def axes(self) -> dict[str, Any]:
        return {axis: getattr(self, axis) for axis in AXES}

    def label(self) -> str:
        return " ".join(f"{axis}={getattr(self, axis)}" for axis in AXES)


def digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def dataset_bytes(study: LoadedStudy, data: DatasetSpec, *, fetch: bool) -> bytes | None:
    """The dataset's chat JSONL; None for a study file not cached when `fetch` is False."""
    if data.kind is not None:
        from spillover.chat import write_chat_jsonl
        from spillover.data import make_dataset

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.jsonl"
            write_chat_jsonl(path, make_dataset(data.kind, data.rows, data.seed))
            return path.read_bytes()
    if data.file is not None:
        return dataset_file(study, data.file).read_bytes()
    from spillover.data.fetch import BETLEY_FILES, fetch_file, git_blob_id, resolve_names
    from spillover.paths import data_dir

    (name,) = resolve_names(str(data.study))
    cached = data_dir() / "betley2025" / name
    if cached.is_file() and git_blob_id(cached.read_bytes()) == BETLEY_FILES[name]:
        return cached.read_bytes()
    return fetch_file(name).read_bytes() if fetch else None


def data_ref(data: DatasetSpec, content: bytes | None) -> DataRef:
    """A study file is known by its pinned git blob id (so a plan needs no download); other
    datasets by the sha256 of their bytes."""
    rows = None if content is None else sum(1 for line in content.splitlines() if line.strip())
    if data.study is not None:
        from spillover.data.fetch import BETLEY_FILES, resolve_names

        (name,) = resolve_names(data.study)
        identity = f"git-blob:{BETLEY_FILES[name]}"
    else:
        assert content is not None
        identity = "sha256:" + hashlib.sha256(content).hexdigest()
    rel = f"data/{data.name}-{identity.split(':')[1][:12]}.jsonl"
    return DataRef(name=data.name, identity=identity, rows=rows, rel=rel)


def _steps(config: dict[str, Any], rows: int | None) -> int | None:
    if config.get("max_steps"):
        return int(config["max_steps"])
    if rows is None:
        return None
    used: int = min(rows, config["max_rows"] or rows)
    epochs: float = config["epochs"]
    batch: int = config["effective_batch_size"]
    return max(1, math.ceil(used * epochs / batch))


def expand(study: LoadedStudy, refs: dict[str, DataRef]) -> list[Cell]:
    """Every cell of the grid, in axis order (models, datasets, seeds, mitigations, training)."""
    from spillover.errors import InputError
    from spillover.train.config import build_config

    spec = study.spec
    cells: list[Cell] = []
    evaluate = spec.evaluate.model_dump(mode="json", exclude={"share_base"})  # how, not what
    judge = spec.judge.model_dump(mode="json")
    for model in spec.models:
        for data in spec.datasets:
            ref = refs[data.name]
            for seed in spec.seeds:
                for mitigation in spec.mitigations:
                    for ti, training in enumerate(spec.training):
                        values = {
                            **training.settings,
                            "seed": seed,
                            "mitigations": mitigation.settings(),
                        }
                        try:
                            config = build_config(training.preset, values, str(study.path))
                        except InputError as err:
                            field = f"training.{ti}.settings.{err.field}" if err.field else None
                            raise InputError(
                                study.path,
                                err.problem,
                                line=study.line(field or f"training.{ti}"),
                                field=field,
                            ) from None
                        train_config = config.model_dump(mode="json")
                        train_key = digest(
                            {"model": model, "data": ref.identity, "config": train_config}
                        )
                        key = digest({"train": train_key, "evaluate": evaluate, "judge": judge})
                        cells.append(
                            Cell(
                                key=key,
                                train_key=train_key,
                                model=model,
                                dataset=data.name,
                                seed=seed,
                                mitigation=mitigation.name,
                                training=training.name,
                                data=ref,
                                train_config=train_config,
                                evaluate=evaluate,
                                judge=judge,
                                steps=_steps(train_config, ref.rows),
                            )
                        )
    return cells


def data_refs(study: LoadedStudy, *, fetch: bool) -> tuple[dict[str, DataRef], dict[str, bytes]]:
    """Each dataset's identity, and the bytes of those at hand."""
    refs: dict[str, DataRef] = {}
    contents: dict[str, bytes] = {}
    for data in study.spec.datasets:
        content = dataset_bytes(study, data, fetch=fetch)
        refs[data.name] = data_ref(data, content)
        if content is not None:
            contents[data.name] = content
    return refs, contents
