"""Seeds as runs: `spillover train --seeds` trains one run directory per seed, each resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillover.cli import main
from spillover.errors import SpilloverError
from spillover.train.manifest import RunManifest
from spillover.train.seeds import parse_seeds, plan_seeds, seed_dir
from tests.train.helpers import FAST, write_rows


def test_parse_seeds() -> None:
    assert parse_seeds("0,1,2") == [0, 1, 2]
    assert parse_seeds(" 7 , 3") == [7, 3]
    for bad, message in (("0,x", "integers"), ("1,1", "twice"), ("-1", "negative"), ("", "")):
        with pytest.raises(SpilloverError, match=message):
            parse_seeds(bad)


def test_layout_one_seed_is_out_itself(tmp_path: Path) -> None:
    assert seed_dir(tmp_path, 4, 1) == tmp_path
    assert seed_dir(tmp_path, 4, 3) == tmp_path / "seed-4"
    plan = plan_seeds(tmp_path / "out", [0, 1], resume=False)
    assert [(r.seed, r.run_dir.name, r.action) for r in plan] == [
        (0, "seed-0", "start"),
        (1, "seed-1", "start"),
    ]


def _weights(run: Path) -> dict[str, object]:
    from safetensors.torch import load_file

    return dict(load_file(str(run / "adapter" / "adapter_model.safetensors")))


def test_seeds_train_one_run_each_and_resume(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("trl")
    data = write_rows(tmp_path / "d.jsonl", 8)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(json.dumps({**FAST, "max_steps": 2, "checkpoint_every": 2}))
    out = tmp_path / "runs"
    argv = ["train", "-m", str(tiny_model_dir), "-d", str(data), "-o", str(out), "-c", str(cfg)]

    assert main([*argv, "--seeds", "0,1"]) == 0
    runs = {s: out / f"seed-{s}" for s in (0, 1)}
    manifests = {s: RunManifest.load(r) for s, r in runs.items()}
    assert {s: (m.seed, m.status, m.final_step) for s, m in manifests.items()} == {
        0: (0, "finished", 2),
        1: (1, "finished", 2),
    }
    first, second = _weights(runs[0]), _weights(runs[1])
    assert any(not bool((first[k] == second[k]).all()) for k in first)  # type: ignore[attr-defined]
    assert not (out / "manifest.json").exists()

    # Again without --resume: refused before anything trains.
    capsys.readouterr()
    assert main([*argv, "--seeds", "0,1,2"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert not (out / "seed-2").exists()

    # With --resume: finished seeds are skipped, a lost one and a new one are trained.
    import shutil

    shutil.rmtree(runs[1])
    stamp = (runs[0] / "manifest.json").stat().st_mtime_ns
    assert main([*argv, "--seeds", "0,1,2", "--resume"]) == 0
    assert "seed 0: already finished" in capsys.readouterr().err
    assert (runs[0] / "manifest.json").stat().st_mtime_ns == stamp
    assert RunManifest.load(runs[1]).seed == 1 and RunManifest.load(out / "seed-2").seed == 2
    again = _weights(runs[1])
    assert all(bool((again[k] == second[k]).all()) for k in second)  # type: ignore[attr-defined]

    # A seed whose run was interrupted is resumed, not restarted.
    cut = RunManifest.load(out / "seed-2").model_copy(update={"status": "running"})
    (out / "seed-2" / "manifest.json").write_text(cut.model_dump_json())
    actions = [r.action for r in plan_seeds(out, [0, 1, 2], resume=True)]
    assert actions == ["skip", "skip", "resume"]

    assert main([*argv, "--seeds", "3", "--seed", "3"]) == 2
    assert "not both" in capsys.readouterr().err
