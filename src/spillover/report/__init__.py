"""Reports: per-question misalignment with intervals, significance tests, figures, HTML and Markdown."""

from spillover.report.build import ReportFiles, ReportOptions, build_report
from spillover.report.load import read_results, read_skill, read_table, with_groups
from spillover.report.stats import Thresholds, compare_groups, mark, rate_table

__all__ = [
    "ReportFiles",
    "ReportOptions",
    "Thresholds",
    "build_report",
    "compare_groups",
    "mark",
    "rate_table",
    "read_results",
    "read_skill",
    "read_table",
    "with_groups",
]
