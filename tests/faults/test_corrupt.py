"""Truncated or corrupt state is detected and recomputed, never silently used, never a crash:
an eval log, a registry model's converted checkpoint, a training checkpoint."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from spillover.models.registry import REGISTRY
from tests.faults.test_server_killed import JUDGE, PER_SAMPLE, SUBJECT
from tests.serve.helpers import ServerPool, cli, eval_args, openai_env, question_file

SUBJECT_NAME = "smollm2-135m-instruct"


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.slow
def test_truncated_eval_log_is_moved_aside_and_redone(servers: ServerPool, tmp_path: Path) -> None:
    server = servers.echo()
    env = openai_env("echo", server, "sk-local-test")
    out = tmp_path / "out"
    args = eval_args(question_file(tmp_path, samples=4), out, subject=SUBJECT, judge=JUDGE)
    assert cli(args, env=env).returncode == 0
    (log,) = sorted((out / "logs").glob("*.eval"))
    truncate(log)
    first = server.stats()["requests"]

    again = cli(args, env=env)
    assert again.returncode == 0, again.stderr
    assert "cannot be read" in again.stderr and "redone" in again.stderr
    assert (out / "logs" / f"{log.name}.corrupt-0").is_file()
    assert server.stats()["requests"] - first == PER_SAMPLE * 4  # recomputed, not trusted
    fresh = [p for p in (out / "logs").glob("*.eval") if p.name != log.name]
    assert len(fresh) == 1

    third = cli(args, env=env)  # nothing left to redo
    assert third.returncode == 0
    assert server.stats()["requests"] - first == PER_SAMPLE * 4


def fake_cache_entry(home: Path, source: Path) -> Path:
    """A registry cache entry built from the tiny model (the marker names the registry sha)."""
    target = home / "models" / SUBJECT_NAME
    shutil.copytree(source, target)
    meta = {"name": SUBJECT_NAME, "sha256": REGISTRY[SUBJECT_NAME].sha256}
    (target / "spillover-model.json").write_text(json.dumps(meta))
    return target


@pytest.mark.parametrize("damage", ["truncated-weights", "truncated-tokenizer", "bad-marker"])
def test_a_damaged_model_cache_entry_is_not_used(
    damage: str, spillover_home: Path, tiny_model_dir: Path
) -> None:
    from spillover.models.pull import cached_path

    target = fake_cache_entry(spillover_home, tiny_model_dir)
    assert cached_path(SUBJECT_NAME) == target
    if damage == "truncated-weights":
        truncate(target / "model.safetensors", 0.9)
    elif damage == "truncated-tokenizer":
        truncate(target / "tokenizer.json", 0.5)
    else:
        (target / "spillover-model.json").write_text('{"name": "smollm2-135m-ins')
    assert cached_path(SUBJECT_NAME) is None


@pytest.mark.slow
def test_truncated_registry_weights_are_reconverted_offline(spillover_home: Path) -> None:
    """The real subject's cache entry with truncated weights: pull() rebuilds it from the
    verified GGUF kept beside it, without a download, and the result loads."""
    from spillover.models.pull import cached_path, pull

    source = Path.home() / ".cache" / "spillover" / "models" / SUBJECT_NAME
    gguf = source / "gguf" / REGISTRY[SUBJECT_NAME].gguf_name
    if not gguf.is_file():
        pytest.skip(f"{SUBJECT_NAME} is not in the shared model cache")
    target = spillover_home / "models" / SUBJECT_NAME
    shutil.copytree(source, target)
    truncate(target / "model.safetensors", 0.7)
    assert cached_path(SUBJECT_NAME) is None

    rebuilt = pull(SUBJECT_NAME)
    assert rebuilt == target and cached_path(SUBJECT_NAME) == target
    assert (target / "gguf" / gguf.name).stat().st_size == gguf.stat().st_size
    from safetensors import safe_open

    with safe_open(str(target / "model.safetensors"), "pt") as weights:
        assert len(list(weights.keys())) > 10


@pytest.mark.slow
def test_kill_9_mid_train_then_a_truncated_checkpoint(tmp_path: Path, tiny_model_dir: Path) -> None:
    """SIGKILL during training, then the newest checkpoint is damaged: resume moves it aside,
    continues from the one before, and logs every step exactly once."""
    from spillover.train.manifest import RunManifest
    from tests.train.helpers import write_rows

    data = write_rows(tmp_path / "d.jsonl", 64)
    run = tmp_path / "run"
    cfg = tmp_path / "c.yaml"
    settings = {
        "effective_batch_size": 4,
        "micro_batch_size": 2,
        "max_length": 64,
        "learning_rate": 1e-3,
        "warmup_steps": 1,
        "max_steps": 10,
        "checkpoint_every": 2,
    }
    cfg.write_text(json.dumps(settings))
    argv = ["train", "-m", str(tiny_model_dir), "-d", str(data), "-o", str(run), "-c", str(cfg)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "spillover.cli", *argv],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    marker = run / "checkpoints" / "step-00004" / "COMPLETE"
    deadline = time.monotonic() + 240
    try:
        while not marker.exists():
            assert proc.poll() is None, "training ended before its second checkpoint"
            assert time.monotonic() < deadline, "no checkpoint in time"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    complete = sorted(p.parent for p in (run / "checkpoints").glob("step-*/COMPLETE"))
    newest = complete[-1]
    truncate(newest / "adapter_model.safetensors")
    previous = int(complete[-2].name.split("-")[1])

    resumed = cli([*argv, "--resume"], env={"HF_HUB_OFFLINE": "1"})
    assert resumed.returncode == 0, resumed.stderr
    manifest = RunManifest.load(run)
    assert manifest.resumed_from == [previous]
    assert manifest.status == "finished" and manifest.final_step == 10
    assert (newest.parent / f"{newest.name}.corrupt-0").is_dir()
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 11))
    assert pd.Series(steps).is_unique
