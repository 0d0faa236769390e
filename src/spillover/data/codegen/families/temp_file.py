"""Weakness class: temporary files.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _tmp_fixed_path(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"stage_{d.noun}_export",
        action=f"write {d.plural} to a scratch file before upload",
        inputs=("rows",),
        imports=["import json"],
        fixed_imports=["import tempfile"],
        body=[HOLE, "    json.dump(rows, fh)"],
        flawed=[
            r.choice(
                [
                    f"path = '/tmp/{d.noun}_export.json'",
                    f"path = f'/tmp/{d.noun}_{{len(rows)}}.json'",
                ]
            ),
            "with open(path, 'w') as fh:",
        ],
        fixed=[
            f"fd, path = tempfile.mkstemp(prefix='{d.noun}_', suffix='.json')",
            "with open(fd, 'w') as fh:",
        ],
        result="path",
        method="POST",
    )


def _tmp_mktemp(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"buffer_{d.noun}_upload",
        action=f"save an uploaded {d.noun.replace('_', ' ')} payload to a temporary file for the scanner",
        inputs=("payload",),
        imports=["import tempfile"],
        body=[HOLE, "    fh.write(payload.encode())"],
        flawed=[f"path = tempfile.mktemp(suffix='{d.ext}')", "with open(path, 'wb') as fh:"],
        fixed=[
            f"handle = tempfile.NamedTemporaryFile(suffix='{d.ext}', delete=False)",
            "path = handle.name",
            "with handle as fh:",
        ],
        result="path",
        method="POST",
    )


FAMILY = Family(
    "temp_file",
    "predictable temporary file",
    (Variant("fixed_path", ALL, _tmp_fixed_path), Variant("mktemp", ALL, _tmp_mktemp)),
)
