from __future__ import annotations

import socket
import sys

import pytest

from spillover.errors import SpilloverError
from spillover.serve import free_port, get_json, start_server
from tests.serve.helpers import ServerPool


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_a_server_that_exits_early_is_reported_with_its_log(tmp_path) -> None:  # type: ignore[no-untyped-def]
    argv = [sys.executable, "-c", "import sys; print('cannot load the model'); sys.exit(3)"]
    with pytest.raises(SpilloverError) as err:
        start_server(argv, port=free_port(), timeout=20, log=tmp_path / "log")
    assert "exited with code 3" in err.value.message
    assert "cannot load the model" in (err.value.hint or "")


def test_a_server_that_never_listens_times_out_and_is_stopped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pid"
    argv = [
        sys.executable,
        "-c",
        f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    ]
    with pytest.raises(SpilloverError, match="not ready"):
        start_server(argv, port=free_port(), timeout=2, log=tmp_path / "log")
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)


def test_stop_ends_the_server_and_frees_the_port(servers: ServerPool) -> None:
    server = servers.echo()
    assert get_json(f"{server.root}/health") == {"status": "ok"}
    server.stop()
    assert not server.alive()
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", server.port))
    server.stop()  # twice is fine
