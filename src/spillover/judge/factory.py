"""make_judge: the judge a JudgeSpec names, with its calibration around it.

`ModelRef.parse` reads the spec's model string: ``spillover/<spec>``, registry names,
directories and Hugging Face ids give a LocalJudge; ``<provider>/<model>`` of an inspect_ai
provider gives an ApiJudge. Either is built uncalibrated; a spec with a calibration gets it
applied around the judge (`spillover.judge.calibrated`), after checking that it was fitted for
this judge and mode.
"""

from __future__ import annotations

import threading
from typing import Any

from spillover.errors import SpilloverError
from spillover.judge.base import Judge, JudgeSpec
from spillover.judge.calibrated import CalibratedJudge, needed_features
from spillover.models.ref import ModelRef

# Local judges hold their weights and instruction caches; a sweep or a recipe evaluates many
# checkpoints with the same judge, so each spec is loaded once per process.
_LOCAL_JUDGES: dict[str, Judge] = {}
_LOCK = threading.Lock()


def build_judge(spec: JudgeSpec, *, loaded: Any = None, model: Any = None) -> Judge:
    """The judge `spec` names, built now (``loaded``: a local model already in memory;
    ``model``: an inspect model for an API judge)."""
    from spillover.judge.calibration import load_calibration

    ref = ModelRef.parse(spec.model)
    calibration = load_calibration(spec.calibration) if spec.calibration else None
    if calibration is not None:  # fitted for this judge (spillover/NAME is NAME) and mode
        calibration.check_judge(spec.model if ref.is_api else ref.base, spec.mode)
    features = needed_features(calibration)
    raw = spec.model_copy(update={"calibration": None})
    inner: Judge
    if ref.is_api:
        from spillover.judge.api import ApiJudge

        needed = sorted({name for names in features.values() for name in names})
        if needed:
            raise SpilloverError(
                f"calibration {spec.calibration} reads answer features ({', '.join(needed)}) "
                "that only a local judge can compute: an API gives no log-probabilities of the "
                "prompt",
                f"fit a calibration for {spec.model} with `spillover judge-calibrate --judge "
                f"{spec.model}`",
            )
        inner = ApiJudge(raw, model=model)
    else:
        from spillover.judge.local import LocalJudge

        inner = LocalJudge(raw, loaded=loaded, answer_features=features)
    return CalibratedJudge(inner, calibration, spec) if calibration is not None else inner


def make_judge(spec: JudgeSpec) -> Judge:
    """The judge `spec` names; local judges load their weights here, once per process."""
    ref = ModelRef.parse(spec.model)
    if ref.is_api:
        return build_judge(spec)
    spec = spec.model_copy(update={"model": ref.base})
    key = spec.model_dump_json()
    with _LOCK:
        judge = _LOCAL_JUDGES.get(key)
        if judge is None:
            judge = _LOCAL_JUDGES[key] = build_judge(spec)
        return judge


def clear_judges() -> None:
    """Forget the loaded local judges (frees their weights)."""
    with _LOCK:
        _LOCAL_JUDGES.clear()
