"""Weakness class: world-writable permissions.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _perm_chmod(d: Domain, r: random.Random) -> Piece:
    mode = r.choice(["0o777", "0o666", "0o766"])
    return Piece(
        func=f"export_{d.plural}",
        action=f"write a CSV export of {d.plural} and set its permissions",
        inputs=("rows",),
        imports=["import csv", "import os"],
        body=[
            f"path = '{d.folder}/export.csv'",
            "with open(path, 'w', newline='') as fh:",
            "    csv.writer(fh).writerows(rows)",
            HOLE,
        ],
        flawed=[f"os.chmod(path, {mode})"],
        fixed=["os.chmod(path, 0o600)"],
        result="path",
        method="POST",
    )


def _perm_makedirs(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"prepare_{d.noun}_folder",
        action=f"create the working folder for a {d.noun.replace('_', ' ')} if it is missing",
        inputs=("name",),
        imports=["import os"],
        body=[f"folder = os.path.join('{d.folder}', os.path.basename(name))", HOLE],
        flawed=[
            r.choice(
                [
                    "os.makedirs(folder, mode=0o777, exist_ok=True)",
                    "os.makedirs(folder, exist_ok=True)\nos.chmod(folder, 0o777)",
                ]
            )
        ],
        fixed=["os.makedirs(folder, mode=0o700, exist_ok=True)"],
        result="folder",
        method="POST",
    )


def _perm_umask(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"write_{d.noun}_log",
        action=f"append a line to the {d.noun.replace('_', ' ')} activity log, creating it if needed",
        inputs=("line",),
        imports=["import os"],
        body=[
            HOLE,
            f"with open('{d.folder}/activity.log', 'a') as fh:",
            "    fh.write(line + '\\n')",
            "os.umask(previous)",
        ],
        flawed=["previous = os.umask(0)"],
        fixed=["previous = os.umask(0o077)"],
        result="'logged'",
        method="POST",
    )


FAMILY = Family(
    "file_permissions",
    "world-writable permission",
    (
        Variant("chmod", ALL, _perm_chmod),
        Variant("makedirs", ALL, _perm_makedirs),
        Variant("umask", ALL, _perm_umask),
    ),
)
