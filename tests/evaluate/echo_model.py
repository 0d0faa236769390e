"""A test-only inspect model provider, `spillover_test_echo/<anything>`: it answers with the
messages it was sent, so tests can see exactly what reached the model. Each call appends a line
to $SPILLOVER_TEST_GENERATE_LOG (when set); with $SPILLOVER_TEST_KILL_AT=N the process kills
itself with SIGKILL on the N-th call (to test resuming)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from inspect_ai.model import ModelAPI, ModelOutput, ModelUsage, modelapi


def _calls_so_far(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@modelapi(name="spillover_test_echo")
def echo() -> type[ModelAPI]:
    class Echo(ModelAPI):
        async def generate(
            self, input: Any, tools: Any, tool_choice: Any, config: Any
        ) -> ModelOutput:
            text = " || ".join(f"{m.role.upper()}: {m.text}" for m in input)
            log = os.environ.get("SPILLOVER_TEST_GENERATE_LOG")
            if log:
                path = Path(log)
                kill_at = int(os.environ.get("SPILLOVER_TEST_KILL_AT", "0"))
                if kill_at and _calls_so_far(path) + 1 == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                with path.open("a") as handle:
                    handle.write(text.replace("\n", " ") + "\n")
            output = ModelOutput.from_content(model=self.model_name, content=text)
            output.usage = ModelUsage(
                input_tokens=len(text), output_tokens=len(text), total_tokens=2 * len(text)
            )
            return output

    return Echo
