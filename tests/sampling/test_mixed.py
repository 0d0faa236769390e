"""Rows with different LoRA adapters in one forward pass: each row gets its own adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spillover.sampling import Engine, Request, SamplingParams, render_chat
from spillover.sampling.mixed import MixedLora, mixed
from tests.sampling.conftest import DEVICES


def _save_adapter(tiny_model_dir: Path, out: Path, seed: int, **lora: Any) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=16, init_lora_weights=False, **lora)
    get_peft_model(base, config).save_pretrained(str(out))
    return out


@pytest.fixture(scope="module")
def two_adapters(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("mixed-adapters")
    return [
        _save_adapter(tiny_model_dir, root / "a", 5, target_modules=["q_proj", "v_proj"]),
        # another layer set: rows of adapter a must not pick up b's down_proj
        _save_adapter(tiny_model_dir, root / "b", 6, target_modules=["q_proj", "down_proj"]),
    ]


def _peft_with(tiny_model_dir: Path, adapters: list[Path]) -> Any:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapters[0]), adapter_name="a")
    model.load_adapter(str(adapters[1]), adapter_name="b")
    return model.eval()


@pytest.mark.parametrize("device", DEVICES)
def test_each_row_gets_its_own_adapter_and_peft_comes_back(
    tiny_model_dir: Path, two_adapters: list[Path], device: str
) -> None:
    import torch

    model = _peft_with(tiny_model_dir, two_adapters).to(device)
    ids = torch.tensor(
        [[1, 5, 9, 13], [2, 6, 10, 14], [3, 7, 11, 15], [4, 8, 12, 16]], device=device
    )
    names: list[str | None] = ["a", "a", None, "b"]
    with torch.no_grad():
        expected = []
        for row, name in zip(ids, names, strict=True):
            if name is None:
                with model.disable_adapter():
                    expected.append(model(input_ids=row[None]).logits)
            else:
                model.set_adapter(name)
                expected.append(model(input_ids=row[None]).logits)
        model.set_adapter("b")
        before = model(input_ids=ids).logits
        with mixed(model) as session:
            assert session.add("a", two_adapters[0]) is None
            assert session.add("b", two_adapters[1]) is None
            session.set_rows(names)
            got = model(input_ids=ids).logits
        after = model(input_ids=ids).logits
    torch.testing.assert_close(got, torch.cat(expected), atol=1e-4, rtol=1e-4)
    assert not torch.allclose(expected[0], expected[2], atol=1e-3)  # the adapter matters
    assert torch.equal(after, before)  # hooks gone, peft's branches switched back on


def test_adapters_that_cannot_be_mixed_say_why(tiny_model_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    from spillover.errors import SpilloverError

    dora = _save_adapter(
        tiny_model_dir, tmp_path / "dora", 7, target_modules=["q_proj"], use_dora=True
    )
    session = MixedLora(AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)))
    assert session.add("dora", dora) == "config sets use_dora"
    with pytest.raises(SpilloverError, match=r"no adapter_config\.json"):
        session.add("missing", tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text('{"peft_type": "LORA",\n "r": }')
    with pytest.raises(
        SpilloverError, match=r"broken/adapter_config\.json: not valid JSON \(line 2"
    ):
        session.add("broken", broken)
    session.close()


def test_adapters_of_different_ranks_stack(tiny_model_dir: Path, tmp_path: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    small = _save_adapter(tiny_model_dir, tmp_path / "r4", 8, target_modules=["q_proj"])
    big = tmp_path / "r8"
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(9)
    get_peft_model(
        base,
        LoraConfig(
            r=8,
            lora_alpha=8,
            use_rslora=True,
            init_lora_weights=False,
            target_modules=["q_proj", "o_proj"],
        ),
    ).save_pretrained(str(big))
    ids = torch.tensor([[1, 5, 9, 13], [2, 6, 10, 14]])
    reference: list[Any] = []
    for path in (small, big):
        with torch.no_grad():
            fresh = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
            model = PeftModel.from_pretrained(fresh, str(path))
            model.eval()
            reference.append(model(input_ids=ids[len(reference)][None]).logits)
    plain = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    with torch.no_grad(), mixed(plain) as session:
        assert session.add("small", small) is None and session.add("big", big) is None
        session.set_rows(["small", "big"])
        got = plain(input_ids=ids).logits
    torch.testing.assert_close(got, torch.cat(reference), atol=1e-4, rtol=1e-4)


def _requests(tokenizer: Any, adapter: str | None, seed: int) -> list[Request]:
    out = []
    for i, text in enumerate(
        ["hi", "Tell me about the fox.", "import os", "What do you wish for?"]
    ):
        prompt = render_chat(tokenizer, [{"role": "user", "content": text}])
        params = SamplingParams(temperature=1.0, max_new_tokens=3 + 4 * i, seed=seed + i)
        out.append(Request(prompt.ids, params, adapter))
    return out


@pytest.mark.parametrize("device", DEVICES)
def test_engine_mixes_waiting_adapters_into_one_batch(
    tiny_model_dir: Path, two_adapters: list[Path], tmp_path: Path, device: str
) -> None:
    import torch

    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device=device)
    engine = Engine(loaded, max_batch=8)
    tokenizer = loaded.tokenizer
    dora = _save_adapter(
        tiny_model_dir, tmp_path / "dora", 7, target_modules=["q_proj"], use_dora=True
    )
    keys: list[str | None] = [None, str(two_adapters[0]), str(two_adapters[1]), str(dora)]
    groups = [_requests(tokenizer, key, seed=10 * i) for i, key in enumerate(keys)]
    together = engine.generate([r for group in groups for r in group])
    assert engine.stats.mixed_steps > 0
    assert engine._unmixable == {str(dora)}  # served on its own afterwards
    one_by_one = [c for group in groups for c in engine.generate(group)]
    assert [c.token_ids for c in together] == [c.token_ids for c in one_by_one]


def test_a_running_group_hands_its_rows_to_a_mixed_batch(
    tiny_model_dir: Path, two_adapters: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of one adapter decoding merged go on mixed when another adapter's rows arrive."""
    import torch

    import spillover.sampling.engine as engine_module
    from spillover.models.load import load_causal_lm

    loaded = load_causal_lm(str(tiny_model_dir), dtype=torch.float32, device="cpu")
    engine = Engine(loaded, max_batch=8, refill_min=1)
    first = _requests(loaded.tokenizer, str(two_adapters[0]), seed=1)
    late = _requests(loaded.tokenizer, str(two_adapters[1]), seed=2)
    futures: list[Any] = []
    real_step = engine_module._Batch.step

    def step_then_submit(self: Any, queued: bool = False) -> None:
        real_step(self, queued)
        if not futures:  # after the first merged step, the other adapter's rows arrive
            futures.extend(engine.submit(r) for r in late)

    monkeypatch.setattr(engine_module._Batch, "step", step_then_submit)
    together = engine.generate(first) + [f.result(timeout=60) for f in futures]
    monkeypatch.undo()
    assert engine.stats.mixed_steps > 0
    alone = engine.generate(first) + engine.generate(late)
    assert [c.token_ids for c in together] == [c.token_ids for c in alone]
