"""ModelRef: what a model spec names, parsed once.

A spec is whatever a user writes where spillover takes a model (`--model`, `--judge`,
`--teacher`, a recipe's settings). `ModelRef.parse` reads it by these rules, first match wins:

* an existing directory -> the local engine on that checkpoint, even when its path looks like
  ``provider/x``;
* ``spillover/<spec>`` -> the local engine on ``<spec>`` (explicitly local);
* ``<provider>/<model>`` where inspect_ai has a model provider of that name (``openai/gpt-4o``,
  ``openai-api/...``, ``vllm/BASE``, ``vllm/BASE:ADAPTER``, ``hf/...``, ``mockllm/model``) ->
  that provider;
* anything else (a registry name, a Hugging Face id ``owner/name``) -> the local engine, where
  `spillover.models.resolve_model` finds its weights (or says why it cannot).

Which providers exist is asked of inspect's registry, the one `get_model` consults, so a
provider inspect adds (or a plugin registers) is recognised without a copy of its list here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spillover.errors import SpilloverError

if TYPE_CHECKING:
    from spillover.models.resolve import ResolvedModel

LOCAL = "spillover"  # the provider spillover registers with inspect for its own engine
VLLM = "vllm"  # the one inspect provider that serves a local LoRA adapter (BASE:ADAPTER)


def is_inspect_provider(name: str) -> bool:
    """Whether inspect_ai's `get_model("NAME/...")` has a model provider called `name`: the same
    registry search `get_model` makes, each time, so a provider registered later counts (plugins'
    entry points are loaded when the name is not among the registered ones)."""
    import inspect_ai.model  # noqa: F401  (registers inspect's own providers)

    try:
        from inspect_ai._util.registry import registry_find, registry_unqualified_name
    except ImportError as err:  # inspect moved its registry: say so rather than guess
        raise SpilloverError(
            f"cannot tell whether {name!r} is an inspect_ai model provider: this inspect_ai "
            "no longer has inspect_ai._util.registry.registry_find",
            hint=f"name local models as {LOCAL}/<name>, or install an inspect_ai that has it "
            "(0.3.285 does)",
        ) from err
    found = registry_find(
        lambda info: info.type == "modelapi" and registry_unqualified_name(info) == name
    )
    return bool(found)


@dataclass(frozen=True)
class ModelRef:
    """A model: the provider that runs it, the base model, and a LoRA adapter on it.

    `provider` is ``spillover`` for the local engine, else an inspect_ai provider name. `base`
    is, for the local engine, a registry name, a checkpoint directory or a Hugging Face id;
    for a provider, the model name it takes (``gpt-4o``, ``Qwen/Qwen2.5-7B``). An adapter is
    served by the local engine (as a model arg) or by vLLM (``vllm/BASE:ADAPTER``); other
    providers cannot apply one, and saying so is an error here, before any work."""

    provider: str
    base: str
    adapter: str | None = None

    def __post_init__(self) -> None:
        if not self.provider or not self.base:
            raise SpilloverError(
                f"incomplete model {self.provider}/{self.base}: no "
                + ("provider" if not self.provider else "model name"),
                hint="name a registry model, a checkpoint directory, a Hugging Face id "
                "or provider/model",
            )
        if self.adapter is not None and self.provider not in (LOCAL, VLLM):
            raise SpilloverError(
                f"{self.provider}/{self.base} cannot apply the LoRA adapter {self.adapter}: "
                "only local models and vllm/ serve adapters",
                hint="name the base model as a registry name, a local directory or vllm/BASE",
            )

    @classmethod
    def parse(cls, spec: str, adapter: str | None = None) -> ModelRef:
        """The model `spec` names (rules in the module's notes), with `adapter` on it."""
        spec = spec.strip()
        if not spec:
            raise SpilloverError("empty model name", hint="name a registry model or provider/model")
        provider, sep, rest = spec.partition("/")
        if not sep or provider in ("", LOCAL) or Path(spec).expanduser().is_dir():
            ref = cls.local(spec)
        elif is_inspect_provider(provider):
            if provider == VLLM and ":" in rest:  # inspect's own split: the first colon
                base, named = rest.split(":", 1)
                if adapter is not None:
                    raise SpilloverError(f"{spec} names an adapter, and {adapter} is another")
                return cls(provider, base, named)
            ref = cls(provider, rest)
        else:
            ref = cls(LOCAL, spec)
        return ref.with_adapter(adapter) if adapter is not None else ref

    @classmethod
    def local(cls, spec: str) -> ModelRef:
        """`spec` as a model of the local engine, whatever it looks like (what training and the
        engine take): ``spillover/<spec>`` is ``<spec>`` unless it is an existing directory."""
        spec = spec.strip()
        provider, sep, rest = spec.partition("/")
        if sep and provider == LOCAL and not Path(spec).expanduser().is_dir():
            return cls(LOCAL, rest)
        return cls(LOCAL, spec)

    def with_adapter(self, adapter: str | None) -> ModelRef:
        """This base model with `adapter` (None: the base model alone)."""
        return dataclasses.replace(self, adapter=adapter)

    @property
    def is_local(self) -> bool:
        """Run by spillover's own engine, in this process."""
        return self.provider == LOCAL

    @property
    def is_api(self) -> bool:
        """Run through one of inspect_ai's providers (an API, a vLLM or hf server, mockllm)."""
        return not self.is_local

    @property
    def inspect_id(self) -> str:
        """The model id inspect's `get_model` takes: ``spillover/BASE`` for the local engine
        (the adapter goes in `model_args`), ``vllm/BASE:ADAPTER`` with a vLLM adapter,
        ``PROVIDER/BASE`` otherwise."""
        suffix = f":{self.adapter}" if self.provider == VLLM and self.adapter else ""
        return f"{self.provider}/{self.base}{suffix}"

    @property
    def model_args(self) -> dict[str, str]:
        """The model args `get_model(self.inspect_id, ...)` needs besides the caller's own."""
        return {"adapter": self.adapter} if self.is_local and self.adapter else {}

    def resolve(self, pull_missing: bool = True) -> ResolvedModel:
        """The weights on disk of a local model (see `spillover.models.resolve_model`)."""
        from spillover.models.resolve import resolve_model

        if not self.is_local:
            raise SpilloverError(
                f"{self.inspect_id} is served by inspect's {self.provider} provider: it has no "
                "local weights",
                hint=f"for a Hugging Face id of that name, write {LOCAL}/{self.provider}/{self.base}",
            )
        return resolve_model(self.base, pull_missing)
