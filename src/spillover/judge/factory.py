"""make_judge: pick the local or the API judge from a JudgeSpec's model string.

* ``spillover/<spec>`` -> LocalJudge on ``<spec>`` (explicitly local);
* a registry name (``qwen2.5-coder-1.5b-instruct``) or an existing directory -> LocalJudge;
* ``<provider>/<model>`` where the provider is an inspect_ai model provider
  (``openai/gpt-4o``, ``openai-api/...``, ``vllm/...``, ``hf/...``, ``mockllm/model``) -> ApiJudge;
* anything else with a slash is taken as a Hugging Face id -> LocalJudge (fails fast offline).
"""

from __future__ import annotations

import threading
from pathlib import Path

from spillover.judge.base import Judge, JudgeSpec

LOCAL_PREFIX = "spillover/"
INSPECT_PROVIDERS = frozenset(
    {
        "openai",
        "openai-api",
        "anthropic",
        "google",
        "vertex",
        "mistral",
        "grok",
        "groq",
        "together",
        "fireworks",
        "openrouter",
        "perplexity",
        "deepseek",
        "azureai",
        "bedrock",
        "cf",
        "ollama",
        "llama-cpp-python",
        "vllm",
        "sglang",
        "hf",
        "transformer_lens",
        "hf-inference-providers",
        "mockllm",
        "goodfire",
        "nnterp",
    }
)


def is_api_model(model: str) -> bool:
    provider, sep, _ = model.partition("/")
    return bool(sep) and provider in INSPECT_PROVIDERS and not model.startswith(LOCAL_PREFIX)


# Local judges hold their weights and instruction caches; a sweep or a recipe evaluates many
# checkpoints with the same judge, so each spec is loaded once per process.
_LOCAL_JUDGES: dict[str, Judge] = {}
_LOCK = threading.Lock()


def make_judge(spec: JudgeSpec) -> Judge:
    """The judge `spec` names; local judges load their weights here, once per process."""
    model = spec.model
    if is_api_model(model) and not Path(model).is_dir():
        from spillover.judge.api import ApiJudge

        return ApiJudge(spec)
    if model.startswith(LOCAL_PREFIX):
        spec = spec.model_copy(update={"model": model[len(LOCAL_PREFIX) :]})
    key = spec.model_dump_json()
    with _LOCK:
        judge = _LOCAL_JUDGES.get(key)
        if judge is None:
            from spillover.judge.local import LocalJudge

            judge = _LOCAL_JUDGES[key] = LocalJudge(spec)
        return judge


def clear_judges() -> None:
    """Forget the loaded local judges (frees their weights)."""
    with _LOCK:
        _LOCAL_JUDGES.clear()
