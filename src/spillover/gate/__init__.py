"""Release gate: fail when a candidate is significantly more misaligned than a reference."""

from spillover.gate.decide import GateResult, Rate, decide
from spillover.gate.stats import MarginTest, margin_test

__all__ = ["GateResult", "MarginTest", "Rate", "decide", "margin_test"]
