"""A large eval against the loopback echo server completes with bounded memory growth."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_server_load.py"
SAMPLES = 1000
SHARD = 250  # several shards, so memory is released between them as in a long eval
MAX_RSS_GROWTH = 0.05  # after a warm-up eval, RSS may grow at most 5 % over the big one


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_server_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_thousand_samples_against_a_loopback_server(tmp_path: Path) -> None:
    result = load_bench().run_load(
        SAMPLES, warmup=300, connections=32, workdir=tmp_path, shard_samples=SHARD
    )
    print(f"\nload: {result}")
    assert result["rows"] == SAMPLES and result["logs"] == SAMPLES // SHARD
    assert result["requests"] == 3 * SAMPLES  # answer + two judge calls, none retried or lost
    assert result["rss_growth"] < MAX_RSS_GROWTH
