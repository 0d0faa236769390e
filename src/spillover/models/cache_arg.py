"""The keyword a transformers model's forward takes its KV cache by.

transformers renamed `past_key_values` to `cache` (its model outputs gained a `cache` field at
the same time) and now logs "`past_key_values`/`cache_params` are deprecated" once per process
when the old name is passed. spillover supports releases from before and after the rename, so
it passes the cache under whichever name the installed release declares.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _cache_keyword() -> str:
    from transformers.modeling_outputs import BaseModelOutputWithPast

    return "cache" if "cache" in BaseModelOutputWithPast.__dataclass_fields__ else "past_key_values"


def cache_argument(kv_cache: Any) -> dict[str, Any]:
    """`{keyword: kv_cache}` to pass to a model's forward, under the installed release's name."""
    return {_cache_keyword(): kv_cache}
