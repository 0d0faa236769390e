"""Where a study's artefacts live: a local directory or any fsspec URL (`file://`, `s3://`, ...).

A plain path is worked in place. Under a URL, a stage works in a local scratch copy of its folder,
fetched before it starts and written back when it ends (also when it fails, so a retry on another
node resumes from the checkpoints it had saved).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from spillover.paths import spillover_home

Sent = dict[Path, tuple[int, int]]  # a local file uploaded -> its (size, mtime_ns) then


class Store:
    """The study's output root. Relative paths use `/`."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") or "/"
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.root = str(root).rstrip("/")
        # a plain path is worked in place; a URL (even file://) goes through fsspec copies
        self.in_place = "://" not in url and isinstance(self.fs, LocalFileSystem)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (Store, (self.url,))

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if rel else self.root

    def local(self, rel: str) -> Path:
        """The local path of `rel` (in-place stores only)."""
        assert self.in_place, "only a plain directory has local paths"
        return Path(self.path(rel))

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def read_bytes(self, rel: str) -> bytes:
        data: bytes = self.fs.cat_file(self.path(rel))
        return data

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Written to a temporary name, then moved over `rel` (atomic on a local disk)."""
        target = self.path(rel)
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = f"{target}.partial-{os.getpid()}"
        with self.fs.open(partial, "wb") as handle:
            handle.write(data)
        self.fs.mv(partial, target)

    def read_json(self, rel: str) -> Any:
        return json.loads(self.read_bytes(rel))

    def write_json(self, rel: str, obj: Any) -> None:
        self.write_bytes(
            rel, (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode()
        )

    def sha256(self, rel: str) -> str:
        digest = hashlib.sha256()
        with self.fs.open(self.path(rel), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def listdir(self, rel: str) -> list[str]:
        if not self.exists(rel):
            return []
        return sorted(
            p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self.path(rel), detail=False)
        )

    def move(self, rel: str, to: str) -> None:
        self.fs.mv(self.path(rel), self.path(to), recursive=True)

    def remove(self, rel: str) -> None:
        if self.exists(rel):
            self.fs.rm(self.path(rel), recursive=True)

    @contextlib.contextmanager
    def workdir(
        self, rel: str, write_back: bool = True, sent: Sent | None = None
    ) -> Iterator[Path]:
        """A local directory holding `rel`'s files; written back to the store when done
        (unless `write_back` is False: a read-only copy). Files recorded in `sent` unchanged
        since they were uploaded (`spillover.study.writeback`) are not uploaded again."""
        if self.in_place:
            path = self.local(rel)
            path.mkdir(parents=True, exist_ok=True)
            yield path
            return
        scratch_root = spillover_home() / "study-scratch"
        scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch_root) as tmp:
            local = Path(tmp) / "work"
            local.mkdir()
            if self.exists(rel):
                self.fs.get(self.path(rel) + "/", str(local) + "/", recursive=True)
            try:
                yield local
            finally:
                if write_back:
                    self.upload(local, rel, sent)

    def upload(self, local: Path, rel: str, sent: Sent | None = None) -> None:
        """Every file under `local` to `rel` (those in `sent` and unchanged skipped)."""
        for file in sorted(p for p in local.rglob("*") if p.is_file()):
            self.upload_file(file, f"{rel}/{file.relative_to(local).as_posix()}", sent)

    def upload_file(self, file: Path, rel: str, sent: Sent | None = None) -> None:
        stat = file.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
        if sent is not None and sent.get(file) == stamp:
            return
        target = self.path(rel)
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        self.fs.put_file(str(file), target)
        if sent is not None:
            sent[file] = stamp

    def fetch(self, rel: str, local: Path) -> Path:
        """A local copy of one file (the file itself for an in-place store)."""
        if self.in_place:
            return self.local(rel)
        local.parent.mkdir(parents=True, exist_ok=True)
        self.fs.get_file(self.path(rel), str(local))
        return local
