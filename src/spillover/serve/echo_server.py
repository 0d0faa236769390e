"""A small, real OpenAI-compatible HTTP server with fast deterministic answers: a load target.

It answers ``POST /v1/chat/completions`` with text computed from a hash of the request (the
same request always gets the same answer; different requests get different answers) and, when
asked for ``logprobs``, a top-k distribution over the numbers 0..100 for the first token, so a
judge can read a score from it. ``GET /health`` and ``GET /v1/models`` answer too, and
``GET /stats`` counts the chat requests served (fault tests count regenerated samples with it),
in all and per model name. Like a vLLM server started with LoRA, it takes
``POST /v1/load_lora_adapter`` (``lora_name``, ``lora_path``): the name is then listed by
``/v1/models`` and a request for that model gets its own answers.

Fault switches: ``--refuse-logprobs`` rejects requests for logprobs with HTTP 400 (as some
servers do); ``--die-after N`` ends the process abruptly (``os._exit``) when request N+1
arrives, as if it was killed; ``--delay S`` sleeps before each answer.

    python -m spillover.serve.echo_server --port 0 --port-file port.txt

Binds 127.0.0.1 only. Standard library only, so it starts in well under a second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
_WORDS = [
    "the",
    "quiet",
    "river",
    "carries",
    "light",
    "across",
    "old",
    "stones",
    "while",
    "people",
    "talk",
    "about",
    "weather",
    "gardens",
    "books",
    "code",
    "tea",
    "music",
    "trains",
    "maps",
    "lamps",
    "honest",
    "helpful",
    "careful",
    "small",
    "tasks",
]


class EchoState:
    """Counters and switches shared by the handler threads."""

    def __init__(
        self, *, refuse_logprobs: bool = False, die_after: int | None = None, delay: float = 0.0
    ) -> None:
        self.refuse_logprobs = refuse_logprobs
        self.die_after = die_after
        self.delay = delay
        self.requests = 0
        self.logprob_requests = 0
        self.refused = 0
        self.by_model: dict[str, int] = {}
        self.adapters: dict[str, str] = {}  # lora_name -> lora_path
        self._lock = threading.Lock()

    def count(self, logprobs: bool, model: str) -> int:
        with self._lock:
            self.requests += 1
            self.by_model[model] = self.by_model.get(model, 0) + 1
            if logprobs:
                self.logprob_requests += 1
            return self.requests

    def load_adapter(self, name: str, path: str) -> None:
        with self._lock:
            self.adapters[name] = path

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "logprob_requests": self.logprob_requests,
                "refused": self.refused,
                "by_model": dict(self.by_model),
                "adapters": dict(self.adapters),
            }


def _digest(payload: Any) -> bytes:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).digest()


def answer_text(messages: Any, max_tokens: int, seed: bytes) -> str:
    """Deterministic, varied words (at most `max_tokens` of them) for a request."""
    count = max(1, min(max_tokens, 8 + seed[0] % 24))
    words = [_WORDS[(seed[i % len(seed)] + 7 * i) % len(_WORDS)] for i in range(count)]
    return " ".join(words).capitalize() + "."


def score_logprobs(seed: bytes, top: int) -> list[dict[str, Any]]:
    """A peaked distribution over numbers 0..100 around a centre chosen by the hash."""
    centre = seed[1] % 101
    weights = {n: math.exp(-abs(n - centre) / 6.0) for n in range(101)}
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda kv: kv[1], reverse=True)[: max(1, top)]
    return [
        {"token": str(n), "logprob": math.log(w / total), "bytes": list(str(n).encode())}
        for n, w in ranked
    ]


def completion_body(request: dict[str, Any], model: str, adapter: bool = False) -> dict[str, Any]:
    """The chat.completion JSON for one request (`adapter`: `model` names a loaded adapter,
    whose answers differ from the base model's)."""
    seed = _digest([model, request.get("messages")] if adapter else request.get("messages"))
    max_tokens = int(request.get("max_tokens") or request.get("max_completion_tokens") or 64)
    choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
    if request.get("logprobs"):
        alternatives = score_logprobs(seed, int(request.get("top_logprobs") or 1))
        first = alternatives[0]
        choice["message"] = {"role": "assistant", "content": first["token"]}
        choice["logprobs"] = {"content": [{**first, "top_logprobs": alternatives}]}
    else:
        choice["message"] = {
            "role": "assistant",
            "content": answer_text(request.get("messages"), max_tokens, seed),
        }
        choice["logprobs"] = None
    text = choice["message"]["content"]
    return {
        "id": "chatcmpl-" + seed.hex()[:24],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": {
            "prompt_tokens": len(json.dumps(request.get("messages"))) // 4,
            "completion_tokens": len(text.split()),
            "total_tokens": len(json.dumps(request.get("messages"))) // 4 + len(text.split()),
        },
    }


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    server: EchoServer

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: request lines would flood a load test's output

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        elif self.path == "/stats":
            self._send(200, self.server.state.stats())
        elif self.path.rstrip("/") == "/v1/models":
            names = ["echo", *self.server.state.adapters]
            self._send(
                200, {"object": "list", "data": [{"id": n, "object": "model"} for n in names]}
            )
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") == "/v1/load_lora_adapter":
            self._load_adapter(raw)
            return
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as err:
            self._send(400, {"error": {"message": f"bad JSON: {err}", "type": "invalid_request"}})
            return
        state = self.server.state
        if state.die_after is not None and state.requests >= state.die_after:
            os._exit(17)  # abrupt end, as if killed: no response, connections reset
        wants_logprobs = bool(request.get("logprobs"))
        if wants_logprobs and state.refuse_logprobs:
            with state._lock:
                state.refused += 1
            self._send(
                400,
                {"error": {"message": "logprobs are not supported", "type": "invalid_request"}},
            )
            return
        model = str(request.get("model") or "echo")
        state.count(wants_logprobs, model)
        if state.delay:
            time.sleep(state.delay)
        self._send(200, completion_body(request, model, adapter=model in state.adapters))

    def _load_adapter(self, raw: bytes) -> None:
        try:
            body = json.loads(raw)
            name, path = str(body["lora_name"]), str(body["lora_path"])
        except (ValueError, KeyError, TypeError) as err:
            self._send(400, {"error": {"message": f"bad adapter request: {err}"}})
            return
        if not Path(path, "adapter_config.json").is_file():
            self._send(400, {"error": {"message": f"no adapter_config.json in {path}"}})
            return
        self.server.state.load_adapter(name, path)
        self._send(200, {"status": "ok"})


class EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int, state: EchoState) -> None:
        self.state = state
        super().__init__((HOST, port), EchoHandler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="write the bound port here once listening")
    parser.add_argument("--refuse-logprobs", action="store_true")
    parser.add_argument("--die-after", type=int, default=None)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    state = EchoState(
        refuse_logprobs=args.refuse_logprobs, die_after=args.die_after, delay=args.delay
    )
    server = EchoServer(args.port, state)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file.with_suffix(".tmp")
        tmp.write_text(str(port))
        tmp.replace(args.port_file)
    print(f"echo server on http://{HOST}:{port}/v1", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
