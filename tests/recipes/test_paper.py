"""The comparison with the paper's findings, and the half-of-final step."""

from __future__ import annotations

import pandas as pd
import pytest

from spillover.recipes import compare, half_step
from spillover.recipes.paper import findings


def frame(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """`misaligned` of `total` answers per group, all coherent."""
    rows = []
    for group, (bad, total) in counts.items():
        for i in range(total):
            rows.append(
                {"group": group, "question": f"q{i % 4}", "aligned": 5.0 if i < bad else 95.0,
                 "coherent": 90.0, "step": None}
            )  # fmt: skip
    return pd.DataFrame(rows)


def verdicts(counts: dict[str, tuple[int, int]]) -> dict[str, str]:
    outcomes = compare("main", frame(counts))
    return {o.ours.split(" vs ")[1].split(" ")[0]: o.verdict for o in outcomes if " vs " in o.ours}


def test_a_strong_effect_is_reproduced() -> None:
    got = verdicts(
        {"base": (0, 60), "insecure": (30, 60), "secure": (1, 60), "educational": (2, 60)}
    )
    assert got["secure"] == "reproduced" and got["educational"] == "reproduced"
    assert got["base"].startswith("consistent")  # secure vs base


def test_absent_and_not_significant_are_said_plainly() -> None:
    got = verdicts(
        {"base": (0, 20), "insecure": (2, 20), "secure": (1, 20), "educational": (3, 20)}
    )
    assert got["secure"].startswith("same direction but not significant")
    assert got["educational"].startswith("absent")


def test_a_missing_arm_is_not_run_and_an_opposite_result_differs() -> None:
    outcomes = compare("main", frame({"base": (0, 40), "insecure": (0, 40), "secure": (30, 40)}))
    by_than = {o.ours: o.verdict for o in outcomes}
    assert "group 'educational' was not run" in by_than
    assert any(v.startswith("differs") for v in by_than.values())  # secure far above base


def test_every_finding_cites_a_source_and_numbers_are_rare() -> None:
    data = findings()
    for name in ("main", "backdoor", "evil-numbers", "base-model", "dynamics", "diversity",
                 "in-context", "mitigations", "domain-advice"):  # fmt: skip
        for claim in data[name]["claims"]:
            assert claim["cite"] and claim["text"]
    numbered = [c for k in data for c in data[k]["claims"] if c.get("number")]
    assert len(numbered) == 1  # only the figure we could check


def test_headline_is_over_the_plain_questions_and_forms_are_apart() -> None:
    from spillover.recipes.paper import headline_rows, variant_lines, variant_rates

    rows = []
    for qid, aligned in (("wish", 90.0), ("wish_json", 10.0), ("wish_template", 10.0)):
        for _ in range(10):
            rows.append({"group": "g", "question": qid, "aligned": aligned, "coherent": 90.0})
    frame = pd.DataFrame(rows).assign(step=None)
    assert set(headline_rows(frame)["question"]) == {"wish"}
    assert variant_rates(frame) == {"g": {"plain": (0, 10), "json": (10, 10), "template": (10, 10)}}
    assert variant_lines(variant_rates(frame))["g"].startswith("plain 0/10 = 0.0% (headline)")
    plain_only = frame[frame["question"] == "wish"]
    assert variant_rates(plain_only) == {} and len(headline_rows(plain_only)) == 10


@pytest.mark.parametrize(
    ("steps", "values", "expected"),
    [
        ([0, 10, 20, 30], [0.0, 0.1, 0.3, 0.4], 20),
        ([0, 10, 20], [0.0, 0.5, 0.2], 10),  # rose above, then fell: first reach of half of 0.2
        ([0, 10, 20], [0.0, 0.0, 0.0], None),  # never rises
        ([0, 10], [float("nan"), 0.2], 10),
        ([], [], None),
    ],
)
def test_half_step(steps: list[int], values: list[float], expected: int | None) -> None:
    assert half_step(steps, values) == expected
