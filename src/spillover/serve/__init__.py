"""Loopback OpenAI-compatible servers: our echo load target, `transformers serve`, llama.cpp."""

from spillover.serve.process import (
    HOST,
    RunningServer,
    echo_server_argv,
    free_port,
    get_json,
    llama_cpp_argv,
    start_echo_server,
    start_server,
    transformers_serve_argv,
)

__all__ = [
    "HOST",
    "RunningServer",
    "echo_server_argv",
    "free_port",
    "get_json",
    "llama_cpp_argv",
    "start_echo_server",
    "start_server",
    "transformers_serve_argv",
]
