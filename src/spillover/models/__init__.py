"""Models: what a spec names (ModelRef), and for local ones the registry, provisioning, resolution
and loading."""

from spillover.models.ref import ModelRef, is_inspect_provider
from spillover.models.registry import DEFAULT_JUDGE, DEFAULT_SUBJECT, REGISTRY, RegistryModel
from spillover.models.resolve import ResolvedModel, resolve_model

__all__ = [
    "DEFAULT_JUDGE",
    "DEFAULT_SUBJECT",
    "REGISTRY",
    "ModelRef",
    "RegistryModel",
    "ResolvedModel",
    "is_inspect_provider",
    "resolve_model",
]
