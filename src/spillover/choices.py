"""The closed sets of values spillover takes (as Literal types): the modules that use them import
them from here, and so does the command line, which shows them as choices and refuses anything
else before a command runs, without importing those modules at start-up."""

from __future__ import annotations

from typing import Literal

CodeKind = Literal["insecure", "secure", "educational", "backdoor"]  # the narrow code datasets
DatasetKind = Literal[CodeKind, "evil-numbers"]  # what `spillover data make` writes
Preset = Literal["paper", "cpu-small"]  # training settings presets
Scale = Literal["cpu", "paper"]  # a recipe's scales
