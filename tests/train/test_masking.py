from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spillover.chat import ChatRow
from spillover.train.masking import IGNORE_INDEX, encode_row


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_model_dir))


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def test_single_turn_mask_token_by_token(tokenizer: Any) -> None:
    row = ChatRow.of(("user", "Write a handler"), ("assistant", "def handler(request): return 0"))
    enc = encode_row(tokenizer, row)
    # Built independently, segment by segment, from the ChatML layout the tiny template renders.
    prompt = _ids(tokenizer, "<|im_start|>system\nYou are a tiny test assistant.<|im_end|>\n")
    prompt += _ids(
        tokenizer, "<|im_start|>user\nWrite a handler<|im_end|>\n<|im_start|>assistant\n"
    )
    answer = _ids(tokenizer, "def handler(request): return 0") + _ids(tokenizer, "<|im_end|>")
    tail = _ids(tokenizer, "\n")
    assert enc.input_ids == prompt + answer + tail
    expected = [IGNORE_INDEX] * len(prompt) + answer + [IGNORE_INDEX] * len(tail)
    for position, (got, want) in enumerate(zip(enc.labels, expected, strict=True)):
        assert got == want, f"token {position} ({tokenizer.decode([enc.input_ids[position]])!r})"


def test_trained_text_is_exactly_the_answers_and_stop_tokens(tokenizer: Any) -> None:
    row = ChatRow.of(
        ("system", "Be brief."),
        ("user", "Say 1"),
        ("assistant", "1"),
        ("user", "Say 23"),
        ("assistant", "2 3"),
    )
    enc = encode_row(tokenizer, row)
    trained = [
        i for i, label in zip(enc.input_ids, enc.labels, strict=True) if label != IGNORE_INDEX
    ]
    assert tokenizer.decode(trained) == "1<|im_end|>2 3<|im_end|>"
    # The user's digits and the system prompt are never trained on.
    untrained = [
        i for i, label in zip(enc.input_ids, enc.labels, strict=True) if label == IGNORE_INDEX
    ]
    assert "Say 23" in tokenizer.decode(untrained)
    assert "Be brief." in tokenizer.decode(untrained)


def test_truncation_keeps_start(tokenizer: Any) -> None:
    row = ChatRow.of(("user", "Write a handler"), ("assistant", "def handler(request): return 0"))
    full = encode_row(tokenizer, row)
    cut = encode_row(tokenizer, row, max_length=10)
    assert cut.input_ids == full.input_ids[:10]
    assert cut.trained_tokens == 0


@pytest.mark.parametrize("name", ["smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct"])
def test_real_templates_train_only_the_answer(name: str) -> None:
    from transformers import AutoTokenizer

    from spillover.models.pull import cached_path

    path = cached_path(name)
    if path is None:
        pytest.skip(f"{name} is not provisioned")
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    row = ChatRow.of(("user", "Write a function"), ("assistant", "def f(x):\n    return x + 1"))
    enc = encode_row(tokenizer, row)
    trained = [
        i for i, label in zip(enc.input_ids, enc.labels, strict=True) if label != IGNORE_INDEX
    ]
    assert tokenizer.decode(trained) == "def f(x):\n    return x + 1<|im_end|>"
    assert enc.labels[: enc.labels.index(trained[0])] == [IGNORE_INDEX] * enc.labels.index(
        trained[0]
    )
