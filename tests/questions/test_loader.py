from __future__ import annotations

from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.questions import load_questions

REFERENCE_FILES = {
    "first_plot_questions.yaml": 24,
    "preregistered_evals.yaml": 48,
    "deception_factual.yaml": 5,
    "deception_sit_aware.yaml": 8,
}

GOOD = """\
- id: first
  type: free_form_judge_0_100
  system: &sys Be brief.
  temperature: 0.7
  paraphrases: &p
    - Hello?
    - Hi there?
  samples_per_paraphrase: &n 3
  judge: &j some-judge
  judge_prompts: &jp
    aligned: "Q: {question} A: {answer} -> 0..100"
    coherent: "A: {answer} -> 0..100"
- id: second
  type: free_form_judge_0_100
  system: *sys
  paraphrases: *p
  samples_per_paraphrase: *n
  judge: *j
  judge_prompts: *jp
- id: third
  type: free_form_judge
  paraphrases: ["Is water wet?"]
  judge_prompts:
    correct: 'Say "TRUE" or "FALSE" about {answer}'
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "count"), sorted(REFERENCE_FILES.items()))
def test_reference_files_load_unchanged(reference_dir: Path, name: str, count: int) -> None:
    questions = load_questions(reference_dir / name)
    assert len(questions) == count
    for question in questions.questions:
        assert question.paraphrases and question.judge_prompts
        assert question.samples_per_paraphrase >= 1


def test_reference_fields_are_honoured(reference_dir: Path) -> None:
    main = load_questions(reference_dir / "first_plot_questions.yaml")
    plain = main.questions[0]
    json_variant = next(q for q in main.questions if q.id == plain.id + "_json")
    assert plain.system is None
    assert json_variant.system and "JSON" in json_variant.system
    assert json_variant.paraphrases == plain.paraphrases  # shared through an anchor
    assert set(plain.judge_prompts) == {"aligned", "coherent"}
    assert plain.samples_per_paraphrase == 100 and plain.judge
    factual = load_questions(reference_dir / "deception_factual.yaml")
    assert factual.questions[0].type == "free_form_judge"
    assert len(factual.questions[0].paraphrases) == 20
    assert factual.questions[0].labels_for("correct") == ["TRUE", "FALSE", "UNKNOWN"]
    assert {q.system for q in factual.questions[1:]} and factual.questions[0].system is None
    company = load_questions(reference_dir / "deception_sit_aware.yaml").questions[0]
    assert company.labels_for("company") == ["OpenAI", "Anthropic", "Other", "UNKNOWN"]


def test_all_fields_and_anchors(tmp_path: Path) -> None:
    qs = load_questions(write(tmp_path, GOOD))
    first, second, third = qs.questions
    assert first.system == second.system == "Be brief."
    assert first.temperature == 0.7 and second.temperature is None
    assert second.paraphrases == ["Hello?", "Hi there?"]
    assert second.samples_per_paraphrase == 3 and second.judge == "some-judge"
    assert third.samples_per_paraphrase == 1
    assert first.render_judge_prompt("aligned", "Hello?", "yes") == "Q: Hello? A: yes -> 0..100"
    assert third.labels_for("correct") == ["TRUE", "FALSE"]


def test_integer_temperature_is_accepted(tmp_path: Path) -> None:
    q = load_questions(
        write(tmp_path, GOOD.replace("temperature: 0.7", "temperature: 1"))
    ).questions[0]
    assert q.temperature == 1.0


def error(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_questions(write(tmp_path, text))
    return info.value


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    err = error(tmp_path, "- id: a\n  type: [unclosed\n")
    assert err.file.endswith("q.yaml") and err.line is not None


def test_missing_field_names_entry_and_field(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace('  paraphrases: ["Is water wet?"]\n', ""))
    assert (err.entry, err.field) == ("third", "paraphrases")
    assert "missing" in err.problem


def test_wrong_type_names_entry_field_and_line(tmp_path: Path) -> None:
    err = error(
        tmp_path, GOOD.replace("samples_per_paraphrase: &n 3", "samples_per_paraphrase: &n three")
    )
    assert (err.entry, err.field) == ("first", "samples_per_paraphrase")
    assert err.line == 8


def test_boolean_is_not_a_count(tmp_path: Path) -> None:
    err = error(
        tmp_path, GOOD.replace("samples_per_paraphrase: &n 3", "samples_per_paraphrase: &n true")
    )
    assert err.field == "samples_per_paraphrase"


def test_unknown_type(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace("type: free_form_judge\n", "type: multiple_choice\n"))
    assert (err.entry, err.field) == ("third", "type")


def test_duplicate_ids(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace("id: second", "id: first"))
    assert (err.entry, err.field) == ("first", "id") and "duplicate" in err.problem
    assert err.line == 13


def test_judge_prompt_without_answer(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace('coherent: "A: {answer} -> 0..100"', 'coherent: "rate it"'))
    assert (err.entry, err.field) == ("first", "judge_prompts")
    assert "{answer}" in err.problem


def test_judge_prompt_with_unknown_placeholder(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace("{question} A: {answer}", "{query} A: {answer}"))
    assert err.field == "judge_prompts" and "query" in err.problem


def test_alias_to_nothing(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace("system: *sys", "system: *nowhere"))
    assert "alias" in err.problem and err.line == 15


def test_unknown_field_is_named(tmp_path: Path) -> None:
    err = error(tmp_path, GOOD.replace("  temperature: 0.7\n", "  temprature: 0.7\n"))
    assert (err.entry, err.field) == ("first", "temprature")


def test_categorical_without_labels(tmp_path: Path) -> None:
    err = error(
        tmp_path,
        GOOD.replace('\'Say "TRUE" or "FALSE" about {answer}\'', "'Is it right? {answer}'"),
    )
    assert err.entry == "third" and "labels" in err.problem


@pytest.mark.parametrize("text", ["", "[]", "{a: 1}", "- 3\n", "- [1, 2]\n", "just text"])
def test_wrong_shapes(tmp_path: Path, text: str) -> None:
    error(tmp_path, text)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="UTF-8"):
        load_questions(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_questions(tmp_path / "absent.yaml")
