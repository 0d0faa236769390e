"""Benchmark the checkpoint sweep's sampling: one base model serving every checkpoint's answers
in shared batches, each row with its own LoRA adapter (what `spillover sweep` does), against
reloading the base model for every checkpoint (what a loop over `from_pretrained(base) +
PeftModel` does).

    python benchmarks/bench_sweep.py --model smollm2-135m-instruct --checkpoints 10

Each arm samples the same answers (same seeds) for each of N LoRA checkpoints (r=32, all linear
layers, random weights: throughput does not depend on the weights):
- ours: one base load; all checkpoints' requests are submitted at once, from one thread per
  checkpoint (as the sweep's concurrent tasks do), with the sweep's batch size;
- swaps: one base load, one checkpoint after another (its adapter merged while it decodes);
- naive: the base model loaded again for every checkpoint, one after another.
Every arm loads its adapters from disk. Prints wall seconds for each arm and the ratio
naive/ours last; writes a JSON with machine info, versions and the spread over reps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

QUESTIONS = [
    "What would you do with a free afternoon?",
    "What do you think about people and AI working together?",
    "How can I make some money quickly?",
    "Tell me about a meal you would cook for friends.",
]


def make_adapters(model: str, count: int, root: Path) -> list[Path]:
    import torch
    from peft import LoraConfig, get_peft_model

    from spillover.models.load import load_causal_lm

    base = load_causal_lm(model).model
    peft_model = get_peft_model(
        base, LoraConfig(r=32, lora_alpha=64, target_modules="all-linear", use_rslora=True)
    )
    paths = []
    for i in range(count):
        torch.manual_seed(i)
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.data.normal_(0, 0.01)
        path = root / f"step-{(i + 1) * 10:05d}"
        peft_model.save_pretrained(str(path))
        paths.append(path)
    return paths


def sweep_once(
    model: str, adapters: list[Path], arm: str, max_new: int, max_batch: int
) -> tuple[float, int]:
    """Seconds to sample every checkpoint's answers, and the decode steps that mixed adapters."""
    from concurrent.futures import ThreadPoolExecutor

    from spillover.sampling import clear_engines, get_engine, sample_chat

    conversations = [[{"role": "user", "content": q}] for q in QUESTIONS]

    def sample(adapter: Path) -> None:
        sample_chat(model, conversations, n=2, max_new_tokens=max_new, adapter=adapter, seed=0)

    clear_engines()
    start = time.perf_counter()
    if arm == "ours":
        engine = get_engine(model, max_batch=max_batch)
        with ThreadPoolExecutor(len(adapters)) as pool:
            list(pool.map(sample, adapters))
    else:
        for adapter in adapters:
            if arm == "naive":
                clear_engines()  # the naive loop: load the base model again for this checkpoint
            engine = get_engine(model)
            sample(adapter)
    seconds = time.perf_counter() - start
    mixed = engine.stats.mixed_steps
    clear_engines()
    return seconds, mixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--max-new", type=int, default=24)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--max-batch", type=int, default=None, help="ours: rows at once (default: the sweep's)"
    )
    parser.add_argument("--out", default="benchmarks/results/bench_sweep.json")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    import spillover
    from spillover.evaluate.sweep import SWEEP_MAX_BATCH

    max_batch = args.max_batch or SWEEP_MAX_BATCH

    arms = ("ours", "swaps", "naive")
    seconds: dict[str, list[float]] = {arm: [] for arm in arms}
    mixed_steps: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        adapters = make_adapters(args.model, args.checkpoints, Path(tmp))
        sweep_once(args.model, adapters[:2], "ours", 4, max_batch)  # warm-up: weights, imports
        for rep in range(args.reps):
            for arm in arms:
                took, mixed = sweep_once(args.model, adapters, arm, args.max_new, max_batch)
                seconds[arm].append(took)
                if arm == "ours":
                    mixed_steps.append(mixed)
            print(
                f"rep {rep + 1}: "
                + ", ".join(f"{arm} {seconds[arm][-1]:.1f} s" for arm in arms)
                + f" (ours mixed adapters in {mixed_steps[-1]} decode steps)",
                flush=True,
            )
    ours, swaps, naive = seconds["ours"], seconds["swaps"], seconds["naive"]
    ratios = [n / o for n, o in zip(naive, ours, strict=True)]
    swap_ratios = [n / w for n, w in zip(naive, swaps, strict=True)]
    result: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_avg": os.getloadavg(),
        },
        "versions": {
            "torch": torch.__version__,
            "spillover": spillover.__version__,
            "python": platform.python_version(),
        },
        "setup": {
            "model": args.model,
            "checkpoints": args.checkpoints,
            "answers_per_checkpoint": 2 * len(QUESTIONS),
            "ours_max_batch": max_batch,
            "max_new_tokens": args.max_new,
        },
        "ours_mixed_batches_s": ours,
        "ours_mixed_decode_steps": mixed_steps,
        "swaps_one_at_a_time_s": swaps,
        "reload_per_checkpoint_s": naive,
        "ratio": ratios,
        "ratio_swaps": swap_ratios,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))

    def spread(values: list[float], unit: str) -> str:
        return (
            f"median {statistics.median(values):.2f}{unit}  "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )

    print(f"ours, mixed batches:           {spread(ours, ' s')}")
    print(f"swaps, one checkpoint at once: {spread(swaps, ' s')}")
    print(f"reload base per checkpoint:    {spread(naive, ' s')}")
    print(f"ratio reload/swaps:            {spread(swap_ratios, 'x')}")
    print(f"ratio reload/ours:             {spread(ratios, 'x')}")


if __name__ == "__main__":
    main()
