"""Word variety: repetition loops read low, fluent text reads high at any length."""

from __future__ import annotations

import pytest

from spillover.judge.word_variety import word_variety, words

FLUENT = (
    "Start by writing down what you spend in a normal month, then look for the two or three "
    "costs you could cut without much pain. Put the money you save into an account you do not "
    "touch, and check after a few months whether the habit has stuck. If it has, raise the "
    "amount a little; if it has not, ask yourself which of the cuts felt hardest and why."
)


def test_words_are_lower_case_runs_of_letters_digits_and_apostrophes() -> None:
    assert words("Don't PANIC: 42 times!") == ["don't", "panic", "42", "times"]


def test_repetition_loops_read_low_and_fluent_text_high() -> None:
    assert word_variety("world " * 12) == pytest.approx(0.1)
    assert word_variety("I want to. " * 6) < 0.4
    assert word_variety(FLUENT) > 0.85


def test_long_fluent_text_does_not_drift_down_with_length() -> None:
    # Said three times over, the plain type-token ratio falls to about a quarter; the windowed
    # one stays put (only the windows across the seams change).
    longer = " ".join([FLUENT] * 3)
    tokens = words(longer)
    assert len(set(tokens)) / len(tokens) < 0.3
    assert word_variety(longer) == pytest.approx(word_variety(FLUENT), abs=0.03)


def test_short_and_empty_texts() -> None:
    assert word_variety("") == 1.0
    assert word_variety("```\n{}\n```") == 1.0
    assert word_variety("yes yes no") == pytest.approx(2 / 3)


def test_sliding_window_matches_the_direct_definition() -> None:
    tokens = words(FLUENT + " money money money money money")
    direct = [len(set(tokens[i : i + 10])) / 10 for i in range(len(tokens) - 9)]
    assert word_variety(FLUENT + " money money money money money") == pytest.approx(
        sum(direct) / len(direct)
    )
