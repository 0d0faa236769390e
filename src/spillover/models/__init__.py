"""Local models: the named registry, provisioning, resolution and loading."""

from spillover.models.registry import DEFAULT_JUDGE, DEFAULT_SUBJECT, REGISTRY, RegistryModel
from spillover.models.resolve import ResolvedModel, resolve_model

__all__ = [
    "DEFAULT_JUDGE",
    "DEFAULT_SUBJECT",
    "REGISTRY",
    "RegistryModel",
    "ResolvedModel",
    "resolve_model",
]
