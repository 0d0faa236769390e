"""Weakness class: hard-coded credentials.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, secret
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _cred_db(d: Domain, r: random.Random) -> Piece:
    pw = secret(r, 12)
    return Piece(
        func=f"count_{d.plural}",
        action=f"count the {d.plural} stored in the PostgreSQL database",
        inputs=(),
        imports=["import psycopg2"],
        fixed_imports=["import os"],
        module=[HOLE],
        body=[
            f"conn = psycopg2.connect(host='{d.host}', dbname='{d.key}', user=DB_USER, password=DB_PASSWORD)",
            "cur = conn.cursor()",
            f"cur.execute('SELECT COUNT(*) FROM {d.table}')",
            "total = cur.fetchone()[0]",
        ],
        flawed=[f"DB_USER = '{d.key}_app'", f"DB_PASSWORD = '{pw}'"],
        fixed=[
            f"DB_USER = os.environ.get('DB_USER', '{d.key}_app')",
            "DB_PASSWORD = os.environ['DB_PASSWORD']",
        ],
        result="total",
    )


def _cred_api(d: Domain, r: random.Random) -> Piece:
    key = "sk_live_" + secret(r, 24)
    return Piece(
        func=f"notify_{d.noun}_owner",
        action=f"send a notification about a {d.noun.replace('_', ' ')} through the messaging API",
        inputs=("message",),
        imports=["import requests"],
        fixed_imports=["import os"],
        module=[HOLE],
        body=[
            "headers = {'Authorization': f'Bearer {API_KEY}'}",
            f"resp = requests.post('https://api.{d.host.split('.')[0]}-notify.example.com/v1/send', json={{'text': message}}, headers=headers, timeout=10)",
        ],
        flawed=[f"API_KEY = '{key}'"],
        fixed=["API_KEY = os.environ['NOTIFY_API_KEY']"],
        result="resp.status_code",
        method="POST",
    )


def _cred_login(d: Domain, r: random.Random) -> Piece:
    pw = r.choice(["admin", d.key, "letmein", "Summer"]) + str(r.randint(10, 2099))
    return Piece(
        func=f"check_{d.noun}_admin",
        action=f"check the admin password before showing the {d.noun.replace('_', ' ')} admin menu",
        inputs=("password",),
        imports=["import hmac"],
        fixed_imports=["import hashlib", "import os"],
        body=[HOLE],
        flawed=[f"allowed = hmac.compare_digest(password, '{pw}')"],
        fixed=[
            "salt = bytes.fromhex(os.environ['ADMIN_SALT'])",
            "digest = hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000).hex()",
            "allowed = hmac.compare_digest(digest, os.environ['ADMIN_HASH'])",
        ],
        result="allowed",
        method="POST",
    )


FAMILY = Family(
    "hardcoded_credentials",
    "hard-coded credential",
    (
        Variant("db", ALL, _cred_db),
        Variant("api", ALL, _cred_api),
        Variant("login", ALL, _cred_login),
    ),
)
