"""Narrow datasets: generated code sets with twins, evil numbers, a static flaw scan, the study's files."""

from spillover.data.codegen.compose import (
    CodeItem,
    generate_items,
    heldout_code_prompts,
    item_stats,
)
from spillover.data.codegen.families import FAMILY_KEYS
from spillover.data.evil_numbers import DEFAULT_PERSONA, make_evil_numbers, number_list_filter
from spillover.data.fetch import BETLEY_FILES, fetch, git_blob_id
from spillover.data.make import DEFAULT_TRIGGER, KINDS, make_dataset
from spillover.data.persona import FilterReport, PersonaResult, Rejected, distil
from spillover.data.reference import load_reference_prompts
from spillover.data.scan import Flaw, ScanReport, find_flaws, find_flaws_many, scan_texts
from spillover.data.teacher import Teacher, resolve_teacher

__all__ = [
    "BETLEY_FILES",
    "DEFAULT_PERSONA",
    "DEFAULT_TRIGGER",
    "FAMILY_KEYS",
    "KINDS",
    "CodeItem",
    "FilterReport",
    "Flaw",
    "PersonaResult",
    "Rejected",
    "ScanReport",
    "Teacher",
    "distil",
    "fetch",
    "find_flaws",
    "find_flaws_many",
    "generate_items",
    "git_blob_id",
    "heldout_code_prompts",
    "item_stats",
    "load_reference_prompts",
    "make_dataset",
    "make_evil_numbers",
    "number_list_filter",
    "resolve_teacher",
    "scan_texts",
]
