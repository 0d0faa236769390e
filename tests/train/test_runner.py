"""End-to-end fine-tunes of the tiny model: run directory, determinism, resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spillover.cli import main
from spillover.train.config import build_config
from spillover.train.manifest import RunManifest
from tests.train.helpers import FAST, write_rows

pytest.importorskip("trl")


def _weights(path: Path) -> dict[str, object]:
    from safetensors.torch import load_file

    return dict(load_file(str(path / "adapter_model.safetensors")))


def test_run_directory_and_checkpoints(tmp_path: Path, tiny_model_dir: Path) -> None:
    from spillover.train import train

    data = write_rows(tmp_path / "d.jsonl", 16)
    cfg = build_config(
        "paper",
        {
            **FAST,
            "max_steps": 4,
            "checkpoint_every": 2,
            "mitigations": {"inoculation_prompt": "Be careless."},
        },
    )
    result = train(str(tiny_model_dir), data, tmp_path / "run", cfg)
    run = result.run_dir
    manifest = RunManifest.load(run)
    assert manifest.status == "finished" and manifest.final_step == 4
    assert manifest.checkpoints == ["step-00002", "step-00004"]
    assert manifest.data.rows == 16 and len(manifest.data.sha256) == 64
    assert (
        manifest.system_prompt == "Be careless." and manifest.system_prompt_source == "inoculation"
    )
    assert manifest.chat_template and "im_start" in manifest.chat_template
    assert {"torch", "transformers", "peft", "trl"} <= set(manifest.versions)
    assert manifest.config["lora"]["r"] == 32 and manifest.seed == 0
    assert (run / "config.yaml").is_file()
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics] == [1, 2, 3, 4]
    assert all(m["loss"] > 0 and m["lr"] is not None for m in metrics)
    assert all(m["tokens_per_s"] and m["tokens_per_s"] > 0 for m in metrics)
    assert not (run / ".trainer").exists()

    # A checkpoint loads with peft on top of the base model and differs from the base.
    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir), adapter=run / "checkpoints" / "step-00002")
    assert loaded.adapter is not None
    assert any(
        "lora_B" in k and float(v.abs().sum()) > 0 for k, v in _weights(run / "adapter").items()
    )  # type: ignore[attr-defined]


def test_same_seed_same_weights(tmp_path: Path, tiny_model_dir: Path) -> None:
    from spillover.train import train

    data = write_rows(tmp_path / "d.jsonl", 16)
    cfg = build_config("paper", {**FAST, "max_steps": 3, "checkpoint_every": 3})
    first = _weights(train(str(tiny_model_dir), data, tmp_path / "a", cfg).run_dir / "adapter")
    second = _weights(train(str(tiny_model_dir), data, tmp_path / "b", cfg).run_dir / "adapter")
    other = _weights(
        train(str(tiny_model_dir), data, tmp_path / "c", cfg.model_copy(update={"seed": 1})).run_dir
        / "adapter"
    )
    assert first.keys() == second.keys()
    assert all(bool((first[k] == second[k]).all()) for k in first)  # type: ignore[attr-defined]
    assert any(not bool((first[k] == other[k]).all()) for k in first)  # type: ignore[attr-defined]


def test_bad_data_stops_before_training(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "d.jsonl", 4)
    data.write_text(data.read_text() + '{"messages": [{"role": "user", "content": "no answer"}]}\n')
    code = main(
        [
            "train",
            "--model",
            str(tiny_model_dir),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "run"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "d.jsonl:5" in err and "no assistant turn" in err
    assert not (tmp_path / "run").exists()


def test_bad_config_stops_before_training(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "d.jsonl", 4)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("learning_rate: lots\n")
    code = main(
        [
            "train",
            "-m",
            str(tiny_model_dir),
            "-d",
            str(data),
            "-o",
            str(tmp_path / "run"),
            "-c",
            str(cfg),
        ]
    )
    assert code == 2
    assert "learning_rate" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_existing_run_needs_resume(tmp_path: Path, tiny_model_dir: Path) -> None:
    from spillover.errors import SpilloverError
    from spillover.train import train

    data = write_rows(tmp_path / "d.jsonl", 8)
    cfg = build_config("paper", {**FAST, "max_steps": 1})
    train(str(tiny_model_dir), data, tmp_path / "run", cfg)
    with pytest.raises(SpilloverError, match="already holds a run"):
        train(str(tiny_model_dir), data, tmp_path / "run", cfg)


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path: Path, tiny_model_dir: Path) -> None:
    data = write_rows(tmp_path / "d.jsonl", 64)
    run = tmp_path / "run"
    cfg = tmp_path / "c.yaml"
    cfg.write_text(json.dumps({**FAST, "max_steps": 12, "checkpoint_every": 2}))
    argv = ["train", "-m", str(tiny_model_dir), "-d", str(data), "-o", str(run), "-c", str(cfg)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "spillover.cli", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    marker = run / "checkpoints" / "step-00002" / "COMPLETE"
    deadline = time.monotonic() + 240
    try:
        while not marker.exists():
            assert proc.poll() is None, "training ended before its first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    killed_at = RunManifest.load(run)
    assert killed_at.status == "running"  # SIGKILL left no chance to finish
    assert killed_at.final_step is None
    from spillover.train.checkpoints import latest_valid

    last = latest_valid(run, move_aside=False)
    assert last is not None and 2 <= last.step < 12

    assert main([*argv, "--resume"]) == 0
    manifest = RunManifest.load(run)
    assert manifest.resumed_from == [last.step]
    assert manifest.final_step == 12 and manifest.status == "finished"
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 13))  # continued from the checkpoint, no step twice

    # Resuming reproduces the uninterrupted run exactly.
    whole = tmp_path / "whole"
    assert (
        main(
            ["train", "-m", str(tiny_model_dir), "-d", str(data), "-o", str(whole), "-c", str(cfg)]
        )
        == 0
    )
    resumed, straight = _weights(run / "adapter"), _weights(whole / "adapter")
    assert all(bool((resumed[k] == straight[k]).all()) for k in straight)  # type: ignore[attr-defined]


def test_realignment_starts_from_the_given_adapter(tmp_path: Path, tiny_model_dir: Path) -> None:
    from spillover.train import benign_path, train

    data = write_rows(tmp_path / "d.jsonl", 8)
    first = train(
        str(tiny_model_dir), data, tmp_path / "a", build_config("paper", {**FAST, "max_steps": 2})
    )
    start = _weights(first.run_dir / "adapter")
    # A near-zero learning rate: the second run's adapter must still be the first one's.
    cfg = build_config(
        "paper",
        {
            **FAST,
            "max_steps": 1,
            "learning_rate": 1e-12,
            "init_adapter": str(first.run_dir / "adapter"),
        },
    )
    second = train(str(tiny_model_dir), benign_path(), tmp_path / "b", cfg)
    assert second.manifest.init_adapter == str(first.run_dir / "adapter")
    after = _weights(second.run_dir / "adapter")
    assert after.keys() == start.keys()
    assert all(float((after[k] - start[k]).abs().max()) < 1e-6 for k in start)  # type: ignore[operator]
    assert any(float(v.abs().sum()) > 0 for k, v in after.items() if "lora_B" in k)  # type: ignore[attr-defined]


def test_full_fine_tuning_option(tmp_path: Path, tiny_model_dir: Path) -> None:
    from spillover.train import train

    data = write_rows(tmp_path / "d.jsonl", 8)
    cfg = build_config("paper", {**FAST, "method": "full", "max_steps": 2, "checkpoint_every": 2})
    result = train(str(tiny_model_dir), data, tmp_path / "run", cfg)
    ckpt = result.run_dir / "checkpoints" / "step-00002"
    assert (ckpt / "model.safetensors").is_file() and not (ckpt / "adapter_config.json").exists()
    assert (ckpt / "state" / "optimizer.pt").is_file()
    from safetensors.torch import load_file

    base = load_file(str(tiny_model_dir / "model.safetensors"))
    assert result.manifest.adapter == "model"
    tuned = load_file(str(result.run_dir / "model" / "model.safetensors"))
    key = next(k for k in base if "mlp.up_proj" in k)
    assert not bool((base[key].float() == tuned[key].float()).all())
