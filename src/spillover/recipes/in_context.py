"""Recipe `in-context`: no fine-tuning; k insecure-code examples as earlier turns of the chat.

For each k, k rows of an insecure set (sampled with the seed, in file order) go before every main
question as user/assistant turns. Values of k whose examples do not fit the subject's context
window (with room for the question and the answer) are dropped and the report says so; `max` in
`ks` means the largest k that fits.

The study's in-distribution check comes with it: with the same k-shot context, does the model
write insecure code? For each k, answers to held-out code prompts are scanned statically for
flaws (the skill task, `spillover.evaluate.skill`; nothing is run) and the share is reported beside the rates.

Not a study at paper scale: nothing is fine-tuned, so there are no train + evaluate cells; the
recipe runs through the `Runner` at every scale.
"""

from __future__ import annotations

import random
from typing import Any

from spillover.chat import Message, read_chat_jsonl
from spillover.recipes.steps import Runner

ROOM = 128  # tokens kept free for the question and the chat markup
CODE_ROOM = 640  # for the in-distribution check: a held-out code prompt and the chat markup


def context_fit(r: Runner, examples: list[list[Message]], room: int = ROOM) -> int:
    """How many of `examples` (in order) fit the subject's context with its answer."""
    from transformers import AutoConfig, AutoTokenizer

    from spillover.models.resolve import resolve_model

    path = str(resolve_model(r.s.model).path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    limit = int(getattr(AutoConfig.from_pretrained(path), "max_position_embeddings", 2048))
    budget = limit - r.s.max_tokens - room
    used = 0
    for count, turns in enumerate(examples):
        used += sum(len(tokenizer(m.content)["input_ids"]) + 8 for m in turns)
        if used > budget:
            return count
    return len(examples)


def run(r: Runner) -> dict[str, Any]:
    wanted = list(r.option.get("ks", [0, 2, 8]))
    r.preflight()

    with r.stage("1 data"):
        data = r.code_dataset("insecure")

    with r.stage("2 evaluate"):
        examples: list[list[Message]] = []
        code_fit = 0
        if r.dry_run:
            ks = [int(k) for k in wanted if k != "max"]
            if "max" in wanted:
                r.note(
                    "k = max: the largest number of examples that fits the context, found at run time"
                )
        else:
            rows = read_chat_jsonl(data)
            if r.s.rows is not None and len(rows) > r.s.rows:
                keep = sorted(random.Random(r.s.seed).sample(range(len(rows)), r.s.rows))
                rows = [rows[i] for i in keep]
            examples = [[m for m in row.messages if m.role != "system"] for row in rows]
            fit = context_fit(r, examples)
            ks = sorted({fit if k == "max" else int(k) for k in wanted})
            too_many = [k for k in ks if k > fit]
            if too_many:
                r.note(
                    f"k = {too_many} do not fit the context of {r.s.model} (at most {fit} examples): dropped"
                )
            ks = [k for k in ks if k <= fit]
            code_fit = context_fit(r, examples, CODE_ROOM)
            unchecked = [k for k in ks if k > code_fit]
            if unchecked:
                r.note(
                    f"in-distribution check skipped for k = {unchecked}: the examples and a code "
                    f"prompt do not fit the context of {r.s.model}"
                )
        for k in ks:
            prefix = [m for turns in examples[:k] for m in turns]
            r.evaluate(f"k={k}", prefix=prefix, shots=k)
            if r.dry_run or k <= code_fit:
                r.in_distribution(f"k={k}", prefix=prefix)

    with r.stage("3 report"):
        most = f"k={max(ks)}" if ks else "k=0"
        return r.report(baseline="k=0", aliases={"most-shots": most})
