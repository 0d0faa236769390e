"""The model server dies mid-eval: retries with backoff, a clear stop, then a resume that
regenerates nothing already finished (counted at the server)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from tests.serve.helpers import ServerPool, cli, eval_args, free_port, openai_env, question_file

SUBJECT = "openai-api/echo/subject"
JUDGE = "openai-api/echo/judge"
PER_SAMPLE = 3  # one answer, two judge calls (aligned, coherent)


def finished_samples(log_dir: Path) -> int:
    total = 0
    for info in list_eval_logs(str(log_dir)):
        log = read_eval_log(info)
        total += sum(1 for s in log.samples or [] if s.error is None and s.scores)
    return total


@pytest.mark.slow
def test_server_killed_mid_eval_then_resumed(servers: ServerPool, tmp_path: Path) -> None:
    port = free_port()
    first = servers.echo(port, die_after=12)  # dies on the 13th request: mid-sample
    env = openai_env("echo", first, "sk-local-test")
    args = eval_args(
        question_file(tmp_path, samples=10),
        tmp_path / "out",
        subject=SUBJECT,
        judge=JUDGE,
        extra=["--max-retries", "1", "--timeout", "5", "--max-connections", "2"],
    )
    failed = cli(args, env=env)
    assert failed.returncode == 2
    lines = [line for line in failed.stderr.strip().splitlines() if line.strip()]
    assert lines[0].startswith("error: evaluation did not finish: the model server could not")
    assert "Traceback" not in failed.stderr
    assert "run the same command to resume" in failed.stderr
    assert not first.alive()
    done = finished_samples(tmp_path / "out" / "logs")
    assert 1 <= done < 10
    assert not (tmp_path / "out" / "results.parquet").exists()

    again = servers.echo(port)  # the server is back, same address
    resumed = cli(args, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert again.stats()["requests"] == PER_SAMPLE * (10 - done)
    table = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert len(table) == 10 and table["sample_uuid"].is_unique
    assert table["error"].isna().all() and table["aligned"].notna().all()
