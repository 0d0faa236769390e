"""Run one fine-tune: validate everything, build the model, train with TRL's SFTTrainer, record it."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spillover.errors import SpilloverError
from spillover.io import write_text
from spillover.train.args import TRAINER_DIR, checkpointing_off, sft_kwargs
from spillover.train.checkpoints import latest_valid, list_checkpoints, resume_view
from spillover.train.config import TrainConfig, config_to_yaml
from spillover.train.dataset import PreparedRows, TokenisedData, prepare_rows, tokenise_rows
from spillover.train.distributed import LaunchInfo, launch_info
from spillover.train.manifest import MANIFEST, RunManifest

ADAPTER_DIR = "adapter"  # LoRA runs: the final adapter
FULL_MODEL_DIR = "model"  # full fine-tunes: the final weights


@dataclass
class TrainResult:
    run_dir: Path
    manifest: RunManifest


def _check_run_dir(run_dir: Path, resume: bool) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise SpilloverError(f"{run_dir} exists and is not a directory")
    if not resume and (run_dir / MANIFEST).exists():
        raise SpilloverError(
            f"{run_dir} already holds a run",
            "pass --resume to continue it, or choose another --out",
        )


def _system_prompt(
    tokenizer: Any, prepared: PreparedRows, config: TrainConfig
) -> tuple[str | None, str]:
    from spillover.models.chat_template import injected_system_prompt

    if config.mitigations.inoculation_prompt:
        return config.mitigations.inoculation_prompt, "inoculation"
    if prepared.rows and all(r.messages[0].role == "system" for r in prepared.rows):
        return prepared.rows[0].messages[0].content, "data"
    return injected_system_prompt(tokenizer), "template-default"


def build_model(spec_path: Path, config: TrainConfig, dtype: Any, device: str) -> Any:
    """The base model with a fresh LoRA (or `init_adapter`, trainable), or the full model."""
    import torch
    from transformers import AutoModelForCausalLM

    load_dtype = dtype if config.method == "lora" else torch.float32
    model: Any = AutoModelForCausalLM.from_pretrained(str(spec_path), dtype=load_dtype)
    model.to(device)
    if config.method == "full":
        return model
    from peft import LoraConfig, PeftModel, get_peft_model

    from spillover.models.load import peft_wrapping

    if config.init_adapter is not None:
        adapter = Path(config.init_adapter)
        if not (adapter / "adapter_config.json").is_file():
            raise SpilloverError(f"{adapter} is not a LoRA adapter: it has no adapter_config.json")
        with peft_wrapping():
            return PeftModel.from_pretrained(model, str(adapter), is_trainable=True)  # type: ignore[arg-type]
    lora = config.lora
    peft_config = LoraConfig(
        r=lora.r,
        lora_alpha=int(lora.alpha) if float(lora.alpha).is_integer() else lora.alpha,  # type: ignore[arg-type]
        lora_dropout=lora.dropout,
        use_rslora=lora.rslora,
        target_modules=lora.target_modules,
        bias=lora.bias,
        task_type="CAUSAL_LM",
    )
    with peft_wrapping():
        return get_peft_model(model, peft_config)


def make_trainer(
    net: Any,
    tokenizer: Any,
    records: list[dict[str, list[int]]],
    config: TrainConfig,
    run: Path,
    launch: LaunchInfo,
    bf16: bool,
    cuda: bool,
    callbacks: list[Any],
    compact_head: bool = True,
    **overrides: Any,
) -> Any:
    """TRL's SFTTrainer on pre-tokenised rows (labels already mask all but the assistant turns)."""
    from datasets import Dataset
    from trl.trainer.sft_config import SFTConfig
    from trl.trainer.sft_trainer import SFTTrainer

    from spillover.train.fastloss import enable_compact_cpu_head

    if compact_head:
        enable_compact_cpu_head()

    kwargs = {
        **sft_kwargs(config, run, launch, bf16=bf16, cuda=cuda),
        **checkpointing_off({f.name for f in dataclasses.fields(SFTConfig)}),
        **overrides,
    }
    return SFTTrainer(
        model=net,
        args=SFTConfig(**kwargs),
        train_dataset=Dataset.from_list(records),
        processing_class=tokenizer,
        callbacks=callbacks,
    )


def _new_manifest(
    model: str,
    resolved: Any,
    config: TrainConfig,
    prepared: PreparedRows,
    tok: TokenisedData,
    tokenizer: Any,
    dtype: Any,
    device: str,
    launch: LaunchInfo,
) -> RunManifest:
    system_prompt, source = _system_prompt(tokenizer, prepared, config)
    return RunManifest(
        model=model,
        model_path=str(resolved.path),
        model_kind=resolved.kind,
        config=config.model_dump(mode="json"),
        data=prepared.data,
        narrow_rows=prepared.narrow_rows,
        held_out_rows=prepared.held_out_rows,
        benign_rows=prepared.benign_rows,
        benign_data=prepared.benign,
        rows_dropped=tok.dropped,
        rows_truncated=tok.truncated,
        trained_tokens=tok.trained_tokens,
        total_tokens=tok.total_tokens,
        chat_template=getattr(tokenizer, "chat_template", None),
        system_prompt=system_prompt,
        system_prompt_source=source,
        inoculation_prompt=config.mitigations.inoculation_prompt,
        init_adapter=config.init_adapter,
        seed=config.seed,
        dtype=str(dtype).removeprefix("torch."),
        device=device,
        world_size=launch.world_size,
    )


def train(
    model: str,
    data: str | Path,
    run_dir: str | Path,
    config: TrainConfig,
    resume: bool = False,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Fine-tune `model` on chat JSONL `data` into `run_dir`. Bad data/config fail before training.
    `callbacks` (transformers TrainerCallbacks) run after ours: on save, the checkpoint is
    already sealed in checkpoints/step-N."""
    run = Path(run_dir)
    _check_run_dir(run, resume)
    launch = launch_info()
    prepared = prepare_rows(data, config)  # InputError naming the row, before any model is loaded

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from transformers import AutoTokenizer
    from transformers.trainer_utils import set_seed

    from spillover.models.device import preferred_device, preferred_dtype
    from spillover.models.resolve import hub_kernels_off_when_offline, resolve_model
    from spillover.train.callbacks import CheckpointCallback, MetricsCallback, trim_metrics

    hub_kernels_off_when_offline()
    resolved = resolve_model(model)
    tokenizer = AutoTokenizer.from_pretrained(str(resolved.path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tok = tokenise_rows(tokenizer, prepared.rows, config.max_length)
    if not tok.records:
        raise SpilloverError(
            f"{data}: no row has an assistant token within max_length {config.max_length}"
        )

    device = "cuda" if torch.cuda.is_available() else preferred_device()
    dtype = preferred_dtype(device)
    bf16 = dtype == torch.bfloat16

    if launch.is_main:
        for stale in (run / TRAINER_DIR).glob("checkpoint-*"):
            shutil.rmtree(stale, ignore_errors=True)  # half-written by a killed run
    warnings: list[str] = []
    view: Path | None = None
    resumed_at: int | None = None
    if resume:
        ckpt = latest_valid(run, warnings, move_aside=launch.is_main)
        if ckpt is not None:
            view = resume_view(ckpt, run / TRAINER_DIR / f"resume-{ckpt.step}-{launch.rank}")
            resumed_at = ckpt.step
        elif list_checkpoints(run):
            warnings.append("no intact checkpoint to resume from; starting over")

    manifest = _new_manifest(
        model, resolved, config, prepared, tok, tokenizer, dtype, device, launch
    )
    if resume and (run / MANIFEST).exists():
        old = RunManifest.load(run)
        if old.data.sha256 != prepared.data.sha256 or old.config != manifest.config:
            raise SpilloverError(
                f"{run}: --resume with different data or config than the run started with",
                "resume with the same --data/--config/--preset, or start a new --out",
            )
        manifest.started = old.started
        manifest.resumed_from = old.resumed_from
        manifest.warnings = old.warnings
    if resumed_at is not None:
        manifest.resumed_from.append(resumed_at)
    manifest.warnings.extend(warnings)

    if launch.is_main:
        run.mkdir(parents=True, exist_ok=True)
        write_text(run / "config.yaml", config_to_yaml(config))
        if manifest.chat_template:
            write_text(run / "chat_template.jinja", manifest.chat_template)
        manifest.save(run)
        trim_metrics(run, resumed_at or 0)

    torch.set_grad_enabled(True)  # training needs autograd even if this process sampled before
    set_seed(config.seed)
    net = build_model(resolved.path, config, dtype, device)
    checkpoints = CheckpointCallback(run, launch.is_main)
    trainer = make_trainer(
        net,
        tokenizer,
        tok.records,
        config,
        run,
        launch,
        bf16,
        device == "cuda",
        [MetricsCallback(run, launch.is_main), checkpoints, *callbacks],
    )
    try:
        trainer.train(resume_from_checkpoint=str(view) if view else None)
    except BaseException:
        if launch.is_main:
            manifest.status = "interrupted"
            manifest.checkpoints = [c.path.name for c in list_checkpoints(run)]
            manifest.save(run)
        raise

    if launch.is_main:
        final_name = ADAPTER_DIR if config.method == "lora" else FULL_MODEL_DIR
        final = run / final_name
        trained: Any = trainer.model
        trained.save_pretrained(str(final))
        tokenizer.save_pretrained(str(final))
        manifest.adapter = final_name
        manifest.final_step = trainer.state.global_step
        manifest.status = "finished"
        manifest.finished = datetime.now(UTC).isoformat(timespec="seconds")
        manifest.checkpoints = [c.path.name for c in list_checkpoints(run)]
        manifest.save(run)
        shutil.rmtree(run / TRAINER_DIR, ignore_errors=True)
    return TrainResult(run, manifest)
