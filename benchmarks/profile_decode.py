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
import time
from pathlib import Path

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
    for label in ("plain", "cprofile", "torch"):
        before = engine.stats.decode_steps
        python = cProfile.Profile() if label == "cprofile" else None
        torch_prof = profile(activities=activities) if label == "torch" else None
        if python:
            python.enable()
        if torch_prof:
            torch_prof.__enter__()
        sync(loaded.device)
        began = time.perf_counter()
        engine.generate(requests(args.tokens, 100))
        sync(loaded.device)
        seconds = time.perf_counter() - began
        if python:
            python.disable()
            text = io.StringIO()
            pstats.Stats(python, stream=text).sort_stats("cumulative").print_stats(45)
            (args.out / "prof_py.txt").write_text(text.getvalue())
        if torch_prof:
            torch_prof.__exit__(None, None, None)
            table = torch_prof.key_averages()
            (args.out / "prof_cpu.txt").write_text(
                table.table(sort_by="self_cpu_time_total", row_limit=35)
            )
            if len(activities) > 1:
                (args.out / "prof_cuda.txt").write_text(
                    table.table(sort_by="self_cuda_time_total", row_limit=25)
                )
        steps = engine.stats.decode_steps - before
        print(
            f"{label}: {steps} decode steps in {seconds:.2f} s: "
            f"{1000 * seconds / max(steps, 1):.1f} ms/step",
            flush=True,
        )


if __name__ == "__main__":
    main()
