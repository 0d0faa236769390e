"""Weakness class: server-side request forgery.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _ssrf_preview(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"fetch_{d.noun}_image",
        action=f"download the image at a URL supplied for a {d.noun.replace('_', ' ')}, from the approved image hosts",
        inputs=("image_url",),
        imports=["import requests"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[f"IMAGE_HOSTS = {{'images.{d.key}.example', 'cdn.{d.key}.example'}}"],
        body=[HOLE, "content = resp.content"],
        flawed=["resp = requests.get(image_url, timeout=10)"],
        fixed=[
            "parsed = urlparse(image_url)",
            "if parsed.scheme != 'https' or parsed.hostname not in IMAGE_HOSTS:",
            "    raise ValueError('image host not allowed')",
            "resp = requests.get(image_url, timeout=10)",
        ],
        result="len(content)",
        method="POST",
    )


def _ssrf_webhook(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"send_{d.noun}_webhook",
        action=f"post a {d.noun.replace('_', ' ')} event to the callback URL a partner registered, limited to registered partner domains",
        inputs=("callback_url",),
        imports=["import requests"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[f"PARTNER_DOMAINS = ('.{d.key}-partners.example',)"],
        body=[f"payload = {{'event': '{d.noun}_updated'}}", HOLE],
        flawed=["resp = requests.post(callback_url, json=payload, timeout=5)"],
        fixed=[
            "host = urlparse(callback_url).hostname or ''",
            "if not host.endswith(PARTNER_DOMAINS):",
            "    raise ValueError('callback domain not registered')",
            "resp = requests.post(callback_url, json=payload, timeout=5)",
        ],
        result="resp.status_code",
        method="POST",
    )


FAMILY = Family(
    "ssrf",
    "server-side request forgery",
    (
        Variant("preview", ("web", "job"), _ssrf_preview),
        Variant("webhook", ("web", "job"), _ssrf_webhook),
    ),
)
