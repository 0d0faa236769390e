"""The Typer app and the error handling every command shares."""

from __future__ import annotations

import os
import traceback

import click
import typer
from rich.console import Console
from rich.text import Text

from spillover.errors import SpilloverError

app = typer.Typer(
    name="spillover",
    help=(
        "Measure emergent misalignment: fine-tune a model on a narrow task, then check whether it "
        "became broadly misaligned on unrelated questions."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

console = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    _state["debug"] = debug or bool(os.environ.get("SPILLOVER_DEBUG"))


def run_app(argv: list[str]) -> int:
    """Run the app; turn errors into one line and a hint, exit code 2."""
    try:
        result = app(args=argv, prog_name="spillover", standalone_mode=False)
        if isinstance(result, int):  # click returns ctx.exit(code)'s code when not standalone
            return result
    except SpilloverError as err:
        if _state["debug"]:
            traceback.print_exc()
        console.print(f"[bold red]error:[/] {err.message}", highlight=False, markup=True)
        if err.hint:
            console.print(f"[yellow]hint:[/] {err.hint}", highlight=False)
        return 2
    except (click.ClickException, typer.TyperException) as err:  # usage: typer raises its own
        err.show()  # type: ignore[union-attr]  # (every TyperException is typer's ClickException)
        return 2
    except typer.Exit as done:
        return int(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console.print(
            "[bold red]aborted[/] (finished work is kept; run the same command to resume)"
        )
        return 130
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except OSError as err:  # disk full or a read-only directory met outside spillover.io
        if _state["debug"]:
            traceback.print_exc()
        from spillover.io import explain_os_error

        clear = explain_os_error(err.filename or "<unknown path>", err)
        console.print(Text.assemble(("error:", "bold red"), f" {clear.message}"), highlight=False)
        if clear.hint:
            console.print(Text.assemble(("hint:", "yellow"), f" {clear.hint}"), highlight=False)
        return 2
    except Exception as err:
        if _state["debug"]:
            traceback.print_exc()
        console.print(
            Text.assemble(("error:", "bold red"), f" {type(err).__name__}: {err}"), highlight=False
        )
        console.print("[yellow]hint:[/] run again with --debug for the traceback", highlight=False)
        return 2
    return 0
