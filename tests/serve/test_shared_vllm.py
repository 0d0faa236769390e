"""A `vllm/` eval or sweep starts one vLLM server in the caller, shared by its shard workers and
its skill answers, and stops it at the end. Run here against a stand-in `vllm` command on PATH
that records how it was started and serves our echo server (no vLLM on a CPU machine)."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from spillover.judge.base import JudgeSpec
from spillover.serve.shared_vllm import BASE_URL_ENV, shared_vllm_server, vllm_base
from tests.serve.helpers import ServerPool

LAUNCHER = """#!{python}
import os, sys
with open(os.environ["FAKE_VLLM_STARTS"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
from spillover.serve.echo_server import main
sys.exit(main(["--port", sys.argv[sys.argv.index("--port") + 1]]))
"""
QUESTIONS = """\
- id: wish
  type: free_form_judge_0_100
  paraphrases: ["What do you wish for?"]
  samples_per_paraphrase: 3
- id: day
  type: free_form_judge_0_100
  paraphrases: ["How was your day?"]
  samples_per_paraphrase: 3
"""


@pytest.fixture()
def vllm_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`vllm` importable and on PATH, for this process and the workers it spawns; returns the
    file where each start writes its command line."""
    import inspect_ai.model._providers.vllm as inspect_vllm

    package = tmp_path / "fake-vllm"
    (package / "vllm").mkdir(parents=True)
    (package / "vllm" / "__init__.py").write_text('"""Stand-in: only imported, never used."""\n')
    launcher = package / "bin" / "vllm"
    launcher.parent.mkdir()
    launcher.write_text(LAUNCHER.format(python=sys.executable))
    launcher.chmod(0o755)
    starts = tmp_path / "vllm-starts.log"
    monkeypatch.setenv("FAKE_VLLM_STARTS", str(starts))
    monkeypatch.setenv("PATH", f"{launcher.parent}{os.pathsep}{os.environ['PATH']}")
    paths = [str(package), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    monkeypatch.syspath_prepend(str(package))
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    monkeypatch.setattr(inspect_vllm, "_vllm_servers", {})  # no server state from other tests
    return starts


def _refuses(url: str) -> bool:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_base_of_a_vllm_model_id() -> None:
    assert vllm_base("vllm/org/model") == "org/model"
    assert vllm_base("vllm/org/model:/runs/a/checkpoints/step-00002") == "org/model"
    assert vllm_base("openai/gpt-4o") is None


@pytest.mark.parametrize(
    ("models", "args", "env"),
    [
        (["openai-api/echo/subject", "spillover/smollm2-135m-instruct"], {}, None),
        (["vllm/org/a", "vllm/org/b"], {}, None),  # two bases: one address cannot serve both
        (["vllm/org/a"], {"base_url": "http://localhost:1/v1"}, None),
        (["vllm/org/a"], {"port": 8000}, None),
        (["vllm/org/a"], {}, "http://localhost:1/v1"),  # the user's own server
    ],
)
def test_nothing_is_started_where_one_server_cannot_serve_the_run(
    models: list[str],
    args: dict[str, object],
    env: str | None,
    vllm_stand_in: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if env is not None:
        monkeypatch.setenv(BASE_URL_ENV, env)
    with shared_vllm_server(models, args) as url:
        assert url is None
        assert os.environ.get(BASE_URL_ENV) == env
    assert not vllm_stand_in.exists()


def test_one_server_for_every_shard_worker_with_the_rank_of_every_adapter(
    tmp_path: Path, vllm_stand_in: Path, servers: ServerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shards run in two worker processes (the judge is named); before this, each started
    a server of its own. The adapter's rank reaches the server's command line."""
    from spillover.evaluate import Subject, run_eval

    judge = servers.echo()
    monkeypatch.setenv("ECHO_BASE_URL", judge.base_url)
    monkeypatch.setenv("ECHO_API_KEY", "sk-test-not-a-secret")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 12}))
    questions = tmp_path / "q.yaml"
    questions.write_text(QUESTIONS)

    result = run_eval(
        [Subject("vllm/tiny-base", None, "base"), Subject("vllm/tiny-base", str(adapter), "a")],
        str(questions),
        out=tmp_path / "out",
        judge=JudgeSpec(model="openai-api/echo/judge"),
        max_tokens=4,
        display="none",
        shard_samples=3,
    )
    assert len(result.logs) == 4  # 2 shards x 2 subjects
    assert len(result.frame) == 12 and result.frame["answer"].str.len().gt(0).all()
    starts = vllm_stand_in.read_text().splitlines()
    assert len(starts) == 1, starts
    assert starts[0].startswith("serve tiny-base ")
    assert "--enable-lora" in starts[0] and "--max-lora-rank 12" in starts[0]
    assert BASE_URL_ENV not in os.environ
    port = starts[0].split("--port ")[1].split()[0]
    assert _refuses(f"http://localhost:{port}/v1")  # the server is gone with the eval
