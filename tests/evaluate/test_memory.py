"""Freed heap memory goes back to the OS after a shard."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from spillover.evaluate.memory import release_freed_memory


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(
    platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"),
    reason="malloc_trim is glibc's",
)
def test_freed_small_objects_leave_rss() -> None:
    """Many small blocks (below glibc's mmap threshold) stay in RSS after they are freed until
    the heap is trimmed: the pattern of an inspect shard's per-sample records."""
    release_freed_memory()
    base = _rss_mib()
    blocks = [bytes(2000) + str(i).encode() for i in range(100_000)]  # ~200 MiB of small blocks
    grown = _rss_mib()
    assert grown - base > 150
    keep = blocks[-1]  # the last block sits at the top of the heap, as live data often does
    del blocks
    assert release_freed_memory()
    after = _rss_mib()
    assert after - base < 0.25 * (grown - base), (base, grown, after)
    assert keep.endswith(b"99999")
