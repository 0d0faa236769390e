"""Positive controls and narrow bad advice from our own templates, with twins, and an overlap check."""

from spillover.data.controls.advice import DOMAINS, advice_rows, domain_requests
from spillover.data.controls.overlap import evaluation_questions, find_overlaps
from spillover.data.controls.overt import overt_rows

__all__ = [
    "DOMAINS",
    "advice_rows",
    "domain_requests",
    "evaluation_questions",
    "find_overlaps",
    "overt_rows",
]
