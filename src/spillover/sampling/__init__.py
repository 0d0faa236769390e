"""Fast local sampling: continuous batching over one base model, LoRA adapters switched on top,
exposed to inspect_ai as the `spillover/<model spec>` provider."""

from spillover.sampling.api import clear_engines, get_engine, sample_chat
from spillover.sampling.engine import Engine, stop_token_ids
from spillover.sampling.prompt import Prompt, render_chat
from spillover.sampling.types import Completion, EngineStats, Request, SamplingParams, TokenLogprob

__all__ = [
    "Completion",
    "Engine",
    "EngineStats",
    "Prompt",
    "Request",
    "SamplingParams",
    "TokenLogprob",
    "clear_engines",
    "get_engine",
    "render_chat",
    "sample_chat",
    "stop_token_ids",
]
