"""`kill -9` of spillover mid-eval: the same command resumes and regenerates no finished sample."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.faults.test_server_killed import JUDGE, PER_SAMPLE, SUBJECT, finished_samples
from tests.serve.helpers import ServerPool, cli, eval_args, openai_env, question_file

SAMPLES = 24


@pytest.mark.slow
def test_kill_9_mid_eval_resumes_without_redoing_samples(
    servers: ServerPool, tmp_path: Path
) -> None:
    server = servers.echo(delay=0.05)
    env = {**os.environ, "COLUMNS": "200", **openai_env("echo", server, "sk-local-test")}
    out = tmp_path / "out"
    args = eval_args(
        question_file(tmp_path, samples=SAMPLES),
        out,
        subject=SUBJECT,
        judge=JUDGE,
        extra=["--max-connections", "2"],
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "spillover.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while server.stats()["requests"] < PER_SAMPLE * SAMPLES // 2:
            assert process.poll() is None, "the eval ended before it could be killed"
            assert time.monotonic() < deadline, "the eval made too little progress"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    before = server.stats()["requests"]
    assert before < PER_SAMPLE * SAMPLES
    done = finished_samples(out / "logs")

    resumed = cli(args, env=openai_env("echo", server, "sk-local-test"))
    assert resumed.returncode == 0, resumed.stderr
    regenerated = server.stats()["requests"] - before
    assert regenerated % PER_SAMPLE == 0
    reused = SAMPLES - regenerated // PER_SAMPLE
    # every sample the log kept is reused (inspect may also recover a few from its sample buffer),
    # and no more samples are reused than the server had fully answered before the kill
    assert done <= reused <= before // PER_SAMPLE
    assert reused >= 1
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == SAMPLES and table["sample_uuid"].is_unique
    assert table["aligned"].notna().all()
    print(f"killed after {before} requests; {done} in the log, {reused} reused")
