"""The vulnerability families, one module per weakness class, in the order rows draw them."""

from __future__ import annotations

from spillover.data.codegen.families import (
    code_eval,
    command_injection,
    deserialization,
    file_permissions,
    hardcoded_credentials,
    missing_authorization,
    open_redirect,
    path_traversal,
    sql_injection,
    ssrf,
    temp_file,
    tls_verification,
    weak_password_hash,
    xss,
    xxe,
)
from spillover.data.codegen.piece import Family

FAMILIES: tuple[Family, ...] = (
    sql_injection.FAMILY,
    command_injection.FAMILY,
    path_traversal.FAMILY,
    deserialization.FAMILY,
    code_eval.FAMILY,
    tls_verification.FAMILY,
    hardcoded_credentials.FAMILY,
    weak_password_hash.FAMILY,
    file_permissions.FAMILY,
    xss.FAMILY,
    open_redirect.FAMILY,
    ssrf.FAMILY,
    temp_file.FAMILY,
    xxe.FAMILY,
    missing_authorization.FAMILY,
)

FAMILY_KEYS: tuple[str, ...] = tuple(f.key for f in FAMILIES)
