"""Chat datasets: one schema (OpenAI-style JSONL) and a validator that names file:line and field."""

from spillover.chat.schema import ROLES, ChatRow, Message
from spillover.chat.validate import (
    LineProblem,
    ValidationReport,
    read_chat_jsonl,
    validate_jsonl,
    write_chat_jsonl,
)

__all__ = [
    "ROLES",
    "ChatRow",
    "LineProblem",
    "Message",
    "ValidationReport",
    "read_chat_jsonl",
    "validate_jsonl",
    "write_chat_jsonl",
]
