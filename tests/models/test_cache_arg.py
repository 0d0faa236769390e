"""The KV cache reaches the model under the installed transformers' keyword, with no warning."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from spillover.judge._tree import build_prefix_cache  # noqa: E402
from spillover.models.cache_arg import cache_argument  # noqa: E402
from spillover.models.load import load_causal_lm  # noqa: E402
from spillover.sampling import Engine, Request, SamplingParams, render_chat  # noqa: E402


@pytest.fixture
def deprecations() -> Iterator[Callable[[], list[str]]]:
    """What was said about deprecation while the test ran: Python warnings and transformers'
    logged warnings (its logger does not propagate to the root; `warning_once`'s memory is
    cleared so a warning logged earlier in the process shows again)."""
    from transformers.utils import logging as hf_logging

    hf_logging.warning_once.cache_clear()  # type: ignore[attr-defined]
    logged: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield lambda: [
                m for m in [*logged, *(str(w.message) for w in caught)] if "deprecat" in m
            ]
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path) -> Any:
    return load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")


def test_the_model_fills_the_cache_it_is_given(
    tiny: Any, deprecations: Callable[[], list[str]]
) -> None:
    from transformers import DynamicCache

    cache = DynamicCache()
    with torch.inference_mode():
        tiny.model(input_ids=torch.tensor([[5, 6, 7, 8]]), use_cache=True, **cache_argument(cache))
    assert cache.get_seq_length() == 4
    assert build_prefix_cache(tiny.model, [5, 6, 7]).cache.get_seq_length() == 3
    assert deprecations() == []


def test_engine_decodes_without_deprecation_warnings(
    tiny: Any, deprecations: Callable[[], list[str]]
) -> None:
    prompt = render_chat(tiny.tokenizer, [{"role": "user", "content": "hi"}])
    params = SamplingParams(temperature=1.0, max_new_tokens=6, seed=0)
    Engine(tiny, max_batch=2).generate([Request(prompt.ids, params), Request(prompt.ids, params)])
    assert deprecations() == []
