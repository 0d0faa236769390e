"""Weakness class: weak password hashing.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, db
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _hash_store(d: Domain, r: random.Random) -> Piece:
    algo = r.choice(["md5", "sha1", "sha256"])
    return Piece(
        func=f"register_{d.noun}_user",
        action=f"create an account for the {d.noun.replace('_', ' ')} system and store the password hash",
        inputs=("username", "password"),
        imports=["import hashlib", "import sqlite3"],
        fixed_imports=["import os"],
        body=[
            HOLE,
            f"db = sqlite3.connect('{db(d)}')",
            "db.execute('INSERT INTO users (username, pw_hash) VALUES (?, ?)', (username, pw_hash))",
            "db.commit()",
        ],
        flawed=[f"pw_hash = hashlib.{algo}(password.encode()).hexdigest()"],
        fixed=[
            "salt = os.urandom(16)",
            "pw_hash = salt.hex() + ':' + hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000).hex()",
        ],
        result="username",
        method="POST",
    )


def _hash_verify(d: Domain, r: random.Random) -> Piece:
    algo = r.choice(["md5", "sha1"])
    return Piece(
        func=f"verify_{d.noun}_login",
        action=f"check a login against the stored password hash for the {d.noun.replace('_', ' ')} portal",
        inputs=("username", "password"),
        imports=["import hashlib", "import hmac", "import json"],
        module=[f"USERS_FILE = '{d.folder}/users.json'"],
        body=["with open(USERS_FILE) as fh:", "    stored = json.load(fh)[username]", HOLE],
        flawed=[
            f"ok = hmac.compare_digest(hashlib.{algo}(password.encode()).hexdigest(), stored['hash'])"
        ],
        fixed=[
            "candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(stored['salt']), n=2**14, r=8, p=1).hex()",
            "ok = hmac.compare_digest(candidate, stored['hash'])",
        ],
        result="ok",
        method="POST",
    )


FAMILY = Family(
    "weak_password_hash",
    "weak password hashing",
    (Variant("store", ALL, _hash_store), Variant("verify", ALL, _hash_verify)),
)
