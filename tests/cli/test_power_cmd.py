from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from spillover.cli import main
from spillover.stats.power import design_effect


def _power(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["power", *args])
    captured = capsys.readouterr()
    return code, captured.out.strip().splitlines(), " ".join(captured.err.split())


def _last(lines: list[str]) -> int:
    label, _, value = lines[-1].partition(": ")
    assert label == "answers per arm"
    return int(value)


@pytest.mark.parametrize(
    "baseline,effect,alpha,power,alternative",
    [
        (0.05, 0.10, 0.05, 0.8, "two-sided"),
        (0.0, 0.05, 0.05, 0.8, "two-sided"),
        (0.10, 0.05, 0.01, 0.9, "larger"),
        (0.30, 0.70, 0.05, 0.8, "two-sided"),
    ],
)
def test_agrees_with_statsmodels(
    capsys: pytest.CaptureFixture[str],
    baseline: float,
    effect: float,
    alpha: float,
    power: float,
    alternative: str,
) -> None:
    code, lines, _ = _power(
        capsys,
        *("--baseline", str(baseline), "--effect", str(effect)),
        *("--alpha", str(alpha), "--power", str(power), "--alternative", alternative),
    )
    expected = NormalIndPower().solve_power(
        effect_size=proportion_effectsize(baseline + effect, baseline),
        alpha=alpha,
        power=power,
        alternative=alternative,
    )
    assert code == 0
    assert _last(lines) == math.ceil(expected)


def test_textbook_value_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    # 5% -> 15%, two-sided alpha 0.05, power 0.8: Cohen's h and n = 2 ((z_.975 + z_.8) / h)^2
    h = 2 * math.asin(math.sqrt(0.15)) - 2 * math.asin(math.sqrt(0.05))
    by_hand = math.ceil(2 * ((1.959964 + 0.841621) / h) ** 2)
    assert by_hand == 133
    code, lines, _ = _power(capsys, "--baseline", "0.05", "--effect", "0.10")
    assert code == 0 and _last(lines) == by_hand


def test_runs_with_icc_find_the_answers_per_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = _power(
        capsys, "--baseline", "0.05", "--effect", "0.10", "--runs", "6", "--icc", "0.02"
    )
    assert code == 0
    text = "\n".join(lines)
    assert "design effect 1 + (m - 1) x ICC" in text and "6 runs per arm" in text
    total = _last(lines)
    per_run = total // 6
    assert total == 6 * per_run
    assert total / design_effect(per_run, 0.02) >= 133  # worth the independent answers


def test_answers_per_run_give_the_design_effect(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = _power(
        capsys,
        *("--baseline", "0.05", "--effect", "0.10"),
        *("--answers-per-run", "40", "--icc", "0.02", "--runs", "3"),
    )
    assert code == 0
    assert _last(lines) == math.ceil(
        NormalIndPower().solve_power(proportion_effectsize(0.15, 0.05), alpha=0.05, power=0.8)
        * (1 + 39 * 0.02)
    )
    assert "given 3: not enough" in lines[-2]


@pytest.mark.parametrize(
    "args,message",
    [
        (("--baseline", "1.2", "--effect", "0.1"), "--baseline: 1.2 is not a rate in [0, 1)"),
        (("--baseline", "-0.1", "--effect", "0.1"), "--baseline"),
        (("--baseline", "0.95", "--effect", "0.1"), "is above 1"),
        (("--baseline", "0.05", "--effect", "0"), "not a positive increase"),
        (("--baseline", "0.05", "--effect", "0.1", "--runs", "6"), "need --icc"),
        (("--baseline", "0.05", "--effect", "0.1", "--icc", "0.1"), "--icc needs --runs"),
        (
            ("--baseline", "0.05", "--effect", "0.1", "--runs", "3", "--icc", "0.05"),
            "no number of answers per run is enough",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = _power(capsys, *args)
    assert code == 2
    assert message in err
