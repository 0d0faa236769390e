"""spillover's statistics: the one definition of the rate, its interval, comparisons between
arms with the training run as the unit, and power.

    from spillover.stats import Thresholds, mark, summarize, summarize_arms, compare
"""

from spillover.stats.bootstrap import Cells, cells, replicates, variance
from spillover.stats.compare import (
    MIN_RUNS,
    ArmFigure,
    Comparison,
    arm_figure,
    compare,
    prepare,
    value_column,
    with_values,
)
from spillover.stats.power import (
    answers_needed,
    design_effect,
    detectable_increase,
    detectable_shift,
    power_of,
)
from spillover.stats.rates import (
    ALIGNED_BELOW,
    COHERENT_ABOVE,
    NAN_ESTIMATE,
    RATE_NAMES,
    Estimate,
    Thresholds,
    mark,
    mean_interval,
    pooled,
    proportion_interval,
    share_interval,
)
from spillover.stats.summary import OVERALL, figures, summarize, summarize_arms

__all__ = [
    "ALIGNED_BELOW",
    "COHERENT_ABOVE",
    "MIN_RUNS",
    "NAN_ESTIMATE",
    "OVERALL",
    "RATE_NAMES",
    "ArmFigure",
    "Cells",
    "Comparison",
    "Estimate",
    "Thresholds",
    "answers_needed",
    "arm_figure",
    "cells",
    "compare",
    "design_effect",
    "detectable_increase",
    "detectable_shift",
    "figures",
    "mark",
    "mean_interval",
    "pooled",
    "power_of",
    "prepare",
    "proportion_interval",
    "replicates",
    "share_interval",
    "summarize",
    "summarize_arms",
    "value_column",
    "variance",
    "with_values",
]
