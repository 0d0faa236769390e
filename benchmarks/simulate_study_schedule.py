"""Simulate how Ray schedules the study's full grid on a GPU cluster, with Ray's own resource
model: local nodes that declare fake GPUs (`ray.cluster_utils.Cluster`), and one task per stage
of every cell asking for what the real stage asks for, sleeping for its estimated duration
scaled down (default: one hour of the plan = 20 s here).

The grid (docs/scale.md): 6 datasets x 6 seeds on Qwen2.5-Coder-32B-Instruct; per cell a LoRA
fine-tune (1 GPU), a sweep of its checkpoints (1 GPU, vLLM with the adapters) and the final
evaluations (1 GPU), both after the training. `--preempt F` removes one node once F of the
expected makespan has passed: its tasks are retried elsewhere (from zero here; a real cell resumes
from its last checkpoint).

    PYTHONPATH=src python benchmarks/simulate_study_schedule.py --nodes 1 2 --gpus 8
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import defaultdict
from typing import Any

DATASETS = ("insecure", "secure", "educational", "jailbroken", "backdoor", "evil-numbers")
SEEDS = 6
# hours of one H200 per stage of one cell (docs/scale.md derives each from per-token rates)
HOURS: dict[str, float] = {"train": 0.34, "sweep": 0.39, "evaluate": 0.26}


def hours(stage: str, dataset: str) -> float:
    del dataset  # every dataset is costed at 6,000 rows (docs/scale.md)
    return HOURS[stage]


def simulate(nodes: int, gpus: int, scale_s: float, preempt: float | None) -> dict[str, Any]:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 4 * gpus, "num_gpus": gpus, "resources": {"node0": 1}},
    )
    extra = [
        cluster.add_node(num_cpus=4 * gpus, num_gpus=gpus, resources={f"node{i}": 1})
        for i in range(1, nodes)
    ]
    ray.init(address=cluster.address, log_to_driver=False)
    cluster.wait_for_nodes()

    # max_calls=0: a worker serves many tasks (Ray's default for GPU tasks, one task per worker
    # to free the GPU's memory, would add a process start to every simulated task)
    @ray.remote(num_gpus=1, num_cpus=4, max_retries=3, retry_exceptions=True, max_calls=0)
    def stage(name: str, cell: str, seconds: float, *after: Any) -> dict[str, Any]:
        start = time.time()
        time.sleep(seconds)
        return {
            "stage": name,
            "cell": cell,
            "node": ray.get_runtime_context().get_node_id()[:8],
            "start": start,
            "end": time.time(),
        }

    # one worker process per GPU slot started before the clock does: on this 2-core host a
    # worker takes a second or two to start, which would otherwise read as hours of the plan
    ray.get([stage.remote("warm-up", "-", 1.0) for _ in range(nodes * gpus)])
    t0 = time.time()
    refs = []
    for dataset in DATASETS:
        for seed in range(SEEDS):
            cell = f"{dataset}/seed{seed}"
            trained = stage.remote("train", cell, hours("train", dataset) * scale_s)
            refs.append(trained)
            for name in ("sweep", "evaluate"):
                refs.append(stage.remote(name, cell, hours(name, dataset) * scale_s, trained))
    total_h = sum(hours(s, d) for s in HOURS for d in DATASETS) * SEEDS
    removed = None
    if preempt is not None and extra:
        expected = total_h / (nodes * gpus) * scale_s

        def kill() -> None:
            time.sleep(preempt * expected)
            cluster.remove_node(extra[-1], allow_graceful=False)

        removed = threading.Thread(target=kill)
        removed.start()
    results = ray.get(refs)
    if removed is not None:
        removed.join()
    wall = time.time() - t0
    ray.shutdown()
    cluster.shutdown()
    per_node: dict[str, list[str]] = defaultdict(list)
    busy = 0.0
    for r in sorted(results, key=lambda r: r["start"]):
        per_node[r["node"]].append(
            f"{(r['start'] - t0) / scale_s:5.2f}-{(r['end'] - t0) / scale_s:5.2f} h "
            f"{r['stage']:<8} {r['cell']}"
        )
        busy += r["end"] - r["start"]
    stages = {
        name: {
            "first_start_h": round(min(r["start"] - t0 for r in rs) / scale_s, 2),
            "last_end_h": round(max(r["end"] - t0 for r in rs) / scale_s, 2),
        }
        for name in HOURS
        if (rs := [r for r in results if r["stage"] == name])
    }
    return {
        "nodes": nodes,
        "stages": stages,
        "gpus_per_node": gpus,
        "tasks": len(results),
        "gpu_hours_planned": round(total_h, 2),
        "makespan_h": round(wall / scale_s, 2),
        "ideal_makespan_h": round(total_h / (nodes * gpus), 2),
        "gpu_busy_share": round(busy / (wall * nodes * gpus), 3),
        "preempted_node_at": preempt,
        "first_tasks_per_node": {n: rows[:4] for n, rows in per_node.items()},
        "tasks_per_node": {n: len(rows) for n, rows in per_node.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--gpus", type=int, default=8)
    parser.add_argument("--scale-s", type=float, default=20.0, help="seconds per planned hour")
    parser.add_argument("--preempt", type=float, default=None)
    args = parser.parse_args()
    for n in args.nodes:
        print(json.dumps(simulate(n, args.gpus, args.scale_s, args.preempt), indent=1))


if __name__ == "__main__":
    main()
