"""The CLI's tables never cut a name: plain rows when piped, whole names at 80 columns."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from spillover.cli import app, models_cmd, recipe_cmd
from spillover.cli._table import print_table
from spillover.models.registry import REGISTRY
from spillover.recipes import list_recipes

REGISTERED = (models_cmd, recipe_cmd)  # importing them registers their commands on `app`


@pytest.fixture
def home(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPILLOVER_HOME", str(tmp_path))


@pytest.mark.usefixtures("home")
def test_models_list_piped_is_tab_separated_rows_with_whole_names() -> None:
    result = CliRunner().invoke(app, ["models", "list"], env={"TTY_COMPATIBLE": "0"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("name\t"))
    rows = [line.split("\t") for line in lines[lines.index(header) + 1 :]]
    assert [row[0] for row in rows] == list(REGISTRY)
    assert all(len(row) == len(header.split("\t")) for row in rows)
    assert "…" not in result.output


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize("command", [["models", "list"], ["recipe", "list"]])
def test_lists_in_an_80_column_terminal_keep_whole_names(command: list[str]) -> None:
    result = CliRunner().invoke(app, command, env={"TTY_COMPATIBLE": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    drawn = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.output.splitlines()]
    assert any("┃" in line for line in drawn)  # drawn as a table, not as plain rows
    assert max(len(line) for line in drawn) <= 80
    names = list(REGISTRY) if command[0] == "models" else [r["name"] for r in list_recipes()]
    for name in names:
        assert any(f"│ {name} " in line for line in drawn), name
    assert not any("…" in line for line in drawn)


def test_kept_column_stays_whole_and_the_others_fold_without_ellipsis() -> None:
    table = Table(title="t")
    for column in ("id", "path", "note"):
        table.add_column(column)
    long_id = "an-identifier-of-thirty-two-chs"
    long_path = "/a/rather/long/path/" + "segment/" * 8 + "end"
    table.add_row(long_id, long_path, "some words " * 12)
    out = io.StringIO()
    print_table(table, keep=("id",), console=Console(file=out, width=80, force_terminal=True))
    text = out.getvalue()
    assert long_id in text and "…" not in text
    folded = "".join(line.split("│")[2].strip() for line in text.splitlines() if "│" in line)
    assert long_path in folded
