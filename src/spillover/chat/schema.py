"""The chat row: `{"messages": [{"role": ..., "content": ...}, ...]}` as in the study's files."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Role = Literal["system", "user", "assistant"]
ROLES: tuple[str, ...] = ("system", "user", "assistant")


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)
    role: Role
    content: str


class ChatRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    messages: tuple[Message, ...]

    @classmethod
    def of(cls, *turns: tuple[str, str]) -> ChatRow:
        return cls(messages=tuple(Message(role=r, content=c) for r, c in turns))  # type: ignore[arg-type]

    def to_json_obj(self) -> dict[str, list[dict[str, str]]]:
        return {"messages": [{"role": m.role, "content": m.content} for m in self.messages]}

    def first(self, role: str) -> str | None:
        for message in self.messages:
            if message.role == role:
                return message.content
        return None
