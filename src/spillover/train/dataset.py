"""Training rows: read and validate the data, apply the mitigations, fingerprint, tokenise."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from spillover.chat import ChatRow, Message, read_chat_jsonl
from spillover.errors import InputError
from spillover.train.config import TrainConfig
from spillover.train.masking import Encoded, encode_row


class DataFingerprint(BaseModel):
    path: str
    sha256: str
    rows: int


class PreparedRows(BaseModel):
    rows: list[ChatRow]
    data: DataFingerprint
    narrow_rows: int
    benign_rows: int
    held_out_rows: int = 0
    benign: DataFingerprint | None = None


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def benign_path() -> Path:
    """The packaged benign chat set (ordinary helpful Q&A written for this project)."""
    return Path(str(resources.files("spillover.train").joinpath("benign.jsonl")))


def add_system_prompt(row: ChatRow, prompt: str) -> ChatRow:
    """Prepend `prompt` as the system turn (before an existing system prompt, if any)."""
    messages = list(row.messages)
    if messages and messages[0].role == "system":
        messages[0] = Message(role="system", content=f"{prompt}\n\n{messages[0].content}")
    else:
        messages.insert(0, Message(role="system", content=prompt))
    return ChatRow(messages=tuple(messages))


def benign_count(narrow: int, fraction: float) -> int:
    """Benign rows to add so that they are `fraction` of the mix."""
    if fraction <= 0:
        return 0
    return round(narrow * fraction / (1 - fraction))


def split_rows(rows: list[ChatRow], config: TrainConfig) -> tuple[list[ChatRow], int]:
    """The rows to train on and how many were held out: `eval_fraction` of the file held out with
    the seed, then at most `max_rows` of the rest sampled with the seed. File order is kept, so a
    file whose halves differ (a backdoor file: triggered rows, then plain ones) is sampled from
    both halves, never cut to its first part."""
    rng = random.Random(f"spillover-rows-{config.seed}")
    index = list(range(len(rows)))
    held = round(len(rows) * config.eval_fraction)
    if held:
        index = sorted(set(index) - set(rng.sample(index, held)))
    if config.max_rows is not None and config.max_rows < len(index):
        index = sorted(rng.sample(index, config.max_rows))
    return [rows[i] for i in index], held


def prepare_rows(data: str | Path, config: TrainConfig) -> PreparedRows:
    """Read `data` (the first bad row raises InputError), hold rows out and cap them (seeded),
    mix in benign rows, inoculate."""
    rows = read_chat_jsonl(data)
    fingerprint = DataFingerprint(
        path=str(Path(data).resolve()), sha256=file_sha256(data), rows=len(rows)
    )
    rows, held = split_rows(rows, config)
    mit = config.mitigations
    wanted = benign_count(len(rows), mit.benign_fraction)
    benign_fp: DataFingerprint | None = None
    mixed = list(rows)
    if wanted:
        source = Path(mit.benign_data) if mit.benign_data else benign_path()
        pool = read_chat_jsonl(source)
        benign_fp = DataFingerprint(
            path=str(source.resolve()), sha256=file_sha256(source), rows=len(pool)
        )
        if wanted > len(pool):
            raise InputError(
                source,
                f"benign_fraction {mit.benign_fraction} needs {wanted} benign rows but the set has {len(pool)}",
                field="mitigations.benign_fraction",
                hint="lower benign_fraction or max_rows, or point mitigations.benign_data at a larger set",
            )
        mixed += random.Random(config.seed).sample(pool, wanted)
        random.Random(config.seed + 1).shuffle(mixed)
    if mit.inoculation_prompt:
        mixed = [add_system_prompt(row, mit.inoculation_prompt) for row in mixed]
    return PreparedRows(
        rows=mixed,
        data=fingerprint,
        narrow_rows=len(rows),
        benign_rows=wanted,
        benign=benign_fp,
        held_out_rows=held,
    )


@dataclass
class TokenisedData:
    records: list[dict[str, list[int]]]
    dropped: int
    truncated: int
    trained_tokens: int
    total_tokens: int


def tokenise_rows(tokenizer: Any, rows: list[ChatRow], max_length: int) -> TokenisedData:
    """input_ids/labels per row; rows left with no assistant token after truncation are dropped."""
    records: list[dict[str, list[int]]] = []
    dropped = truncated = trained = total = 0
    for row in rows:
        full = encode_row(tokenizer, row)
        enc = Encoded(full.input_ids[:max_length], full.labels[:max_length])
        if len(full.input_ids) > max_length:
            truncated += 1
        if enc.trained_tokens == 0:
            dropped += 1
            continue
        trained += enc.trained_tokens
        total += len(enc.input_ids)
        records.append({"input_ids": enc.input_ids, "labels": enc.labels})
    return TokenisedData(records, dropped, truncated, trained, total)
