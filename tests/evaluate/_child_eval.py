"""Run one evaluation in a child process (for the resume test): argv = out model_dir questions."""

from __future__ import annotations

import sys

import tests.evaluate.echo_model  # noqa: F401  (registers spillover_test_echo)
from spillover.evaluate.runner import run_eval
from spillover.judge.base import JudgeSpec

if __name__ == "__main__":
    out, judge_dir, questions = sys.argv[1:4]
    run_eval(
        "spillover_test_echo/x",
        questions,
        out=out,
        judge=JudgeSpec(model=judge_dir),
        samples=3,
        max_tokens=8,
        log_buffer=1,
        max_samples=1,
        display="none",
    )
