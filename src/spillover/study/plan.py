"""`study plan`: the expanded cells, what each stage should cost, and what is already done.

Costs come from per-token rates: the user's (`cost:` in the study file) or the table below,
measured on a 2-core AMD EPYC with AVX-512 bf16 (README, Performance) for the registry models on
the CPU. A model not in the table and without the user's figures gets no estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spillover.study.cells import Cell, data_refs, expand
from spillover.study.schema import CostFigures, LoadedStudy
from spillover.study.store import Store
from spillover.study.work import cell_state

HOST = "2-core AMD EPYC with AVX-512 bf16, 2026-12-06"

# model -> (training tokens/s, sampling useful tokens/s), on HOST, bf16
MEASURED: dict[str, tuple[float, float]] = {
    "smollm2-135m-instruct": (360.0, 258.0),
    "qwen2.5-coder-0.5b-instruct": (140.0, 126.0),
}
# judge -> seconds of a cell's evaluation per answer beyond sampling, on HOST: the smoke study's
# cells (8 answers, subject and judge loaded, one core each, the host shared) took 173-198 s
JUDGE_S: dict[str, float] = {"qwen2.5-coder-1.5b-instruct": 20.0}
TOKENS_PER_ROW = 250.0  # a chat row of the code datasets, as the training sees it


@dataclass(frozen=True)
class CellCost:
    train_s: float | None
    evaluate_s: float | None
    points: int
    answers: int


def _answers_per_point(cell: Cell) -> int:
    from spillover.questions import resolve_questions

    total = 0
    for name in cell.evaluate["questions"]:
        for question in resolve_questions(name).questions:
            total += len(question.paraphrases) * cell.evaluate["samples"]
    return total


def points(cell: Cell) -> int:
    """Evaluation points: each checkpoint (or the last only), and the base model when asked."""
    base = 1 if cell.evaluate["include_base"] else 0
    if cell.evaluate["what"] == "final" or cell.steps is None:
        return 1 + base
    every: int = cell.train_config["checkpoint_every"]
    return math.ceil(cell.steps / every) + base


def cost(cell: Cell, figures: CostFigures, tokens_per_row: float | None) -> CellCost:
    train_rate, sample_rate = MEASURED.get(cell.model, (None, None))
    train_rate = figures.train_tokens_per_s or train_rate
    sample_rate = figures.sample_tokens_per_s or sample_rate
    judge_s = figures.judge_s_per_answer
    if judge_s is None:
        judge_s = JUDGE_S.get(cell.judge["model"])
    per_row = figures.tokens_per_row or tokens_per_row or TOKENS_PER_ROW
    n_points = points(cell)
    answers = n_points * _answers_per_point(cell)
    train_s = None
    if train_rate and cell.steps is not None:
        rows = cell.steps * cell.train_config["effective_batch_size"]
        train_s = rows * min(per_row, cell.train_config["max_length"]) / train_rate
    evaluate_s = None
    if sample_rate and judge_s is not None:
        # the answers' tokens: half the cap on average (answers stop early), then one judging
        evaluate_s = answers * (cell.evaluate["max_tokens"] / 2 / sample_rate + judge_s)
    return CellCost(train_s, evaluate_s, n_points, answers)


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell
    cost: CellCost
    state: str


def plan(study: LoadedStudy, out: str | None) -> list[PlannedCell]:
    """Every cell with its estimate and, when `out` is given, its state there."""
    refs, contents = data_refs(study, fetch=False)
    cells = expand(study, refs)
    per_row: dict[str, float] = {}
    for name, content in contents.items():
        rows = max(1, refs[name].rows or 1)
        per_row[name] = len(content) / 4 / rows  # ~4 bytes per token
    store = Store(out) if out else None
    return [
        PlannedCell(
            cell,
            cost(cell, study.spec.cost, per_row.get(cell.dataset)),
            cell_state(store, cell) if store is not None else "-",
        )
        for cell in cells
    ]
