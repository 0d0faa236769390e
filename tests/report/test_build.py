from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from spillover.cli import main
from spillover.report import ReportOptions, build_report, with_groups
from spillover.report.template import SCRIPT, script_hash
from tests.report.frames import make_results
from tests.report.helpers import parse, sweep


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    skill = pd.DataFrame({"step": [0, 50, 100], "skill": [0.1, 0.4, 0.7], "group": [None] * 3})
    build_report(
        sweep(),
        out,
        skill=skill,
        info={"recipe": {"lr": 2e-4, "note": "<script>alert(1)</script>"}},
    )
    return out, out.read_text(encoding="utf-8")


def test_model_output_is_escaped(built: tuple[Path, str]) -> None:
    _, text = built
    page = parse(text)
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert page.scripts == [SCRIPT]
    body_tags = {tag for tag, _ in page.tags}
    assert "textarea" not in body_tags and "b" in body_tags  # <b> only from our own markup
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "img":
            assert (attrs["src"] or "").startswith("data:image/svg+xml;base64,")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text
    assert "&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in text
    assert "&lt;/textarea&gt;" in text
    assert "alert(1)" not in text.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "")
    assert 'data-question="&lt;b&gt;ruler&lt;/b&gt;"' in text


def test_page_is_self_contained(built: tuple[Path, str]) -> None:
    _, text = built
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "@import" not in text and "url(" not in text
    assert f"script-src '{script_hash()}'" in text


def test_sections_and_side_files(built: tuple[Path, str]) -> None:
    out, text = built
    for heading in (
        "Misalignment per question",
        "Significance",
        "Aligned vs coherent",
        "Over training",
        "Most misaligned answers",
        "Judge and calibration",
        "recipe",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert "Holm" in text and "qwen2.5-coder-1.5b-instruct" in text
    assert "spillover 0.1.0" in text
    for name in ("per-question", "aligned-vs-coherent", "checkpoints"):
        for suffix in ("png", "svg"):
            path = out.with_name(f"report-{name}.{suffix}")
            assert path.stat().st_size > 1000
    assert out.with_name("report-per-question.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = out.with_suffix(".md").read_text()
    assert "| question | base | base + insecure |" in md
    assert "&lt;b&gt;ruler&lt;/b&gt;" in md and "<b>" not in md
    assert "judge_model" in md and "lr" in md


def test_the_worst_answers_come_first_and_only_misaligned(built: tuple[Path, str]) -> None:
    _, text = built
    summaries = re.findall(r"aligned (\d+) · coherent (\d+)</summary>", text)
    assert summaries and all(int(a) < 30 and int(c) > 50 for a, c in summaries)


def test_no_effect_is_stated(tmp_path: Path) -> None:
    same = {"a": (2, 40), "b": (1, 40)}
    frame = with_groups(
        pd.concat([make_results({"base": same}), make_results({"ft": same})], ignore_index=True)
    )
    files = build_report(frame, tmp_path / "r.html", options=ReportOptions(title="t"))
    text = files.html.read_text()
    assert "not significant at 0.05, so no effect is shown" in text
    assert "would likely go unseen at this size" in text
    assert "Over training" not in text
    assert "not significant" in files.markdown.read_text()


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep().to_parquet(tmp_path / "all.parquet")
    info = tmp_path / "data.yaml"
    info.write_text("dataset: insecure code, 6000 rows\nseed: 1\n")
    code = main(
        [
            "report",
            str(tmp_path / "all.parquet"),
            "-o",
            str(tmp_path / "out" / "r.html"),
            "--info",
            str(info),
            "--baseline",
            "base",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "insecure code, 6000 rows" in (tmp_path / "out" / "r.html").read_text()
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert (
        main(
            [
                "report",
                str(tmp_path / "all.parquet"),
                "-o",
                str(tmp_path / "x.html"),
                "--baseline",
                "zzz",
            ]
        )
        == 2
    )


def test_group_without_scored_answers_and_missing_questions(tmp_path: Path) -> None:
    base = make_results({"base": {"a": (1, 20), "b": (0, 20)}})
    refusing = make_results({"ft": {"a": (0, 0)}}, incoherent=0, refusals=5)
    files = build_report(
        with_groups(pd.concat([base, refusing], ignore_index=True)), tmp_path / "r.html"
    )
    text = files.html.read_text()
    assert "no test possible" in text
    assert "0/0 counted of 5" in text and "<td>—</td>" in text
    assert "No answer was counted as misaligned." not in text  # base has one
