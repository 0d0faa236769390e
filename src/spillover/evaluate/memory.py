"""Memory between shards: hand freed memory back to the OS; tie a worker's life to its caller.

glibc's allocator keeps freed heap pages (in its arenas, below the mmap threshold) for later
reuse, so a process's RSS stays at its high-water mark after the objects are gone. After each
shard, `release_freed_memory` collects garbage, asks pyarrow's memory pool (which keeps freed
blocks too) to let go of unused memory, and asks glibc to return free pages (`malloc_trim(0)`);
on other C libraries it skips the last step.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    return lib if hasattr(lib, "malloc_trim") else None


def release_freed_memory() -> bool:
    """Collect garbage, then return free memory to the OS (pyarrow's pool, if loaded, and
    glibc's heap); True if glibc trimmed."""
    gc.collect()
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    lib = _libc()
    if lib is None:
        return False
    lib.malloc_trim.argtypes = [ctypes.c_size_t]
    lib.malloc_trim.restype = ctypes.c_int
    lib.malloc_trim(0)
    return True


def die_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG); True if set."""
    import signal

    lib = _libc()
    if lib is None or not hasattr(lib, "prctl"):
        return False
    pr_set_pdeathsig = 1
    return int(lib.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)) == 0
