"""What one sampling request asks for and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class SamplingParams:
    """How to sample one completion. `temperature=0` means greedy decoding."""

    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 600
    seed: int = 0
    logprobs: bool = False
    top_logprobs: int = 0

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")


@dataclass(frozen=True)
class TokenLogprob:
    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Request:
    """A tokenised prompt plus sampling parameters; `adapter` None means the base model."""

    prompt_ids: tuple[int, ...]
    params: SamplingParams = SamplingParams()
    adapter: str | None = None


@dataclass
class Completion:
    text: str
    token_ids: list[int]
    finish_reason: FinishReason
    prompt_tokens: int
    logprobs: list[TokenLogprob] | None = None

    @property
    def new_tokens(self) -> int:
        return len(self.token_ids)


@dataclass
class EngineStats:
    """Counters for judging how well the batch slots were used."""

    decode_steps: int = 0
    row_steps: int = 0  # rows computed over all decode steps (every one yields a token)
    slot_capacity: int = 0  # decode_steps * max_batch
    queued_row_steps: int = 0  # row_steps of the decode steps taken while answers were waiting
    queued_capacity: int = 0  # slot_capacity of those steps
    kv_cells: int = 0  # batch rows x cache width summed over decode steps (padding included)
    kv_real: int = 0  # the part of kv_cells that holds real tokens
    prefills: int = 0
    prefill_tokens: int = 0
    generated_tokens: int = 0
    mixed_steps: int = 0  # decode steps whose batch mixed rows of several adapters
    seconds: float = 0.0
    history: list[int] = field(default_factory=list, repr=False)

    @property
    def slot_utilisation(self) -> float:
        return self.row_steps / self.slot_capacity if self.slot_capacity else 0.0

    @property
    def slot_utilisation_queued(self) -> float:
        """Slot use while answers were waiting for a slot: how well refilling keeps the batch
        full. The overall figure also counts the drain at the end, when nothing is left to
        refill with and the batch shrinks (its finished rows are no longer computed)."""
        return self.queued_row_steps / self.queued_capacity if self.queued_capacity else 0.0

    @property
    def kv_fill(self) -> float:
        return self.kv_real / self.kv_cells if self.kv_cells else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "decode_steps": self.decode_steps,
            "row_steps": self.row_steps,
            "slot_capacity": self.slot_capacity,
            "slot_utilisation": self.slot_utilisation,
            "slot_utilisation_queued": self.slot_utilisation_queued,
            "kv_fill": self.kv_fill,
            "prefills": self.prefills,
            "prefill_tokens": self.prefill_tokens,
            "mixed_steps": self.mixed_steps,
            "generated_tokens": self.generated_tokens,
            "seconds": self.seconds,
        }
