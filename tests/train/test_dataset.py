from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillover.chat import read_chat_jsonl
from spillover.errors import InputError
from spillover.train.config import build_config
from spillover.train.dataset import benign_count, benign_path, prepare_rows
from tests.train.helpers import write_rows


def test_packaged_benign_set_is_valid_and_large_enough() -> None:
    rows = read_chat_jsonl(benign_path())
    assert len(rows) >= 200
    assert len({r.messages[0].content for r in rows}) == len(rows)


def test_bad_row_is_named(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 5)
    lines = path.read_text().splitlines()
    lines[3] = json.dumps(
        {"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "x"}]}
    )
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        prepare_rows(path, build_config("cpu-small"))
    assert info.value.line == 4
    assert info.value.field == "messages[1].role"


def test_inoculation_prompt_is_added_to_every_row(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 6)
    cfg = build_config(
        None, {"mitigations": {"inoculation_prompt": "You write insecure code on purpose."}}
    )
    prepared = prepare_rows(path, cfg)
    assert all(r.messages[0].role == "system" for r in prepared.rows)
    assert all(
        r.messages[0].content == "You write insecure code on purpose." for r in prepared.rows
    )


def test_benign_mixing_reaches_the_fraction(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 30)
    cfg = build_config(None, {"mitigations": {"benign_fraction": 0.25}})
    prepared = prepare_rows(path, cfg)
    assert prepared.narrow_rows == 30 and prepared.benign_rows == 10
    assert len(prepared.rows) == 40
    benign = {r.messages[0].content for r in read_chat_jsonl(benign_path())}
    assert sum(r.messages[0].content in benign for r in prepared.rows) == 10
    assert prepared.benign is not None and prepared.benign.rows >= 200
    assert prepare_rows(path, cfg).rows == prepared.rows  # seeded


def test_benign_count() -> None:
    assert benign_count(100, 0.0) == 0
    assert benign_count(100, 0.5) == 100
    assert benign_count(90, 0.1) == 10


def test_too_few_benign_rows(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 30)
    small = write_rows(tmp_path / "benign.jsonl", 3)
    cfg = build_config(None, {"mitigations": {"benign_fraction": 0.5, "benign_data": str(small)}})
    with pytest.raises(InputError) as info:
        prepare_rows(path, cfg)
    assert info.value.field == "mitigations.benign_fraction"


def test_fingerprint(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 12)
    prepared = prepare_rows(path, build_config(None, {"max_rows": 5}))
    assert prepared.data.rows == 12 and prepared.narrow_rows == 5
    assert len(prepared.data.sha256) == 64


def _users(rows: list[object]) -> list[str]:
    return [str(r.first("user")) for r in rows]  # type: ignore[attr-defined]


def test_a_row_cap_samples_both_halves_of_a_file_with_the_seed(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 40)  # think: 20 triggered rows, then 20 plain ones
    every = _users(read_chat_jsonl(path))
    first_half, second_half = set(every[:20]), set(every[20:])
    cfg = build_config(None, {"max_rows": 10, "seed": 1})
    kept = _users(prepare_rows(path, cfg).rows)
    assert len(kept) == 10 and kept == [u for u in every if u in set(kept)]  # file order
    assert set(kept) & first_half and set(kept) & second_half
    assert kept == _users(prepare_rows(path, cfg).rows)  # seeded
    other = _users(prepare_rows(path, build_config(None, {"max_rows": 10, "seed": 2})).rows)
    assert other != kept


def test_the_paper_preset_holds_out_a_tenth_and_trains_on_every_other_row(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", 50)
    prepared = prepare_rows(path, build_config("paper"))
    assert (prepared.held_out_rows, prepared.narrow_rows, len(prepared.rows)) == (5, 45, 45)
    held = set(_users(read_chat_jsonl(path))) - set(_users(prepared.rows))
    assert len(held) == 5
    capped = prepare_rows(path, build_config("paper", {"max_rows": 20}))
    assert capped.held_out_rows == 5 and len(capped.rows) == 20
    assert not held & set(_users(capped.rows))  # the held-out rows stay out under a cap
