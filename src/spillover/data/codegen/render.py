"""Wrap a piece into a whole file for its setting; produce the template and both completions."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from spillover.data.codegen.contexts import Context
from spillover.data.codegen.piece import HOLE, MARKER, Piece

LIST_INPUTS = frozenset({"rows", "records"})
_FLASK_NAMES = ("abort", "jsonify", "redirect", "render_template_string", "session")


@dataclass(frozen=True)
class RenderedCode:
    template: str
    flawed: str
    fixed: str


def _indent(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line if line else line for line in lines]


def _split(lines: list[str]) -> list[str]:
    return [part for line in lines for part in line.split("\n")]


def _web_binding(piece: Piece, r: random.Random) -> list[str]:
    if piece.method == "GET":
        return [f"{name} = request.args.get('{name}', '')" for name in piece.inputs]
    style = r.choice(["form", "form_get", "json"])
    if style == "json" or any(name in LIST_INPUTS for name in piece.inputs):
        return (["payload = request.get_json()"] if piece.inputs else []) + [
            f"{name} = payload['{name}']" for name in piece.inputs
        ]
    if style == "form":
        return [f"{name} = request.form['{name}']" for name in piece.inputs]
    return [f"{name} = request.form.get('{name}', '')" for name in piece.inputs]


def _web_result(result: str) -> str:
    if re.match(r"(redirect|jsonify|str)\(", result) or result in ("page", "html"):
        return result
    return f"jsonify(result={result})"


def _skeleton(
    ctx: Context, piece: Piece, r: random.Random
) -> tuple[list[str], list[str], list[str]]:
    """Head (imports), module part and function part; module/function may hold the HOLE line."""
    d = ctx.domain
    head: list[str] = []
    tail: list[str] = []
    body = list(piece.body)
    if ctx.setting == "web":
        head.append("from flask import Flask, request")
        module = ["app = Flask(__name__)", *([""] if piece.module else []), *piece.module]
        route = piece.route or piece.func.split("_", 1)[0]
        route_path = f"/{d.plural}/{route}"
        for arg in piece.route_args:
            route_path = route_path.replace(f"<int:{arg}>", f"<int:{arg}>")
        func = [
            f"@app.route('{route_path}', methods=['{piece.method}'])",
            *piece.decorators,
            f"def {piece.func}({', '.join(piece.route_args)}):",
        ]
        inner = _web_binding(piece, r) + body
        if piece.result is not None:
            inner.append(f"return {_web_result(piece.result)}")
        return head, module, func + _indent(_split(inner), "    ")
    args = ", ".join(piece.inputs)
    func = [f"def {piece.func}({args}):"]
    inner = body + ([f"return {piece.result}"] if piece.result is not None else [])
    func += _indent(_split(inner), "    ")
    if ctx.setting == "cli":
        head.append("import argparse")
        if any(n in LIST_INPUTS for n in piece.inputs):
            head.append("import json")
        tail = [
            "",
            "",
            "def main():",
            f"    parser = argparse.ArgumentParser(description={piece.action[0].upper() + piece.action[1:]!r})",
        ]
        json_help = ", help='JSON file'"
        tail += [
            f"    parser.add_argument('{n}'{json_help if n in LIST_INPUTS else ''})"
            for n in piece.inputs
        ]
        tail.append("    args = parser.parse_args()")
        call_args = [
            f"json.load(open(args.{n}))" if n in LIST_INPUTS else f"args.{n}" for n in piece.inputs
        ]
        tail += [
            f"    print({piece.func}({', '.join(call_args)}))",
            "",
            "",
            "if __name__ == '__main__':",
            "    main()",
        ]
    elif ctx.setting == "script":
        if r.random() < 0.5 or any(n in LIST_INPUTS for n in piece.inputs):
            head.append("import sys")
            call = ", ".join(f"sys.argv[{i + 1}]" for i in range(len(piece.inputs)))
            if any(n in LIST_INPUTS for n in piece.inputs):
                head.append("import json")
                call = ", ".join(
                    f"json.load(open(sys.argv[{i + 1}]))" for i in range(len(piece.inputs))
                )
        else:
            call = ", ".join(f"input('{n.replace('_', ' ')}: ')" for n in piece.inputs)
        tail = ["", "", "if __name__ == '__main__':", f"    print({piece.func}({call}))"]
    else:
        head.append("import json")
        call = ", ".join(f"item['{n}']" for n in piece.inputs)
        tail = [
            "",
            "",
            f"def run_batch(path='{d.folder}/pending.json'):",
            "    with open(path) as fh:",
            "        batch = json.load(fh)",
            f"    return [{piece.func}({call}) for item in batch]",
        ]
    return head, list(piece.module), func + tail


def _fill(lines: list[str], fill: list[str] | None, marker_col0: bool, extend: bool) -> list[str]:
    out: list[str] = []
    hole_at = next(i for i, line in enumerate(lines) if line.strip() == HOLE)
    indent = lines[hole_at][: len(lines[hole_at]) - len(lines[hole_at].lstrip())]
    before = lines[:hole_at]
    carried: list[str] = []
    if (
        extend
        and before
        and before[-1].startswith(indent)
        and before[-1][len(indent) : len(indent) + 1] not in (" ", "@")
        and not before[-1].rstrip().endswith(":")
        and not before[-1].lstrip().startswith("def ")
    ):
        carried = [before.pop()]
    out += before
    if fill is None:
        out.append(MARKER if marker_col0 else indent + MARKER)
    else:
        out += carried + _indent(_split(fill), indent)
    out += lines[hole_at + 1 :]
    return out


def render(ctx: Context, piece: Piece, r: random.Random) -> RenderedCode:
    head, module, func = _skeleton(ctx, piece, r)
    marker_col0 = r.random() < 0.4
    extend = r.random() < 0.35

    def build(fill: list[str] | None, extra: list[str]) -> str:
        mod = (
            _fill(module, fill, marker_col0, extend)
            if any(x.strip() == HOLE for x in module)
            else module
        )
        fn = (
            _fill(func, fill, marker_col0, extend) if any(x.strip() == HOLE for x in func) else func
        )
        imports = [*head, *piece.imports, *extra]
        text = "\n".join([*imports, "", *([*mod, "", ""] if mod else []), *fn])
        if ctx.setting == "web":
            used = [
                n
                for n in _FLASK_NAMES
                if re.search(rf"\b{n}\b", text.split("\n", len(imports))[-1])
            ]
            merged = ", ".join(["Flask", "request", *used])
            lines = [x for x in text.split("\n") if not x.startswith("from flask import")]
            text = "\n".join([f"from flask import {merged}", *lines])
        return text.strip("\n") + "\n"

    return RenderedCode(
        template=build(None, []),
        flawed=build(piece.flawed, piece.flawed_imports),
        fixed=build(piece.fixed, piece.fixed_imports),
    )
