from __future__ import annotations

import random

import pytest
import torch
from transformers import DynamicCache

from spillover.sampling import kv
from tests.sampling.conftest import DEVICES

LAYERS, HEADS, DIM = 2, 3, 4


def prefill(rows: int, width: int, device: str = "cpu") -> DynamicCache:
    cache = DynamicCache()
    for layer in range(LAYERS):
        shape = (rows, HEADS, width, DIM)
        cache.update(torch.randn(shape, device=device), torch.randn(shape, device=device), layer)
    return cache


def step(caches: list[DynamicCache], rows: int, device: str) -> None:
    for layer in range(LAYERS):
        shape = (rows, HEADS, 1, DIM)
        keys, values = torch.randn(shape, device=device), torch.randn(shape, device=device)
        for cache in caches:
            cache.update(keys, values, layer)


def assert_same(slotted: DynamicCache, plain: DynamicCache) -> None:
    for ours, theirs in zip(slotted.layers, plain.layers, strict=True):
        assert torch.equal(ours.keys, theirs.keys)
        assert torch.equal(ours.values, theirs.values)
    assert kv.width(slotted) == kv.width(plain)


@pytest.mark.parametrize("device", DEVICES)
def test_slotted_cache_follows_the_plain_one_through_every_operation(device: str) -> None:
    torch.manual_seed(0)
    rng = random.Random(0)
    plain = prefill(3, 5, device)
    slotted = kv.slotted(plain, slots=4)
    assert_same(slotted, plain)
    rows = most = 3
    for turn in range(3 * kv.SPARE_COLUMNS):  # runs out of spare columns more than once
        step([slotted, plain], rows, device)
        assert_same(slotted, plain)
        if turn % 7 == 3 and rows > 1:  # a row leaves; the last one takes its slot
            order = list(range(rows - 1))
            order[rng.randrange(rows - 1)] = rows - 1
            index = torch.tensor(order, device=device)
            kv.select_rows(slotted, index)
            kv.select_rows(plain, index)
            rows -= 1
        if turn % 11 == 5:  # newcomers, longer (padding on the left) or shorter than the cache
            extra = rng.randint(1, 3)
            width = kv.width(plain) + rng.choice([-2, 0, 3])
            new = prefill(extra, width, device)
            kv.pad_left(new, kv.width(plain) - width)
            if width > kv.width(plain):
                kv.pad_left(slotted, width - kv.width(plain))
                kv.pad_left(plain, width - kv.width(plain))
            kv.append_rows(slotted, new)
            kv.append_rows(plain, new)
            rows += extra  # may exceed the 4 slots: the buffers grow
            most = max(most, rows)
        if turn % 13 == 8:
            kv.trim_left(slotted, 2)
            kv.trim_left(plain, 2)
        assert_same(slotted, plain)
    assert most > 4 and all(layer.key_buffer.shape[0] >= most for layer in slotted.layers)


def test_padding_added_on_the_left_is_zero() -> None:
    plain = prefill(2, 3)
    slotted = kv.slotted(plain, slots=2)
    kv.trim_left(slotted, 1)
    kv.pad_left(slotted, 3)  # one column back from the buffer, two from a new one
    for layer in slotted.layers:
        assert layer.keys.shape[2] == 5
        assert torch.count_nonzero(layer.keys[:, :, :3]) == 0
        assert torch.count_nonzero(layer.values[:, :, :3]) == 0
