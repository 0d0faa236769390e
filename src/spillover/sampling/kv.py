"""Row and column surgery on a transformers `DynamicCache` whose rows are left-padded.

Rows are batch slots; columns are cache positions. Each row's real tokens sit at the right end,
so padding is on the left and columns that are padding in every row can be cut away.
"""

from __future__ import annotations

from typing import Any


def _layers(cache: Any) -> list[Any]:
    layers = getattr(cache, "layers", None)
    if layers is None or not all(hasattr(layer, "keys") for layer in layers):
        raise TypeError(
            "the sampling engine needs a transformers DynamicCache with per-layer keys/values"
        )
    return list(layers)


def width(cache: Any) -> int:
    return int(cache.get_seq_length())


def pad_left(cache: Any, columns: int) -> None:
    """Add `columns` empty cache positions on the left of every row."""
    if columns <= 0:
        return
    import torch.nn.functional as F

    for layer in _layers(cache):
        layer.keys = F.pad(layer.keys, (0, 0, columns, 0))
        layer.values = F.pad(layer.values, (0, 0, columns, 0))


def trim_left(cache: Any, columns: int) -> None:
    """Drop the `columns` leftmost cache positions (they must be padding in every row)."""
    if columns <= 0:
        return
    for layer in _layers(cache):
        layer.keys = layer.keys[:, :, columns:].contiguous()
        layer.values = layer.values[:, :, columns:].contiguous()


def select_rows(cache: Any, rows: Any) -> None:
    """Keep only the batch rows in the index tensor `rows`, in that order."""
    for layer in _layers(cache):
        layer.keys = layer.keys.index_select(0, rows)
        layer.values = layer.values.index_select(0, rows)


def append_rows(cache: Any, other: Any) -> None:
    """Append the rows of `other` (same width) below the rows of `cache`."""
    import torch

    for layer, extra in zip(_layers(cache), _layers(other), strict=True):
        layer.keys = torch.cat([layer.keys, extra.keys], dim=0)
        layer.values = torch.cat([layer.values, extra.values], dim=0)


def zero_padding(cache: Any, mask: Any) -> None:
    """Set the keys/values of padding positions (mask 0) to zero, so no NaN from a fully masked
    padding query can leak into later steps through a zero attention weight."""
    keep = mask.bool()[:, None, :, None]
    for layer in _layers(cache):
        layer.keys = layer.keys.masked_fill(~keep, 0.0)
        layer.values = layer.values.masked_fill(~keep, 0.0)
