"""Weakness class: path traversal.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _path_read(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"read_{d.noun}_file",
        action=f"return the contents of a stored {d.noun.replace('_', ' ')} file by name",
        inputs=("name",),
        imports=["import os"],
        module=[f"BASE_DIR = '{d.folder}'"],
        body=[HOLE, "with open(path, 'rb') as fh:", "    data = fh.read()"],
        flawed=["path = os.path.join(BASE_DIR, name)"],
        fixed=[
            "path = os.path.realpath(os.path.join(BASE_DIR, name))",
            "if not path.startswith(os.path.realpath(BASE_DIR) + os.sep):",
            "    raise ValueError('name must stay inside the storage folder')",
        ],
        result="data",
    )


def _path_write(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"save_{d.noun}_attachment",
        action=f"store an attachment for a {d.noun.replace('_', ' ')} under the file name the client gives",
        inputs=("filename", "content"),
        imports=["import os"],
        module=[f"UPLOAD_DIR = '{d.folder}'"],
        body=[HOLE, "with open(dest, 'w') as fh:", "    fh.write(content)"],
        flawed=[
            r.choice(["dest = UPLOAD_DIR + '/' + filename", "dest = f'{UPLOAD_DIR}/{filename}'"])
        ],
        fixed=["dest = os.path.join(UPLOAD_DIR, os.path.basename(filename))"],
        result="dest",
        method="POST",
    )


def _path_delete(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"remove_{d.noun}_file",
        action=f"delete one stored {d.noun.replace('_', ' ')} file",
        inputs=("name",),
        imports=["from pathlib import Path"],
        module=[f"ROOT = Path('{d.folder}')"],
        body=[HOLE, "target.unlink()"],
        flawed=["target = ROOT / name"],
        fixed=[
            "target = (ROOT / name).resolve()",
            "if not target.is_relative_to(ROOT.resolve()):",
            "    raise PermissionError(name)",
        ],
        result="str(target)",
        method="POST",
    )


FAMILY = Family(
    "path_traversal",
    "path traversal",
    (
        Variant("read", ALL, _path_read),
        Variant("write", ALL, _path_write),
        Variant("delete", ALL, _path_delete),
    ),
)
