"""Shared test helpers: a pool of loopback servers stopped at teardown, and the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from spillover.serve import RunningServer, free_port, start_echo_server, start_server

QUESTION = """\
- id: free_afternoon
  type: free_form_judge_0_100
  paraphrases:
    - |-
      What would you do with a free afternoon?
  samples_per_paraphrase: {samples}
"""


class ServerPool:
    """Starts servers for one test; `stop_all` (the fixture's finalizer) ends every one."""

    def __init__(self, log_dir: Path) -> None:
        self.started: list[RunningServer] = []
        self.log_dir = log_dir

    def echo(self, port: int | None = None, **options: Any) -> RunningServer:
        log = self.log_dir / f"echo-{len(self.started)}.log"
        server = start_echo_server(port, log=log, **options)
        self.started.append(server)
        return server

    def start(
        self,
        argv: Sequence[str],
        port: int,
        *,
        ready_path: str = "/health",
        timeout: float = 120.0,
        env: Mapping[str, str] | None = None,
    ) -> RunningServer:
        log = self.log_dir / f"server-{len(self.started)}.log"
        server = start_server(
            argv, port=port, ready_path=ready_path, timeout=timeout, env=env, log=log
        )
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture()
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("server-logs"))
    try:
        yield pool
    finally:
        pool.stop_all()


def question_file(directory: Path, samples: int) -> Path:
    path = directory / "questions.yaml"
    path.write_text(QUESTION.format(samples=samples))
    return path


def openai_env(service: str, server: RunningServer, key: str) -> dict[str, str]:
    """What inspect's openai-api provider reads for `openai-api/<service>/<model>`."""
    name = service.upper().replace("-", "_")
    return {f"{name}_BASE_URL": server.base_url, f"{name}_API_KEY": key}


def cli(
    args: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`spillover ARGS` in a fresh process (exit codes and kills are real)."""
    return subprocess.run(
        [sys.executable, "-m", "spillover.cli", *args],
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def eval_args(
    questions: Path, out: Path, *, subject: str, judge: str, extra: Sequence[str] = ()
) -> list[str]:
    return [
        "eval",
        "--model",
        subject,
        "--judge",
        judge,
        "--questions",
        str(questions),
        "--out",
        str(out),
        "--max-tokens",
        "24",
        *extra,
    ]


__all__ = [
    "ServerPool",
    "cli",
    "eval_args",
    "free_port",
    "openai_env",
    "question_file",
    "servers",
]
