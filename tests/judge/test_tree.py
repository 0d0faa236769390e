from __future__ import annotations

from spillover.judge._tree import pack_groups


def test_pack_groups_keeps_order_and_the_budget() -> None:
    assert pack_groups([3, 4, 2, 6, 1], budget=7) == [[0, 1], [2], [3, 4]]
    assert pack_groups([9, 2], budget=5) == [[0], [1]]  # an item over the budget stands alone
    assert pack_groups([], budget=5) == []
