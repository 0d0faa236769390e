"""Whatever the bytes, the loader returns questions or raises InputError: never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spillover.errors import InputError
from spillover.questions import load_questions

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "id",
    "type",
    "paraphrases",
    "samples_per_paraphrase",
    "system",
    "temperature",
    "judge",
    "judge_prompts",
    "labels",
]
entries = st.dictionaries(st.sampled_from([*FIELDS, "extra"]), values, max_size=9)


def check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.yaml"
        path.write_bytes(data)
        try:
            load_questions(path)
        except InputError as err:
            assert err.file == str(path)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    check(data)


@SETTINGS
@given(st.text(alphabet="-:[]{}&*!|>'\"\n #?,abc01", max_size=200))
def test_yaml_like_text(text: str) -> None:
    check(text.encode())


@SETTINGS
@given(st.lists(entries, max_size=4))
def test_wrong_types(items: list[dict[str, Any]]) -> None:
    check(yaml.safe_dump(items).encode())


def nested(depth: int, opener: str) -> str:
    if opener == "- ":
        return "".join("  " * i + "- \n" for i in range(depth))
    closer = {"[": "]", "{a: ": "}"}[opener]
    return opener * depth + "x" + closer * depth


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.sampled_from(["[", "{a: ", "- "]))
def test_nesting(depth: int, opener: str) -> None:
    check(nested(depth, opener).encode())


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_nesting_beyond_the_recursion_limit(opener: str) -> None:
    check(nested(1500, opener).encode())
    inside = "- id: a\n  type: free_form_judge_0_100\n  paraphrases: " + nested(1500, "[") + "\n"
    check(inside.encode())
