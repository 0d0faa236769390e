from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from spillover.serve.echo_server import completion_body, score_logprobs
from tests.serve.helpers import ServerPool

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def chat(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}], **extra}


def test_answers_are_deterministic_and_vary_with_the_request() -> None:
    first = completion_body(chat("hello", max_tokens=40), "m")
    again = completion_body(chat("hello", max_tokens=40), "m")
    other = completion_body(chat("something else", max_tokens=40), "m")
    text = first["choices"][0]["message"]["content"]
    assert text == again["choices"][0]["message"]["content"]
    assert text != other["choices"][0]["message"]["content"]
    assert len(text.split()) <= 40


def test_max_tokens_bounds_the_answer() -> None:
    body = completion_body(chat("hello", max_tokens=3), "m")
    assert len(body["choices"][0]["message"]["content"].split()) <= 3


def test_logprobs_are_a_distribution_over_numbers() -> None:
    top = score_logprobs(bytes(range(32)), 20)
    assert len(top) == 20
    assert all(0 <= int(alt["token"]) <= 100 for alt in top)
    total = sum(math.exp(alt["logprob"]) for alt in top)
    assert 0.5 < total <= 1.0 + 1e-9
    probs = [alt["logprob"] for alt in top]
    assert probs == sorted(probs, reverse=True)


def test_server_counts_requests_and_refuses_logprobs_when_told(servers: ServerPool) -> None:
    plain = servers.echo()
    status, body = post(
        f"{plain.base_url}/chat/completions", chat("hi", logprobs=True, top_logprobs=5)
    )
    assert status == 200
    content = body["choices"][0]["logprobs"]["content"][0]
    assert len(content["top_logprobs"]) == 5
    assert body["choices"][0]["message"]["content"] == content["token"]
    assert plain.stats() == {
        "requests": 1,
        "logprob_requests": 1,
        "refused": 0,
        "by_model": {"m": 1},
        "adapters": {},
    }

    refusing = servers.echo(refuse_logprobs=True)
    status, body = post(f"{refusing.base_url}/chat/completions", chat("hi", logprobs=True))
    assert status == 400 and "logprobs" in body["error"]["message"]
    status, _ = post(f"{refusing.base_url}/chat/completions", chat("hi"))
    assert status == 200
    assert refusing.stats()["refused"] == 1 and refusing.stats()["requests"] == 1


def test_adapters_load_at_run_time_as_on_vllm(servers: ServerPool, tmp_path: Path) -> None:
    server = servers.echo()
    status, body = post(f"{server.base_url}/load_lora_adapter", {"lora_name": "a"})
    assert status == 400 and "lora_path" in body["error"]["message"]
    status, body = post(
        f"{server.base_url}/load_lora_adapter", {"lora_name": "a", "lora_path": str(tmp_path)}
    )
    assert status == 400 and "adapter_config.json" in body["error"]["message"]
    (tmp_path / "adapter_config.json").write_text("{}")
    status, _ = post(
        f"{server.base_url}/load_lora_adapter", {"lora_name": "a", "lora_path": str(tmp_path)}
    )
    assert status == 200
    with _OPENER.open(f"{server.base_url}/models", timeout=10) as response:
        assert [m["id"] for m in json.loads(response.read())["data"]] == ["echo", "a"]
    base = post(f"{server.base_url}/chat/completions", chat("hi"))[1]
    tuned = post(f"{server.base_url}/chat/completions", {**chat("hi"), "model": "a"})[1]
    assert base["choices"][0]["message"] != tuned["choices"][0]["message"]
    assert server.stats()["by_model"] == {"m": 1, "a": 1}
    assert server.stats()["adapters"] == {"a": str(tmp_path)}


def test_bad_json_is_a_400_not_a_crash(servers: ServerPool) -> None:
    server = servers.echo()
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions", data=b"{not json", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        _OPENER.open(request, timeout=10)
    assert err.value.code == 400
    assert server.alive()


def test_die_after_ends_the_process_abruptly(servers: ServerPool) -> None:
    server = servers.echo(die_after=2)
    for _ in range(2):
        assert post(f"{server.base_url}/chat/completions", chat("x"))[0] == 200
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        post(f"{server.base_url}/chat/completions", chat("x"))
    server.process.wait(timeout=10)
    assert server.process.returncode == 17
