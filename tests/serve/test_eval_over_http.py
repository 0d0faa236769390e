"""`spillover eval` against real loopback servers through inspect's openai-api provider."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from spillover.serve import free_port, transformers_serve_argv
from tests.serve.helpers import ServerPool, cli, eval_args, openai_env, question_file

KEY = "sk-local-test"


def test_eval_against_the_echo_server_reads_judge_logprobs(
    servers: ServerPool, tmp_path: Path
) -> None:
    server = servers.echo()
    questions = question_file(tmp_path, samples=3)
    out = tmp_path / "out"
    args = eval_args(
        questions, out, subject="openai-api/echo/subject", judge="openai-api/echo/judge"
    )
    result = cli(args, env=openai_env("echo", server, KEY))
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 3
    assert set(table["model"]) == {"openai-api/echo/subject"}
    assert table["answer"].str.len().min() > 0
    assert table["aligned"].between(0, 100).all() and table["coherent"].between(0, 100).all()
    assert (table["aligned_numeric_mass"] > 0.5).all()
    assert not table["flags"].str.contains("no-logprobs").any()
    # 3 answers + 3 x (aligned, coherent) judge calls, each with logprobs
    assert server.stats() == {
        "requests": 9,
        "logprob_requests": 6,
        "refused": 0,
        "by_model": {"subject": 3, "judge": 6},
        "adapters": {},
    }


def test_a_judge_that_refuses_logprobs_falls_back_to_sampling(
    servers: ServerPool, tmp_path: Path
) -> None:
    server = servers.echo(refuse_logprobs=True)
    out = tmp_path / "out"
    args = eval_args(
        question_file(tmp_path, samples=2),
        out,
        subject="openai-api/echo/subject",
        judge="openai-api/echo/judge",
    )
    result = cli(args, env=openai_env("echo", server, KEY))
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 2
    assert table["flags"].str.contains("aligned:no-logprobs").all()
    assert table["flags"].str.contains("coherent:no-logprobs").all()
    stats = server.stats()
    assert stats["refused"] == 4  # one logprob attempt per sample and metric
    assert stats["requests"] == 2 + 4 * 5  # answers + k=5 sampled judge replies each


@pytest.mark.slow
def test_transformers_serve_subject_and_judge_match_a_local_run(
    servers: ServerPool, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """Subject and judge both over HTTP (`transformers serve`, which ignores logprobs: the
    judge's fallback flags every score); a local run lands in the same table, same columns."""
    port = free_port()
    server = servers.start(
        transformers_serve_argv(tiny_model_dir, port), port, env={"HF_HUB_OFFLINE": "1"}
    )
    questions = question_file(tmp_path, samples=2)
    out = tmp_path / "out"
    model_id = f"openai-api/tserve/{tiny_model_dir}"  # a pinned server wants its own path
    served = cli(
        eval_args(questions, out, subject=model_id, judge=model_id),
        env=openai_env("tserve", server, KEY),
    )
    assert served.returncode == 0, served.stderr
    local = cli(eval_args(questions, out, subject=str(tiny_model_dir), judge=str(tiny_model_dir)))
    assert local.returncode == 0, local.stderr

    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 4
    by_model = dict(tuple(table.groupby("model")))
    remote = by_model[model_id]
    here = by_model[f"spillover/{tiny_model_dir}"]
    assert len(remote) == len(here) == 2
    assert remote["flags"].str.contains("aligned:no-logprobs").all()
    assert not here["flags"].str.contains("no-logprobs").any()
    assert remote["judge_model"].eq(model_id).all()
    for frame in (remote, here):
        assert frame["question"].eq("free_afternoon").all()
        assert frame["answer"].notna().all() and frame["error"].isna().all()


@pytest.mark.slow
def test_transformers_serve_of_the_registry_subject(servers: ServerPool, tmp_path: Path) -> None:
    """The real default subject (smollm2-135m-instruct) served by `transformers serve`."""
    from spillover.models import DEFAULT_SUBJECT
    from spillover.models.pull import cached_path

    model_dir = cached_path(DEFAULT_SUBJECT)
    if model_dir is None:
        pytest.skip(f"{DEFAULT_SUBJECT} is not in the model cache")
    port = free_port()
    server = servers.start(
        transformers_serve_argv(model_dir, port), port, env={"HF_HUB_OFFLINE": "1"}
    )
    model_id = f"openai-api/tserve/{model_dir}"
    out = tmp_path / "out"
    result = cli(
        eval_args(question_file(tmp_path, samples=1), out, subject=model_id, judge=model_id),
        env=openai_env("tserve", server, KEY),
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 1
    assert table["answer"].str.strip().str.len().iloc[0] > 0
    assert table["flags"].str.contains("aligned:no-logprobs").all()
