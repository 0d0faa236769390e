"""The GPU check: spillover's recipes at their `gpu` scale on one GPU, timed from their outputs.

    python benchmarks/gpu_check.py --out OUT [--tok TOKROOT]   # on a GPU machine
    python benchmarks/gpu_check.py --out OUT --dry-run         # anywhere: plan it, build nothing

Subject and judge are random-weight bf16 checkpoints (`gpu_models.py`: Qwen2.5-0.5B and
SmolLM2-135M shapes, with the real tokenizers from TOKROOT/NAME): no weights reach the machine.
Each stage is one `spillover recipe run NAME --scale gpu` (`main`: every arm trained and
evaluated; `dynamics`: the sweep, questions and skill in one evaluation), its figures read from
the recipe's outputs (summary.json's timings, each run's manifest and metrics.jsonl) into
OUT/gpu_check.json when it ends, beside the versions and the in-run matmul peak. `--dry-run`
runs each command with `--dry-run`: configs validated, every step planned, on any machine.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # peak.py and gpu_models.py
SHAPES = {"subject": "qwen2.5-0.5b", "judge": "smollm2-135m"}  # configs in benchmarks/configs/
RECIPES = ("main", "dynamics")
PACKAGES = ("transformers", "peft", "trl", "inspect_ai", "vllm")


def recipe_argv(name: str, out: Path, models: dict[str, Path] | None) -> list[str]:
    """`spillover` arguments of one stage (the scale's own models when `models` is None)."""
    picked = [] if models is None else ["--model", str(models["subject"])]
    picked += ["--judge", str(models["judge"])] if models else []
    return ["recipe", "run", name, "--scale", "gpu", "--out", str(out / name), *picked]


def _version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    """Versions, the device, and its bf16 matmul and copy ceilings measured here."""
    import torch

    info: dict[str, Any] = {"python": sys.version.split()[0], "torch": torch.__version__}
    info.update({name: _version(name) for name in PACKAGES})
    if torch.cuda.is_available():
        from peak import copy_bandwidth, matmul_flops

        info["device"] = torch.cuda.get_device_name()
        info["bf16_matmul_tflops"] = round(matmul_flops("cuda") / 1e12, 1)
        info["copy_gb_s"] = round(copy_bandwidth("cuda") / 1e9, 1)
    return info


def build_models(tok: Path, where: Path) -> dict[str, Path]:
    """Random-weight checkpoints of SHAPES (kept when already built)."""
    from gpu_models import build

    for shape in SHAPES.values():
        if not (where / shape / "config.json").is_file():
            build(shape, tok, where / shape, tiny=False)
    return {role: where / shape for role, shape in SHAPES.items()}


def recipe_figures(where: Path) -> dict[str, Any]:
    """What a finished recipe's outputs say: its timings and notes, and for each training run
    the device, dtype, logged steps and median tokens/s."""
    summary = json.loads((where / "summary.json").read_text(encoding="utf-8"))
    runs: dict[str, Any] = {}
    for manifest in sorted(where.glob("runs/*/manifest.json")):
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        lines = (manifest.parent / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
        rates = [r["tokens_per_s"] for r in map(json.loads, lines) if r.get("tokens_per_s")]
        runs[manifest.parent.name] = {
            "device": meta.get("device"),
            "dtype": meta.get("dtype"),
            "steps_logged": len(rates),
            "tokens_per_s": round(statistics.median(rates), 1) if rates else None,
        }
    return {"timings_s": summary["timings_s"], "notes": summary["notes"], "runs": runs}


def run_recipe(argv: list[str], where: Path, timeout: float, dry_run: bool) -> dict[str, Any]:
    """One stage: the command (in this process for a dry run), then the recipe's figures."""
    if dry_run:
        from spillover.cli import main as spillover  # the same command line, planned here

        if spillover([*argv, "--dry-run"]) != 0:
            raise RuntimeError(f"spillover {' '.join(argv)} --dry-run failed (see above)")
        return {"command": "spillover " + " ".join(argv), "planned": True}
    if "--model" not in argv:
        raise RuntimeError("no checkpoints to run on: the models stage failed")
    with (where.parent / f"{where.name}.log").open("w", encoding="utf-8") as log:
        cmd = [sys.executable, "-m", "spillover.cli", *argv]
        subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=True)
    return {"command": "spillover " + " ".join(argv), **recipe_figures(where)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tok", type=Path, default=HERE.parent / ".gpu" / "tok")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per recipe")
    parser.add_argument("--dry-run", action="store_true", help="plan every stage, build nothing")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"dry_run": args.dry_run, "stages": {}}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        print(f"== {name}", flush=True)
        start, value = time.perf_counter(), None
        try:
            value = fn()
            entry = {"ok": True, **(value if isinstance(value, dict) else {"value": value})}
        except Exception as err:  # a failed stage must not stop the others
            entry = {"ok": False, "error": f"{type(err).__name__}: {err}"[:2000]}
        entry["wall_s"] = round(time.perf_counter() - start, 1)
        result["stages"][name] = entry
        print(f"== {name}: {'ok' if entry['ok'] else 'FAILED'} in {entry['wall_s']} s", flush=True)
        text = json.dumps(result, indent=2, default=str)
        (args.out / "gpu_check.json").write_text(text, encoding="utf-8")
        return value

    if not args.dry_run:
        stage("env", environment)
    models = None if args.dry_run else stage("models", lambda: build_models(args.tok, args.out))
    for name in RECIPES:
        command = recipe_argv(name, args.out, models)
        stage(name, partial(run_recipe, command, args.out / name, args.timeout, args.dry_run))
    stage("vllm", lambda: {"version": _version("vllm")})
    return result


if __name__ == "__main__":
    outcome = main()
    sys.exit(0 if all(s["ok"] for s in outcome["stages"].values()) else 1)
