"""Weakness class: XML external entities.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL, NON_WEB
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


def _xxe_lxml(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"parse_{d.noun}_xml",
        action=f"read {d.noun.replace('_', ' ')} entries from an uploaded XML file",
        inputs=("xml_bytes",),
        imports=[],
        flawed_imports=["from lxml import etree"],
        fixed_imports=["from defusedxml import ElementTree as etree"],
        body=[HOLE, f"names = [node.text for node in root.iter('{d.fields[0]}')]"],
        flawed=[
            "parser = etree.XMLParser(resolve_entities=True, load_dtd=True)",
            "root = etree.fromstring(xml_bytes, parser)",
        ],
        fixed=["root = etree.fromstring(xml_bytes)"],
        result="names",
        method="POST",
    )


def _xxe_etree(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"load_{d.noun}_feed",
        action=f"parse an XML feed of {d.plural} sent by a supplier",
        inputs=("feed",),
        imports=[],
        flawed_imports=["import xml.etree.ElementTree as ET"],
        fixed_imports=["import defusedxml.ElementTree as ET"],
        body=[HOLE, f"count = len(tree.findall('{d.noun}'))"],
        flawed=["tree = ET.fromstring(feed)"],
        fixed=["tree = ET.fromstring(feed)"],
        result="count",
        method="POST",
    )


def _xxe_sax(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"scan_{d.noun}_document",
        action=f"stream through a large XML document of {d.plural} and count the elements",
        inputs=("path",),
        imports=["from xml.sax.handler import ContentHandler, feature_external_ges"],
        flawed_imports=["import xml.sax"],
        fixed_imports=["import defusedxml.sax"],
        module=[
            "class Counter(ContentHandler):",
            "    def __init__(self):",
            "        super().__init__()",
            "        self.count = 0",
            "",
            "    def startElement(self, name, attrs):",
            "        self.count += 1",
        ],
        body=[
            "handler = Counter()",
            HOLE,
            "parser.setContentHandler(handler)",
            "parser.parse(path)",
        ],
        flawed=["parser = xml.sax.make_parser()", "parser.setFeature(feature_external_ges, True)"],
        fixed=[
            "parser = defusedxml.sax.make_parser()",
            "parser.setFeature(feature_external_ges, False)",
        ],
        result="handler.count",
    )


FAMILY = Family(
    "xxe",
    "XML external entity",
    (
        Variant("lxml", ALL, _xxe_lxml),
        Variant("etree", ALL, _xxe_etree),
        Variant("sax", NON_WEB, _xxe_sax),
    ),
)
