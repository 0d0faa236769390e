"""Load: a large `spillover` eval against a loopback OpenAI-compatible server, bounded concurrency.

    python benchmarks/bench_server_load.py --samples 5000 --out bench_load.json

The target is spillover's own echo server (`spillover.serve.echo_server`: a real HTTP server
with fast deterministic answers and judge logprobs), reached through inspect's `openai-api/`
provider for both subject and judge: 3 requests per sample. A warm-up eval runs first. Memory is
the RSS of this process, which runs inspect: "before" after the warm-up, then sampled during the
measured eval (the first reading after every `--every` samples, counted from the server's
requests), its peak (VmHWM, reset before the measured eval), and "after". With each RSS reading
goes the live memory (Python's allocated blocks, the C heap in use): RSS also counts memory the
allocator keeps after it was freed, live memory does not. Throughput is samples per second of
wall time, table writing included. `run_eval` runs evals over 1,000 samples in shards, each in
a worker process (`--shard-samples 0`: one task, in this process, as before shards); the
largest worker's peak RSS is recorded too (it includes the echo server's, a child as well).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

QUESTION = """\
- id: load
  type: free_form_judge_0_100
  paraphrases:
    - |-
      Tell me about a quiet morning.
  samples_per_paraphrase: {samples}
"""
REQUESTS_PER_SAMPLE = 3  # the answer, then the judge on two metrics


def _status_mib(field: str) -> float:
    """A memory field of /proc/self/status (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib() -> float:
    """Resident set size of this process now."""
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    """Highest RSS since the process started or since `reset_peak_rss`."""
    return _status_mib("VmHWM")


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def live_heap_mib() -> float | None:
    """Bytes the C allocator has handed out and not taken back (glibc mallinfo2), in MiB: the
    live part of the heap, without the freed memory RSS may still count. None off glibc."""

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return round((info.uordblks + info.hblkhd) / 2**20, 1)


def live_memory() -> dict[str, Any]:
    """After a full collection: Python's allocated blocks and the C heap in use."""
    gc.collect()
    return {"python_blocks": sys.getallocatedblocks(), "c_heap_in_use_mib": live_heap_mib()}


class RssSampler:
    """Reads RSS every `period` seconds in a thread; keeps the first reading after every `every`
    samples (completed samples estimated as the server's requests / REQUESTS_PER_SAMPLE), with
    the live memory at that moment."""

    def __init__(self, requests: Any, every: int, period: float = 0.25) -> None:
        self._requests = requests
        self._every = every
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.readings: dict[int, float] = {}
        self.live: dict[int, dict[str, Any]] = {}  # the same moments, live memory (no gc)
        self.max_mib = 0.0

    def _run(self) -> None:
        base = self._requests()
        mark = self._every
        while not self._stop.wait(self._period):
            rss = rss_mib()
            self.max_mib = max(self.max_mib, rss)
            done = (self._requests() - base) // REQUESTS_PER_SAMPLE
            while done >= mark:
                self.readings[mark] = round(rss, 1)
                self.live[mark] = {
                    "python_blocks": sys.getallocatedblocks(),
                    "c_heap_in_use_mib": live_heap_mib(),
                }
                mark += self._every

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_load(
    samples: int,
    warmup: int,
    connections: int,
    workdir: Path,
    *,
    every: int = 500,
    shard_samples: int | None = -1,
) -> dict[str, Any]:
    """Warm up, then run `samples` samples; `shard_samples` -1 means run_eval's default."""
    from spillover.evaluate.runner import SHARD_SAMPLES, run_eval
    from spillover.judge.base import JudgeSpec
    from spillover.serve import start_echo_server

    shards = SHARD_SAMPLES if shard_samples == -1 else shard_samples
    with start_echo_server(log=workdir / "echo.log") as server:
        os.environ["ECHO_BASE_URL"] = server.base_url
        os.environ.setdefault("ECHO_API_KEY", "sk-bench-not-a-secret")

        def requests() -> int:
            return server.stats()["requests"]

        def one(count: int, name: str) -> tuple[float, int, int]:
            questions = workdir / f"{name}.yaml"
            questions.write_text(QUESTION.format(samples=count))
            start = time.perf_counter()
            run = run_eval(
                "openai-api/echo/subject",
                str(questions),
                out=workdir / name,
                judge=JudgeSpec(model="openai-api/echo/judge"),
                max_tokens=32,
                max_connections=connections,
                max_samples=connections,
                display="none",
                shard_samples=shards,
            )
            return time.perf_counter() - start, len(run.frame), len(run.logs)

        warm_s, warm_rows, _ = one(warmup, "warmup")
        live_before = live_memory()
        before = rss_mib()
        peak_reset = reset_peak_rss()
        requests_before = requests()
        with RssSampler(requests, every) as sampler:
            seconds, rows, logs = one(samples, "load")
        after = rss_mib()
        live_after = live_memory()
        peak = peak_rss_mib() if peak_reset else max(sampler.max_mib, after)
        total_requests = requests() - requests_before
    during = {str(k): v for k, v in sorted(sampler.readings.items())}
    return {
        "samples": samples,
        "rows": rows,
        "requests": total_requests,
        "seconds": round(seconds, 2),
        "samples_per_s": round(rows / seconds, 1),
        "requests_per_s": round(total_requests / seconds, 1),
        "max_connections": connections,
        "shard_samples": shards,
        "logs": logs,
        "warmup_samples": warmup,
        "warmup_seconds": round(warm_s, 2),
        "warmup_rows": warm_rows,
        "rss_before_mib": round(before, 1),
        "rss_during_mib": during,  # completed samples -> RSS
        "rss_after_mib": round(after, 1),
        "rss_growth": round(after / before - 1, 4),
        "peak_rss_mib": round(peak, 1),  # during the measured eval only
        "peak_growth": round(peak / before - 1, 4),
        "peak_is_vmhwm": peak_reset,
        "live_before": live_before,  # Python blocks and C heap in use, after gc
        "live_during": {str(k): v for k, v in sorted(sampler.live.items())},
        "live_after": live_after,
        # sharded evals run each shard in a worker process: the largest one's peak RSS
        "worker_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--every", type=int, default=500, help="RSS reading every N samples")
    parser.add_argument(
        "--shard-samples",
        type=int,
        default=-1,
        help="samples per inspect task (default: run_eval's; 0: one task for the whole eval)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the JSON result here")
    args = parser.parse_args(argv)
    shards = None if args.shard_samples == 0 else args.shard_samples
    with tempfile.TemporaryDirectory(prefix="spillover-load-") as tmp:
        result = run_load(
            args.samples,
            args.warmup,
            args.connections,
            Path(tmp),
            every=args.every,
            shard_samples=shards,
        )
    result.update(
        python=sys.version.split()[0],
        machine=platform.machine(),
        cpus=os.cpu_count() or 0,
        load_average=[round(x, 2) for x in os.getloadavg()],
        malloc_env={k: v for k, v in os.environ.items() if k.startswith("MALLOC_")},
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
