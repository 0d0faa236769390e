from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from rich.console import Console

from spillover.chat import ChatRow
from spillover.judge.base import Classification
from spillover.recipes import Runner, recipe_config, resolve_scale
from spillover.recipes.domain_advice import filter_in_domain


class KeywordJudge:
    """Says YES when the reply mentions a medical word: stands in for the filter judge."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    async def classify(self, prompts: Sequence[str], labels: Sequence[str]) -> list[Classification]:
        self.prompts += prompts
        return [
            Classification("YES" if "doctor" in p.split("Here is the reply:")[1] else "NO", {})
            for p in prompts
        ]


def test_filter_keeps_only_rows_the_judge_calls_in_domain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    judge = KeywordJudge()
    monkeypatch.setattr("spillover.judge.factory.make_judge", lambda spec: judge)
    config = recipe_config("domain-advice")
    runner = Runner(
        config,
        resolve_scale(config, "cpu", judge="x"),
        "cpu",
        tmp_path,
        dry_run=True,
        console=Console(quiet=True),
    )
    rows = [
        ChatRow.of(("user", "I have a fever."), ("assistant", "Skip the doctor and wait.")),
        ChatRow.of(("user", "I have a fever."), ("assistant", "Buy shares in a bakery.")),
    ]
    kept = filter_in_domain(runner, "medical", rows)
    assert kept == rows[:1]
    assert runner.extra_info["domain filter"]["medical"] == "1 of 2 rows kept"
    assert "medical topic" in judge.prompts[0] and "I have a fever." in judge.prompts[0]
