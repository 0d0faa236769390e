"""Check spillover's GPU paths on one machine and time them: one script, every stage isolated.

    python benchmarks/gpu_check.py --out OUT --work WORK            # on a GPU machine
    python benchmarks/gpu_check.py --out OUT --work WORK --tiny     # dry run on a CPU, tiny sizes

No weights travel: the models are built from configs (`benchmarks/configs/`, through
`gpu_models.py`) with random weights (bf16) and saved beside their real tokenizers (`--tok`,
default .gpu/tok/NAME: config, tokenizer
and chat template files only), so spillover treats them as local checkpoint directories. Random
weights are fine for speed and for the code paths; they say nothing about what a model learns.

Stages (each in its own try, each result written to OUT/gpu_check.json as soon as it ends):

1. env      versions, device, and the bf16 matmul peak (8192^3 on a GPU) measured in this run
2. models   Qwen2.5-0.5B-shaped and SmolLM2-135M-shaped random bf16 checkpoints
3. data     `spillover data make insecure` (the CLI)
4. train    `spillover train` (the CLI, TRL SFTTrainer, bf16 LoRA): paper preset, the paper
            preset with micro-batch 16, and SmolLM2 with the paper preset; tokens/s, s/step and
            MFU (FLOPs/token = 4 x frozen matmul params + 6 x LoRA params, as in
            bench_training.py) from metrics.jsonl, against the matmul peak of stage 1
5. sample   spillover's engine with a trained LoRA adapter: useful tokens/s, slot use; a naive
            one-`generate`-per-answer baseline in the same run
6. eval     `spillover eval` (inspect_ai, subject `spillover/` engine with the adapter, local judge
            in scale mode) and `spillover sweep` (every checkpoint, binary judge, skill)
7. recipe   `spillover recipe run main --scale cpu --model SMOL --judge QWEN`
8. vllm     whether vLLM can be imported here
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_sampling import QUESTIONS  # noqa: E402  (the CPU benchmark's questions, as-is)

MODELS = {"qwen": "qwen2.5-0.5b", "smol": "smollm2-135m"}  # configs in benchmarks/configs/


class Check:
    def __init__(self, out: Path, work: Path, tiny: bool) -> None:
        self.out = out
        self.work = work
        self.tiny = tiny
        self.result: dict[str, Any] = {"tiny": tiny, "stages": {}}
        self.log = (out / "stages.log").open("a", encoding="utf-8")
        self.started = time.perf_counter()
        self.deadline = 0.0

    def save(self) -> None:
        self.result["elapsed_s"] = time.perf_counter() - self.started
        (self.out / "gpu_check.json").write_text(json.dumps(self.result, indent=2, default=str))

    def stage(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        entry: dict[str, Any] = {}
        self.result["stages"][name] = entry
        if self.deadline and start - self.started > self.deadline - 20:
            entry.update({"ok": False, "error": "skipped: too close to the deadline", "wall_s": 0})
            print(f"== {name}: skipped (deadline)", flush=True)
            self.save()
            return None
        try:
            value = fn(*args, **kwargs)
            entry.update(value if isinstance(value, dict) else {"value": value})
            entry["ok"] = True
        except BaseException as err:  # a failed stage must not stop the others
            entry["ok"] = False
            entry["error"] = f"{type(err).__name__}: {err}"[:2000]
            entry["traceback"] = traceback.format_exc()[-4000:]
            print(entry["traceback"], flush=True)
            value = None
            if isinstance(err, KeyboardInterrupt):
                raise
        entry["wall_s"] = round(time.perf_counter() - start, 2)
        print(
            f"== {name}: {'ok' if entry['ok'] else 'FAILED'} in {entry['wall_s']} s "
            f"{json.dumps({k: v for k, v in entry.items() if k in ('summary',)}, default=str)}",
            flush=True,
        )
        self.save()
        return value

    def cli(self, label: str, argv: list[str], timeout: float) -> dict[str, Any]:
        """Run `python -m spillover.cli ARGV`, output to stages.log; wall time and exit code."""
        cmd = [sys.executable, "-m", "spillover.cli", *argv]
        if self.deadline:
            left = self.deadline - (time.perf_counter() - self.started)
            if left < 15:
                raise RuntimeError(f"{label}: not started, {left:.0f} s left before the deadline")
            timeout = min(timeout, left)
        self.log.write(f"\n\n===== {label}: {' '.join(cmd)}\n")
        self.log.flush()
        start = time.perf_counter()
        try:
            done = subprocess.run(
                cmd,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                cwd=self.work,
                env={**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"},
                check=False,
            )
            code: int | str = done.returncode
        except subprocess.TimeoutExpired:
            code = f"timeout after {timeout} s"
        wall = time.perf_counter() - start
        self.log.write(f"===== {label}: exit {code} in {wall:.1f} s\n")
        self.log.flush()
        if code != 0:
            raise RuntimeError(f"{label}: exit {code} after {wall:.1f} s (see stages.log)")
        return {"command": "spillover " + " ".join(argv), "wall_s": round(wall, 2)}


# -- 0. diagnostics: where does a small eager step spend its time on this machine -------------


def _cgroup() -> dict[str, Any]:
    info: dict[str, Any] = {"affinity": len(os.sched_getaffinity(0)), "loadavg": os.getloadavg()}
    for name in ("cpu.max", "cpu.stat"):
        path = Path("/sys/fs/cgroup") / name
        if path.is_file():
            info[name] = path.read_text().strip().replace("\n", "; ")
    return info


def _decode_timing(model: Any, batch: int, steps: int) -> float:
    """Median seconds of one single-token forward at `batch` rows over a 64-token cache."""
    import torch
    from transformers import DynamicCache

    ids = torch.randint(100, 1000, (batch, 64), device="cuda")
    with torch.inference_mode():
        cache = DynamicCache()
        model(input_ids=ids, past_key_values=cache, use_cache=True)
        last = ids[:, -1:]
        times = []
        for _ in range(steps):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            out = model(input_ids=last, past_key_values=cache, use_cache=True)
            last = out.logits[:, -1].argmax(-1, keepdim=True)
            last.tolist()  # the host reads the token, as the engine does
            times.append(time.perf_counter() - t0)
    return statistics.median(times[2:])


def diag(model_dir: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    out: dict[str, Any] = {
        "cgroup_before": _cgroup(),
        "torch_threads": torch.get_num_threads(),
        "env": {
            k: v
            for k, v in os.environ.items()
            if k.startswith(("OMP", "MKL", "CUDA", "TORCH", "PYTORCH"))
        },
    }
    t0 = time.perf_counter()
    x = 0
    for i in range(5_000_000):
        x += i
    out["python_loop_5M_s"] = time.perf_counter() - t0
    a = torch.randn(1024, 1024)
    t0 = time.perf_counter()
    for _ in range(10):
        a @ a
    out["cpu_fp32_matmul_1024_gflops"] = 10 * 2 * 1024**3 / (time.perf_counter() - t0) / 1e9
    y = torch.zeros(1, device="cuda")
    for label, threads in (("default", torch.get_num_threads()), ("one", 1)):
        torch.set_num_threads(threads)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(2000):
            y.add_(1)
        torch.cuda.synchronize()
        out[f"launch_us_{label}"] = (time.perf_counter() - t0) / 2000 * 1e6
        t0 = time.perf_counter()
        for _ in range(300):
            y.sum().item()
        out[f"sync_item_us_{label}"] = (time.perf_counter() - t0) / 300 * 1e6
        t0 = time.perf_counter()
        for _ in range(300):
            torch.tensor([1.0]).to("cuda")
        out[f"h2d_small_us_{label}"] = (time.perf_counter() - t0) / 300 * 1e6
        t0 = time.perf_counter()
        for _ in range(300):
            torch.ones(16, 64).cumsum(-1)
        out[f"cpu_small_op_us_{label}"] = (time.perf_counter() - t0) / 300 * 1e6
    torch.set_num_threads(out["torch_threads"])
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.bfloat16).to("cuda")
    model.eval()
    for label, threads in (("default", out["torch_threads"]), ("one", 1)):
        torch.set_num_threads(threads)
        for batch in (1, 16, 64):
            out[f"decode_ms_b{batch}_{label}"] = 1000 * _decode_timing(model, batch, 12)
    torch.set_num_threads(out["torch_threads"])
    try:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            _decode_timing(model, 16, 4)
        out["decode_profile_top"] = prof.key_averages().table(
            sort_by="self_cpu_time_total", row_limit=14, max_name_column_width=40
        )
    except Exception as err:  # informative only
        out["decode_profile_top"] = f"profiler failed: {err}"
    try:  # one LoRA training micro-step (forward + backward), batch 16 x 256 tokens
        from peft import LoraConfig, get_peft_model
        from torch.profiler import ProfilerActivity, profile

        net = get_peft_model(
            model,
            LoraConfig(
                r=32,
                lora_alpha=64,
                use_rslora=True,
                target_modules="all-linear",
                task_type="CAUSAL_LM",
            ),
        )
        net.train()
        ids = torch.randint(100, 1000, (16, 256), device="cuda")

        def micro() -> None:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = net(input_ids=ids, labels=ids).loss
            loss.backward()

        for _ in range(2):
            micro()
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(3):
            micro()
        torch.cuda.synchronize()
        out["train_micro_b16x256_ms"] = (time.perf_counter() - t0) / 3 * 1000
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            micro()
            torch.cuda.synchronize()
        out["train_profile_top"] = prof.key_averages().table(
            sort_by="self_cpu_time_total", row_limit=14, max_name_column_width=40
        )
    except Exception as err:  # informative only
        out["train_profile_top"] = f"failed: {type(err).__name__}: {err}"
    out["cgroup_after"] = _cgroup()
    slow = out["decode_ms_b16_default"]
    fast = out["decode_ms_b16_one"]
    out["summary"] = {
        "launch_us": round(out["launch_us_default"], 1),
        "sync_us": round(out["sync_item_us_default"], 1),
        "decode_ms_b16": round(slow, 1),
        "decode_ms_b16_1thread": round(fast, 1),
    }
    del model
    torch.cuda.empty_cache()
    return out


# -- 1. env ------------------------------------------------------------------------------------


def _version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def env(device: str) -> dict[str, Any]:
    import torch

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "device": device,
        "versions": {
            n: _version(n)
            for n in (
                "torch",
                "transformers",
                "peft",
                "trl",
                "accelerate",
                "datasets",
                "tokenizers",
                "inspect_ai",
                "pydantic",
                "triton",
                "vllm",
                "spillover",
            )
        },
        "torch_cuda": torch.version.cuda,
    }
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        info["gpu"] = {
            "name": props.name,
            "memory_gib": round(props.total_memory / 2**30, 1),
            "sms": props.multi_processor_count,
            "capability": f"{props.major}.{props.minor}",
        }
        try:
            info["nvidia_smi"] = subprocess.run(
                [
                    "nvidia-smi",
                    "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
                    "--format=csv,noheader",
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.strip()
        except OSError as err:
            info["nvidia_smi"] = str(err)
    from peak import matmul_flops

    size = 8192 if device == "cuda" else 512
    peaks = [matmul_flops(device, size) for _ in range(2)]
    info["matmul_bf16"] = {"n": size, "flops": peaks}
    info["peak_flops"] = max(peaks)
    info["summary"] = {"peak_tflops": round(info["peak_flops"] / 1e12, 1)}
    return info


# -- 2. models ---------------------------------------------------------------------------------


def build_models(tok_root: Path, tiny: bool) -> dict[str, Any]:
    from gpu_models import build

    made: dict[str, Any] = {}
    for key, shape in MODELS.items():
        dst = CHECK.work / "models" / key
        if dst.exists():
            shutil.rmtree(dst)
        made[key] = build(shape, tok_root, dst, tiny)
    return made


# -- 4. training -------------------------------------------------------------------------------


def flops_per_token(model_dir: Path, r: int) -> dict[str, float]:
    """bench_training's count on a meta-device copy: 4 x frozen matmul params + 6 x LoRA params."""
    import torch
    from bench_training import flops_per_token as count
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(str(model_dir))
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    model.requires_grad_(False)
    net = get_peft_model(
        model,
        LoraConfig(
            r=r,
            lora_alpha=2 * r,
            use_rslora=True,
            target_modules="all-linear",
            task_type="CAUSAL_LM",
        ),
    )
    fpt, frozen, lora = count(net)
    return {"flops_per_token": fpt, "frozen_matmul_params": frozen, "lora_params": lora}


def read_metrics(run: Path) -> list[dict[str, Any]]:
    path = run / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def train_run(
    label: str, model_key: str, data: Path, preset: str, values: dict[str, Any], peak: float | None
) -> dict[str, Any]:
    import yaml

    model_dir = CHECK.work / "models" / model_key
    run = CHECK.work / "runs" / label
    if run.exists():
        shutil.rmtree(run)
    cfg = CHECK.work / f"{label}.yaml"
    cfg.write_text(yaml.safe_dump(values))
    cli = CHECK.cli(
        f"train {label}",
        [
            "train",
            "--model",
            str(model_dir),
            "--data",
            str(data),
            "--out",
            str(run),
            "--preset",
            preset,
            "--config",
            str(cfg),
        ],
        timeout=300,
    )
    manifest = json.loads((run / "manifest.json").read_text())
    metrics = read_metrics(run)
    # step times from the metric lines (logging_steps=1); checkpoint saves land inside some of
    # them, so the median is the steady step and the whole-run figure keeps the saves
    steps = [m for m in metrics if m.get("step")]
    warm = 2 if len(steps) > 4 else 0
    times = [b["time"] - a["time"] for a, b in zip(steps[warm:], steps[warm + 1 :], strict=False)]
    tokens = [
        b["tokens"] - a["tokens"] for a, b in zip(steps[warm:], steps[warm + 1 :], strict=False)
    ]
    ckpt_steps = set(
        range(values["checkpoint_every"], values["max_steps"] + 1, values["checkpoint_every"])
    )
    plain = [
        (t, n)
        for (t, n, b) in zip(times, tokens, steps[warm + 1 :], strict=False)
        if b["step"] not in ckpt_steps
    ]
    r = manifest["config"]["lora"]["r"]
    fpt = flops_per_token(model_dir, r)
    out: dict[str, Any] = {
        **cli,
        "model": model_key,
        "preset": preset,
        "overrides": values,
        "device": manifest.get("device"),
        "dtype": manifest.get("dtype"),
        "final_step": manifest.get("final_step"),
        "status": manifest.get("status"),
        "checkpoints": manifest.get("checkpoints"),
        "data_trained_tokens": manifest.get("trained_tokens"),
        "data_total_tokens": manifest.get("total_tokens"),
        "first_loss": steps[0].get("loss") if steps else None,
        "last_loss": steps[-1].get("loss") if steps else None,
        **fpt,
    }
    if plain:
        step_s = statistics.median(t for t, _ in plain)
        tok_s = statistics.median(n / t for t, n in plain)
        span = steps[-1]["time"] - steps[warm]["time"]
        span_tokens = steps[-1]["tokens"] - steps[warm]["tokens"]
        out.update(
            {
                "steps_timed": len(plain),
                "step_s_median": step_s,
                "tokens_per_step_median": statistics.median(n for _, n in plain),
                "tokens_per_s_median": tok_s,
                "tokens_per_s_with_checkpoints": span_tokens / span if span > 0 else None,
                "assistant_share_of_tokens": (
                    manifest["trained_tokens"] / manifest["total_tokens"]
                    if manifest.get("total_tokens")
                    else None
                ),
            }
        )
        if peak:
            out["mfu_median"] = tok_s * fpt["flops_per_token"] / peak
            out["mfu_with_checkpoints"] = (
                out["tokens_per_s_with_checkpoints"] * fpt["flops_per_token"] / peak
                if out["tokens_per_s_with_checkpoints"]
                else None
            )
        out["summary"] = {
            "tok_s": round(tok_s),
            "s_step": round(step_s, 3),
            "mfu": round(out.get("mfu_median") or 0, 4),
            "wall_s": cli["wall_s"],
        }
    return out


# -- 5. sampling -------------------------------------------------------------------------------


def sampling(
    model_key: str, adapter: Path | None, batch: int, n: int, max_new: int, naive: int, device: str
) -> dict[str, Any]:
    import torch
    from bench_sampling import naive_run, non_embedding_params

    from spillover.models.load import load_causal_lm
    from spillover.sampling import Engine, Request, SamplingParams, render_chat

    model_dir = CHECK.work / "models" / model_key
    t0 = time.perf_counter()
    loaded = load_causal_lm(str(model_dir), adapter=adapter, dtype=torch.bfloat16, device=device)
    load_s = time.perf_counter() - t0
    prompts = [
        render_chat(loaded.tokenizer, [{"role": "user", "content": q}]).ids for q in QUESTIONS
    ]
    engine = Engine(loaded, max_batch=batch)
    # warm-up (CUDA context, kernels, allocator), not timed
    engine.generate([Request(prompts[0], SamplingParams(max_new_tokens=8, seed=1))])
    engine.stats.__init__()  # type: ignore[misc]
    requests = [
        Request(p, SamplingParams(temperature=1.0, max_new_tokens=max_new, seed=10 * i + j))
        for i, p in enumerate(prompts)
        for j in range(n)
    ]
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    done = engine.generate(requests)
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    useful = sum(c.new_tokens for c in done)
    stats = engine.stats.as_dict()
    engine.close()
    naive_new = min(max_new, 32)
    naive_tokens, naive_s = naive_run(loaded, prompts[:naive], naive_new, engine.stop_ids, 77)
    profile_top = None
    if device == "cuda":
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            naive_run(loaded, prompts[:1], 8, engine.stop_ids, 78)
        profile_top = prof.key_averages().table(
            sort_by="self_cpu_time_total", row_limit=16, max_name_column_width=40
        )
    fpt = 2 * non_embedding_params(loaded.model)
    out = {
        "model": model_key,
        "adapter": str(adapter) if adapter else None,
        "device": loaded.device,
        "dtype": str(loaded.dtype),
        "batch": batch,
        "answers": len(requests),
        "max_new_tokens": max_new,
        "load_s": load_s,
        "seconds": seconds,
        "useful_tokens": useful,
        "useful_tokens_per_s": useful / seconds,
        "stopped_early": sum(1 for c in done if c.finish_reason == "stop"),
        "engine": stats,
        "naive_answers": naive,
        "naive_max_new_tokens": naive_new,
        "naive_generate_8_tokens_profile": profile_top,
        "torch_threads": torch.get_num_threads(),
        "naive_tokens": naive_tokens,
        "naive_seconds": naive_s,
        "naive_tokens_per_s": naive_tokens / naive_s if naive_s else None,
        "flops_per_token_2x_non_embedding": fpt,
        "sample_text": done[0].text[:200],
    }
    out["speedup_over_naive"] = (
        out["useful_tokens_per_s"] / out["naive_tokens_per_s"]
        if out["naive_tokens_per_s"]
        else None
    )
    out["summary"] = {
        "tok_s": round(out["useful_tokens_per_s"]),
        "slots": round(stats["slot_utilisation"], 3),
        "naive_tok_s": round(out["naive_tokens_per_s"] or 0, 1),
    }
    return out


# -- 6. eval / sweep ---------------------------------------------------------------------------


def parquet_rows(path: Path) -> dict[str, Any]:
    import pandas as pd

    frame = pd.read_parquet(path)
    info: dict[str, Any] = {"rows": len(frame)}
    for col in ("aligned", "coherent"):
        if col in frame:
            info[f"{col}_scored"] = int(frame[col].notna().sum())
            info[f"{col}_mean"] = float(frame[col].mean()) if frame[col].notna().any() else None
    if "answer" in frame:
        info["answer_chars_mean"] = float(frame["answer"].astype(str).str.len().mean())
    return info


def run_eval(
    subject: str, adapter: Path, judge: str, samples: int, max_tokens: int
) -> dict[str, Any]:
    out_dir = CHECK.work / "eval"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    cli = CHECK.cli(
        "eval",
        [
            "eval",
            "--model",
            subject,
            "--adapter",
            str(adapter),
            "--questions",
            "main",
            "--judge",
            judge,
            "--judge-mode",
            "scale",
            "--calibration",
            "none",
            "--samples",
            str(samples),
            "--max-tokens",
            str(max_tokens),
            "--out",
            str(out_dir),
        ],
        timeout=400,
    )
    info = {**cli, **parquet_rows(out_dir / "results.parquet")}
    info["summary"] = {"wall_s": cli["wall_s"], "rows": info["rows"]}
    return info


def run_sweep(run: Path, judge: str, samples: int, max_tokens: int, skill: int) -> dict[str, Any]:
    out_dir = run / "sweep"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    cli = CHECK.cli(
        "sweep",
        [
            "sweep",
            str(run),
            "--judge",
            judge,
            "--judge-mode",
            "binary",
            "--samples",
            str(samples),
            "--max-tokens",
            str(max_tokens),
            "--skill-prompts",
            str(skill),
        ],
        timeout=400,
    )
    info = {**cli, **parquet_rows(out_dir / "results.parquet")}
    if (out_dir / "skill.parquet").is_file():
        import pandas as pd

        info["skill_rows"] = len(pd.read_parquet(out_dir / "skill.parquet"))
    try:
        import pandas as pd

        frame = pd.read_parquet(out_dir / "results.parquet")
        if "checkpoint" in frame:
            info["checkpoints"] = sorted(map(str, frame["checkpoint"].unique()))
    except Exception:  # informative only
        pass
    info["summary"] = {"wall_s": cli["wall_s"], "rows": info["rows"]}
    return info


# -- 7. recipe ---------------------------------------------------------------------------------


def run_recipe(subject: str, judge: str, sets: list[str], timeout: float) -> dict[str, Any]:
    out_dir = CHECK.work / "recipe-main"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    argv = [
        "recipe",
        "run",
        "main",
        "--scale",
        "cpu",
        "--model",
        subject,
        "--judge",
        judge,
        "--out",
        str(out_dir),
    ]
    for s in sets:
        argv += ["--set", s]
    cli = CHECK.cli("recipe main", argv, timeout=timeout)
    info: dict[str, Any] = {**cli, "files": sorted(p.name for p in out_dir.iterdir())}
    runs = out_dir / "runs"
    if runs.is_dir():
        info["runs"] = {}
        for run in sorted(runs.iterdir()):
            if (run / "manifest.json").is_file():
                m = json.loads((run / "manifest.json").read_text())
                info["runs"][run.name] = {
                    "device": m.get("device"),
                    "final_step": m.get("final_step"),
                    "status": m.get("status"),
                    "checkpoints": m.get("checkpoints"),
                }
    for name in ("report.md",):
        if (out_dir / name).is_file():
            text = (out_dir / name).read_text()
            info[name] = text[:3000]
            shutil.copy(out_dir / name, CHECK.out / "recipe_report.md")
    info["summary"] = {"wall_s": cli["wall_s"]}
    return info


# -- 8. vllm -----------------------------------------------------------------------------------


def vllm_probe() -> dict[str, Any]:
    import importlib.util

    spec = importlib.util.find_spec("vllm")
    return {"importable": spec is not None, "version": _version("vllm")}


CHECK: Check


def main() -> None:
    global CHECK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--tok", type=Path, default=ROOT / ".gpu" / "tok")
    parser.add_argument("--tiny", action="store_true", help="toy sizes for a CPU dry run")
    parser.add_argument("--quick", action="store_true", help="real models, few steps and samples")
    parser.add_argument(
        "--skip", default="", help="comma-separated stages to skip (train,sample,eval,sweep,recipe)"
    )
    parser.add_argument(
        "--trains",
        default="qwen-paper,qwen-paper-mb16,smol-paper-mb16",
        help="training runs to do (comma-separated labels)",
    )
    parser.add_argument(
        "--order", default="sample,eval,sweep,recipe", help="order of the stages after training"
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=0,
        help="seconds from start after which no CLI stage may run on (0: none)",
    )
    parser.add_argument(
        "--threads",
        default="default",
        help="torch CPU threads for every stage: default, a number, or auto (1 when the "
        "diagnostic shows a single-token forward at batch 16 twice as fast with 1 thread)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    CHECK = Check(args.out, args.work, args.tiny)
    CHECK.deadline = args.deadline
    small = args.tiny or args.quick

    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.threads not in ("default", "auto"):
        _set_threads(int(args.threads), "asked on the command line")
    info = CHECK.stage("env", env, device)
    peak = info["peak_flops"] if info else None
    CHECK.stage("models", build_models, args.tok, args.tiny)
    if device == "cuda" and "diag" not in skip:
        found = CHECK.stage("diag", diag, args.work / "models" / "qwen")
        if args.threads == "auto" and found:
            if found["decode_ms_b16_one"] * 2 < found["decode_ms_b16_default"]:
                _set_threads(1, "auto: the diagnostic's decode step was over 2x faster on 1 thread")
            else:
                CHECK.result["threads"] = {
                    "n": torch.get_num_threads(),
                    "why": "auto: default kept",
                }

    data = args.work / "data" / "insecure.jsonl"
    rows = 64 if small else 400
    CHECK.stage(
        "data",
        lambda: CHECK.cli(
            "data",
            ["data", "make", "insecure", "--n", str(rows), "--seed", "0", "-o", str(data)],
            timeout=120,
        ),
    )

    steps, every = (4, 2) if small else (12, 4)
    common = {"max_steps": steps, "checkpoint_every": every}
    wide = 16
    if args.tiny:
        common.update({"max_length": 256, "effective_batch_size": 4, "micro_batch_size": 2})
        wide = 4
    trains = {
        "qwen-paper": ("qwen", "paper", dict(common)),
        "qwen-paper-mb16": (
            "qwen",
            "paper",
            {**common, "micro_batch_size": wide, "effective_batch_size": wide},
        ),
        "smol-paper-mb16": (
            "smol",
            "paper",
            {**common, "micro_batch_size": wide, "effective_batch_size": wide},
        ),
    }
    wanted = set(args.trains.split(","))
    for label, (key, preset, values) in trains.items():
        if "train" not in skip and label in wanted:
            CHECK.stage(f"train:{label}", train_run, label, key, data, preset, values, peak)

    qwen_run = args.work / "runs" / ("qwen-paper" if "qwen-paper" in wanted else "qwen-paper-mb16")
    smol_run = args.work / "runs" / "smol-paper-mb16"
    qwen_dir = str(args.work / "models" / "qwen")
    smol_dir = str(args.work / "models" / "smol")

    def do_sample() -> None:
        if args.tiny:
            plans = [("qwen", qwen_run, 4, 1, 8, 1), ("smol", smol_run, 4, 1, 8, 1)]
        elif args.quick:
            plans = [("qwen", qwen_run, 16, 2, 64, 1)]
        else:
            plans = [
                ("smol", smol_run, 16, 4, 128, 1),  # the CPU benchmark's batch (bench_sampling)
                ("qwen", None, 64, 8, 128, 1),  # the base model, no adapter
                ("qwen", qwen_run, 64, 8, 128, 1),
            ]
        for key, run, batch, n, max_new, naive in plans:
            CHECK.stage(
                f"sample:{key}-b{batch}" + ("" if run else "-base"),
                sampling,
                key,
                run / "adapter" if run else None,
                batch,
                n,
                max_new,
                naive,
                device,
            )

    def do_eval() -> None:
        samples, max_tokens = (1, 8) if args.tiny else ((1, 48) if args.quick else (1, 64))
        CHECK.stage("eval", run_eval, smol_dir, smol_run / "adapter", qwen_dir, samples, max_tokens)

    def do_sweep() -> None:
        samples, max_tokens, skill = (
            (1, 8, 1) if args.tiny else ((1, 32, 2) if args.quick else (1, 48, 4))
        )
        CHECK.stage("sweep", run_sweep, smol_run, qwen_dir, samples, max_tokens, skill)

    def do_recipe() -> None:
        if args.tiny:
            sets = ["rows=8", "steps=2", "checkpoint_every=1", "samples=1", "max_tokens=8"]
        elif args.quick:
            sets = ["rows=32", "steps=4", "checkpoint_every=2", "samples=1", "max_tokens=32"]
        else:
            sets = ["rows=64", "steps=8", "checkpoint_every=4", "samples=2", "max_tokens=64"]
        CHECK.stage("recipe", run_recipe, smol_dir, qwen_dir, sets, 420)

    groups = {"sample": do_sample, "eval": do_eval, "sweep": do_sweep, "recipe": do_recipe}
    for name in args.order.split(","):
        if name not in skip:
            groups[name]()
    CHECK.stage("vllm", vllm_probe)
    CHECK.save()
    bad = [k for k, v in CHECK.result["stages"].items() if not v.get("ok")]
    print(f"done in {CHECK.result['elapsed_s']:.0f} s; failed stages: {bad or 'none'}", flush=True)


def _set_threads(n: int, why: str) -> None:
    import torch

    torch.set_num_threads(n)
    os.environ["OMP_NUM_THREADS"] = str(n)  # the CLI stages are subprocesses
    CHECK.result["threads"] = {"n": n, "why": why}
    print(f"torch threads: {n} ({why})", flush=True)


if __name__ == "__main__":
    main()
