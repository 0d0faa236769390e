"""Durable file writes: write to a temporary sibling, fsync, then rename."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from spillover.errors import SpilloverError


def _explain_os_error(path: Path, err: OSError) -> SpilloverError:
    if err.errno == errno.ENOSPC:
        return SpilloverError(
            f"{path}: the disk is full", "free some space and run again; finished work is kept"
        )
    if err.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return SpilloverError(
            f"{path}: cannot write here ({err.strerror})", "choose a writable output directory"
        )
    return SpilloverError(f"{path}: {err.strerror or err}")


def explain_os_error(path: str | Path, err: OSError) -> SpilloverError:
    """A clear SpilloverError for an OSError (disk full, read-only, permission) at `path`."""
    return _explain_os_error(Path(path), err)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def atomic_open(
    path: str | Path, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success it replaces `path` atomically."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    except OSError as err:
        raise _explain_os_error(target, err) from err
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _explain_os_error(target, err) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, obj: Any) -> None:
    with atomic_open(path) as handle:
        json.dump(obj, handle, indent=2, sort_keys=True, default=str)
        handle.write("\n")


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)
