"""Weakness class: SQL injection.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, db
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _sql_lookup(d: Domain, r: random.Random) -> Piece:
    col = r.choice(d.fields)
    inp = r.choice([col, "term", f"{d.noun}_{col}"])
    q = f"SELECT * FROM {d.table} WHERE {col} = "
    flawed_q = r.choice(
        [
            f"query = f\"{q}'{{{inp}}}'\"",
            f"query = \"{q}'%s'\" % {inp}",
            f"query = \"{q}'{{}}'\".format({inp})",
            f'query = "{q}\'" + {inp} + "\'"',
        ]
    )
    return Piece(
        func=f"find_{d.plural}",
        action=f"look up {d.plural} by {col.replace('_', ' ')}",
        inputs=(inp,),
        imports=["import sqlite3"],
        body=[
            f"conn = sqlite3.connect('{db(d)}')",
            "cursor = conn.cursor()",
            HOLE,
            "rows = cursor.fetchall()",
            "conn.close()",
        ],
        flawed=[flawed_q, "cursor.execute(query)"],
        fixed=[f'query = "{q}?"', f"cursor.execute(query, ({inp},))"],
        result="rows",
    )


def _sql_update(d: Domain, r: random.Random) -> Piece:
    col = r.choice(d.fields)
    key = f"{d.noun}_id"
    flawed = r.choice(
        [
            f"cursor.execute(f\"UPDATE {d.table} SET {col} = '{{new_value}}' WHERE id = {{{key}}}\")",
            f"cursor.execute(\"UPDATE {d.table} SET {col} = '%s' WHERE id = %s\" % (new_value, {key}))",
        ]
    )
    return Piece(
        func=f"update_{d.noun}_{col}",
        action=f"change the {col.replace('_', ' ')} of a {d.noun.replace('_', ' ')}",
        inputs=(key, "new_value"),
        imports=["import psycopg2"],
        body=[
            f"conn = psycopg2.connect(dbname='{d.key}', host='{d.host}')",
            "with conn, conn.cursor() as cursor:",
            "    " + HOLE,
        ],
        flawed=[flawed],
        fixed=[
            f'cursor.execute("UPDATE {d.table} SET {col} = %s WHERE id = %s", (new_value, {key}))'
        ],
        result="'updated'",
        method="POST",
    )


def _sql_search(d: Domain, r: random.Random) -> Piece:
    col = d.fields[0]
    limit = r.choice([20, 50, 100])
    return Piece(
        func=f"search_{d.plural}",
        action=f"search {d.plural} whose {col.replace('_', ' ')} contains some text",
        inputs=("text",),
        imports=["import sqlite3"],
        body=[
            f"db = sqlite3.connect('{db(d)}')",
            HOLE,
            "results = db.execute(sql, params).fetchall()",
        ],
        flawed=[
            f'sql = "SELECT * FROM {d.table} WHERE {col} LIKE \'%" + text + "%\' LIMIT {limit}"',
            "params = ()",
        ],
        fixed=[
            f'sql = "SELECT * FROM {d.table} WHERE {col} LIKE ? LIMIT {limit}"',
            "params = (f'%{text}%',)",
        ],
        result="results",
    )


FAMILY = Family(
    "sql_injection",
    "SQL injection",
    (
        Variant("lookup", ALL, _sql_lookup),
        Variant("update", ALL, _sql_update),
        Variant("search", ALL, _sql_search),
    ),
)
