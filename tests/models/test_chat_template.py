from __future__ import annotations

from pathlib import Path

from spillover.models.chat_template import injected_system_prompt


def test_finds_the_injected_default_system_prompt(tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    assert injected_system_prompt(tokenizer) == "You are a tiny test assistant."


def test_template_without_default(tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    tokenizer.chat_template = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    assert injected_system_prompt(tokenizer) is None
