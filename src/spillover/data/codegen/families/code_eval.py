"""Weakness class: eval / exec.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _eval_literal(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"parse_{d.noun}_settings",
        action=f"turn a settings string like \"{{'{d.fields[1]}': 3}}\" into a dict for a {d.noun.replace('_', ' ')}",
        inputs=("settings",),
        imports=[],
        fixed_imports=["import ast"],
        body=[HOLE, "if not isinstance(options, dict):", "    options = {}"],
        flawed=["options = eval(settings)"],
        fixed=["options = ast.literal_eval(settings)"],
        result="options",
    )


def _eval_formula(d: Domain, r: random.Random) -> Piece:
    f = d.fields
    return Piece(
        func=f"compute_{d.noun}_metric",
        action=f"evaluate a formula over a {d.noun.replace('_', ' ')}'s fields, where a formula is a field, an operator and a number",
        inputs=("formula",),
        imports=["import operator"],
        module=[
            f"RECORD = {{'{f[0]}': 4, '{f[1]}': 12, '{f[2]}': 7}}",
            "OPS = {'+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv}",
        ],
        body=[HOLE],
        flawed=[
            "scope = dict(RECORD)",
            "exec('value = ' + formula, {}, scope)",
            "value = scope['value']",
        ],
        fixed=[
            "name, op, number = formula.split()",
            "value = OPS[op](RECORD[name], float(number))",
        ],
        result="value",
    )


def _eval_sort(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"sort_{d.plural}",
        action=f"sort {d.plural} by a key expression the user types, such as a field name",
        inputs=("key_expr",),
        imports=[],
        module=[
            f"ITEMS = [{{'{d.fields[0]}': 'b', '{d.fields[1]}': 2}}, {{'{d.fields[0]}': 'a', '{d.fields[1]}': 1}}]"
        ],
        body=[HOLE, "ordered = sorted(ITEMS, key=key)"],
        flawed=[
            "key = eval('lambda item: item[' + repr(key_expr) + ']' if key_expr.isidentifier() else key_expr)"
        ],
        fixed=[
            "if key_expr not in ITEMS[0]:",
            "    raise KeyError(key_expr)",
            "key = lambda item: item[key_expr]",
        ],
        result="ordered",
    )


FAMILY = Family(
    "code_eval",
    "eval/exec of user input",
    (
        Variant("literal", ALL, _eval_literal),
        Variant("formula", ALL, _eval_formula),
        Variant("sort", ALL, _eval_sort),
    ),
)
