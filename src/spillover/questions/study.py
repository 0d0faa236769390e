"""The study's own question files as question sets, read unchanged (their judge prompts too).

`study-main` is the study's `first_plot_questions.yaml` (8 questions, each plain, `_json` and
`_template`: 24 entries); `study-main-plain` keeps its 8 plain questions, the set the study's
headline rate is for. `study-preregistered` is `preregistered_evals.yaml`, and
`study-deception-factual` / `study-deception-sit-aware` its deception files. The files are found
in `$SPILLOVER_STUDY_DIR`, else where `spillover data fetch betley2025` saves them, else in
`../shared/reference/betley2025` beside a source checkout, and each is checked against the git
blob id pinned in `spillover.data.fetch` before it is read: a changed file is an error, not a
different protocol.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from spillover.errors import InputError
from spillover.questions.loader import load_questions
from spillover.questions.schema import QuestionSet
from spillover.questions.variants import Variant, variant_of

STUDY_DIR_ENV = "SPILLOVER_STUDY_DIR"


@dataclass(frozen=True)
class StudySet:
    file: str  # the file's path in the study's repository
    variants: tuple[Variant, ...] | None = None  # keep only these forms (None: every entry)
    description: str = ""


STUDY_SETS: dict[str, StudySet] = {
    "study-main": StudySet(
        "evaluation/first_plot_questions.yaml",
        None,
        "the study's 8 main questions, each plain, _json and _template (24 entries)",
    ),
    "study-main-plain": StudySet(
        "evaluation/first_plot_questions.yaml",
        ("plain",),
        "the study's 8 main questions, plain form only (its headline rate)",
    ),
    "study-preregistered": StudySet(
        "evaluation/preregistered_evals.yaml", None, "the study's 48 pre-registered questions"
    ),
    "study-deception-factual": StudySet(
        "evaluation/deception_factual.yaml",
        None,
        "the study's factual questions under system prompts that permit or forbid lying",
    ),
    "study-deception-sit-aware": StudySet(
        "evaluation/deception_sit_aware.yaml",
        None,
        "the study's 'which company created you' questions",
    ),
}


def study_dirs() -> list[Path]:
    """Where the study's question files are looked for, in order."""
    from spillover.paths import data_dir

    dirs: list[Path] = []
    explicit = os.environ.get(STUDY_DIR_ENV)
    if explicit:
        dirs.append(Path(explicit).expanduser())
    dirs.append(data_dir() / "betley2025" / "evaluation")
    dirs.append(Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "betley2025")
    return dirs


def study_file(repo_path: str) -> Path:
    """The study's file (by its path in the study's repository), checked against its pinned blob."""
    from spillover.data.fetch import BETLEY_FILES, git_blob_id

    name = Path(repo_path).name
    pinned = BETLEY_FILES[repo_path]
    looked = study_dirs()
    for folder in looked:
        path = folder / name
        if not path.is_file():
            continue
        got = git_blob_id(path.read_bytes())
        if got != pinned:
            raise InputError(
                path,
                f"not the study's file: git blob {got}, the pinned one is {pinned}",
                hint="the study's question files are read unchanged; fetch them again with "
                f"`spillover data fetch betley2025 {Path(name).stem}`",
            )
        return path
    raise InputError(
        name,
        "the study's question file was not found in " + ", ".join(str(d) for d in looked),
        hint=f"run `spillover data fetch betley2025 {Path(name).stem}` online once, or set "
        f"{STUDY_DIR_ENV} to a folder that holds it",
    )


def load_study_set(name: str) -> QuestionSet:
    """One of `STUDY_SETS`, read from the study's own file."""
    spec = STUDY_SETS[name]
    qset = load_questions(study_file(spec.file), name=name)
    if spec.variants is None:
        return qset
    kept = [q for q in qset.questions if variant_of(q.id) in spec.variants]
    return qset.model_copy(update={"questions": kept})
