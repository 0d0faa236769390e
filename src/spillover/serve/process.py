"""Start and stop OpenAI-compatible servers on loopback: free ports, bounded waits, clean stops.

Every server runs in its own process group, so `stop()` ends it and whatever it spawned; a
`RunningServer` is a context manager, so a `with` block (or a test fixture's finalizer) always
stops what it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from spillover.errors import SpilloverError

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> Any:
    """GET a JSON document (no proxies: loopback only)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as response:
        return json.loads(response.read())


@dataclass
class RunningServer:
    """A server process we started; `base_url` ends in /v1 as OpenAI clients expect."""

    process: subprocess.Popen[bytes]
    port: int
    argv: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stats(self) -> dict[str, Any]:
        """Request counters, in all and per model, and the adapters loaded (echo server only)."""
        return dict(get_json(f"{self.root}/stats"))

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would."""
        self._signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; safe to call twice."""
        if self.alive():
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        else:
            self._signal(signal.SIGKILL)  # children left behind by a dead leader, if any
        self.process.wait(timeout=timeout)

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    argv: Sequence[str],
    *,
    port: int,
    ready_path: str = "/health",
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> RunningServer:
    """Run `argv` (which must listen on 127.0.0.1:`port`) and wait until GET `ready_path`
    answers 200, at most `timeout` seconds; on failure the process is stopped and the error
    carries the end of its log."""
    log_path = log or Path(tempfile.mkstemp(prefix="spillover-server-", suffix=".log")[1])
    full_env = {**os.environ, **(env or {})}
    with log_path.open("ab") as sink:
        process = subprocess.Popen(
            list(argv),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            start_new_session=True,
        )
    server = RunningServer(process, port, list(argv), log_path, dict(env or {}))
    deadline = time.monotonic() + timeout
    while True:
        if not server.alive():
            tail = server.log_tail()
            server.stop()
            raise SpilloverError(
                f"the server exited with code {process.returncode} before it was ready: {argv[0]}",
                hint=f"its log ends with:\n{tail}",
            )
        try:
            get_json(f"{server.root}{ready_path}", timeout=2.0)
            return server
        except (OSError, urllib.error.URLError, ValueError):
            pass
        if time.monotonic() > deadline:
            tail = server.log_tail()
            server.stop()
            raise SpilloverError(
                f"the server was not ready on port {port} after {timeout:.0f} s",
                hint=f"its log ends with:\n{tail}",
            )
        time.sleep(0.2)


def echo_server_argv(
    port: int, *, refuse_logprobs: bool = False, die_after: int | None = None, delay: float = 0.0
) -> list[str]:
    argv = [sys.executable, "-m", "spillover.serve.echo_server", "--port", str(port)]
    if refuse_logprobs:
        argv.append("--refuse-logprobs")
    if die_after is not None:
        argv += ["--die-after", str(die_after)]
    if delay:
        argv += ["--delay", str(delay)]
    return argv


def start_echo_server(
    port: int | None = None,
    *,
    refuse_logprobs: bool = False,
    die_after: int | None = None,
    delay: float = 0.0,
    timeout: float = 30.0,
    log: Path | None = None,
) -> RunningServer:
    """Our own OpenAI-compatible load target (see `spillover.serve.echo_server`)."""
    chosen = port or free_port()
    argv = echo_server_argv(
        chosen, refuse_logprobs=refuse_logprobs, die_after=die_after, delay=delay
    )
    return start_server(argv, port=chosen, timeout=timeout, log=log)


def transformers_serve_argv(model: str | Path, port: int) -> list[str]:
    """`transformers serve` for one local model directory, CPU, loopback."""
    exe = Path(sys.executable).with_name("transformers")
    return [str(exe), "serve", str(model), "--host", HOST, "--port", str(port), "--device", "cpu"]


def llama_cpp_argv(gguf: str | Path, port: int, *, alias: str, n_ctx: int = 2048) -> list[str]:
    """llama-cpp-python's OpenAI server with logits for every position (top_logprobs work)."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--model_alias",
        alias,
        "--host",
        HOST,
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--logits_all",
        "true",
    ]
