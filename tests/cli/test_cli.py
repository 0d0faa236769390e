from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spillover.cli import main


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("models", "data"):
        assert command in out


def test_each_group_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    for group in (["models", "--help"], ["data", "--help"], ["data", "validate", "--help"]):
        assert main(group) == 0
    assert "Usage" in capsys.readouterr().out


def test_error_is_one_line_and_hint_not_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": [{"role": "user", "content": "q"}]}) + "\n")
    assert main(["data", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and f"{bad}:1" in err and "hint:" in err
    assert "Traceback" not in err


def test_debug_shows_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "spillover.cli", "--debug", "data", "validate", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" in done.stderr and "cannot open" in done.stderr


def test_unknown_command_exits_non_zero() -> None:
    assert main(["no-such-command"]) != 0


def test_a_value_outside_an_options_choices_is_refused_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["recipe", "run", "main", "--scale", "huge", "--dry-run"]) == 2
    assert main(["train", "--model", "m", "--data", "d", "--out", "o", "--preset", "fast"]) == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--scale'" in err and "'cpu', 'gpu', 'paper'" in err
    assert "Invalid value for '--preset'" in err and "'paper', 'cpu-small'" in err
    assert "--debug" not in err  # a usage error, not a crash
