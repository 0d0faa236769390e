"""Ray's overhead per study cell on this machine: the same empty cell (an attempt record and a
done-marker written through the study's store, no model) called directly and run as Ray tasks
on embedded Ray, configured as `spillover study run` configures it.

    PYTHONPATH=src python benchmarks/study_overhead.py [--cells 40]

Prints one JSON object: Ray's start-up, a cold first task (a worker process started), the warm
round trip of one task, and the per-cell time direct vs on Ray (sequential and all at once).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from typing import Any


def empty_cell(root: str, index: int) -> float:
    """What the executor adds around a cell's real work: an attempt record, a done-marker with
    the sha256 of a results file, and the check that reads it back."""
    from spillover.study.store import Store

    store = Store(root)
    rel = f"cells/{index:04d}-{uuid.uuid4().hex[:6]}"
    store.write_json(f"{rel}/attempts/a.json", {"pid": os.getpid()})
    store.write_bytes(f"{rel}/answers.parquet", b"x" * 4096)
    store.write_json(f"{rel}/done.json", {"sha256": store.sha256(f"{rel}/answers.parquet")})
    assert store.read_json(f"{rel}/done.json")["sha256"] == store.sha256(f"{rel}/answers.parquet")
    return time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=40)
    args = parser.parse_args()
    import ray

    from spillover.study.executor import connect

    out: dict[str, Any] = {
        "host": f"{os.cpu_count()}-core {platform.processor() or platform.machine()}",
        "cells": args.cells,
        "ray": ray.__version__,
    }
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for i in range(args.cells):
            empty_cell(f"{tmp}/direct", i)
        out["direct_ms_per_cell"] = 1000 * (time.perf_counter() - t0) / args.cells

        t0 = time.perf_counter()
        connect(None)
        out["ray_start_s"] = time.perf_counter() - t0
        task = ray.remote(empty_cell).options(num_cpus=1, max_retries=3, retry_exceptions=True)
        t0 = time.perf_counter()
        ray.get(task.remote(f"{tmp}/ray", -1))
        out["ray_cold_first_cell_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(args.cells):
            ray.get(task.remote(f"{tmp}/ray", i))
        out["ray_sequential_ms_per_cell"] = 1000 * (time.perf_counter() - t0) / args.cells
        t0 = time.perf_counter()
        ray.get([task.remote(f"{tmp}/ray-par", i) for i in range(args.cells)])
        out["ray_all_at_once_ms_per_cell"] = 1000 * (time.perf_counter() - t0) / args.cells
        out["overhead_ms_per_cell"] = out["ray_sequential_ms_per_cell"] - out["direct_ms_per_cell"]
        ray.shutdown()
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
