"""The inspect_ai model provider `spillover/<model spec>`: local models through the sampling engine.

Model args (`-M`): adapter=<LoRA dir>, max_batch=<rows>, dtype=bfloat16|float16|float32,
device=cpu|cuda. inspect calls `generate` once per sample, concurrently; each call submits to the
shared engine, whose worker batches whatever is waiting, so concurrent calls become one batch.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    TopLogprob,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from spillover.errors import SpilloverError
from spillover.models.device import parse_dtype
from spillover.sampling.api import DEFAULT_MAX_BATCH, get_engine
from spillover.sampling.engine import Engine
from spillover.sampling.prompt import render_chat
from spillover.sampling.types import Completion, Request, SamplingParams, TokenLogprob

DEFAULT_MAX_TOKENS = 600
_NO_CONFIG = GenerateConfig()


def _logprobs(items: list[TokenLogprob]) -> Logprobs:
    return Logprobs(
        content=[
            Logprob(
                token=item.token,
                logprob=item.logprob,
                top_logprobs=[TopLogprob(token=tok, logprob=lp) for tok, lp in item.top] or None,
            )
            for item in items
        ]
    )


class SpilloverModelAPI(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = _NO_CONFIG,
        adapter: str | None = None,
        max_batch: int | str | None = None,
        dtype: str | None = None,
        device: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        if model_args:
            raise SpilloverError(
                f"unknown model args for spillover/: {', '.join(sorted(model_args))}",
                hint="supported: adapter, max_batch, dtype, device",
            )
        self.adapter = str(Path(adapter).expanduser().resolve()) if adapter else None
        batch = int(max_batch) if max_batch is not None else None
        self._engine_args: dict[str, Any] = {
            "dtype": parse_dtype(dtype),
            "device": device,
            "max_batch": batch,
        }
        self._engine = get_engine(model_name, **self._engine_args)

    @property
    def engine(self) -> Engine:
        """The shared engine; inspect keeps model objects alive across evals, so a closed engine
        (after `clear_engines()`) is replaced by the current one for the same base model."""
        if self._engine.closed:
            self._engine = get_engine(self.model_name, **self._engine_args)
        return self._engine

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        started = time.perf_counter()
        messages = [
            {"role": m.role, "content": m.text}
            for m in input
            if m.role in ("system", "user", "assistant")
        ]
        prompt = render_chat(self.engine.tokenizer, messages)
        seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
        choices = max(1, config.num_choices or 1)
        params = [
            SamplingParams(
                temperature=1.0 if config.temperature is None else config.temperature,
                top_p=1.0 if config.top_p is None else config.top_p,
                max_new_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
                seed=seed + k,
                logprobs=bool(config.logprobs),
                top_logprobs=config.top_logprobs or 0,
            )
            for k in range(choices)
        ]
        futures = [self.engine.submit(Request(prompt.ids, p, self.adapter)) for p in params]
        completions: list[Completion] = list(
            await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
        )
        return ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=c.text, model=self.model_name, source="generate"
                    ),
                    stop_reason="stop" if c.finish_reason == "stop" else "max_tokens",
                    logprobs=_logprobs(c.logprobs) if c.logprobs is not None else None,
                )
                for c in completions
            ],
            usage=ModelUsage(
                input_tokens=len(prompt.ids),
                output_tokens=sum(c.new_tokens for c in completions),
                total_tokens=len(prompt.ids) + sum(c.new_tokens for c in completions),
            ),
            time=time.perf_counter() - started,
            metadata={
                "system_prompt": prompt.system_prompt,
                "system_prompt_source": prompt.system_source,
                "adapter": self.adapter,
                "seed": seed,
                "new_tokens": [c.new_tokens for c in completions],
            },
        )

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        return self.engine.max_batch or DEFAULT_MAX_BATCH

    def connection_key(self) -> str:
        return f"spillover:{self.model_name}:{self.adapter}"
