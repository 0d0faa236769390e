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
