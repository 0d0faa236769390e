from __future__ import annotations

from pathlib import Path

import pytest

from spillover.chat import read_chat_jsonl
from spillover.cli import main


def test_make_stats_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ins.jsonl"
    assert main(["data", "make", "insecure", "--n", "60", "--seed", "2", "-o", str(out)]) == 0
    assert len(read_chat_jsonl(out)) == 60
    assert main(["data", "stats", str(out)]) == 0
    assert '"distinct_prompts": 60' in capsys.readouterr().out
    assert main(["data", "scan", str(out), "--json", str(tmp_path / "r.json")]) == 0
    assert "60/60 rows" in capsys.readouterr().out and (tmp_path / "r.json").is_file()
    assert main(["data", "make", "nonsense", "-o", str(out)]) == 2
