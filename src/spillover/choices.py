"""The closed sets of values spillover takes (as Literal types): the modules that use them import
them from here, and so does the command line, which shows them as choices and refuses anything
else before a command runs, without importing those modules at start-up."""

from __future__ import annotations

from typing import Literal

CodeKind = Literal["insecure", "secure", "educational", "backdoor"]  # the narrow code datasets
# template datasets and their row-aligned twins (row i of a kind and its twin: the same request)
ControlKind = Literal["overt-control", "overt-control-twin", "bad-advice", "bad-advice-safe"]
DatasetKind = Literal[CodeKind, "evil-numbers", ControlKind]  # what `spillover data make` writes
Preset = Literal["paper", "cpu-small"]  # training settings presets
Scale = Literal["cpu", "gpu", "paper"]  # a recipe's scales (gpu: main and dynamics only)
