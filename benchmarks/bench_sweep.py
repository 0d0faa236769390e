"""Benchmark the checkpoint sweep: one base load with adapter swaps vs reloading the base model
for every checkpoint (what a loop over `from_pretrained(base) + PeftModel` does).

    python benchmarks/bench_sweep.py --model smollm2-135m-instruct --checkpoints 10

Both arms sample the same answers (same seeds) for each of N LoRA checkpoints (r=32, all linear
layers, random weights: throughput does not depend on the weights). Prints wall seconds for
each arm and the ratio last; writes a JSON with machine info, versions and the spread over reps.
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


def sweep_once(model: str, adapters: list[Path], reload_base: bool, max_new: int) -> float:
    from spillover.sampling import clear_engines, sample_chat

    conversations = [[{"role": "user", "content": q}] for q in QUESTIONS]
    clear_engines()
    start = time.perf_counter()
    for adapter in adapters:
        if reload_base:
            clear_engines()  # the naive loop: load the base model again for this checkpoint
        sample_chat(model, conversations, n=2, max_new_tokens=max_new, adapter=adapter, seed=0)
    seconds = time.perf_counter() - start
    clear_engines()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--max-new", type=int, default=24)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/bench_sweep.json")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    import spillover

    with tempfile.TemporaryDirectory() as tmp:
        adapters = make_adapters(args.model, args.checkpoints, Path(tmp))
        sweep_once(
            args.model, adapters[:1], False, 4
        )  # warm-up: page in weights, import everything
        ours, naive = [], []
        for rep in range(args.reps):
            ours.append(sweep_once(args.model, adapters, False, args.max_new))
            naive.append(sweep_once(args.model, adapters, True, args.max_new))
            print(
                f"rep {rep + 1}: one base load {ours[-1]:.1f} s, reload per checkpoint {naive[-1]:.1f} s",
                flush=True,
            )
    ratios = [n / o for n, o in zip(naive, ours, strict=True)]
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
            "max_new_tokens": args.max_new,
        },
        "one_base_load_s": ours,
        "reload_per_checkpoint_s": naive,
        "ratio": ratios,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(
        f"one base load (ours):       median {statistics.median(ours):.1f} s  (min {min(ours):.1f}, max {max(ours):.1f})"
    )
    print(
        f"reload base per checkpoint: median {statistics.median(naive):.1f} s  (min {min(naive):.1f}, max {max(naive):.1f})"
    )
    print(
        f"ratio reload/ours:          median {statistics.median(ratios):.2f}x  (min {min(ratios):.2f}, max {max(ratios):.2f})"
    )


if __name__ == "__main__":
    main()
