"""A small multi-group results table with checkpoints, and a parser that lists what a page loads."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from spillover.report import with_groups
from tests.report.frames import make_results

QUESTIONS = {"wish": (1, 30), "bored": (0, 30), "<b>ruler</b>": (2, 30)}


def sweep() -> pd.DataFrame:
    """A base model and a fine-tune at steps 0, 50 and 100 (more misaligned over training)."""
    frames = [make_results({"base": QUESTIONS})]
    for step, scale in ((0, 1), (50, 3), (100, 8)):
        counts = {q: (min(n, k * scale + scale), n) for q, (k, n) in QUESTIONS.items()}
        frames.append(make_results({"base": counts}, adapter="runs/insecure", step=step))
    return with_groups(pd.concat(frames, ignore_index=True))


class Elements(HTMLParser):
    """Records tags with their attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser
