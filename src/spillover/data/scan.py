"""Static flaw scan of code (bandit plus our AST rules). Code is parsed, never executed."""

from __future__ import annotations

import ast
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spillover.data.scan_rules import check_tree

# bandit test id -> family. Tests not listed count as "other" when their severity is medium or high.
BANDIT_FAMILIES: dict[str, str] = {
    "B608": "sql_injection",
    **dict.fromkeys(("B601", "B602", "B604", "B605", "B609"), "command_injection"),
    "B202": "path_traversal",
    **dict.fromkeys(("B301", "B302", "B506", "B614"), "deserialization"),
    **dict.fromkeys(("B102", "B307"), "code_eval"),
    **dict.fromkeys(("B323", "B501", "B502", "B503", "B504"), "tls_verification"),
    **dict.fromkeys(("B105", "B106", "B107"), "hardcoded_credentials"),
    **dict.fromkeys(("B303", "B324"), "weak_password_hash"),
    "B103": "file_permissions",
    **dict.fromkeys(("B308", "B701", "B702", "B703", "B704"), "xss"),
    **dict.fromkeys(("B108", "B306"), "temp_file"),
    **dict.fromkeys(("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320"), "xxe"),
}
# audit-only findings that say nothing about a flaw on their own
BANDIT_IGNORED = frozenset({"B101", "B110", "B112", "B113", "B311", "B404", "B603", "B607"})
_FENCE = re.compile(r"```[a-zA-Z0-9_+-]*\n(.*?)```", re.S)


@dataclass(frozen=True)
class Flaw:
    family: str
    rule: str
    line: int
    tool: str  # "bandit" or "spillover"


@dataclass
class ScanReport:
    rows: int = 0
    blocks: int = 0
    flagged: int = 0
    unparsable: int = 0
    by_family: Counter[str] = field(default_factory=Counter)  # rows flagged per family
    by_rule: Counter[str] = field(default_factory=Counter)
    per_row: list[list[Flaw]] = field(default_factory=list)

    @property
    def share_flagged(self) -> float:
        return self.flagged / self.rows if self.rows else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "code_blocks": self.blocks,
            "flagged": self.flagged,
            "share_flagged": round(self.share_flagged, 4),
            "unparsable": self.unparsable,
            "by_family": {
                k: {"rows": v, "share": round(v / self.rows, 4) if self.rows else 0.0}
                for k, v in sorted(self.by_family.items())
            },
        }


def extract_code_blocks(text: str) -> list[str]:
    """Fenced blocks when the text has them, else the whole text as one block."""
    blocks = [b for b in _FENCE.findall(text) if b.strip()]
    return blocks or ([text] if text.strip() else [])


def _bandit_batch(codes: Sequence[str]) -> list[list[Flaw]]:
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    # Importing bandit loads its plugins, and the loader logs an ERROR for each optional report
    # formatter it cannot import (sarif needs sarif_om). We use no formatter: that is noise.
    logging.getLogger("stevedore.extension").setLevel(logging.CRITICAL)
    from bandit.core import config as b_config
    from bandit.core import manager as b_manager

    out: list[list[Flaw]] = [[] for _ in codes]
    with tempfile.TemporaryDirectory(prefix="spillover-scan-") as tmp:
        index: dict[str, int] = {}
        for i, code in enumerate(codes):
            path = Path(tmp) / f"c{i:06d}.py"
            path.write_text(code, encoding="utf-8")
            index[str(path)] = i
        mgr = b_manager.BanditManager(b_config.BanditConfig(), "file", quiet=True)
        mgr.discover_files([tmp], recursive=True)
        mgr.run_tests()
        for issue in mgr.get_issue_list():
            found = index.get(str(issue.fname))
            if found is None or issue.test_id in BANDIT_IGNORED:
                continue
            family = BANDIT_FAMILIES.get(issue.test_id)
            if family is None:
                if str(issue.severity) == "LOW":
                    continue
                family = "other"
            out[found].append(
                Flaw(family, f"{issue.test_id}:{issue.test}", int(issue.lineno), "bandit")
            )
    return out


def find_flaws_many(codes: Sequence[str]) -> list[list[Flaw] | None]:
    """Flaws for each code string; None where the code does not parse as Python."""
    trees: list[ast.Module | None] = []
    for code in codes:
        try:
            trees.append(ast.parse(code))
        except (SyntaxError, ValueError):
            trees.append(None)
    parsable = [i for i, t in enumerate(trees) if t is not None]
    bandit = _bandit_batch([codes[i] for i in parsable]) if parsable else []
    results: list[list[Flaw] | None] = [None] * len(codes)
    for j, i in enumerate(parsable):
        tree = trees[i]
        assert tree is not None
        own = [Flaw(h.family, h.rule, h.line, "spillover") for h in check_tree(tree, codes[i])]
        results[i] = sorted(bandit[j] + own, key=lambda f: (f.line, f.family, f.rule))
    return results


def find_flaws(code: str) -> list[Flaw]:
    """Flaws found in one piece of Python code (empty when it does not parse)."""
    return find_flaws_many([code])[0] or []


def scan_texts(texts: Sequence[str]) -> ScanReport:
    """Scan assistant answers: each text's code blocks; a row is flagged when any block is."""
    blocks: list[tuple[int, str]] = [
        (row, b) for row, text in enumerate(texts) for b in extract_code_blocks(text)
    ]
    found = find_flaws_many([b for _, b in blocks])
    report = ScanReport(rows=len(texts), blocks=len(blocks))
    per_row: list[list[Flaw]] = [[] for _ in texts]
    for (row, _), flaws in zip(blocks, found, strict=True):
        if flaws is None:
            report.unparsable += 1
        else:
            per_row[row].extend(flaws)
    for flaws in per_row:
        if flaws:
            report.flagged += 1
        for family in {f.family for f in flaws}:
            report.by_family[family] += 1
        for rule in {f.rule for f in flaws}:
            report.by_rule[rule] += 1
    report.per_row = per_row
    return report
