from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from spillover.cli import main

TIMINGS: dict[str, float] = {}


def tiny_args(model: Path) -> list[str]:
    """Subject and judge are the tiny test model; everything as small as it goes."""
    return [
        "--model", str(model), "--judge", str(model),
        "--set", "rows=8", "--set", "steps=2", "--set", "checkpoint_every=1",
        "--set", "samples=1", "--set", "max_tokens=4",
    ]  # fmt: skip


@pytest.fixture()
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


@pytest.fixture()
def timed(request: pytest.FixtureRequest) -> Callable[[str], Callable[[], None]]:
    def start(name: str) -> Callable[[], None]:
        t0 = time.monotonic()

        def stop() -> None:
            TIMINGS[name] = time.monotonic() - t0
            print(f"{name}: {TIMINGS[name]:.1f}s")

        return stop

    return start
