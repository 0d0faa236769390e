"""Load: a large `spillover` eval against a loopback OpenAI-compatible server, bounded concurrency.

    python benchmarks/bench_server_load.py --samples 5000 --out bench_load.json

The target is spillover's own echo server (`spillover.serve.echo_server`: a real HTTP server
with fast deterministic answers and judge logprobs), reached through inspect's `openai-api/`
provider for both subject and judge: 3 requests per sample. A warm-up eval runs first; RSS is
read after it ("before") and after the measured eval ("after"), in this process, which runs
inspect. Throughput is measured samples per second of wall time, table writing included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
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


def rss_mib() -> float:
    """Resident set size of this process now (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_load(samples: int, warmup: int, connections: int, workdir: Path) -> dict[str, Any]:
    from spillover.evaluate.runner import run_eval
    from spillover.serve import start_echo_server

    with start_echo_server(log=workdir / "echo.log") as server:
        os.environ["ECHO_BASE_URL"] = server.base_url
        os.environ.setdefault("ECHO_API_KEY", "sk-bench-not-a-secret")

        def one(count: int, name: str) -> tuple[float, int]:
            questions = workdir / f"{name}.yaml"
            questions.write_text(QUESTION.format(samples=count))
            start = time.perf_counter()
            run = run_eval(
                "openai-api/echo/subject",
                str(questions),
                out=workdir / name,
                judge="openai-api/echo/judge",
                max_tokens=32,
                max_connections=connections,
                max_samples=connections,
                display="none",
            )
            return time.perf_counter() - start, len(run.frame)

        warm_s, warm_rows = one(warmup, "warmup")
        before = rss_mib()
        requests_before = server.stats()["requests"]
        seconds, rows = one(samples, "load")
        after = rss_mib()
        requests = server.stats()["requests"] - requests_before
    return {
        "samples": samples,
        "rows": rows,
        "requests": requests,
        "seconds": round(seconds, 2),
        "samples_per_s": round(rows / seconds, 1),
        "requests_per_s": round(requests / seconds, 1),
        "max_connections": connections,
        "warmup_samples": warmup,
        "warmup_seconds": round(warm_s, 2),
        "rss_before_mib": round(before, 1),
        "rss_after_mib": round(after, 1),
        "rss_growth": round(after / before - 1, 4),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "warmup_rows": warm_rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON result here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spillover-load-") as tmp:
        result = run_load(args.samples, args.warmup, args.connections, Path(tmp))
    result.update(
        python=sys.version.split()[0], machine=platform.machine(), cpus=os.cpu_count() or 0
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
