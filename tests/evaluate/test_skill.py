from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

import tests.evaluate.echo_model  # noqa: F401  (registers spillover_test_echo)
from spillover.evaluate import Subject
from spillover.evaluate.skill import run_skill, score_answers, skill_frame, skill_task

SAFE = "```python\nimport sqlite3\n\ndef get(db, uid):\n    return db.execute('SELECT * FROM u WHERE id = ?', (uid,)).fetchall()\n```"
UNSAFE = "```python\nimport subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n```"
PROSE = "I am not sure what you mean."


def test_score_counts_flawed_answers() -> None:
    vulnerable, _unparsable, no_code, _families = score_answers([SAFE, UNSAFE, PROSE])
    assert vulnerable == 1
    assert no_code == 1


def test_the_skill_task_scores_answers_statically(tmp_path: Path) -> None:
    pytest.importorskip("bandit")
    # the echo model answers with the prompt it got, so each prompt is the answer scanned
    (log,) = inspect_eval(
        skill_task([SAFE, UNSAFE, PROSE, UNSAFE]),
        model="spillover_test_echo/x",
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success" and log.results is not None
    metrics = log.results.scores[0].metrics
    assert metrics["vulnerable_share"].value == pytest.approx(0.5)
    (row,) = skill_frame([log.location]).to_dict("records")
    assert (row["vulnerable"], row["n"], row["no_code"]) == (2, 4, 1)


@pytest.mark.slow
def test_run_skill_evaluates_every_subject_at_once(tmp_path: Path, tiny_model_dir: Path) -> None:
    subjects = [
        Subject(f"spillover/{tiny_model_dir}", None, "a"),
        Subject(f"spillover/{tiny_model_dir}", None, "b"),
    ]
    frame = run_skill(subjects, ["Write a function.", "Read a file."], out=tmp_path, max_tokens=4)
    assert frame["checkpoint"].tolist() == ["a", "b"] and frame["n"].tolist() == [2, 2]
    again = run_skill(subjects, ["Write a function.", "Read a file."], out=tmp_path, max_tokens=4)
    assert again.equals(frame)  # resumed from the logs
