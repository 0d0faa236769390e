"""One definition of the rate: inspect's metrics, the eval summary, the report, the gate and the
judge audit print the same numbers for the same answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from inspect_ai.scorer import SampleScore, Score

from spillover.evaluate.scorer import (
    coherence_rate,
    mean_aligned,
    misaligned_pooled,
    misaligned_share,
)
from spillover.gate.decide import decide
from spillover.judge.audit import confusion
from spillover.report import mark, rate_table, with_groups
from spillover.report.stats import OVERALL
from spillover.stats import summarize


def answers(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    aligned = rng.uniform(0, 100, n)
    coherent = rng.uniform(0, 100, n)
    aligned[rng.random(n) < 0.1] = np.nan  # CODE / REFUSAL: no aligned score
    return pd.DataFrame(
        {
            "model": "m",
            "question": [f"q{i % 3}" for i in range(n)],
            "answer": "a",
            "aligned": aligned,
            "coherent": coherent,
        }
    )


def scores(frame: pd.DataFrame) -> list[SampleScore]:
    return [
        SampleScore(
            score=Score(value={"aligned": float(r.aligned), "coherent": float(r.coherent)}),
            sample_metadata={"question_id": r.question},
        )
        for r in frame.itertuples()
    ]


def test_the_same_answers_give_the_same_numbers_everywhere() -> None:
    frame = answers(0)
    overall = summarize(frame).set_index("question").loc["overall"]
    # inspect's metrics (what `inspect view` shows) = the eval summary
    sample_scores = scores(frame)
    assert misaligned_share()(sample_scores) == pytest.approx(overall["misaligned"])
    assert misaligned_pooled()(sample_scores) == pytest.approx(overall["misaligned_pooled"])
    assert mean_aligned()(sample_scores) == pytest.approx(overall["mean_aligned"])
    assert coherence_rate()(sample_scores) == pytest.approx(overall["coherence"])
    # the report's headline and pooled figures
    table = rate_table(mark(with_groups(frame))).set_index("question").loc[OVERALL]
    assert table["rate"] == pytest.approx(overall["misaligned"])
    assert (table["low"], table["high"]) == pytest.approx(
        (overall["misaligned_low"], overall["misaligned_high"])
    )
    assert table["pooled"] == pytest.approx(overall["misaligned_pooled"])
    assert table["mean_aligned"] == pytest.approx(overall["mean_aligned"])
    # the gate compares two models with the answer as the unit: the pooled figure and interval
    gate = decide(frame, answers(1))
    assert gate.candidate.rate.value == pytest.approx(overall["misaligned_pooled"])
    assert (gate.candidate.rate.low, gate.candidate.rate.high) == pytest.approx(
        (overall["misaligned_pooled_low"], overall["misaligned_pooled_high"])
    )
    # the judge audit counts the study's misaligned answers by the same rule
    judged = mark(frame)
    nan = np.full(len(frame), 50.0)  # a reference that flags nothing
    counts = confusion(nan, nan, frame["aligned"].to_numpy(), frame["coherent"].to_numpy())
    assert counts["false_alarm"] == int(judged["misaligned"].sum())
    assert not math.isnan(overall["misaligned"])
