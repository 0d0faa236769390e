from __future__ import annotations

import time
from pathlib import Path

import pytest

from spillover.errors import OfflineError, SpilloverError
from spillover.models.resolve import resolve_model


def test_hub_id_offline_fails_fast_with_a_way_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    start = time.monotonic()
    with pytest.raises(OfflineError) as err:
        resolve_model("Qwen/Qwen2.5-Coder-32B-Instruct")
    assert time.monotonic() - start < 10
    assert "HF_HUB_OFFLINE" in err.value.message
    assert err.value.hint and "smollm2-135m-instruct" in err.value.hint


def test_local_directory(tiny_model_dir: Path) -> None:
    resolved = resolve_model(str(tiny_model_dir))
    assert resolved.kind == "local" and resolved.path == tiny_model_dir


def test_explicitly_local_spec(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    resolved = resolve_model(f"spillover/{tmp_path}")
    assert resolved.kind == "local" and resolved.path == tmp_path


def test_directory_without_config(tmp_path: Path) -> None:
    with pytest.raises(SpilloverError, match=r"no config\.json"):
        resolve_model(str(tmp_path))


def test_nonsense_name() -> None:
    with pytest.raises(SpilloverError, match="unknown model"):
        resolve_model("not-a-model")


def test_registry_name_not_provisioned(spillover_home: Path) -> None:
    with pytest.raises(SpilloverError, match="not provisioned") as err:
        resolve_model("smollm2-135m-instruct", pull_missing=False)
    assert err.value.hint and "spillover models pull" in err.value.hint


@pytest.mark.parametrize(
    ("offline", "user_value", "expected"),
    [("1", None, "NO"), ("1", "YES", "YES"), ("", None, None)],
)
def test_hub_kernels_are_off_when_offline_unless_the_user_says(
    monkeypatch: pytest.MonkeyPatch, offline: str, user_value: str | None, expected: str | None
) -> None:
    import os

    from spillover.models.resolve import hub_kernels_off_when_offline

    monkeypatch.setenv("HF_HUB_OFFLINE", offline)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    if user_value is None:
        monkeypatch.delenv("USE_HUB_KERNELS", raising=False)
    else:
        monkeypatch.setenv("USE_HUB_KERNELS", user_value)
    hub_kernels_off_when_offline()
    assert os.environ.get("USE_HUB_KERNELS") == expected
