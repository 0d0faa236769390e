"""Checkpoints in RUN_DIR/checkpoints/step-XXXXX/: weights on top, resume state in state/.

A checkpoint is complete only when its COMPLETE marker exists and every file matches the sha256
recorded in checksums.json. Anything else (a run killed mid-save, a truncated file) is moved aside
as `step-XXXXX.corrupt-N` and the previous checkpoint is used instead, with a warning.

Layout::

    step-00010/
      adapter_config.json, adapter_model.safetensors   # loadable by peft (or a full model)
      state/optimizer.pt, scheduler.pt, rng_state.pth, trainer_state.json, ...
      checksums.json                                   # sha256 of every file above
      COMPLETE                                         # written last
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from spillover.io import write_json, write_text

MARKER = "COMPLETE"
CHECKSUMS = "checksums.json"
STATE_DIR = "state"
_STEP_RE = re.compile(r"^step-(\d+)$")
# Files the Trainer writes that belong with the weights (the rest is resume state).
_WEIGHT_FILES = (
    "adapter_config.json",
    "adapter_model.safetensors",
    "adapter_model.bin",
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "README.md",
)
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
)


@dataclass(frozen=True)
class Checkpoint:
    step: int
    path: Path

    @property
    def state_dir(self) -> Path:
        return self.path / STATE_DIR


def checkpoint_dir(run_dir: Path, step: int) -> Path:
    return run_dir / "checkpoints" / f"step-{step:05d}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.name not in (MARKER, CHECKSUMS) and not p.name.startswith(".")
    )


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal(path: Path) -> None:
    """Record the sha256 of every file, then write the completion marker."""
    sums = {str(p.relative_to(path)): _sha256(p) for p in _files(path)}
    write_json(path / CHECKSUMS, sums)
    _fsync_dir(path)
    write_text(path / MARKER, f"{len(sums)} files\n")
    _fsync_dir(path)


def verify(path: Path) -> str | None:
    """None when the checkpoint is complete and intact, else what is wrong."""
    if not (path / MARKER).is_file():
        return "no COMPLETE marker (the save was interrupted)"
    try:
        sums = json.loads((path / CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"unreadable {CHECKSUMS}: {err}"
    if not isinstance(sums, dict) or not sums:
        return f"empty {CHECKSUMS}"
    for name, expected in sums.items():
        file = path / name
        if not file.is_file():
            return f"missing file {name}"
        if _sha256(file) != expected:
            return f"sha256 mismatch in {name}"
    return None


def adopt_trainer_checkpoint(trainer_dir: Path, run_dir: Path, step: int) -> Path:
    """Move a Trainer `checkpoint-N` folder into our layout and seal it."""
    target = checkpoint_dir(run_dir, step)
    staging = target.with_name(target.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / STATE_DIR).mkdir(parents=True)
    for item in trainer_dir.iterdir():
        keep_on_top = item.name in _WEIGHT_FILES or item.name in _TOKENIZER_FILES
        dest = staging / item.name if keep_on_top else staging / STATE_DIR / item.name
        shutil.move(str(item), str(dest))
    trainer_dir.rmdir()
    seal(staging)
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    _fsync_dir(target.parent)
    return target


def list_checkpoints(run_dir: Path) -> list[Checkpoint]:
    root = run_dir / "checkpoints"
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _STEP_RE.match(child.name)
        if match and child.is_dir():
            found.append(Checkpoint(int(match.group(1)), child))
    return sorted(found, key=lambda c: c.step)


def quarantine(path: Path) -> Path:
    n = 0
    while True:
        dest = path.with_name(f"{path.name}.corrupt-{n}")
        if not dest.exists():
            os.replace(path, dest)
            return dest
        n += 1


def latest_valid(
    run_dir: Path, warn: list[str] | None = None, move_aside: bool = True
) -> Checkpoint | None:
    """The newest intact checkpoint; broken newer ones are reported in `warn` and moved aside
    (only by the main process, when `move_aside`)."""
    for ckpt in reversed(list_checkpoints(run_dir)):
        problem = verify(ckpt.path)
        if problem is None:
            return ckpt
        note = f"skipped checkpoint {ckpt.path.name}: {problem}"
        if move_aside:
            note += f" (moved to {quarantine(ckpt.path).name})"
        if warn is not None:
            warn.append(note)
    return None


def resume_view(ckpt: Checkpoint, into: Path) -> Path:
    """A Trainer-shaped folder (weights and state side by side) made of links to the checkpoint."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for source in list(ckpt.path.iterdir()) + list(ckpt.state_dir.iterdir()):
        if source.is_file() and source.name not in (MARKER, CHECKSUMS):
            (into / source.name).symlink_to(source.resolve())
    return into
