"""docs/protocol.md holds the protocol table the module produces, unchanged."""

from __future__ import annotations

from pathlib import Path

from spillover.recipes.protocol import STUDY, doc_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_the_doc_holds_the_generated_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert doc_table() in text
    for _, study_text in STUDY.values():
        assert study_text.replace("|", "\\|") in text
