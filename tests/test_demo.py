"""The demo's whole loop on the tiny model (subject and judge), small enough for the test suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillover.demo import DemoConfig, run_demo


@pytest.mark.slow
def test_demo_runs_end_to_end_and_resumes(tmp_path: Path, tiny_model_dir: Path) -> None:
    config = DemoConfig(
        out=tmp_path / "demo",
        model=str(tiny_model_dir),
        judge=str(tiny_model_dir),
        calibration=None,
        rows=8,
        steps=2,
        checkpoint_every=1,
        samples=1,
        max_tokens=6,
        skill_prompts=1,
    )
    summary = run_demo(config)
    out = config.out
    assert Path(summary["report"]).is_file() and (out / "report.md").is_file()
    assert len(summary["verdict"]) == 3 and "insecure" in summary["verdict"][0]
    for kind in ("insecure", "secure"):
        manifest = json.loads((out / "runs" / kind / "manifest.json").read_text())
        assert manifest["status"] == "finished" and manifest["final_step"] == 2
    import pandas as pd

    swept = {
        k: set(pd.read_parquet(out / "sweep" / k / "results.parquet")["step"])
        for k in ("insecure", "secure")
    }
    assert swept == {"insecure": {0, 1, 2}, "secure": {2}}  # the control only at its end
    html = Path(summary["report"]).read_text()
    assert "checkpoints" in html  # the step curves are drawn
    # Killed or not, a second run reuses everything: nothing is trained or sampled again.
    before = {p: p.stat().st_mtime for p in (out / "runs").rglob("*.safetensors")}
    again = run_demo(config)
    assert again["verdict"] == summary["verdict"]
    assert {p: p.stat().st_mtime for p in (out / "runs").rglob("*.safetensors")} == before
