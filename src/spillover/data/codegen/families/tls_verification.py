"""Weakness class: TLS verification.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _tls_requests(d: Domain, r: random.Random) -> Piece:
    key = f"{d.noun}_id"
    return Piece(
        func=f"fetch_{d.noun}_details",
        action=f"fetch a {d.noun.replace('_', ' ')}'s details from the internal HTTPS API",
        inputs=(key,),
        imports=["import requests"],
        body=[
            f"url = f'https://{d.host}/api/{d.plural}/{{{key}}}'",
            HOLE,
            "resp.raise_for_status()",
        ],
        flawed=["resp = requests.get(url, verify=False, timeout=10)"],
        fixed=["resp = requests.get(url, timeout=10)"],
        result="resp.json()",
    )


def _tls_context(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"post_{d.noun}_report",
        action=f"send a {d.noun.replace('_', ' ')} report to the reporting server over HTTPS",
        inputs=("report",),
        imports=["import http.client", "import ssl"],
        body=[
            HOLE,
            f"conn = http.client.HTTPSConnection('{d.host}', 443, context=ctx)",
            f"conn.request('POST', '/reports/{d.plural}', body=report)",
            "status = conn.getresponse().status",
        ],
        flawed=r.choice(
            [
                [
                    "ctx = ssl.create_default_context()",
                    "ctx.check_hostname = False",
                    "ctx.verify_mode = ssl.CERT_NONE",
                ],
                ["ctx = ssl._create_unverified_context()"],
            ]
        ),
        fixed=["ctx = ssl.create_default_context()"],
        result="status",
        method="POST",
    )


FAMILY = Family(
    "tls_verification",
    "disabled TLS certificate verification",
    (Variant("requests", ALL, _tls_requests), Variant("context", ALL, _tls_context)),
)
