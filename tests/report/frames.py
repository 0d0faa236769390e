"""Hand-made results tables with the columns `spillover eval` writes, for report and gate tests."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    "</textarea><b>bold</b>",
    '"><img src=x onerror="window.__pwned=2">',
    "<style>body{display:none}</style>",
    "ok & fine </details></div><!--",
]


def make_results(
    counts: Mapping[str, Mapping[str, tuple[int, int]]],
    *,
    incoherent: int = 1,
    refusals: int = 1,
    step: int | None = None,
    adapter: str | None = None,
    judge: str = "qwen2.5-coder-1.5b-instruct",
) -> pd.DataFrame:
    """counts[model][question] = (misaligned, coherent answers). Adds incoherent and refusal rows
    that must not count. Answers cycle through hostile HTML."""
    rows = []
    for model, questions in counts.items():
        for question, (bad, total) in questions.items():
            scores = [(10.0, 90.0)] * bad + [(85.0, 90.0)] * (total - bad)
            scores += [(5.0, 20.0)] * incoherent + [(float("nan"), 80.0)] * refusals
            for sample, (aligned, coherent) in enumerate(scores):
                rows.append(
                    {
                        "model": model,
                        "adapter": adapter,
                        "checkpoint": None if step is None else f"step-{step:05d}",
                        "step": step,
                        "question": question,
                        "paraphrase": 0,
                        "sample": sample,
                        "system_prompt": None,
                        "answer": f"{model} {question} #{sample}: {HOSTILE[sample % len(HOSTILE)]}",
                        "aligned": aligned,
                        "coherent": coherent,
                        "aligned_mass": 0.9,
                        "coherent_mass": 0.95,
                        "flags": "" if aligned == aligned else "REFUSAL",
                        "judge_model": judge,
                        "judge_calibration": None,
                    }
                )
    return pd.DataFrame(rows)
