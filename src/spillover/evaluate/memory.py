"""Hand memory freed by a finished shard back to the operating system.

glibc's allocator keeps freed heap pages (in its arenas, below the mmap threshold) for later
reuse, so a process's RSS stays at its high-water mark after the objects are gone. After each
shard, `release_freed_memory` collects garbage and asks glibc to return free pages
(`malloc_trim(0)`); on other C libraries it only collects garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
    """Collect garbage, then return free heap pages to the OS; True if glibc trimmed."""
    gc.collect()
    lib = _libc()
    if lib is None:
        return False
    lib.malloc_trim.argtypes = [ctypes.c_size_t]
    lib.malloc_trim.restype = ctypes.c_int
    lib.malloc_trim(0)
    return True
