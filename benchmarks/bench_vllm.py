"""Benchmark vLLM (the `gpu` extra) against spillover's engine and the naive loop, on one GPU.

    python benchmarks/bench_vllm.py --model DIR [--adapter DIR] [--sweep DIR ...] [--n 8] [--batch 64]

The same requests go to all three, in one process, one after the other: the main questions of
`bench_sampling.py`, `--n` answers each, temperature 1, up to `--max-new-tokens`. First the naive
loop (one `generate` per answer, base model only) and spillover's engine on the model loaded by
spillover; then that model is freed and vLLM's offline `LLM` loads the same directory, with at
most `--batch` sequences at once (the engine's batch). With `--adapter`, both also serve every
request through that LoRA adapter: vLLM with a `LoRARequest`, the engine merged. With `--sweep`
(several adapters: a sweep's checkpoints), both also answer every question once per adapter in
one submission, each request with its own adapter: vLLM's multi-LoRA batching (all adapters
resident, `max_loras`) against the engine's mixed batches; neither reloads the base. Useful tokens
are counted alike for all three: the tokens before the first stop token. Prints tokens/s for
each and the ratios last; writes a JSON with the machine, versions and every repetition.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sampling import QUESTIONS, naive_run, summary, useful
from peak import matmul_flops, sync

SWEEP = "sweep"  # the arm whose requests each carry one of --sweep's adapters


def seeds(rep: int, count: int) -> list[int]:
    return [1000 * (rep + 1) + k for k in range(count)]


def arm_inputs(
    args: argparse.Namespace, prompts: list[tuple[int, ...]], arm: str | None
) -> list[tuple[tuple[int, ...], str | None]]:
    """(prompt, adapter) per request: `--n` answers per question with the arm's adapter, or for
    the sweep arm one answer per question per adapter."""
    if arm == SWEEP:
        return [(p, str(a)) for a in args.sweep for p in prompts]
    return [(p, arm) for p in prompts for _ in range(args.n)]


def engine_reps(
    args: argparse.Namespace, prompts: list[tuple[int, ...]], arms: list[str | None]
) -> tuple[dict[str | None, list[dict[str, float]]], frozenset[int]]:
    """The naive loop (base model) and spillover's engine for every arm, `args.reps` times."""
    import torch

    from spillover.models.load import load_causal_lm
    from spillover.sampling import Engine, Request, SamplingParams

    loaded = load_causal_lm(str(args.model), dtype=torch.bfloat16)
    out: dict[str | None, list[dict[str, float]]] = {arm: [] for arm in arms}
    stops = frozenset[int]()
    # every base-model rep first: an adapter the engine cannot merge from its file is served
    # through peft's LoRA layers, and base rows would then decode through them (disabled)
    for arm in arms:
        inputs = arm_inputs(args, prompts, arm)
        batch = max(args.batch, len(inputs)) if arm == SWEEP else args.batch
        warm = Engine(loaded, max_batch=batch)  # kernels, allocator, the first merge or mix
        warm.generate(
            [Request(p, SamplingParams(max_new_tokens=8, seed=0), a) for p, a in inputs[:: args.n]]
        )
        stops = warm.stop_ids
        for rep in range(args.reps):
            engine = Engine(loaded, max_batch=batch)
            requests = [
                Request(p, SamplingParams(max_new_tokens=args.max_new_tokens, seed=s), a)
                for (p, a), s in zip(inputs, seeds(rep, len(inputs)), strict=True)
            ]
            sync(loaded.device)
            began = time.perf_counter()
            done = engine.generate(requests)
            sync(loaded.device)
            seconds = time.perf_counter() - began
            tokens = sum(c.new_tokens for c in done)
            row = {
                "engine_tokens_per_s": tokens / seconds,
                "engine_tokens": float(tokens),
                "engine_step_ms": 1000 * seconds / max(engine.stats.decode_steps, 1),
            }
            if arm is None:
                naive_tokens, naive_s = naive_run(
                    loaded, prompts[: args.naive], args.max_new_tokens, stops, 77 + rep
                )
                row["naive_tokens_per_s"] = naive_tokens / naive_s
            out[arm].append(row)
            print(f"rep {rep + 1} {arm or 'base'}: {row}", flush=True)
    del loaded
    gc.collect()
    torch.cuda.empty_cache()
    return out, stops


def vllm_reps(
    args: argparse.Namespace,
    prompts: list[tuple[int, ...]],
    arms: list[str | None],
    stops: frozenset[int],
) -> tuple[dict[str | None, list[dict[str, float]]], float]:
    """vLLM's offline engine for every arm, `args.reps` times; its start-up seconds."""
    from vllm import LLM, SamplingParams, TokensPrompt
    from vllm.lora.request import LoRARequest

    adapters = [str(a) for a in args.sweep] + ([str(args.adapter)] if args.adapter else [])
    loras = {a: LoRARequest(f"adapter{i}", i + 1, a) for i, a in enumerate(adapters)}
    began = time.perf_counter()
    llm = LLM(
        model=str(args.model),
        dtype="bfloat16",
        seed=0,
        max_num_seqs=max(args.batch, len(arm_inputs(args, prompts, SWEEP))),
        gpu_memory_utilization=args.gpu_memory,
        enforce_eager=args.eager,
        enable_lora=bool(adapters),
        max_loras=max(1, len(args.sweep)),
        max_lora_rank=args.lora_rank,
        max_model_len=args.max_model_len,
    )
    start_s = time.perf_counter() - began

    def run(arm: str | None, rep: int) -> dict[str, float]:
        inputs = arm_inputs(args, prompts, arm)
        params = [
            SamplingParams(temperature=1.0, top_p=1.0, max_tokens=args.max_new_tokens, seed=s)
            for s in seeds(rep, len(inputs))
        ]
        tokens_in = [TokensPrompt(prompt_token_ids=list(p)) for p, _ in inputs]
        lora: Any = [loras[a] for _, a in inputs] if arm == SWEEP else loras.get(arm or "")
        began = time.perf_counter()
        outs = llm.generate(tokens_in, params, lora_request=lora, use_tqdm=False)
        seconds = time.perf_counter() - began
        tokens = sum(useful(list(o.outputs[0].token_ids), stops) for o in outs)
        return {"vllm_tokens_per_s": tokens / seconds, "vllm_tokens": float(tokens)}

    for arm in arms:
        run(arm, -1)  # warm-up: the first batch pays for what start-up did not touch
    out: dict[str | None, list[dict[str, float]]] = {arm: [] for arm in arms}
    for rep in range(args.reps):
        for arm in arms:
            out[arm].append(run(arm, rep))
            print(f"rep {rep + 1} {arm or 'base'}: {out[arm][-1]}", flush=True)
    return out, start_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="a local checkpoint directory")
    parser.add_argument("--adapter", type=Path, help="a LoRA adapter directory for that model")
    parser.add_argument(
        "--sweep", type=Path, nargs="*", default=[], help="adapters answering in one submission"
    )
    parser.add_argument("--n", type=int, default=8, help="answers per question")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--naive", type=int, default=1, help="answers for the naive loop per rep")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--gpu-memory", type=float, default=0.5, help="vLLM's share of the GPU")
    parser.add_argument("--lora-rank", type=int, default=32, help="vLLM's max_lora_rank")
    parser.add_argument("--max-model-len", type=int, default=2048)
    parser.add_argument("--eager", action="store_true", help="vLLM without CUDA graphs/compile")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bench_vllm.json"))
    args = parser.parse_args()

    import torch
    import transformers
    import vllm

    from spillover.io import write_json
    from spillover.models.load import load_tokenizer
    from spillover.sampling import render_chat

    tokenizer = load_tokenizer(str(args.model))
    prompts = [render_chat(tokenizer, [{"role": "user", "content": q}]).ids for q in QUESTIONS]
    arms: list[str | None] = [None] + ([str(args.adapter)] if args.adapter else [])
    arms += [SWEEP] if args.sweep else []
    gpu = torch.cuda.is_available()  # a CPU runs it only as a dry run, against a stand-in vLLM
    peak = matmul_flops("cuda" if gpu else "cpu") / 1e12
    ours, stops = engine_reps(args, prompts, arms)
    theirs, start_s = vllm_reps(args, prompts, arms, stops)
    result: dict[str, Any] = {
        "model": str(args.model),
        "adapter": str(args.adapter) if args.adapter else None,
        "sweep": [str(a) for a in args.sweep],
        "answers": len(QUESTIONS) * args.n,
        "max_new_tokens": args.max_new_tokens,
        "batch": args.batch,
        "vllm_eager": args.eager,
        "vllm_start_s": start_s,
        "matmul_bf16_tflops": peak,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "gpu": torch.cuda.get_device_name(0) if gpu else None,
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "vllm": vllm.__version__,
        },
        "arms": {},
    }
    print(f"vLLM start-up {start_s:.0f} s; bf16 matmul {peak:.0f} TFLOP/s")
    for arm in arms:
        reps = [{**a, **b} for a, b in zip(ours[arm], theirs[arm], strict=True)]
        for r in reps:
            r["vllm_over_engine"] = r["vllm_tokens_per_s"] / r["engine_tokens_per_s"]
            if "naive_tokens_per_s" in r:
                r["engine_over_naive"] = r["engine_tokens_per_s"] / r["naive_tokens_per_s"]
                r["vllm_over_naive"] = r["vllm_tokens_per_s"] / r["naive_tokens_per_s"]
        s = {k: summary([r[k] for r in reps]) for k in reps[0]}
        result["arms"][arm or "base"] = {"repetitions": reps, "summary": s}
        label = {None: "base model", SWEEP: f"sweep of {len(args.sweep)} adapters"}.get(
            arm, "with the LoRA adapter"
        )
        naive = f", naive {s['naive_tokens_per_s']['mean']:.1f}" if arm is None else ""
        print(
            f"{label}: useful tok/s vLLM {s['vllm_tokens_per_s']['mean']:.0f}, engine "
            f"{s['engine_tokens_per_s']['mean']:.0f} ({s['engine_step_ms']['mean']:.1f} ms a "
            f"step){naive}"
        )
        for key in ("engine_over_naive", "vllm_over_naive", "vllm_over_engine"):
            if key in s:
                print(f"  {key}: {s[key]['mean']:.2f}x [{s[key]['min']:.2f}, {s[key]['max']:.2f}]")
    write_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
