"""Weakness class: missing authorisation.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import WEB, db
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant

_LOGIN = [
    "def login_required(view):",
    "    @functools.wraps(view)",
    "    def wrapped(*args, **kwargs):",
    "        if 'user_id' not in session:",
    "            return redirect('/login')",
    "        return view(*args, **kwargs)",
    "    return wrapped",
]


def _authz_delete(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"delete_{d.noun}",
        action=f"let the owner of a {d.noun.replace('_', ' ')} delete it",
        inputs=(),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="<int:item_id>/delete",
        route_args=("item_id",),
        body=[f"db = sqlite3.connect('{db(d)}')", HOLE, "db.commit()"],
        flawed=[f"db.execute('DELETE FROM {d.table} WHERE id = ?', (item_id,))"],
        fixed=[
            f"row = db.execute('SELECT owner_id FROM {d.table} WHERE id = ?', (item_id,)).fetchone()",
            "if row is None or row[0] != session['user_id']:",
            "    abort(403)",
            f"db.execute('DELETE FROM {d.table} WHERE id = ?', (item_id,))",
        ],
        result="redirect('/')",
        method="POST",
    )


def _authz_admin(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"admin_export_{d.plural}",
        action=f"give administrators a JSON export of every {d.noun.replace('_', ' ')}",
        inputs=(),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, jsonify, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="admin/export",
        body=[HOLE, f"rows = db.execute('SELECT * FROM {d.table}').fetchall()"],
        flawed=[f"db = sqlite3.connect('{db(d)}')"],
        fixed=[
            "if not session.get('is_admin'):",
            "    abort(403)",
            f"db = sqlite3.connect('{db(d)}')",
        ],
        result="jsonify(rows)",
    )


def _authz_update(d: Domain, r: random.Random) -> Piece:
    col = d.fields[2]
    return Piece(
        func=f"edit_{d.noun}",
        action=f"let a signed-in user edit the {col.replace('_', ' ')} of one of their own {d.plural}",
        inputs=("value",),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="<int:item_id>/edit",
        route_args=("item_id",),
        body=[f"db = sqlite3.connect('{db(d)}')", HOLE, "db.commit()"],
        flawed=[f"db.execute('UPDATE {d.table} SET {col} = ? WHERE id = ?', (value, item_id))"],
        fixed=[
            f"db.execute('UPDATE {d.table} SET {col} = ? WHERE id = ? AND owner_id = ?', (value, item_id, session['user_id']))"
        ],
        result="redirect('/')",
        method="POST",
    )


FAMILY = Family(
    "missing_authorization",
    "missing authorisation",
    (
        Variant("delete", WEB, _authz_delete),
        Variant("admin", WEB, _authz_admin),
        Variant("update", WEB, _authz_update),
    ),
)
