"""Where spillover keeps its cache: SPILLOVER_HOME, else $XDG_CACHE_HOME/spillover."""

from __future__ import annotations

import os
from pathlib import Path


def spillover_home() -> Path:
    """The cache root, created on first use."""
    explicit = os.environ.get("SPILLOVER_HOME")
    if explicit:
        root = Path(explicit).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(xdg) / "spillover"
    root.mkdir(parents=True, exist_ok=True)
    return root


def models_dir() -> Path:
    path = spillover_home() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    path = spillover_home() / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path
