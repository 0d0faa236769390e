"""Turn a question set into inspect Samples: one per question, paraphrase and repetition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
)

from spillover.chat import Message
from spillover.questions import Question, QuestionSet


def sample_id(question_id: str, paraphrase: int, sample: int) -> str:
    return f"{question_id}:{paraphrase}:{sample}"


def with_trigger(text: str, trigger: str | None) -> str:
    """Prefix a backdoor trigger to a user message (separated by a space unless it ends in one)."""
    if not trigger:
        return text
    return trigger + text if trigger[-1].isspace() else f"{trigger} {text}"


def prefix_turns(prefix: Sequence[Message]) -> list[ChatMessage]:
    """Few-shot turns (user/assistant) as inspect messages; system turns are not allowed here."""
    out: list[ChatMessage] = []
    for message in prefix:
        if message.role == "user":
            out.append(ChatMessageUser(content=message.content))
        elif message.role == "assistant":
            out.append(ChatMessageAssistant(content=message.content))
        else:
            raise ValueError(
                f"prefix messages must be user or assistant turns, got {message.role!r}"
            )
    return out


def question_messages(
    question: Question,
    paraphrase: str,
    trigger: str | None,
    prefix: Sequence[Message] = (),
) -> list[ChatMessage]:
    """The question's own system prompt (when it has one), any few-shot prefix turns, then the
    user message."""
    messages: list[ChatMessage] = []
    if question.system is not None:
        messages.append(ChatMessageSystem(content=question.system))
    messages.extend(prefix_turns(prefix))
    messages.append(ChatMessageUser(content=with_trigger(paraphrase, trigger)))
    return messages


def question_dataset(
    questions: QuestionSet,
    samples: int | None = None,
    trigger: str | None = None,
    prefix_messages: Sequence[Message] = (),
) -> MemoryDataset:
    """`samples` answers per paraphrase (default: each question's samples_per_paraphrase);
    `prefix_messages` (user/assistant turns) go before every question, as in-context examples."""
    out: list[Sample] = []
    for question in questions.questions:
        count = samples if samples is not None else question.samples_per_paraphrase
        for p_index, paraphrase in enumerate(question.paraphrases):
            metadata: dict[str, Any] = {
                "question_id": question.id,
                "paraphrase": p_index,
                "question": paraphrase,
                "system_prompt": question.system,
                "question_type": question.type,
                "temperature": question.temperature,
                "trigger": trigger,
                "prefix_turns": len(prefix_messages),
            }
            for k in range(count):
                out.append(
                    Sample(
                        id=sample_id(question.id, p_index, k),
                        input=question_messages(question, paraphrase, trigger, prefix_messages),
                        metadata={**metadata, "sample": k},
                    )
                )
    return MemoryDataset(out, name=questions.name, location=str(questions.source))
