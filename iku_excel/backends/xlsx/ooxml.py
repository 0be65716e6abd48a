"""OOXML vocabulary: namespaces, relationship and content types, the safe parser, XML helpers.

The one place that spells the SpreadsheetML namespaces (``MAIN_NS`` and friends) for the whole
code base, and the parser every part is read with (no entities, no network, no DTD).
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from iku_excel.errors import UnsafeWorkbookError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"

RT_OFFICE_DOCUMENT = R_NS + "/officeDocument"
RT_STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
RT_WORKSHEET = R_NS + "/worksheet"
RT_STYLES = R_NS + "/styles"
RT_CALC_CHAIN = R_NS + "/calcChain"
RT_HYPERLINK = R_NS + "/hyperlink"
RT_TABLE = R_NS + "/table"
RT_REVISION_HEADERS = R_NS + "/revisionHeaders"
#: Relationships of a sheet that other parts refer to by name: such a sheet is not replaced.
RT_NOT_REPLACEABLE = {
    RT_TABLE: "tabel (Format as Table)",
    R_NS + "/pivotTable": "pivot table",
    "http://schemas.microsoft.com/office/2007/relationships/slicer": "slicer",
    "http://schemas.microsoft.com/office/2011/relationships/timeline": "timeline",
}
SHEET_KIND_NAMES = {
    R_NS + "/chartsheet": "chartsheet (sheet grafik)",
    R_NS + "/dialogsheet": "dialogsheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet": "macro sheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet": "macro sheet",
}

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}

#: officeDocument relationship types (transitional, strict): how a package names its main part.
OFFICE_DOCUMENT_TYPES = (RT_OFFICE_DOCUMENT, RT_STRICT_OFFICE_DOCUMENT)
CT_XLSB_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
CT_ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_DECLARATION_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)(\r?\n)?")
#: The safe parser for every part read from a user's package.
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=False
)


def q(tag: str, ns: str = MAIN_NS) -> str:
    return f"{{{ns}}}{tag}"


def local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def ns_of(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def is_true(value: str | None) -> bool:
    return value in ("1", "true")


def elements(parent: etree._Element, name: str | None = None) -> list[etree._Element]:
    """Element children (no comments/PIs), optionally only those with this local name."""
    return [
        child
        for child in parent
        if isinstance(child.tag, str) and (name is None or local(child.tag) == name)
    ]


def detached_copy(element: etree._Element) -> etree._Element:
    clone = copy.deepcopy(element)
    clone.tail = None
    return clone


def insert_in_order(
    parent: etree._Element, element: etree._Element, order: tuple[str, ...]
) -> None:
    """Insert ``element`` after the last child that comes before it in ``order``."""
    position = order.index(local(element.tag))
    earlier = [child for child in elements(parent) if local(child.tag) in order[:position]]
    if earlier:
        earlier[-1].addnext(element)
    else:
        parent.insert(0, element)


def parse_part(name: str, data: bytes) -> etree._Element:
    """The root of the package part ``name`` (``data``, its bytes); malformed XML and a DOCTYPE
    are refused (:class:`UnsafeWorkbookError`)."""
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeWorkbookError(
            f"Bagian {name} bukan XML yang valid: file rusak? ({exc})"
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise UnsafeWorkbookError(f"Bagian {name} memuat DOCTYPE: tidak diproses demi keamanan.")
    return root


class XmlPart:
    """A parsed part; serialised only when marked dirty, else its original bytes are kept."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.original = data
        self.tree = parse_part(name, data).getroottree()
        self.dirty = False

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()

    def serialise(self) -> bytes:
        """The part as bytes, keeping the original XML declaration when it says UTF-8."""
        body = etree.tostring(self.tree, encoding="UTF-8", xml_declaration=False)
        match = _DECLARATION_RE.match(self.original)
        if match is None:
            return body
        declaration = match.group(1)
        encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']+)", declaration)
        if encoding is not None and encoding.group(1).lower().replace(b"-", b"") != b"utf8":
            return XML_DECLARATION + body
        return declaration + (match.group(2) or b"") + body


@dataclass
class Rel:
    id: str
    type: str
    target: str
    external: bool
    element: etree._Element


def rels_name(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``; package root -> ``_rels/.rels``."""
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def resolve_target(source: str, target: str) -> str:
    """The zip name a relationship of part ``source`` points at."""
    target = unquote(target.partition("#")[0])
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative_target(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


def xml_attr(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute (as libxml2 writes it)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )
