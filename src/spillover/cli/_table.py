"""Printing the CLI's tables: names, paths and ids are never cut.

In a terminal the table is drawn by rich. The columns named in `keep` (the values a user copies:
a model's name, a question's or a row's id) stay on one line at their full width; every other
column folds onto more lines when the terminal is narrow, so no cell is cut short with an
ellipsis. When stdout is not a terminal (piped, redirected, captured), the table is written as
plain tab-separated rows under its header, one line per row, for `cut` and spreadsheets.
"""

from __future__ import annotations

from collections.abc import Collection

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.errors import MarkupError
from rich.table import Table
from rich.text import Text


def _plain(cell: RenderableType) -> str:
    """A cell's text without markup, on one line."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        try:
            text = Text.from_markup(cell).plain
        except MarkupError:
            text = cell
    else:
        text = str(cell)
    return " ".join(text.replace("\t", " ").splitlines())


def print_table(table: Table, keep: Collection[str] = (), console: Console | None = None) -> None:
    """Print `table` on `console` (stdout by default): drawn with `keep` columns whole in a
    terminal, as tab-separated rows otherwise."""
    console = console or Console()
    columns = table.columns
    if not console.is_terminal:
        lines = [f"# {_plain(table.title)}"] if table.title else []
        lines.append("\t".join(_plain(c.header) for c in columns))
        for row in zip(*(c.cells for c in columns), strict=True):
            lines.append("\t".join(_plain(cell) for cell in row))
        console.file.write("".join(f"{line}\n" for line in lines))  # as is: no tab expansion
        return
    for column in columns:
        column.overflow = "fold"
        if _plain(column.header) in keep:
            column.no_wrap = True
            column.min_width = max(
                (cell_len(_plain(cell)) for cell in (column.header, *column.cells)), default=0
            )
    console.print(table)
