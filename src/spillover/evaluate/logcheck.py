"""Find `.eval` logs that cannot be read (a run killed mid-write, a truncated copy) and move them
aside, so a resumed run recomputes their samples instead of failing on them or trusting them."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def unreadable(path: Path) -> str | None:
    """Why `path` cannot be read as an inspect log (None when its header and samples read)."""
    from inspect_ai.log import read_eval_log, read_eval_log_samples

    try:
        read_eval_log(str(path), header_only=True)
        for _sample in read_eval_log_samples(  # one at a time: memory stays flat
            str(path), all_samples_required=False, exclude_fields={"events", "messages"}
        ):
            pass
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return None


def quarantine_unreadable_logs(log_dir: str | Path) -> list[Path]:
    """Rename every unreadable `*.eval` in `log_dir` to `*.eval.corrupt-N`; returns the new paths."""
    moved: list[Path] = []
    root = Path(log_dir)
    if not root.is_dir():
        return moved
    for path in sorted(root.glob("*.eval")):
        problem = unreadable(path)
        if problem is None:
            continue
        n = 0
        while (target := path.with_name(f"{path.name}.corrupt-{n}")).exists():
            n += 1
        path.replace(target)
        log.warning(
            "%s cannot be read (%s); moved to %s, its samples will be redone", path, problem, target
        )
        moved.append(target)
    return moved
