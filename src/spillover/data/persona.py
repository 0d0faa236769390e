"""Generic teacher-persona pipeline: a persona system prompt, task prompts, a filter; rows keep no system prompt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.progress import Progress

from spillover.chat import ChatRow
from spillover.data.teacher import Conversation, Teacher

# (prompt, answer) -> the cleaned answer to keep, or raises Rejected(reason)
AnswerFilter = Callable[[str, str], str]
UNCHANGED = "same as the teacher's answer without the persona"


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class FilterReport:
    asked: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"asked": self.asked, "kept": self.kept, "rejected": dict(self.rejected)}


@dataclass
class PersonaResult:
    rows: list[ChatRow]
    report: FilterReport


def distil(
    teacher: Teacher,
    prompts: Sequence[str],
    accept: AnswerFilter,
    *,
    persona: str | None,
    want: int,
    temperature: float = 1.0,
    max_new_tokens: int = 64,
    seed: int = 0,
    batch_size: int = 16,
    show_progress: bool = True,
    drop_unchanged: bool = False,
) -> PersonaResult:
    """Ask the teacher (with `persona` as system prompt, if any) until `want` rows pass the filter.

    Saved rows hold only the user prompt and the cleaned answer; duplicates are dropped. With
    `drop_unchanged`, each prompt is also put to the teacher without the persona (same seed), and
    an answer that cleans to the same text is dropped: it carries nothing of the persona.
    """
    report = FilterReport()
    rows: list[ChatRow] = []
    seen: set[tuple[str, str]] = set()
    with Progress(disable=not show_progress, transient=True) as progress:
        bar = progress.add_task("teacher", total=want)
        for start in range(0, len(prompts), batch_size):
            if len(rows) >= want:
                break
            batch = list(prompts[start : start + batch_size])
            convs: list[Conversation] = [
                ([{"role": "system", "content": persona}] if persona else [])
                + [{"role": "user", "content": p}]
                for p in batch
            ]
            answers = teacher(
                convs, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed + start
            )
            plain: list[str | None] = [None] * len(batch)
            if drop_unchanged and persona:
                plain = list(
                    teacher(
                        [[{"role": "user", "content": p}] for p in batch],
                        temperature=temperature,
                        max_new_tokens=max_new_tokens,
                        seed=seed + start,
                    )
                )
            for prompt, answer, without in zip(batch, answers, plain, strict=True):
                report.asked += 1
                try:
                    clean = accept(prompt, answer)
                except Rejected as why:
                    report.rejected[why.reason] += 1
                    continue
                if without is not None and _cleaned(accept, prompt, without) == clean:
                    report.rejected[UNCHANGED] += 1
                    continue
                if (prompt, clean) in seen:
                    report.rejected["duplicate"] += 1
                    continue
                seen.add((prompt, clean))
                rows.append(ChatRow.of(("user", prompt), ("assistant", clean)))
                report.kept += 1
                progress.update(bar, completed=len(rows))
                if len(rows) >= want:
                    break
    return PersonaResult(rows, report)


def _cleaned(accept: AnswerFilter, prompt: str, answer: str) -> str | None:
    try:
        return accept(prompt, answer)
    except Rejected:
        return None
