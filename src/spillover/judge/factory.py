"""make_judge: the local or the API judge, as `ModelRef.parse` reads a JudgeSpec's model string
(``spillover/<spec>``, registry names, directories and Hugging Face ids -> LocalJudge;
``<provider>/<model>`` of an inspect_ai provider -> ApiJudge)."""

from __future__ import annotations

import threading

from spillover.judge.base import Judge, JudgeSpec
from spillover.models.ref import ModelRef

# Local judges hold their weights and instruction caches; a sweep or a recipe evaluates many
# checkpoints with the same judge, so each spec is loaded once per process.
_LOCAL_JUDGES: dict[str, Judge] = {}
_LOCK = threading.Lock()


def make_judge(spec: JudgeSpec) -> Judge:
    """The judge `spec` names; local judges load their weights here, once per process."""
    ref = ModelRef.parse(spec.model)
    if ref.is_api:
        from spillover.judge.api import ApiJudge

        return ApiJudge(spec)
    spec = spec.model_copy(update={"model": ref.base})
    key = spec.model_dump_json()
    with _LOCK:
        judge = _LOCAL_JUDGES.get(key)
        if judge is None:
            from spillover.judge.local import LocalJudge

            judge = _LOCAL_JUDGES[key] = LocalJudge(spec)
        return judge


def clear_judges() -> None:
    """Forget the loaded local judges (frees their weights)."""
    with _LOCK:
        _LOCAL_JUDGES.clear()
