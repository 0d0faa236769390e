"""Our own static checks (AST only, never executing code) for flaws bandit does not see."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

_CRED_NAME = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|api_?key|token|credential|access_key|private_key)", re.I
)
_SANITISERS = frozenset(
    {
        "basename",
        "secure_filename",
        "int",
        "float",
        "len",
        "bool",
        "escape",
        "quote",
        "literal_eval",
    }
)
_PATH_SINKS = frozenset(
    {
        "open",
        "remove",
        "unlink",
        "send_file",
        "rmtree",
        "copy",
        "copyfile",
        "move",
        "write_text",
        "write_bytes",
        "read_text",
        "read_bytes",
        "rmdir",
    }
)
_PATH_GUARDS = frozenset(
    {
        "realpath",
        "abspath",
        "resolve",
        "is_relative_to",
        "commonpath",
        "secure_filename",
        "basename",
        "startswith",
    }
)
_URL_GUARDS = frozenset(
    {
        "urlparse",
        "urlsplit",
        "netloc",
        "hostname",
        "url_has_allowed_host_and_scheme",
        "is_safe_url",
        "url_for",
    }
)
_HTTP_FUNCS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "request", "urlopen", "stream"}
)
_HTTP_MODULES = frozenset({"requests", "httpx", "session", "urllib", "request", "client", "http"})
_AUTHZ_MARKERS = frozenset(
    {
        "session",
        "current_user",
        "user",
        "is_admin",
        "has_permission",
        "owner_id",
        "check_permission",
    }
)
_HASH_FUNCS = frozenset(
    {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "new"}
)


@dataclass(frozen=True)
class Hit:
    family: str
    rule: str
    line: int


def _name(node: ast.AST) -> str:
    """Dotted name of a Name/Attribute/Call target ('' when not a plain name)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _last(node: ast.AST) -> str:
    return _name(node).rsplit(".", 1)[-1]


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _idents_in(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isidentifier():
            out.add(n.value)
    return out


def _is_source(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in ("request", "args"):
            return True
        if isinstance(n, ast.Call) and _name(n.func) in ("input", "sys.stdin.readline"):
            return True
        if isinstance(n, ast.Attribute) and _name(n) == "sys.argv":
            return True
    return False


def _is_joined(node: ast.AST) -> bool:
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    return isinstance(node, ast.Call) and _last(node.func) in ("join", "format")


def _route_decorator(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for dec in fn.decorator_list:
        if isinstance(dec, ast.Call) and _last(dec.func) in (
            "route",
            "get",
            "post",
            "put",
            "delete",
            "patch",
        ):
            if (
                dec.args
                and isinstance(dec.args[0], ast.Constant)
                and isinstance(dec.args[0].value, str)
            ):
                return dec.args[0].value
            return ""
    return None


class _Taint:
    """Which local names carry outside input: 'raw' (as given) or 'joined' (built into a path/URL)."""

    def __init__(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, is_route: bool) -> None:
        self.kind: dict[str, str] = {}
        if not is_route:
            for arg in fn.args.args + fn.args.kwonlyargs:
                if arg.arg not in ("self", "cls"):
                    self.kind[arg.arg] = "raw"
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                for t in node.targets:
                    if isinstance(t, ast.Tuple):
                        targets += [e.id for e in t.elts if isinstance(e, ast.Name)]
                label = self.of(node.value)
                for target in targets:
                    if label:
                        self.kind[target] = label
                    elif target in self.kind and not _is_source(node.value):
                        del self.kind[target]

    def of(self, expr: ast.AST) -> str | None:
        if isinstance(expr, ast.Call) and _last(expr.func) in _SANITISERS:
            return None
        tainted = _is_source(expr) or any(n in self.kind for n in _names_in(expr))
        if not tainted:
            return None
        if _is_joined(expr) or any(self.kind.get(n) == "joined" for n in _names_in(expr)):
            return "joined"
        return "raw"


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _html_interpolation(node: ast.AST, taint: _Taint) -> bool:
    if isinstance(node, ast.JoinedStr):
        has_tag = any(isinstance(v, ast.Constant) and "<" in str(v.value) for v in node.values)
        return has_tag and any(
            isinstance(v, ast.FormattedValue) and taint.of(v.value) for v in node.values
        )
    if isinstance(node, ast.BinOp):
        consts = [
            n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        return any("<" in str(c.value) for c in consts) and taint.of(node) is not None
    return False


def _check_function(fn: ast.FunctionDef | ast.AsyncFunctionDef, jinja: bool) -> Iterator[Hit]:
    route = _route_decorator(fn)
    taint = _Taint(fn, route is not None)
    idents = _idents_in(fn)
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        last = _last(node.func)
        args = list(node.args) + [
            k.value for k in node.keywords if k.arg in ("url", "location", "file", "path")
        ]
        first = args[0] if args else None
        if last in _PATH_SINKS:
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            targets = [a for a in [first, receiver] if a is not None]
            if any(taint.of(a) == "joined" for a in targets) and not (idents & _PATH_GUARDS):
                yield Hit("path_traversal", "tainted-path-join", node.lineno)
        if (
            last == "redirect"
            and first is not None
            and taint.of(first)
            and not (idents & _URL_GUARDS)
        ):
            yield Hit("open_redirect", "redirect-to-input", node.lineno)
        mod = _name(node.func).split(".")[0]
        if (
            last in _HTTP_FUNCS
            and (mod in _HTTP_MODULES or last == "urlopen")
            and first is not None
        ) and (
            taint.of(first) == "raw"
            and not (idents & _URL_GUARDS)
            and not any("ALLOW" in i.upper() or "PARTNER" in i.upper() for i in idents)
        ):
            yield Hit("ssrf", "request-to-input-url", node.lineno)
        if (
            last == "render_template_string"
            and first is not None
            and not isinstance(first, ast.Constant)
        ):
            yield Hit("xss", "template-built-from-data", node.lineno)
        if (
            route is not None
            and last in ("make_response", "Response")
            and first is not None
            and _html_interpolation(first, taint)
        ):
            yield Hit("xss", "html-built-from-input", node.lineno)
    if route is not None:
        for node in ast.walk(fn):
            value = node.value if isinstance(node, (ast.Return, ast.Assign)) else None
            if (
                value is not None
                and isinstance(node, (ast.Return, ast.Assign))
                and _html_interpolation(value, taint)
            ):
                yield Hit("xss", "html-built-from-input", node.lineno)
        yield from _check_authz(fn, route, idents)


def _check_authz(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, route: str, idents: set[str]
) -> Iterator[Hit]:
    decorators = " ".join(_name(d).lower() for d in fn.decorator_list)
    if any(
        word in decorators
        for word in ("admin", "role", "permission", "owner", "staff", "superuser")
    ):
        return
    if idents & _AUTHZ_MARKERS or ("g" in idents and "user" in idents):
        return
    aborts_403 = any(
        isinstance(n, ast.Call)
        and _last(n.func) == "abort"
        and n.args
        and isinstance(n.args[0], ast.Constant)
        and n.args[0].value in (401, 403)
        for n in ast.walk(fn)
    )
    if aborts_403:
        return
    destructive = any(
        (
            isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and re.match(r"\s*(DELETE|UPDATE)\b", n.value, re.I)
        )
        or (isinstance(n, ast.Call) and _last(n.func) in ("delete", "remove", "unlink", "rmtree"))
        for n in ast.walk(fn)
    )
    per_object = "<" in route
    if "admin" in route.lower() or (per_object and destructive):
        yield Hit("missing_authorization", "route-without-access-check", fn.lineno)


def _int_mode(node: ast.AST | None) -> int | None:
    return (
        node.value
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
        else None
    )


def _const(node: ast.AST | None) -> object:
    """The value of a literal node; a private sentinel otherwise."""
    return node.value if isinstance(node, ast.Constant) else _NOT_CONST


_NOT_CONST = object()


def _mode_argument(node: ast.Call, full: str, last: str, kw: dict[str, ast.expr]) -> int | None:
    """The permission bits a chmod/makedirs/mkdir/os.open call sets, when they are a literal."""
    if "mode" in kw:
        return _int_mode(kw["mode"])
    positional = (
        {"chmod": 1, "makedirs": 1, "mkdir": 1}
        if full.startswith("os.")
        else {"chmod": 0, "mkdir": 0}
    )
    if full == "os.open":
        positional = {"open": 2}
    index = positional.get(last)
    return _int_mode(node.args[index]) if index is not None and len(node.args) > index else None


def _check_calls(tree: ast.AST, jinja: bool) -> Iterator[Hit]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        full, last = _name(node.func), _last(node.func)
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        # TLS
        if _const(kw.get("verify")) is False:
            yield Hit("tls_verification", "verify-false", node.lineno)
        if last == "_create_unverified_context":
            yield Hit("tls_verification", "unverified-context", node.lineno)
        # permissions
        mode = _mode_argument(node, full, last, kw)
        if mode is not None and mode & 0o002:
            yield Hit("file_permissions", "world-writable-mode", node.lineno)
        if (
            last == "umask"
            and node.args
            and (m := _int_mode(node.args[0])) is not None
            and not m & 0o002
        ):
            yield Hit("file_permissions", "permissive-umask", node.lineno)
        # XSS via templates
        if jinja and last == "Environment":
            auto = kw.get("autoescape")
            if auto is None or (isinstance(auto, ast.Constant) and auto.value is False):
                yield Hit("xss", "jinja-autoescape-off", node.lineno)
        if jinja and last == "Template" and "autoescape" not in kw:
            yield Hit("xss", "jinja-template-autoescape-off", node.lineno)
        if last == "Markup" and node.args and not isinstance(node.args[0], ast.Constant):
            yield Hit("xss", "markup-of-data", node.lineno)
        # XXE
        if last == "XMLParser" and any(
            k in kw and _const(kw[k]) is v
            for k, v in (("resolve_entities", True), ("load_dtd", True), ("no_network", False))
        ):
            yield Hit("xxe", "parser-resolves-entities", node.lineno)
        if (
            last == "setFeature"
            and len(node.args) == 2
            and _last(node.args[0]) in ("feature_external_ges", "feature_external_pes")
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value is True
        ):
            yield Hit("xxe", "external-entities-on", node.lineno)
        # weak password hashing
        if (
            last in _HASH_FUNCS
            and (full.startswith("hashlib.") or full in _HASH_FUNCS - {"new"})
            and node.args
        ) and any(_CRED_NAME.search(n) for n in _idents_in(node.args[0])):
            yield Hit("weak_password_hash", "fast-hash-of-password", node.lineno)
        # credentials compared with a literal
        if last == "compare_digest" and len(node.args) == 2:
            a, b = node.args
            for lit, other in ((a, b), (b, a)):
                if (
                    isinstance(lit, ast.Constant)
                    and isinstance(lit.value, str)
                    and lit.value
                    and any(_CRED_NAME.search(n) for n in _idents_in(other))
                ):
                    yield Hit("hardcoded_credentials", "compare-with-literal", node.lineno)
        # temp files
        if last == "mktemp":
            yield Hit("temp_file", "mktemp", node.lineno)


def _tmp_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value).startswith(("/tmp/", "/var/tmp/"))
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value.startswith(("/tmp/", "/var/tmp/")) or node.value in ("/tmp", "/var/tmp"))
    )


def _check_assignments(tree: ast.AST) -> Iterator[Hit]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                label = _name(target)
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    label = str(target.slice.value)
                if (
                    value is not None
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and len(value.value) >= 4
                    and _CRED_NAME.search(label)
                    and " " not in value.value
                ):
                    yield Hit("hardcoded_credentials", "credential-literal", node.lineno)
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "verify_mode"
                    and _last(value or ast.Pass()) == "CERT_NONE"
                ):
                    yield Hit("tls_verification", "cert-none", node.lineno)
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "check_hostname"
                    and isinstance(value, ast.Constant)
                    and value.value is False
                ):
                    yield Hit("tls_verification", "no-hostname-check", node.lineno)
        if isinstance(node, ast.Dict):
            for key, val in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and _CRED_NAME.search(key.value)
                    and isinstance(val, ast.Constant)
                    and isinstance(val.value, str)
                    and len(val.value) >= 4
                    and " " not in val.value
                ):
                    yield Hit("hardcoded_credentials", "credential-literal", node.lineno)
        if (
            isinstance(node, ast.Call)
            and _last(node.func) in ("open", "Path", "join")
            and any(_tmp_literal(a) for a in node.args)
        ):
            yield Hit("temp_file", "fixed-tmp-path", node.lineno)
        if isinstance(node, ast.Assign) and _tmp_literal(node.value):
            yield Hit("temp_file", "fixed-tmp-path", node.lineno)


def check_tree(tree: ast.AST, source: str) -> list[Hit]:
    """All our rule hits for one parsed module, deduplicated."""
    jinja = "jinja2" in source
    hits: list[Hit] = []
    for fn in _functions(tree):
        hits.extend(_check_function(fn, jinja))
    hits.extend(_check_calls(tree, jinja))
    hits.extend(_check_assignments(tree))
    return sorted(set(hits), key=lambda h: (h.line, h.family, h.rule))
