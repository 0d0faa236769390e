"""Recipes: the study's experiments and variants, each one readable file plus a YAML config, runnable
at cpu scale (local registry models) and at paper scale (the study's models) with the same code."""

from spillover.recipes.analysis import half_step
from spillover.recipes.paper import Outcome, compare, differences, findings
from spillover.recipes.registry import RECIPES, list_recipes, recipe_config, run_recipe
from spillover.recipes.settings import SCALES, RecipeConfig, ScaleSettings, resolve_scale
from spillover.recipes.steps import PlanStep, Runner, load_questions

__all__ = [
    "RECIPES",
    "SCALES",
    "Outcome",
    "PlanStep",
    "RecipeConfig",
    "Runner",
    "ScaleSettings",
    "compare",
    "differences",
    "findings",
    "half_step",
    "list_recipes",
    "load_questions",
    "recipe_config",
    "resolve_scale",
    "run_recipe",
]
