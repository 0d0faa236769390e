"""Weakness class: deserialisation.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, NON_WEB
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _deser_pickle(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"load_{d.noun}_state",
        action=f"restore a saved {d.noun.replace('_', ' ')} from the base64 blob the client sends back",
        inputs=("blob",),
        imports=["import base64"],
        flawed_imports=["import pickle"],
        fixed_imports=["import json"],
        body=["raw = base64.b64decode(blob)", HOLE, f"{d.fields[0]} = state.get('{d.fields[0]}')"],
        flawed=["state = pickle.loads(raw)"],
        fixed=["state = json.loads(raw.decode('utf-8'))"],
        result=d.fields[0],
        method="POST",
    )


def _deser_yaml(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"import_{d.plural}",
        action=f"parse {d.noun.replace('_', ' ')} records from a YAML document",
        inputs=("document",),
        imports=["import yaml"],
        body=[HOLE, f"names = [item['{d.fields[0]}'] for item in records]"],
        flawed=[
            r.choice(
                [
                    "records = yaml.load(document, Loader=yaml.Loader)",
                    "records = yaml.load(document, Loader=yaml.FullLoader)",
                ]
            )
        ],
        fixed=["records = yaml.safe_load(document)"],
        result="names",
        method="POST",
    )


def _deser_cache(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"read_{d.noun}_cache",
        action=f"read the cached {d.noun.replace('_', ' ')} summary file that a partner system uploads",
        inputs=("cache_file",),
        imports=[],
        flawed_imports=["import pickle"],
        fixed_imports=["import json"],
        body=[HOLE, "total = len(summary)"],
        flawed=["with open(cache_file, 'rb') as fh:", "    summary = pickle.load(fh)"],
        fixed=["with open(cache_file, encoding='utf-8') as fh:", "    summary = json.load(fh)"],
        result="total",
    )


FAMILY = Family(
    "deserialization",
    "deserialisation of untrusted data",
    (
        Variant("pickle", ALL, _deser_pickle),
        Variant("yaml", ALL, _deser_yaml),
        Variant("cache", NON_WEB, _deser_cache),
    ),
)
