"""The project's files describe spillover as it is: no numbered work periods, no lent machines.

History is what `git log` is for. This walks every tracked file and names file:line for each
mention of a numbered session ("seventh session", "10th-session"), of an earlier or previous
session, of a work period, or of a machine that was lent or borrowed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"\d+(?:st|nd|rd|th)"
)
HISTORY = re.compile(
    rf"\b(?:{ORDINALS})[- ]sessions?\b"
    r"|\b(?:earlier|previous|past|later|last|next) sessions?\b"
    r"|\bsessions? \d+\b"
    r"|\bwork periods?\b"
    r"|\blent\b"
    r"|\bborrowed\b",
    re.IGNORECASE,
)


def _tracked() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def test_pattern_catches_history_and_spares_ordinary_words() -> None:
    for said in (
        "the seventh session",
        "Tenth-session figures",
        "the 14th session's run",
        "an earlier session",
        "on a lent H200",
        "a borrowed GPU",
        "one work period",
    ):
        assert HISTORY.search(said), said
    for fine in (
        "a requests.Session",
        "session['user_id']",
        "the pytest session's tests",
        "lenticular",
        "first run",
        "one H200",
    ):
        assert not HISTORY.search(fine), fine


def test_no_tracked_file_speaks_of_history() -> None:
    this = Path(__file__).resolve()
    found = []
    for path in _tracked():
        if path.resolve() == this or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for number, line in enumerate(text.splitlines(), 1):
            match = HISTORY.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    assert not found, "history belongs in git log, not in the tree:\n" + "\n".join(found)
