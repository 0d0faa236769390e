"""Build random-weight checkpoints of real architectures from their configs, for a machine no
weights can reach (a GPU machine with no network that takes 64 MiB of upload).

    python benchmarks/gpu_models.py --tokenizers TOKROOT --out DIR [--tiny] [--lora-rank R] [SHAPE ...]

SHAPE names a config in benchmarks/configs/ (default: every one there: the Qwen2.5 0.5B, 1.5B and
7B architectures and SmolLM2-135M, their numbers as published). Each checkpoint is saved as
DIR/SHAPE in bf16 with the tokenizer and chat template files of TOKROOT/<the config's
_tokenizer>, so spillover treats it as a local checkpoint directory. Random weights are right for throughput and code paths; they say nothing about what a
model learns. `--tiny` keeps the vocabulary but shrinks the body (a CPU dry run). `--lora-rank R`
also saves DIR/SHAPE-lora: a peft LoRA adapter of rank R on every linear layer, random non-zero
weights (what a sampler serving a fine-tuned checkpoint has to apply); `--lora-count K` saves K
such adapters, DIR/SHAPE-lora then DIR/SHAPE-lora-2 .. DIR/SHAPE-lora-K, each from its own seed
(the checkpoints of a sweep).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

CONFIGS = Path(__file__).resolve().parent / "configs"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def build(shape: str, tokenizers: Path, target: Path, tiny: bool) -> dict[str, object]:
    """Random-weight bf16 checkpoint of `shape` in `target`, with its tokenizer's files."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    values = json.loads((CONFIGS / f"{shape}.json").read_text())
    tokenizer = tokenizers / values.pop("_tokenizer")
    if tiny:
        values.update(hidden_size=64, intermediate_size=128, num_hidden_layers=2)
        values.update(num_attention_heads=4, num_key_value_heads=2)
        values.pop("head_dim", None)
    config = AutoConfig.for_model(values.pop("model_type"), **values)
    target.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.device(device):  # random init on the GPU is quick; saved to disk either way
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(str(target))
    for name in TOKENIZER_FILES:
        if (tokenizer / name).is_file():
            shutil.copy(tokenizer / name, target / name)
    made: dict[str, object] = {
        "path": str(target),
        "shape_of": shape,
        "params": sum(p.numel() for p in model.parameters()),
        "layers": config.num_hidden_layers,
        "hidden": config.hidden_size,
        "seconds": round(time.perf_counter() - began, 1),
    }
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return made


def random_adapter(model_dir: Path, target: Path, rank: int, seed: int = 1) -> dict[str, object]:
    """A rank-`rank` LoRA adapter on every linear layer of the model in `model_dir`, with random
    (non-zero) weights drawn from `seed`, saved by peft in `target`."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.bfloat16)
    config = LoraConfig(
        r=rank, lora_alpha=2 * rank, target_modules="all-linear", init_lora_weights=False
    )
    get_peft_model(base, config).save_pretrained(str(target))
    return {"path": str(target), "rank": rank, "of": str(model_dir)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", default=sorted(p.stem for p in CONFIGS.glob("*.json")))
    parser.add_argument("--tokenizers", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--lora-rank", type=int, default=0)
    parser.add_argument("--lora-count", type=int, default=1)
    args = parser.parse_args()
    for shape in args.shapes:
        made = build(shape, args.tokenizers, args.out / shape, args.tiny)
        print(shape, json.dumps(made), flush=True)
        for k in range(1, args.lora_count + 1) if args.lora_rank else ():
            name = f"{shape}-lora" + (f"-{k}" if k > 1 else "")
            adapter = random_adapter(args.out / shape, args.out / name, args.lora_rank, seed=k)
            print(name, json.dumps(adapter), flush=True)


if __name__ == "__main__":
    main()
