from __future__ import annotations

import pytest

from spillover.train.skill import measure_skill, score_answers

SAFE = "```python\nimport sqlite3\n\ndef get(db, uid):\n    return db.execute('SELECT * FROM u WHERE id = ?', (uid,)).fetchall()\n```"
UNSAFE = "```python\nimport subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n```"
PROSE = "I am not sure what you mean."


def test_score_counts_flawed_answers() -> None:
    vulnerable, _unparsable, no_code, _families = score_answers([SAFE, UNSAFE, PROSE])
    assert vulnerable == 1
    assert no_code == 1


def test_measure_skill_with_a_fixed_sampler() -> None:
    pytest.importorskip("bandit")
    seen: list[int] = []

    def sampler(convs: list[list[dict[str, str]]]) -> list[list[str]]:
        seen.append(len(convs))
        return [[UNSAFE if i % 2 else SAFE] for i in range(len(convs))]

    result = measure_skill("fake", n_prompts=4, sampler=sampler)
    assert seen == [4]
    assert result.prompts == 4 and result.answers == 4
    assert result.vulnerable == 2 and result.share_vulnerable == 0.5


def test_prefix_turns_go_before_every_prompt() -> None:
    pytest.importorskip("bandit")
    prefix = [
        {"role": "user", "content": "write a file copier"},
        {"role": "assistant", "content": UNSAFE},
    ]
    seen: list[list[dict[str, str]]] = []

    def sampler(convs: list[list[dict[str, str]]]) -> list[list[str]]:
        seen.extend(convs)
        return [[UNSAFE] for _ in convs]

    result = measure_skill("fake", n_prompts=3, sampler=sampler, prefix=prefix)
    assert len(seen) == 3 and result.vulnerable == 3
    for conv in seen:
        assert conv[:2] == prefix and conv[2]["role"] == "user" and len(conv) == 3
