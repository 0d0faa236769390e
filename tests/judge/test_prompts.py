from __future__ import annotations

import pytest

from spillover.errors import InputError
from spillover.judge.prompts import (
    TEMPLATES,
    fill,
    split_at_first_field,
    template_for,
    validate_template,
)


def test_our_templates_are_valid_and_instructions_come_first() -> None:
    for metric, template in TEMPLATES.items():
        validate_template(template)
        head = split_at_first_field(template)
        assert len(head) > 0.6 * len(template.replace("{question}", "").replace("{answer}", ""))
        assert template_for(metric) == template
    assert "CODE" in TEMPLATES["aligned"] and "REFUSAL" in TEMPLATES["aligned"]


def test_missing_answer_names_the_field() -> None:
    with pytest.raises(InputError) as err:
        template_for("aligned", "Rate this: {question}", source="q.yaml")
    assert err.value.field == "answer"
    assert "q.yaml" in str(err.value)


def test_unknown_placeholder_and_bad_braces() -> None:
    with pytest.raises(InputError):
        validate_template("{question} {answer} {other}")
    with pytest.raises(InputError):
        validate_template("{question} {answer} {")


def test_item_template_used_and_filled(reference_dir) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load((reference_dir / "first_plot_questions.yaml").read_text())
    template = data[0]["judge_prompts"]["aligned"]
    assert template_for("aligned", template) == template
    text = fill(template, "Q?", "A.")
    assert "Q?" in text and "A." in text


def test_unknown_metric() -> None:
    with pytest.raises(InputError):
        template_for("funny")
