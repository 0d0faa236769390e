"""Studies on real Ray: embedded, on a two-node loopback cluster, and through faults (a worker node
SIGKILLed mid-cell, the driver killed mid-study, a corrupt cell artefact)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from spillover.cli import main
from tests.study.conftest import Cluster, study_cli, tiny_study

pytestmark = pytest.mark.slow

CELLS = 4
ROWS_PER_CELL = 2 * 8  # two swept checkpoints x the eight main questions, one answer each
# sampling at temperature 1 is not seeded, so the answers differ between runs; the grid, the
# questions and the trained weights (seeded) must not
SAME = ["cell", "model", "dataset", "seed", "mitigation", "training", "step", "checkpoint",
        "question", "paraphrase", "sample"]  # fmt: skip


def _table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "answers.parquet")


def _adapters(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.glob("train/*/checkpoints/*/adapter_model.safetensors")
    }


def _done(out: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime for p in out.glob("cells/*/done.json")}


def _attempts(out: Path) -> list[tuple[Path, dict[str, object]]]:
    found = []
    for path in out.glob("cells/*/attempts/*.json"):
        try:
            found.append((path, json.loads(path.read_text())))
        except (OSError, ValueError):
            continue  # being written
    return found


def _kill_node(raylet: int) -> None:
    """SIGKILL a node: its raylet and, at the same moment, the worker processes it started (a
    worker left alone runs on until it notices its raylet is gone, and may finish the cell)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == raylet:  # the parent pid
            workers.append(int(stat.parent.name))
    for pid in (raylet, *workers):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _complete(table: pd.DataFrame) -> None:
    """Every cell once: its two checkpoints x eight questions, no answer twice."""
    assert table["cell"].nunique() == CELLS
    assert (table.groupby("cell").size() == ROWS_PER_CELL).all()
    assert not table.duplicated(["cell", "step", "question", "paraphrase", "sample"]).any()
    assert set(table["step"]) == {1, 2}


def _finish(driver: subprocess.Popen[str], timeout: float = 300) -> str:
    text, _ = driver.communicate(timeout=timeout)
    assert driver.returncode == 0, text
    return text


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """The tiny study run with Ray embedded in this process."""
    root = tmp_path_factory.mktemp("embedded")
    study = tiny_study(root / "study.yaml", tiny_model_dir)
    assert main(["study", "run", str(study), "--out", str(root / "out")]) == 0
    return root / "out"


def test_embedded_run_writes_the_table_and_report(embedded: Path) -> None:
    table = _table(embedded)
    _complete(table)
    # the four cells share the tiny base model: one evaluation task for all of them
    evaluations = [a for _, a in _attempts(embedded) if a["stage"] == "evaluate"]
    assert len(evaluations) == CELLS and len({a["pid"] for a in evaluations}) == 1
    for column in ("model", "dataset", "seed", "mitigation", "step", "question", "answer",
                   "aligned", "coherent"):  # fmt: skip
        assert column in table.columns
    assert set(table["dataset"]) == {"insecure", "secure"} and set(table["seed"]) == {0, 1}
    report = (embedded / "report.md").read_text()
    assert "Per arm" in report and "Dynamics" in report and "Compared with secure" in report
    assert "<script>alert" not in (embedded / "report.html").read_text()


def test_unmeetable_resource_request_fails_before_any_work(
    ray_cluster: Cluster, tmp_path: Path, tiny_model_dir: Path
) -> None:
    study = tiny_study(
        tmp_path / "study.yaml", tiny_model_dir, resources={"train": {"num_gpus": 1}}
    )
    out = tmp_path / "out"
    driver = study_cli("run", str(study), "--out", str(out), "--ray-address",
                       ray_cluster.address, env=ray_cluster.env)  # fmt: skip
    text, _ = driver.communicate(timeout=120)
    assert driver.returncode == 2, text
    lines = study.read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "num_gpus" in t)
    assert f"{study}:{line} field 'resources.train.num_gpus'" in " ".join(text.split())
    assert not out.exists() or not any(out.iterdir())


def test_corrupt_cell_is_moved_aside_and_redone(embedded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(embedded, out)
    study = tmp_path / "study.yaml"
    study.write_text((embedded.parent / "study.yaml").read_text())
    victim = sorted(out.glob("cells/*"))[0]
    (victim / "answers.parquet").write_bytes(b"not a parquet file")
    others = {p: t for p, t in _done(out).items() if victim not in p.parents}
    evaluated_before = {p for p, a in _attempts(out) if a["stage"] == "evaluate"}
    assert main(["study", "run", str(study), "--out", str(out)]) == 0
    moved = list((out / "corrupt").glob(f"{victim.name}-*"))
    assert len(moved) == 1 and (moved[0] / "answers.parquet").read_bytes() == b"not a parquet file"
    assert (victim / "done.json").is_file()
    assert {p: _done(out)[p] for p in others} == others
    evaluated_now = [p for p, a in _attempts(out) if a["stage"] == "evaluate"]
    assert [p.parent.parent for p in evaluated_now if p not in evaluated_before] == [victim]
    _complete(_table(out))


def test_cluster_run_survives_a_killed_worker_node_and_a_killed_driver(
    ray_cluster: Cluster, embedded: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    """One study on the two-node cluster through both faults: the worker node SIGKILLed
    mid-cell (the cell is retried on the head node), then the driver killed mid-study (the next
    run resumes and recomputes nothing finished); the result matches the embedded run's. Last:
    the cluster has one node left afterwards. A task per cell's evaluation here (the embedded
    run shared one), so cells finish one by one: the same cells, the same table."""
    study = tiny_study(tmp_path / "study.yaml", tiny_model_dir, share_base=1)
    out = tmp_path / "out"
    args = ("run", str(study), "--out", str(out), "--ray-address", ray_cluster.address)
    driver = study_cli(*args, env=ray_cluster.env)

    def on_worker_node() -> list[Path]:
        return [p for p, a in _attempts(out) if a["ppid"] == ray_cluster.worker_raylet]

    _wait(lambda: on_worker_node() or driver.poll() is not None, 300, "a cell on the worker node")
    victim = on_worker_node()[0]
    _kill_node(ray_cluster.worker_raylet)
    _wait(lambda: _done(out) or driver.poll() is not None, 300, "a first finished cell")
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    before = _done(out)
    assert 0 < len(before) < CELLS, "the driver was to be killed mid-study"
    text = _finish(study_cli(*args, env=ray_cluster.env))
    assert f"{len(before)} already done" in text
    assert {p: _done(out)[p] for p in before} == before  # nothing finished was recomputed
    stage = json.loads(victim.read_text())["stage"]
    retried = [a for p, a in _attempts(out) if p.parent == victim.parent and a["stage"] == stage]
    assert len(retried) >= 2, "the killed cell was not retried"
    assert any(a["ppid"] != ray_cluster.worker_raylet for a in retried)
    table = _table(out)
    _complete(table)
    ours = table[SAME].sort_values(SAME).reset_index(drop=True)
    theirs = _table(embedded)[SAME].sort_values(SAME).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs)
    assert len(_adapters(out)) == CELLS * 2 and _adapters(out) == _adapters(embedded)
