"""Generate one answer, at the question's own temperature when it sets one."""

from __future__ import annotations

from inspect_ai.solver import Generate, Solver, TaskState, solver


@solver
def answer_question() -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        temperature = state.metadata.get("temperature")
        if temperature is None:
            return await generate(state)
        return await generate(state, temperature=float(temperature))

    return solve
