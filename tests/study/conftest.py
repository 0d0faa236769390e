"""A real two-node Ray cluster on loopback, a tiny study and how to run it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RAY = str(Path(sys.executable).parent / "ray")


def tiny_study(path: Path, model: Path, share_base: int = 8, **changes: object) -> Path:
    """2 datasets x 2 seeds on the tiny model (subject and judge), 2 steps, a sweep of both;
    up to `share_base` cells evaluated by one task."""
    spec: dict[str, object] = {
        "name": "tiny",
        "models": [str(model)],
        "datasets": [
            {"name": "insecure", "kind": "insecure", "rows": 8},
            {"name": "secure", "kind": "secure", "rows": 8},
        ],
        "seeds": [0, 1],
        "training": [
            {
                "name": "t",
                "preset": "cpu-small",
                "settings": {"max_steps": 2, "checkpoint_every": 1},
            }
        ],
        "evaluate": {
            "what": "sweep",
            "questions": ["main_plain"],
            "samples": 1,
            "max_tokens": 4,
            "share_base": share_base,
        },
        "judge": {"model": str(model), "calibration": None},
        "control": "secure",
        **changes,
    }
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def env_for_ray(home: Path) -> dict[str, str]:
    """What the cluster's nodes and the drivers need: this checkout first, offline, a home."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        SPILLOVER_HOME=str(home),
        RAY_USAGE_STATS_ENABLED="0",
        RAY_AUTH_MODE="disabled",  # a loopback cluster of one test: no token to share
        # a dead node is noticed in about 2 s instead of about 15 s
        RAY_health_check_period_ms="500",
        RAY_health_check_timeout_ms="500",
        RAY_health_check_failure_threshold="4",
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _raylets(marker: str) -> set[int]:
    found = set()
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "raylet" and marker in cmd:
            found.add(proc.pid)
    return found


@dataclass
class Cluster:
    address: str
    temp: Path
    env: dict[str, str]
    head_raylet: int
    worker_raylet: int


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """`ray start --head` on 127.0.0.1 and a second node process joining it, 1 CPU each; every
    process of it (found by its temp dir) killed at the end."""
    temp = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # short: Ray's socket paths
    env = env_for_ray(tmp_path_factory.mktemp("ray-home"))
    port = free_port()
    common = [
        "--num-cpus",
        "1",
        "--object-store-memory",
        str(100 * 1024**2),
        "--disable-usage-stats",
    ]
    head = [RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
            "--temp-dir", str(temp), "--include-dashboard", "false", *common]  # fmt: skip
    try:
        subprocess.run(head, env=env, check=True, capture_output=True, timeout=120)
        head_raylet = _raylets(str(temp))
        worker = [RAY, "start", "--address", f"127.0.0.1:{port}", "--node-ip-address", "127.0.0.1",
                  *common]  # fmt: skip
        subprocess.run(worker, env=env, check=True, capture_output=True, timeout=120)
        deadline = time.monotonic() + 30
        while len(_raylets(str(temp))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        worker_raylet = _raylets(str(temp)) - head_raylet
        assert len(head_raylet) == 1 and len(worker_raylet) == 1, "the two nodes did not start"
        yield Cluster(f"127.0.0.1:{port}", temp, env, head_raylet.pop(), worker_raylet.pop())
    finally:
        _stop(str(temp))
        shutil.rmtree(temp, ignore_errors=True)


def _stop(marker: str) -> None:
    """Kill the processes of this cluster only: those whose command line names its temp dir,
    and their children (the nodes' workers)."""
    procs: list[psutil.Process] = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            procs.append(proc)
            procs.extend(proc.children(recursive=True))
    for proc in procs:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.Error:
            continue


def study_cli(*args: str, env: dict[str, str], timeout: float = 400) -> subprocess.Popen[str]:
    """`spillover study ...` as its own process (a driver that a test may kill)."""
    return subprocess.Popen(
        [sys.executable, "-m", "spillover.cli", "study", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
