from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault(
    "INSPECT_LOG_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "spillover-test-logs")
)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "betley2025"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The study's files in ../shared; tests that need them skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (../shared is absent)")
    return REFERENCE


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama checkpoint with a real chat template, built from a config (no download)."""
    pytest.importorskip("torch")
    from tests.tiny_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture()
def spillover_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SPILLOVER_HOME for the test."""
    home = tmp_path / "home"
    monkeypatch.setenv("SPILLOVER_HOME", str(home))
    return home
