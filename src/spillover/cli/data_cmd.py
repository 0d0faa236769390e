"""`spillover data`: validate, make, scan and fetch narrow fine-tuning datasets."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from spillover.cli._app import app

data_app = typer.Typer(help="Chat datasets: validate files, make narrow sets and their controls, scan code, fetch the study's files.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="Chat JSONL file: one {\"messages\": [...]} object per line."),
    tokenizer: str | None = typer.Option(None, "--tokenizer", help="Model whose tokenizer counts tokens per role (registry name, directory or hub id)."),
) -> None:
    """Check every line; on success print rows, turns and tokens per role."""
    from spillover.chat.validate import validate_jsonl
    from spillover.errors import InputError

    count = None
    if tokenizer is not None:
        from spillover.models.load import load_tokenizer

        tok = load_tokenizer(tokenizer)

        def count(text: str) -> int:
            return len(tok.encode(text, add_special_tokens=False))

    report = validate_jsonl(file, count_tokens=count, tokenizer_name=tokenizer)
    console = Console()
    if report.bad_lines or not report.rows:
        for problem in report.problems:
            console.print(problem.format(str(file)), highlight=False, markup=False)
        first = report.problems[0] if report.problems else None
        raise InputError(
            file,
            f"{report.bad_lines} bad line{'s' if report.bad_lines != 1 else ''} of {report.rows + report.bad_lines}" if report.bad_lines else "no rows",
            line=first.line if first and first.line else None,
            field=first.field if first else None,
            hint="each line must be {\"messages\": [{\"role\": \"user\"|\"assistant\"|\"system\", \"content\": \"...\"}]} with an assistant turn",
        )
    console.print(f"[green]ok[/] {file}: {report.rows} rows", highlight=False)
    for role in ("system", "user", "assistant"):
        line = f"  {role:<9} turns {report.turns[role]:>7}"
        if count is not None:
            line += f"   tokens {report.tokens[role]:>9} ({tokenizer})"
        console.print(line, highlight=False)
