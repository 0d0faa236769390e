"""Recipes: the study's experiments and variants, each one readable file plus a YAML config, runnable
at cpu scale (local registry models) and at paper scale (the study's models) with the same code."""

from spillover.recipes.analysis import half_step
from spillover.recipes.paper import Outcome, compare, findings
from spillover.recipes.protocol import ProtocolRow, all_same, protocol_rows
from spillover.recipes.registry import RECIPES, list_recipes, recipe_config, run_recipe
from spillover.recipes.settings import SCALES, RecipeConfig, ScaleSettings, resolve_scale
from spillover.recipes.steps import PlanStep, Runner

__all__ = [
    "RECIPES",
    "SCALES",
    "Outcome",
    "PlanStep",
    "ProtocolRow",
    "RecipeConfig",
    "Runner",
    "ScaleSettings",
    "all_same",
    "compare",
    "findings",
    "half_step",
    "list_recipes",
    "protocol_rows",
    "recipe_config",
    "resolve_scale",
    "run_recipe",
]
