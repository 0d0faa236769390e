"""Where a decode step of spillover's engine spends its time: plain timing, cProfile, torch profiler.

    python benchmarks/profile_decode.py MODEL [--batch 64] [--tokens 64] [--out DIR]

Runs one warm-up, then the same batch of `--batch` chat prompts (`--tokens` new tokens each)
three times: plain (ms per decode step), under cProfile (DIR/prof_py.txt, the Python call tree),
and under the torch profiler (DIR/prof_cpu.txt by host time, DIR/prof_cuda.txt by device time;
the launch counts there say whether the step is bound by the host).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peak import sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()

    from torch.profiler import ProfilerActivity, profile

    from spillover.models.load import load_causal_lm
    from spillover.sampling import Engine, Request, SamplingParams, render_chat

    loaded = load_causal_lm(args.model)
    prompts = [
        render_chat(
            loaded.tokenizer, [{"role": "user", "content": f"Tell me about topic {i}."}]
        ).ids
        for i in range(args.batch)
    ]
    engine = Engine(loaded, max_batch=args.batch)

    def requests(tokens: int, seed: int) -> list[Request]:
        return [
            Request(p, SamplingParams(temperature=1.0, max_new_tokens=tokens, seed=seed + i))
            for i, p in enumerate(prompts)
        ]

    engine.generate(requests(16, 0))
    args.out.mkdir(parents=True, exist_ok=True)
    activities = [ProfilerActivity.CPU]
    if loaded.device.startswith("cuda"):
        activities.append(ProfilerActivity.CUDA)
    label = "plain"
    # The engine decodes on its own worker thread, and neither profiler sees another thread's
    # work (profiled from here, both showed only the wait for the futures). So they run around
    # the worker's decode loop for one adapter group, which is all of a batch without adapters;
    # the answers are handed back before that loop returns, so `written` says when its profile
    # is on disk.
    run_group = engine._run_group
    written = threading.Event()

    def profiled(adapter: str | None) -> Any:
        try:
            if label == "cprofile":
                python = cProfile.Profile()
                python.enable()
                try:
                    return run_group(adapter)
                finally:
                    python.disable()
                    text = io.StringIO()
                    pstats.Stats(python, stream=text).sort_stats("cumulative").print_stats(45)
                    (args.out / "prof_py.txt").write_text(text.getvalue())
            if label == "torch":
                with profile(activities=activities) as torch_prof:
                    result = run_group(adapter)
                table = torch_prof.key_averages()
                (args.out / "prof_cpu.txt").write_text(
                    table.table(sort_by="self_cpu_time_total", row_limit=35)
                )
                if len(activities) > 1:
                    (args.out / "prof_cuda.txt").write_text(
                        table.table(sort_by="self_cuda_time_total", row_limit=25)
                    )
                return result
            return run_group(adapter)
        finally:
            written.set()

    engine._run_group = profiled  # type: ignore[method-assign]
    for label in ("plain", "cprofile", "torch"):
        before = engine.stats.decode_steps
        written.clear()
        sync(loaded.device)
        began = time.perf_counter()
        engine.generate(requests(args.tokens, 100))
        sync(loaded.device)
        seconds = time.perf_counter() - began
        steps = engine.stats.decode_steps - before
        print(
            f"{label}: {steps} decode steps in {seconds:.2f} s: "
            f"{1000 * seconds / max(steps, 1):.1f} ms/step",
            flush=True,
        )
        written.wait()
    engine.close()


if __name__ == "__main__":
    main()
