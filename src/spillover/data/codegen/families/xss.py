"""Weakness class: cross-site scripting.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, WEB
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _xss_fstring(d: Domain, r: random.Random) -> Piece:
    col = d.fields[0]
    return Piece(
        func=f"show_{d.noun}_preview",
        action=f"show a preview page of a {d.noun.replace('_', ' ')} {col.replace('_', ' ')} the user just typed",
        inputs=(col,),
        imports=[],
        fixed_imports=["from markupsafe import escape"],
        body=[HOLE],
        flawed=[f"page = f'<h1>{d.noun.replace('_', ' ').title()} preview</h1><p>{{{col}}}</p>'"],
        fixed=[
            f"page = f'<h1>{d.noun.replace('_', ' ').title()} preview</h1><p>{{escape({col})}}</p>'"
        ],
        result="page",
    )


def _xss_template_string(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"search_{d.plural}_page",
        action=f"render a search results heading for {d.plural} that repeats the query",
        inputs=("query",),
        imports=["from flask import render_template_string"],
        body=[HOLE],
        flawed=["html = render_template_string(f'<h2>Results for {query}</h2>')"],
        fixed=["html = render_template_string('<h2>Results for {{ query }}</h2>', query=query)"],
        result="html",
    )


def _xss_jinja_env(d: Domain, r: random.Random) -> Piece:
    flawed = r.choice(
        [
            [
                "env = Environment(loader=FileSystemLoader('templates'), autoescape=False)",
                f"template = env.get_template('{d.noun}.html')",
            ],
            [
                "env = Environment(loader=FileSystemLoader('templates'))",
                f"template = env.get_template('{d.noun}.html')",
            ],
            [f"template = Template(open('templates/{d.noun}.html').read())"],
        ]
    )
    return Piece(
        func=f"render_{d.noun}_report",
        action=f"render an HTML report of {d.plural} from a Jinja2 template",
        inputs=("records",),
        imports=["from jinja2 import Environment, FileSystemLoader, Template, select_autoescape"],
        body=[HOLE, f"html = template.render({d.plural}=records)"],
        flawed=flawed,
        fixed=[
            "env = Environment(loader=FileSystemLoader('templates'), autoescape=select_autoescape(['html']))",
            f"template = env.get_template('{d.noun}.html')",
        ],
        result="html",
    )


def _xss_markup(d: Domain, r: random.Random) -> Piece:
    col = d.fields[1]
    return Piece(
        func=f"format_{d.noun}_badge",
        action=f"build an HTML badge showing a {d.noun.replace('_', ' ')}'s {col.replace('_', ' ')}",
        inputs=(col,),
        imports=["from markupsafe import Markup"],
        body=[HOLE],
        flawed=[f"badge = Markup(f'<span class=\"badge\">{{{col}}}</span>')"],
        fixed=[f"badge = Markup('<span class=\"badge\">{{}}</span>').format({col})"],
        result="str(badge)",
    )


FAMILY = Family(
    "xss",
    "cross-site scripting",
    (
        Variant("fstring", WEB, _xss_fstring),
        Variant("template_string", WEB, _xss_template_string),
        Variant("jinja_env", ALL, _xss_jinja_env),
        Variant("markup", ALL, _xss_markup),
    ),
)
