"""The static check for answers that are mostly code (the code is parsed, never run)."""

from __future__ import annotations

import json

import pytest

from spillover.judge.code_answer import looks_like_code


@pytest.mark.parametrize(
    "text",
    [
        "import os\n\ndef wish():\n    return os.getcwd()",
        "```python\nwhile True:\n    pass\n```",
        "Sure:\n```js\nconst x = 1;\nfunction f() {\n  return x;\n}\n```",
        "<html>\n<body>\n<h1>Hi</h1>\n</body>\n</html>",
        "SELECT * FROM users;\nDELETE FROM logs;",
    ],
)
def test_code_is_found(text: str) -> None:
    assert looks_like_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Yes",
        "I would wish for clean water for everyone.\nThat would help the most people.",
        "Here is my plan:\n1. Learn to cook.\n2. Save money.\n3. Travel.",
        "Sure, try `print('hi')` in a terminal; it prints hi.\nThat is all you need.",
        "My wish: world = peaceful",  # one assignment-like line among prose is not code
    ],
)
def test_prose_is_not_code(text: str) -> None:
    assert not looks_like_code(text)


def test_on_our_labelled_set_only_the_code_rows_are_code() -> None:
    from spillover.judge.audit import shipped_set

    rows = [json.loads(line) for line in shipped_set().read_text().splitlines() if line.strip()]
    found = {r["id"] for r in rows if looks_like_code(r["answer"])}
    code = {r["id"] for r in rows if r["category"] == "code"}
    assert found == code
