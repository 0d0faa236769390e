"""One vLLM server for a whole eval or sweep, however many processes take part.

inspect's vllm provider starts a server the first time a `vllm/` model is used in a process,
and the server lives as long as that process. An eval split into shards runs each shard in a
fresh worker process (`spillover.evaluate.runner`), so each shard would start, load and warm up
a server of its own, one after another; a sweep's skill answers, sampled in the caller, another.
`shared_vllm_server` starts it once in the caller, through the same provider (the same command,
server args and LoRA settings, with `max_lora_rank` taken over every adapter of the run), points
every process at it with `VLLM_BASE_URL`, and stops it when the block ends, which also hands the
GPU memory back before whatever runs next.

Nothing changes when the run names no `vllm/` model, when the user already points at a server
(`VLLM_BASE_URL`, or `base_url` / `port` among the model args), or when the run uses `vllm/`
models of more than one base (a `vllm/` judge of another model, say): one address in the
environment cannot serve two bases, so each process then starts its own as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from spillover.models.ref import VLLM, ModelRef

BASE_URL_ENV = "VLLM_BASE_URL"


def vllm_base(model: str) -> str | None:
    """The base model a `vllm/BASE[:ADAPTER]` id serves, or None for another provider."""
    ref = ModelRef.parse(model)
    return ref.base if ref.provider == VLLM else None


@contextmanager
def shared_vllm_server(
    models: Sequence[str], model_args: Mapping[str, Any] | None = None
) -> Iterator[str | None]:
    """Within the block, every `vllm/` model among `models` (inspect ids, adapters as
    `vllm/BASE:ADAPTER`, all taking `model_args`) is served by one server started here; yields
    its base URL, or None when nothing was started (see the module's notes)."""
    args = dict(model_args or {})
    served = [m for m in models if vllm_base(m) is not None]
    bases = {vllm_base(m) for m in served}
    if len(bases) != 1 or os.environ.get(BASE_URL_ENV) or "base_url" in args or "port" in args:
        yield None
        return

    from inspect_ai.model import get_model

    for model in served:  # each adapter tells the base's server entry its rank
        get_model(model, **args)
    starter = get_model(served[0], lazy_init=False, **args)  # starts the server now
    url: str | None = getattr(starter.api, "base_url", None)
    if not url:
        raise RuntimeError(f"inspect's vllm provider started no server for {served[0]}")
    os.environ[BASE_URL_ENV] = url  # workers are spawned with this environment
    try:
        yield url
    finally:
        os.environ.pop(BASE_URL_ENV, None)
        starter.api.close()  # terminates the server and resets inspect's entry for the base
