"""What the family modules share: the program kinds a variant fits, and two small helpers."""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain

ALL = ("web", "cli", "script", "job")
NON_WEB = ("cli", "script", "job")
WEB = ("web",)


def db(d: Domain) -> str:
    """The SQLite file a domain's code opens."""
    return f"{d.folder.rsplit('/', 1)[0]}/{d.key}.db"


def secret(r: random.Random, n: int = 16) -> str:
    """A random credential-looking string, without look-alike characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(r.choice(alphabet) for _ in range(n))
