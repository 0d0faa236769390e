"""Weakness class: open redirect.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import WEB
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _redirect_next(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"finish_{d.noun}_login",
        action="send the user back to the page they came from after logging in",
        inputs=("next_url",),
        imports=["from flask import redirect, session"],
        fixed_imports=["from urllib.parse import urlparse"],
        body=["session['logged_in'] = True", HOLE],
        flawed=["return redirect(next_url or '/')"],
        fixed=[
            "if not next_url or urlparse(next_url).netloc or not next_url.startswith('/'):",
            "    next_url = '/'",
            "return redirect(next_url)",
        ],
        method="POST",
    )


def _redirect_share(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"leave_{d.noun}_page",
        action=f"redirect to an external link attached to a {d.noun.replace('_', ' ')}, but only to partner sites",
        inputs=("target",),
        imports=["from flask import abort, redirect"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[
            f"PARTNER_HOSTS = {{'www.{d.key}-partner.example', 'help.{d.key}-partner.example'}}"
        ],
        body=[HOLE],
        flawed=["return redirect(target)"],
        fixed=[
            "if urlparse(target).hostname not in PARTNER_HOSTS:",
            "    abort(400)",
            "return redirect(target)",
        ],
    )


FAMILY = Family(
    "open_redirect",
    "open redirect",
    (Variant("next", WEB, _redirect_next), Variant("share", WEB, _redirect_share)),
)
