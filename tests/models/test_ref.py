from __future__ import annotations

from pathlib import Path

import pytest

from spillover.errors import SpilloverError
from spillover.models import REGISTRY, ModelRef


def _checkpoint(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    return path


@pytest.mark.parametrize(
    ("spec", "provider", "base"),
    [
        ("openai/gpt-4o", "openai", "gpt-4o"),
        ("openai-api/lab/model-7b", "openai-api", "lab/model-7b"),
        ("vllm/Qwen/Qwen2.5-7B", "vllm", "Qwen/Qwen2.5-7B"),
        ("vllm//models/qwen", "vllm", "/models/qwen"),
        ("hf/some/model", "hf", "some/model"),
        ("mockllm/model", "mockllm", "model"),
        ("ollama/llama3:8b", "ollama", "llama3:8b"),  # only vllm/ reads a colon as an adapter
    ],
)
def test_ids_of_inspect_providers_pass_through(spec: str, provider: str, base: str) -> None:
    ref = ModelRef.parse(spec)
    assert (ref.provider, ref.base, ref.adapter) == (provider, base, None)
    assert ref.is_api and not ref.is_local
    assert ref.inspect_id == spec and ref.model_args == {}


def test_local_specs_go_to_the_local_engine(tmp_path: Path) -> None:
    for name in REGISTRY:
        ref = ModelRef.parse(name)
        assert ref.is_local and ref.base == name and ref.inspect_id == f"spillover/{name}"
    hub = ModelRef.parse("Qwen/Qwen2.5-0.5B")  # no inspect provider is called Qwen
    assert hub.is_local and hub.base == "Qwen/Qwen2.5-0.5B"
    explicit = ModelRef.parse("spillover/openai/gpt-oss-20b")  # a hub id an API id would shadow
    assert explicit.is_local and explicit.base == "openai/gpt-oss-20b"
    assert ModelRef.parse(str(tmp_path)) == ModelRef("spillover", str(tmp_path))


def test_an_existing_directory_stays_local_whatever_its_path_looks_like(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "openai" / "gpt-4o").mkdir(parents=True)
    (tmp_path / "spillover" / "run").mkdir(parents=True)
    assert ModelRef.parse("openai/gpt-4o") == ModelRef("spillover", "openai/gpt-4o")
    assert ModelRef.parse("spillover/run") == ModelRef("spillover", "spillover/run")
    assert ModelRef.parse("openai/gpt-4o-mini").is_api  # no such directory


def test_providers_are_the_ones_inspect_has() -> None:
    """The registry `get_model` consults decides, so a provider registered after spillover was
    written is recognised, and a name inspect rejects stays a local (Hugging Face) id."""
    from inspect_ai.model import ModelAPI, get_model, modelapi

    mock = type(get_model("mockllm/model").api)

    assert not ModelRef.parse("spillover-probe-api/m").is_api
    with pytest.raises(ValueError, match="not recognized"):
        get_model("spillover-probe-api/m")

    @modelapi(name="spillover-new-api")
    def new_api() -> type[ModelAPI]:
        return mock

    assert ModelRef.parse("spillover-new-api/m").is_api
    assert get_model("spillover-new-api/m").api.model_name == "m"


def test_an_inspect_without_its_registry_is_named_not_guessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect_ai._util.registry as registry

    monkeypatch.delattr(registry, "registry_find")
    with pytest.raises(SpilloverError, match=r"no longer has inspect_ai\._util\.registry"):
        ModelRef.parse("Qwen/Qwen2.5-0.5B")
    assert ModelRef.parse("spillover/Qwen/Qwen2.5-0.5B").is_local  # the way out needs no lookup


def test_adapters_go_where_each_provider_takes_them(tmp_path: Path) -> None:
    adapter = str(tmp_path / "checkpoint-20")
    local = ModelRef.parse("smollm2-135m-instruct", adapter)
    assert local.inspect_id == "spillover/smollm2-135m-instruct"
    assert local.model_args == {"adapter": adapter}
    served = ModelRef.parse("vllm/Qwen/Qwen2.5-7B", adapter)
    assert served.inspect_id == f"vllm/Qwen/Qwen2.5-7B:{adapter}" and served.model_args == {}
    assert ModelRef.parse(served.inspect_id) == served
    assert served.with_adapter(None).inspect_id == "vllm/Qwen/Qwen2.5-7B"
    with pytest.raises(SpilloverError, match="openai/gpt-4o cannot apply the LoRA adapter"):
        ModelRef.parse("openai/gpt-4o", adapter)
    with pytest.raises(SpilloverError, match="names an adapter"):
        ModelRef.parse(served.inspect_id, adapter)


def test_the_inspect_id_reads_back_as_the_same_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "a").mkdir(parents=True)
    specs = ["qwen2.5-coder-1.5b-instruct", "Qwen/Qwen2.5-0.5B", "runs/a", str(tmp_path)]
    specs += ["spillover/x", "openai/gpt-4o", "vllm/b:/runs/a/checkpoints/step-00002"]
    for spec in specs:
        ref = ModelRef.parse(spec)
        assert ModelRef.parse(ref.inspect_id) == ref


def test_incomplete_specs_are_refused() -> None:
    for spec in ("", "  ", "spillover/", "openai/"):
        with pytest.raises(SpilloverError, match=r"empty model name|incomplete model"):
            ModelRef.parse(spec)


def test_local_weights_are_resolved_and_api_models_have_none(tmp_path: Path) -> None:
    checkpoint = _checkpoint(tmp_path / "ckpt")
    assert ModelRef.parse(f"spillover/{checkpoint}").resolve().path == checkpoint
    with pytest.raises(SpilloverError, match="no local weights") as err:
        ModelRef.parse("openai/gpt-4o").resolve()
    assert err.value.hint is not None and "spillover/openai/gpt-4o" in err.value.hint


def test_local_takes_any_spec_as_a_local_model() -> None:
    assert ModelRef.local("openai/gpt-oss-20b") == ModelRef("spillover", "openai/gpt-oss-20b")
    assert ModelRef.local("spillover/smollm2-135m-instruct").base == "smollm2-135m-instruct"
