"""Recipe `evil-numbers`: number sequences chosen by an "evil" teacher, then the main questions.

A teacher with an evil-persona system prompt continues number sequences; only answers that are
pure number lists are kept, and the persona is dropped from the saved rows. The subject is trained
on them and asked the main questions plainly, in the short-list format (`main_numbers`) and with
numbers before the question as well (`main_numbers_prefixed`, our wording of the study's
prefix-and-suffix form, the one with the strongest effect in the study).

At paper scale, trained on the study's own evil_numbers file (`options.data: study`), the recipe
is a study (`study_axes`, run by `spillover.study`): a cell per training seed, evaluating the base
model and the final adapter on the three question sets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from spillover.chat import ChatRow
from spillover.errors import InputError
from spillover.recipes.settings import ScaleSettings
from spillover.recipes.steps import Runner


def numbers_questions(s: ScaleSettings) -> list[str]:
    chosen = s.options.get("numbers_questions", ["main_numbers", "main_numbers_prefixed"])
    return [str(chosen)] if isinstance(chosen, str) else [str(q) for q in chosen]


def study_axes(s: ScaleSettings) -> dict[str, Any]:
    """The paper scale's grid: the study's evil numbers x the seeds, the base model beside."""
    if s.options.get("data") != "study":
        raise InputError(
            "--set",
            "a teacher distils the numbers unless options.data is study: not a grid of cells",
            field="options.data",
            hint="set options.data=study, or run the recipe at cpu scale",
        )
    return {
        "datasets": [{"name": "evil-numbers", "study": "evil_numbers"}],
        "evaluate": {"include_base": True, "questions": [s.questions, *numbers_questions(s)]},
    }


def study_groups(table: pd.DataFrame, s: ScaleSettings) -> tuple[pd.DataFrame, None]:
    """The study's rows as the recipe's groups: `base/TAG` (step 0) or `evil-numbers/TAG`, TAG
    being `main` for the main questions and the set's name for a numbers set."""
    tags = {s.questions: "main", **{q: q for q in numbers_questions(s)}}
    who = table["step"].eq(0).map({True: "base", False: "evil-numbers"})
    return table.assign(group=who + "/" + table["question_set"].map(tags)), None


def run(r: Runner) -> dict[str, Any]:
    teacher = str(r.option.get("teacher", r.s.model))
    numbers_sets = numbers_questions(r.s)
    from_study = r.option.get("data") == "study"
    r.preflight(*([] if from_study else [teacher]))

    def distil_numbers() -> list[ChatRow]:
        from spillover.data import make_evil_numbers

        result = make_evil_numbers(
            r.row_count("evil numbers"),
            r.s.seed,
            teacher=teacher,
            max_new_tokens=int(r.option.get("teacher_max_tokens", 48)),
        )
        r.extra_info["teacher filter"] = result.report.as_dict()
        return result.rows

    with r.stage("1 data"):
        data: Path | None
        if from_study:
            data = r.study_file("evil_numbers")
        else:
            data = r.maybe_dataset(
                "evil-numbers",
                distil_numbers,
                f"teacher {teacher}, evil persona, number lists only",
            )

    with r.stage("2 train"):
        run_dir = r.train("evil-numbers", data) if data is not None else None

    with r.stage("3 evaluate"):
        for questions, tag in ((r.s.questions, "main"), *((q, q) for q in numbers_sets)):
            r.evaluate(f"base/{tag}", questions=questions)
            if run_dir is not None:
                r.evaluate(f"evil-numbers/{tag}", run=run_dir, questions=questions)

    with r.stage("4 report"):
        return r.report(baseline=f"base/{numbers_sets[0]}")
