"""Rewrite a workbook's worksheets in another spelling of the same XML.

Excel, openpyxl and LibreOffice write ``<c r="A1" s="3">``: double quotes, one space, ``r``
first, no namespace prefix. Other writers (and hand-edited or hostile files) may use single
quotes, newlines or tabs between attributes, spaces around ``=``, another attribute order, or a
prefix (``<x:c>``, as the Open XML SDK writes). The document is the same: every reader must
give the same values, formats and merges.
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")


@dataclass(frozen=True)
class Spelling:
    quote: str = '"'
    gaps: tuple[str, ...] = (" ",)
    equals: str = "="
    shuffled: bool = False
    prefix: str = ""
    seed: int = 1


SPELLINGS = {
    "single-quotes": Spelling(quote="'"),
    "newlines-and-tabs": Spelling(gaps=("\n", "\t", "  ")),
    "spaces-around-equals": Spelling(equals=" = "),
    "shuffled-attributes": Spelling(shuffled=True),
    "prefixed": Spelling(prefix="x"),
    "everything": Spelling(
        quote="'", gaps=("\n", " ", "\t"), equals=" = ", shuffled=True, prefix="x"
    ),
}


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str, quote: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    value = value.replace(quote, "&quot;" if quote == '"' else "&apos;")
    return value.replace("\n", "&#10;").replace("\t", "&#9;").replace("\r", "&#13;")


class _Writer:
    def __init__(self, root: etree._Element, spelling: Spelling) -> None:
        self.spelling = spelling
        self.rng = random.Random(spelling.seed)
        self.main = root.nsmap.get(None, "")
        self.prefixes: dict[str, str] = {}
        for element in root.iter():
            for prefix, uri in element.nsmap.items():
                if prefix and uri not in self.prefixes:
                    self.prefixes[uri] = prefix
        self.out: list[str] = []

    def name(self, tag: str, attribute: bool = False) -> str:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}")
        if uri == self.main and not attribute:
            return f"{self.spelling.prefix}:{local}" if self.spelling.prefix else local
        return f"{self.prefixes[uri]}:{local}"

    def write(self, element: etree._Element, root: bool = False) -> None:
        spelling = self.spelling
        attributes = [(self.name(k, True), v) for k, v in element.attrib.items()]
        if spelling.shuffled:
            self.rng.shuffle(attributes)
        if root:
            main = f"xmlns:{spelling.prefix}" if spelling.prefix else "xmlns"
            attributes.insert(0, (main, self.main))
            attributes += [(f"xmlns:{p}", uri) for uri, p in self.prefixes.items()]
        name = self.name(str(element.tag))
        parts = [
            f"{self.rng.choice(spelling.gaps)}{k}{spelling.equals}{spelling.quote}"
            f"{_escape_attribute(v, spelling.quote)}{spelling.quote}"
            for k, v in attributes
        ]
        self.out.append(f"<{name}{''.join(parts)}")
        if len(element) == 0 and not element.text:
            self.out.append("/>")
            return
        self.out.append(">" + _escape_text(element.text or ""))
        for child in element:
            self.write(child)
            self.out.append(_escape_text(child.tail or ""))
        self.out.append(f"</{name}>")


def respelled_xml(data: bytes, spelling: Spelling) -> bytes:
    root = etree.fromstring(data)
    writer = _Writer(root, spelling)
    writer.write(root, root=True)
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (head + "".join(writer.out)).encode()


def respell(src: Path, dst: Path, spelling: Spelling) -> Path:
    """``src`` with every worksheet part written in ``spelling``; the other parts as they are."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if _SHEET.fullmatch(info.filename):
                data = respelled_xml(data, spelling)
            zout.writestr(info, data)
    return dst
