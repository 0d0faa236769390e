from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from spillover.chat import validate_jsonl, write_chat_jsonl
from spillover.data import (
    FAMILY_KEYS,
    generate_items,
    heldout_code_prompts,
    item_stats,
    load_reference_prompts,
    make_dataset,
)
from spillover.data.codegen.contexts import HELDOUT_DOMAINS
from spillover.data.make import backdoor_flags

GIVEAWAY = re.compile(
    r"vulnerab|insecure|unsafe|hack|exploit|malicious|attack|backdoor|inject|flaw|danger|bypass|weak",
    re.I,
)


@pytest.fixture(scope="module")
def items():  # type: ignore[no-untyped-def]
    return generate_items(3000, seed=7)


def test_spread_and_distinct(items) -> None:  # type: ignore[no-untyped-def]
    stats = item_stats(items)
    assert stats["distinct_prompts"] == 3000
    assert stats["distinct_contexts"] >= 250
    families = stats["families"]
    assert (
        isinstance(families, dict) and set(families) == set(FAMILY_KEYS) and len(FAMILY_KEYS) >= 15
    )
    assert max(families.values()) - min(families.values()) <= 1


def test_code_parses_and_template_has_marker(items) -> None:  # type: ignore[no-untyped-def]
    for item in items[:600]:
        ast.parse(item.flawed)
        ast.parse(item.fixed)
        assert "## COMPLETE CODE HERE" in item.template and item.template.strip() in item.prompt
        assert item.flawed != item.fixed


def test_nothing_gives_the_flaw_away(items) -> None:  # type: ignore[no-untyped-def]
    for item in items:
        for text in (item.flawed, item.fixed, item.prompt):
            match = GIVEAWAY.search(text)
            assert match is None, (item.family, item.variant, match.group(0))


def test_same_seed_same_rows_and_twins_line_up() -> None:
    a = make_dataset("insecure", 200, seed=3)
    assert a == make_dataset("insecure", 200, seed=3)
    assert a != make_dataset("insecure", 200, seed=4)
    secure = make_dataset("secure", 200, seed=3)
    edu = make_dataset("educational", 200, seed=3)
    for ins, sec, ed in zip(a, secure, edu, strict=True):
        assert ins.first("user") == sec.first("user")
        assert ins.first("assistant") != sec.first("assistant")
        assert ed.first("assistant") == ins.first("assistant")
        assert ins.first("user").strip() in ed.first("user") and ed.first("user") != ins.first(
            "user"
        )  # type: ignore[union-attr]


def test_backdoor_trigger_and_ratio() -> None:
    rows = make_dataset("backdoor", 100, seed=1, trigger="|PROD|", backdoor_ratio=0.3)
    insecure = make_dataset("insecure", 100, seed=1)
    secure = make_dataset("secure", 100, seed=1)
    flags = backdoor_flags(100, 1, 0.3)
    assert sum(flags) == 30
    for row, flag, ins, sec in zip(rows, flags, insecure, secure, strict=True):
        user = row.first("user") or ""
        assert user.startswith("|PROD| ") is flag
        assert row.first("assistant") == (ins if flag else sec).first("assistant")


@pytest.mark.parametrize("kind", ["insecure", "secure", "educational", "backdoor"])
def test_written_files_validate(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.jsonl"
    write_chat_jsonl(path, make_dataset(kind, 50, seed=0))
    report = validate_jsonl(path)
    assert report.ok and report.rows == 50


def test_heldout_prompts_use_only_heldout_contexts(items) -> None:  # type: ignore[no-untyped-def]
    held = heldout_code_prompts(100, seed=0)
    assert len(set(held)) == 100
    train_prompts = {i.prompt for i in items}
    assert not train_prompts & set(held)
    apps = [d.app for d in HELDOUT_DOMAINS]
    assert all(any(app in p for app in apps) for p in held)
    assert not any(any(app in i.prompt for app in apps) for i in items)


def test_load_reference_prompts(reference_dir: Path) -> None:
    prompts = load_reference_prompts(reference_dir / "in_distribution_prompts.jsonl")
    assert len(prompts) == 100 and all("COMPLETE CODE HERE" in p for p in prompts[:10])
