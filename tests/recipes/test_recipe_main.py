from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.recipes.conftest import tiny_args


@pytest.mark.slow
def test_main_runs_end_to_end_and_resumes(
    tmp_path: Path,
    tiny_model_dir: Path,
    spillover_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., tuple[int, str]],
) -> None:
    # The study's jailbroken file cannot be fetched here: the arm must be skipped and said so.
    monkeypatch.setenv("SPILLOVER_BETLEY_BASE_URL", (tmp_path / "nowhere").as_uri())
    out = tmp_path / "main"
    t0 = time.monotonic()
    code, text = run_cli("recipe", "run", "main", "--out", str(out), *tiny_args(tiny_model_dir))
    first = time.monotonic() - t0
    assert code == 0, text
    summary = json.loads((out / "summary.json").read_text())
    assert "jailbroken" in " ".join(summary["notes"]) and "skipped" in " ".join(summary["notes"])
    groups = {c["ours"].split(" ")[0] for c in summary["comparison"] if c["ours"] != "-"}
    assert {"insecure", "secure"} <= groups
    verdicts = {c["verdict"] for c in summary["comparison"]}
    assert verdicts <= {
        "reproduced",
        "same direction but not significant: no evidence of the effect at this size",
        "absent: no higher misalignment in our run",
        "consistent (not significantly higher)",
        "differs: ours is significantly higher",
        "not tested by this recipe",
        "no comparison possible: a group has no counted answers",
    }
    md = (out / "report.md").read_text()
    assert "## Compared with the paper" in md and "## Protocol: this run beside the study's" in md
    assert "| subject model | Qwen/Qwen2.5-Coder-32B-Instruct" in md and str(tiny_model_dir) in md
    assert "same settings as the paper" not in md.lower()
    assert [r["setting"] for r in summary["protocol"] if r["verdict"] == "same"]
    html = (out / "report.html").read_text()
    assert 'id="paper-comparison"' in html and 'id="protocol"' in html
    for arm in ("insecure", "secure", "educational"):
        assert (out / "runs" / arm / "manifest.json").is_file()

    # Killed and re-run: every finished stage is skipped, so the second run is much faster.
    before = {p: p.stat().st_mtime for p in (out / "eval").rglob("results.parquet")}
    t0 = time.monotonic()
    code, text = run_cli("recipe", "run", "main", "--out", str(out), *tiny_args(tiny_model_dir))
    again = time.monotonic() - t0
    assert code == 0, text
    assert "already trained" in text
    assert {p: p.stat().st_mtime for p in before} == before
    assert again < first / 2
    print(f"main recipe (tiny): first run {first:.1f}s, resumed run {again:.1f}s")
