#!/usr/bin/env bash
# The GPU paths that need vLLM, on one GPU machine, from the repo root:
#   bash benchmarks/gpu_vllm.sh OUT TOKROOT SHAPE [STAGE ...]
# TOKROOT holds the real tokenizer files (TOKROOT/qwen2.5-coder-0.5b-instruct/...); SHAPE is a
# config in benchmarks/configs/ (qwen2.5-0.5b, say). vLLM, torch and spillover's dependencies
# must be importable; no network is needed. Each stage is bounded, logs to OUT/NAME.log and runs
# whether or not an earlier one failed; the STAGEs named run in that order (default: all):
#   models   a random-weight checkpoint of SHAPE and ten random rank-32 LoRA adapters on it
#   tests    the engine's CUDA test cases (slotted KV cache, refill, shared prefill, mixed LoRA,
#            adapters merged from their files)
#   bench    benchmarks/bench_vllm.py: vLLM against spillover's engine and the naive loop, with
#            one adapter and with all ten in one submission (a sweep's sampling)
#   eval     `spillover eval` with the subject served by inspect's vllm/ provider, adapter on
#   train    `spillover train` on SHAPE (bf16 LoRA, TRL), 6 steps, a checkpoint every 2
#   sweep    `spillover sweep` of that run served by vLLM (`--model vllm/SHAPE`): one server,
#            every checkpoint a LoRA adapter; answers, judge and skill tables
set -u
out=$1; tok=$2; shape=$3; shift 3
stages=("$@"); [ ${#stages[@]} -gt 0 ] || stages=(models tests bench eval)
work=/tmp/gpu-vllm; models=$work/models; mkdir -p "$out" "$work"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
export SPILLOVER_HOME=$work/home INSPECT_LOG_DIR=$work/inspect-logs
# what inspect's vllm/ provider passes to `vllm serve` (a small model: no need for 32k contexts)
export VLLM_DEFAULT_SERVER_ARGS='{"max_model_len": 4096, "gpu_memory_utilization": 0.6}'

stage() {  # stage NAME SECONDS COMMAND...
  local name=$1 limit=$2; shift 2
  local began=$SECONDS
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "== $name: exit $rc in $((SECONDS - began)) s" | tee -a "$out/stages.txt"
  tail -n 8 "$out/$name.log"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >>"$out/stages.txt"
for name in "${stages[@]}"; do
  case "$name" in
    models) stage models 120 python3 benchmarks/gpu_models.py --tokenizers "$tok" \
              --out "$models" --lora-rank 32 --lora-count 10 "$shape";;
    tests) stage tests 150 python3 -m pytest -q -p no:cacheprovider -k cuda \
             tests/sampling/test_kv.py tests/sampling/test_engine.py tests/sampling/test_mixed.py \
             tests/sampling/test_merged.py;;
    bench) stage bench 330 python3 benchmarks/bench_vllm.py --model "$models/$shape" \
             --adapter "$models/$shape-lora" --sweep "$models/$shape"-lora* \
             --out "$out/bench_vllm.json";;
    eval) stage eval 240 python3 -m spillover.cli eval --model "vllm/$models/$shape" \
            --adapter "$models/$shape-lora" --questions main --samples 2 --max-tokens 64 \
            --judge "$models/$shape" --judge-mode binary --out "$work/eval"
          ls -R "$work/eval" >>"$out/eval.log" 2>&1;;
    train) rm -rf "$work/run"
           stage train 150 python3 -m spillover.cli train --model "$models/$shape" \
             --data src/spillover/train/benign.jsonl --max-rows 96 --preset cpu-small \
             --max-steps 6 --checkpoint-every 2 --out "$work/run"
           ls "$work/run" "$work/run/checkpoints" >>"$out/train.log" 2>&1;;
    sweep) VLLM_DEFAULT_SERVER_ARGS='{"max_model_len": 4096, "gpu_memory_utilization": 0.5,
             "enforce_eager": true}' \
           stage sweep 330 python3 -m spillover.cli sweep "$work/run" --model "vllm/$models/$shape" \
             --questions main --samples 2 --max-tokens 64 --judge "$models/$shape" \
             --judge-mode binary --skill-prompts 4 --out "$work/sweep"
           python3 -c "import pandas as p; t = p.read_parquet('$work/sweep/results.parquet'); \
print(t.groupby('checkpoint').size()); print(p.read_parquet('$work/sweep/skill.parquet'))" \
             >>"$out/sweep.log" 2>&1;;
    *) echo "unknown stage $name" >&2; exit 2;;
  esac
done
