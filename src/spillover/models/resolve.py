"""Turn a model name into weights on disk: a registry name, a local checkpoint directory, or a
Hugging Face id (which fails fast, with a way out, when there is no network)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from spillover.errors import OfflineError, SpilloverError
from spillover.models.ref import ModelRef
from spillover.models.registry import REGISTRY

Kind = Literal["registry", "local", "hub"]


@dataclass(frozen=True)
class ResolvedModel:
    spec: str
    kind: Kind
    path: Path

    @property
    def display(self) -> str:
        return self.spec


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes") or os.environ.get(
        "TRANSFORMERS_OFFLINE", ""
    ).lower() in ("1", "true", "yes")


def hub_kernels_off_when_offline() -> None:
    """Offline, switch off transformers' hub kernels (`USE_HUB_KERNELS=NO`) unless the user set
    the variable. With the `kernels` package installed (vLLM brings it), transformers 5.25 fetches
    a rotary kernel from the hub at the first training step and, offline, stops training with a
    ValueError instead of falling back (seen on an H200); its own kernels are used instead."""
    if _hub_offline():
        os.environ.setdefault("USE_HUB_KERNELS", "NO")


def _offline_hint(spec: str) -> str:
    names = ", ".join(REGISTRY)
    return (
        f"use a registry model ({names}), or a local checkpoint directory; "
        f"on a machine with network, download {spec} first with `huggingface-cli download {spec}`"
    )


def resolve_model(spec: str, pull_missing: bool = True) -> ResolvedModel:
    """Find the weights for the local model `spec` (``spillover/<spec>`` too) without loading
    them."""
    spec = ModelRef.local(spec).base
    if spec in REGISTRY:
        from spillover.models.pull import cached_path, pull

        ready = cached_path(spec)
        if ready is None:
            if not pull_missing:
                raise SpilloverError(
                    f"registry model {spec!r} is not provisioned",
                    f"run `spillover models pull {spec}`",
                )
            ready = pull(spec)
        return ResolvedModel(spec, "registry", ready)
    local = Path(spec).expanduser()
    if local.exists():
        if not (local / "config.json").is_file() and not (local / "adapter_config.json").is_file():
            raise SpilloverError(f"{local} is not a model checkpoint: it has no config.json")
        return ResolvedModel(spec, "local", local)
    if "/" not in spec or spec.count("/") > 1:
        raise SpilloverError(
            f"unknown model {spec!r}: not a registry name, a directory, or a Hugging Face id (owner/name)",
            _offline_hint(spec),
        )
    return ResolvedModel(spec, "hub", _hub_snapshot(spec))


def _hub_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "tokenizer*"]
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        pass
    if _hub_offline():
        raise OfflineError(
            f"{repo_id} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set",
            _offline_hint(repo_id),
        )
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "30")
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns))
    except Exception as err:
        raise OfflineError(
            f"could not download {repo_id} from the Hugging Face hub: {type(err).__name__}",
            _offline_hint(repo_id),
        ) from err
