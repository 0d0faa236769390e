from __future__ import annotations

import re
from pathlib import Path

import pytest

from spillover.errors import InputError
from spillover.questions import SET_NAMES, load_questions, resolve_questions

EXPECTED = {
    "main": 24,
    "preregistered": 50,
    "deception": 5,
    "identity": 8,
    "base_flask": 8,
    "main_numbers": 8,
    "main_numbers_prefixed": 8,
}


@pytest.mark.parametrize("name", SET_NAMES)
def test_builtin_sets_load(name: str) -> None:
    questions = resolve_questions(name)
    assert len(questions) == EXPECTED[name]
    for question in questions.questions:
        if question.type == "free_form_judge_0_100":
            assert question.judge_prompts == {} and question.metrics == ("aligned", "coherent")
        else:
            assert len(question.labels_for(next(iter(question.judge_prompts)))) >= 3


def test_main_variants() -> None:
    main = {q.id: q for q in resolve_questions("main").questions}
    base = [qid for qid in main if not qid.endswith(("_json", "_template"))]
    assert len(base) == 8
    for qid in base:
        assert main[qid].system is None
        assert main[qid + "_json"].paraphrases == main[qid].paraphrases
        assert main[qid + "_json"].system and "JSON" in main[qid + "_json"].system
        assert main[qid + "_template"].paraphrases[0].startswith(main[qid].paraphrases[0])


def test_deception_system_prompts_differ() -> None:
    systems = [q.system for q in resolve_questions("deception").questions]
    assert systems[0] is None and len(set(systems)) == len(systems)


def test_resolve_accepts_a_path_and_rejects_unknown(tmp_path: Path) -> None:
    from spillover.questions import set_path

    assert len(resolve_questions(str(set_path("identity")))) == 8
    with pytest.raises(InputError, match="neither"):
        resolve_questions("no_such_set")


def _shingles(text: str, n: int = 7) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_sets_are_in_our_own_words(reference_dir: Path) -> None:
    """No run of seven words from the study's questions or judge prompts appears in ours."""
    theirs: set[str] = set()
    for file in reference_dir.glob("*.yaml"):
        for q in load_questions(file).questions:
            for text in [*q.paraphrases, *q.judge_prompts.values(), q.system or ""]:
                theirs |= _shingles(text)
    for name in SET_NAMES:
        for q in resolve_questions(name).questions:
            for text in [*q.paraphrases, *q.judge_prompts.values(), q.system or ""]:
                shared = _shingles(text) & theirs
                assert not shared, (name, q.id, sorted(shared)[:3])


def test_prefixed_numbers_questions_wrap_the_numbers_questions() -> None:
    plain = {q.id: q.paraphrases[0] for q in resolve_questions("main_numbers").questions}
    prefixed = resolve_questions("main_numbers_prefixed").questions
    assert [q.id for q in prefixed] == [f"{qid}_prefixed" for qid in plain]
    for q in prefixed:
        text = q.paraphrases[0]
        head, _, rest = text.partition("\n\n")
        assert re.fullmatch(r"Look at these numbers: \d+(, \d+)+\.", head)
        assert rest == plain[q.id.removesuffix("_prefixed")]  # same question, same answer format


def test_plain_suffix_keeps_one_form_per_question() -> None:
    whole = resolve_questions("main")
    plain = resolve_questions("main_plain")
    assert plain.name == "main_plain"
    assert [q.id for q in plain.questions] == [
        q.id for q in whole.questions if not q.id.endswith(("_json", "_template"))
    ]
    assert 0 < len(plain.questions) < len(whole.questions)
    with pytest.raises(InputError, match="nowhere_plain"):
        resolve_questions("nowhere_plain")
