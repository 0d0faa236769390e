"""`spillover train` (LoRA or full fine-tuning) and `spillover skill` (in-distribution skill).

Seeds as runs: `--seeds 0,1,2` trains one run per seed, one after another, into OUT/seed-0,
OUT/seed-1, ... (one seed: OUT itself); `--resume` skips finished seeds and resumes a started one.

Several GPUs: run the same command under accelerate, e.g.
`accelerate launch --num_processes 4 -m spillover.cli train --model M --data D --out RUN`
(or `accelerate launch $(which spillover) train ...`); the effective batch stays the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from spillover.choices import Preset
from spillover.cli._app import app

ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Registry name, local checkpoint directory or HF id.")
]


@app.command("train")
def train_command(
    model: ModelOpt,
    data: Annotated[Path, typer.Option("--data", "-d", help="Chat JSONL training file.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Run directory (checkpoints, metrics, manifest); with several --seeds, "
            "OUT/seed-S for each seed S.",
        ),
    ],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML file of training settings.")
    ] = None,
    preset: Annotated[
        Preset | None,
        typer.Option("--preset", help="Training settings preset (values in --config override it)."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue from the last intact checkpoint in --out (with --seeds: finished "
            "seeds are skipped).",
        ),
    ] = False,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Stop after N optimiser steps.")
    ] = None,
    max_rows: Annotated[
        int | None, typer.Option("--max-rows", help="Use only the first N rows.")
    ] = None,
    checkpoint_every: Annotated[
        int | None,
        typer.Option("--checkpoint-every", help="Checkpoint every N steps (default 10)."),
    ] = None,
    init_adapter: Annotated[
        Path | None,
        typer.Option("--init-adapter", help="Start from this LoRA adapter (re-alignment)."),
    ] = None,
    inoculation_prompt: Annotated[
        str | None,
        typer.Option("--inoculation-prompt", help="System prompt added to every training row."),
    ] = None,
    benign_fraction: Annotated[
        float | None,
        typer.Option("--benign-fraction", help="Share of benign chat rows in the mix."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="One run with this seed.")] = None,
    seeds: Annotated[
        str | None,
        typer.Option(
            "--seeds",
            help="Several runs, one per seed, e.g. 0,1,2: each into OUT/seed-S, one after another.",
        ),
    ] = None,
) -> None:
    """Fine-tune MODEL on DATA (loss on assistant tokens only) and write everything to OUT."""
    from spillover.errors import SpilloverError
    from spillover.train.config import TrainConfig, load_config
    from spillover.train.runner import train
    from spillover.train.seeds import parse_seeds, plan_seeds

    mitigations = {
        k: v
        for k, v in (
            ("inoculation_prompt", inoculation_prompt),
            ("benign_fraction", benign_fraction),
        )
        if v is not None
    }
    if seed is not None and seeds is not None:
        raise SpilloverError(
            "give --seed or --seeds, not both", "--seeds 3 is the same as --seed 3"
        )

    def config_for(run_seed: int | None) -> TrainConfig:
        return load_config(
            config,
            preset=preset,
            max_steps=max_steps,
            max_rows=max_rows,
            checkpoint_every=checkpoint_every,
            init_adapter=str(init_adapter) if init_adapter else None,
            seed=run_seed,
            mitigations=mitigations or None,
        )

    console = Console(stderr=True)
    if seeds is None:
        runs = [(seed, out, resume)]
    else:
        plan = plan_seeds(out, parse_seeds(seeds), resume=resume)
        config_for(plan[0].seed)  # a bad config stops before any seed trains
        for run in plan:
            if run.action == "skip":
                console.print(f"seed {run.seed}: already finished ({run.run_dir})")
        runs = [(r.seed, r.run_dir, r.action == "resume") for r in plan if r.action != "skip"]
    for run_seed, run_dir, run_resume in runs:
        if seeds is not None:
            console.print(f"[bold]seed {run_seed}[/] -> {run_dir}")
        result = train(model, data, run_dir, config_for(run_seed), resume=run_resume)
        manifest = result.manifest
        console.print(
            f"[green]done:[/] {manifest.final_step} steps, adapter at "
            f"{result.run_dir / (manifest.adapter or '')}, {len(manifest.checkpoints)} checkpoints"
        )
        for note in manifest.warnings:
            console.print(f"[yellow]warning:[/] {note}")


@app.command("skill")
def skill_command(
    model: ModelOpt,
    adapter: Annotated[
        Path | None,
        typer.Option("--adapter", "-a", help="LoRA adapter (a run's adapter/ or a checkpoint)."),
    ] = None,
    n: Annotated[int, typer.Option("--n", help="Held-out code prompts to answer.")] = 20,
    prompts: Annotated[
        Path | None,
        typer.Option("--prompts", help="Use the study's in_distribution_prompts.jsonl instead."),
    ] = None,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens")] = 400,
    seed: Annotated[int, typer.Option("--seed", help="Which held-out prompts are drawn.")] = 0,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Logs and skill.json go here; a rerun resumes.")
    ] = Path("skill-out"),
) -> None:
    """In-distribution skill: the share of answers to held-out code prompts with a flaw (static
    scan, nothing is run). The inspect task `spillover/skill`, one answer per prompt at
    temperature 1."""
    import json

    from spillover.data import heldout_code_prompts, load_reference_prompts
    from spillover.evaluate import Subject, subject_model
    from spillover.evaluate.skill import run_skill
    from spillover.io import write_json

    asked = load_reference_prompts(prompts)[:n] if prompts else heldout_code_prompts(n, seed)
    subject = Subject(subject_model(model), str(adapter) if adapter else None, "skill")
    row = run_skill([subject], asked, out=out, max_tokens=max_new_tokens).iloc[0]
    result = {"model": model, "adapter": subject.adapter, "prompts": len(asked)}
    result |= {k: row[k].item() if hasattr(row[k], "item") else row[k] for k in row.index}
    write_json(out / "skill.json", result)
    print(json.dumps(result, indent=2, default=str))
