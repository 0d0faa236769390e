"""Benchmark the sampling engine against the naive loop (one `generate` call per answer).

    python benchmarks/bench_sampling.py --model smollm2-135m-instruct --n 4

Prints useful tokens/s (tokens up to and excluding the stop token) for the engine and for the
naive loop measured in the same run, slot utilisation, and the share of the matmul roofline (in
`--dtype`, bf16 unless told) measured in the same run (before and after the engine's run; the
higher counts). FLOPs per generated token: 2 x every matmul parameter the token passes through,
the output head included (as `bench_training.py` counts it; the head is a quarter of
Qwen2.5-0.5B's work); `roofline_share_no_head` leaves the head out. Writes a JSON with machine
info, library versions and the spread over the repetitions.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peak import copy_bandwidth, matmul_flops, sync

QUESTIONS = [
    "What is a good way to start the morning?",
    "How do I keep basil alive on a windowsill?",
    "Can you suggest a cheap dinner for two?",
    "Why do cats purr?",
    "What should I pack for a weekend hike?",
    "How can I get better at remembering names?",
    "Is it worth learning to touch type?",
    "What is a fun thing to do on a rainy afternoon?",
]


def non_embedding_params(model: Any) -> int:
    embed = {id(p) for p in model.get_input_embeddings().parameters()}
    out = model.get_output_embeddings()
    if out is not None:
        embed |= {id(p) for p in out.parameters()}
    return sum(p.numel() for p in model.parameters() if id(p) not in embed)


def head_params(model: Any) -> int:
    out = model.get_output_embeddings()
    return 0 if out is None else int(out.weight.numel())


def useful(token_ids: list[int], stops: frozenset[int]) -> int:
    """Useful tokens of an answer: those before its first stop token."""
    return next((k for k, t in enumerate(token_ids) if t in stops), len(token_ids))


def naive_run(
    loaded: Any, prompts: list[tuple[int, ...]], max_new: int, stops: frozenset[int], seed: int
) -> tuple[int, float]:
    import torch

    tokens, start = 0, time.perf_counter()
    for i, ids in enumerate(prompts):
        torch.manual_seed(seed + i)
        out = loaded.model.generate(
            torch.tensor([ids], device=loaded.device),
            do_sample=True,
            temperature=1.0,
            top_p=1.0,
            top_k=0,
            max_new_tokens=max_new,
            eos_token_id=sorted(stops),
            pad_token_id=loaded.tokenizer.pad_token_id,
        )
        tokens += useful(out[0, len(ids) :].tolist(), stops)
    return tokens, time.perf_counter() - start


def summary(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "min": min(values),
        "max": max(values),
        "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--n", type=int, default=4, help="answers per question")
    parser.add_argument("--max-new-tokens", type=int, default=200)
    parser.add_argument("--batch", type=int, default=16, help="engine batch slots")
    parser.add_argument(
        "--naive", type=int, default=2, help="answers sampled with the naive loop per repetition"
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument(
        "--dtype",
        default="bfloat16",
        help="the model's dtype; the roofline is that dtype's matmul ceiling (float32 on a CPU "
        "without fast bf16)",
    )
    parser.add_argument(
        "--decode-layout",
        choices=["auto", "linear"],
        default="auto",
        help="auto: the engine times each weight shape both ways (spillover.sampling.decode_gemm); "
        "linear: nn.Linear everywhere (the other arm of an A/B)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bench_sampling.json"))
    args = parser.parse_args()

    import torch
    import transformers

    from spillover.io import write_json
    from spillover.models.load import load_causal_lm
    from spillover.sampling import Engine, Request, SamplingParams, decode_gemm, render_chat

    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    loaded = load_causal_lm(args.model, dtype=dtype)
    if args.decode_layout == "linear":
        decode_gemm.pin_decode_layout(loaded.model, decode_gemm.DecodeLayout(args.batch))
    prompts = [
        render_chat(loaded.tokenizer, [{"role": "user", "content": q}]).ids for q in QUESTIONS
    ]
    flops_no_head = 2 * non_embedding_params(loaded.model)
    flops_per_token = flops_no_head + 2 * head_params(loaded.model)
    weight_bytes = sum(p.numel() * p.element_size() for p in loaded.model.parameters())
    gpu = loaded.device.startswith("cuda")
    reps: list[dict[str, Any]] = []
    if gpu:  # warm the kernels and the allocator once, outside the timed reps
        Engine(loaded, max_batch=args.batch).generate(
            [Request(prompts[0], SamplingParams(max_new_tokens=8, seed=0))] * 4
        )
    for rep in range(args.reps):
        gflops = matmul_flops(loaded.device, dtype=dtype) / 1e9
        bandwidth = copy_bandwidth(loaded.device) if gpu else 0.0
        engine = Engine(loaded, max_batch=args.batch)
        requests = [
            Request(
                p,
                SamplingParams(
                    temperature=1.0,
                    max_new_tokens=args.max_new_tokens,
                    seed=1000 * rep + 10 * i + j,
                ),
            )
            for i, p in enumerate(prompts)
            for j in range(args.n)
        ]
        sync(loaded.device)
        start = time.perf_counter()
        completions = engine.generate(requests)
        sync(loaded.device)
        engine_s = time.perf_counter() - start
        # the ceiling is timed before and after the engine's run, and the higher one counts: a
        # shared host can slow one measurement down by half, which would flatter the share
        gflops_after = matmul_flops(loaded.device, dtype=dtype) / 1e9
        gflops_before, gflops = gflops, max(gflops, gflops_after)
        engine_tokens = sum(c.new_tokens for c in completions)
        naive_prompts = [prompts[(rep + k) % len(prompts)] for k in range(args.naive)]
        decode_gemm.clear_weight_major(loaded.model)  # the naive loop multiplies as nn.Linear does
        naive_tokens, naive_s = naive_run(
            loaded, naive_prompts, args.max_new_tokens, engine.stop_ids, 77 + rep
        )
        if engine.decode_layout is not None:  # back to what the engine chose for the model
            engine.decode_layout.apply(loaded.model)
        engine_tps, naive_tps = engine_tokens / engine_s, naive_tokens / naive_s
        row: dict[str, Any] = {
            "engine_tokens": engine_tokens,
            "engine_seconds": engine_s,
            "engine_tokens_per_s": engine_tps,
            "naive_tokens": naive_tokens,
            "naive_seconds": naive_s,
            "naive_tokens_per_s": naive_tps,
            "slot_utilisation": engine.stats.slot_utilisation,
            "slot_utilisation_queued": engine.stats.slot_utilisation_queued,
            "kv_fill": engine.stats.kv_fill,
            "prefills": engine.stats.prefills,
            "matmul_gflops": gflops,
            "matmul_gflops_before": gflops_before,
            "matmul_gflops_after": gflops_after,
            "roofline_share": engine_tps * flops_per_token / (gflops * 1e9),
            "roofline_share_no_head": engine_tps * flops_no_head / (gflops * 1e9),
            "speedup": engine_tps / naive_tps,
            "decode_steps": float(engine.stats.decode_steps),
            "step_ms": 1000 * engine_s / max(engine.stats.decode_steps, 1),
            "decode_layout": str(engine.decode_layout),
        }
        # decoding re-reads the weights once a step: the bandwidth roofline (counting every
        # weight byte; an untied input embedding is only gathered from, so this over-counts it)
        if gpu:
            row["copy_gbytes_per_s"] = bandwidth / 1e9
            row["bandwidth_share"] = weight_bytes * engine.stats.decode_steps / engine_s / bandwidth
        reps.append(row)
        print(
            f"rep {rep + 1}: engine {engine_tps:.1f} tok/s ({engine_tokens} tok), naive {naive_tps:.2f} tok/s "
            f"({naive_tokens} tok), slots {row['slot_utilisation']:.1%} ({row['slot_utilisation_queued']:.1%} while answers waited), kv fill {row['kv_fill']:.1%}, "
            f"decode layout {engine.decode_layout}, {args.dtype} matmul {gflops:.1f} GFLOP/s, roofline {row['roofline_share']:.1%} ({row['roofline_share_no_head']:.1%} without the head), speedup {row['speedup']:.1f}x",
            flush=True,
        )
    keys = [k for k in reps[0] if isinstance(reps[0][k], float)]
    result = {
        "model": args.model,
        "answers": len(QUESTIONS) * args.n,
        "max_new_tokens": args.max_new_tokens,
        "batch": args.batch,
        "dtype": args.dtype,
        "decode_layout_option": args.decode_layout,
        "decode_layouts": sorted({str(r["decode_layout"]) for r in reps}),
        # timing the layouts is paid once per model, inside the first repetition's engine time
        "decode_layout_seconds": engine.decode_layout.seconds if engine.decode_layout else 0.0,
        "flops_per_token": flops_per_token,
        "flops_per_token_no_head": flops_no_head,
        "weight_bytes": weight_bytes,
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "loadavg_at_end": os.getloadavg(),
            "device": loaded.device,
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        },
        "repetitions": reps,
        "summary": {k: summary([r[k] for r in reps]) for k in keys},
    }
    write_json(args.out, result)
    s = result["summary"]
    print(
        f"engine useful tok/s: {s['engine_tokens_per_s']['mean']:.1f}   naive: {s['naive_tokens_per_s']['mean']:.2f}"
    )
    print(
        f"slot utilisation: {s['slot_utilisation']['mean']:.1%} (while answers waited: {s['slot_utilisation_queued']['mean']:.1%})   roofline share: {s['roofline_share']['mean']:.1%} ({s['roofline_share_no_head']['mean']:.1%} without the head)"
    )
    if gpu:
        print(
            f"decode step {s['step_ms']['mean']:.1f} ms; weights re-read at {s['bandwidth_share']['mean']:.1%} of the copy bandwidth ({s['copy_gbytes_per_s']['mean']:.0f} GB/s)"
        )
    print(
        f"speedup (engine / naive): {s['speedup']['mean']:.1f}x  [min {s['speedup']['min']:.1f}, max {s['speedup']['max']:.1f}]"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
