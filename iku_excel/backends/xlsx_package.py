"""The file engine's writer: splice new content into a user's .xlsx/.xlsm without losing anything.

Loading a user's workbook with openpyxl and saving it again drops shapes, slicers, sparklines,
threaded comments, 2010 validations and data bars, cached values and the ribbon of an .xlsm. So
this module never round-trips a workbook. It treats the file as what it is, a zip package of XML
parts, and changes only the parts it must:

* **cell writes** into an existing worksheet (the ``IKU`` sheet's "Capaian (%)" column): the sheet
  part is parsed with lxml (never the standard library's ElementTree, which renames namespace
  prefixes and breaks ``mc:Ignorable``), the ``<c>`` elements are set in row/column order, and
  every other element and attribute is kept;
* **whole sheets** (``Capaian``, ``Validasi``) rendered by openpyxl into a scratch workbook: the
  scratch sheet's XML replaces the original sheet of that name (same part, position, sheetId,
  state and VBA code name) or becomes a new sheet appended last;
* ``styles.xml`` gets the fonts/fills/borders/number formats/xfs/dxfs the new cells need,
  reusing identical entries so a second refresh adds nothing (refreshing is idempotent: the same
  plan applied to the output gives the same bytes);
* ``workbook.xml``, its relationships and ``[Content_Types].xml`` get the new sheets; defined
  names local to a replaced sheet (print titles, print area, filter database) are replaced by
  the scratch workbook's; ``calcChain.xml`` is removed when formulas are written or sheets
  replaced (a stale calc chain makes Excel offer to "repair" the file).

Every other zip member is copied compressed byte for byte (same CRC, same compressed data).

Decisions, for the record:

* Strings are written inline (``t="inlineStr"``), so ``sharedStrings.xml`` is never touched. Text
  that starts with ``=`` stays text; only :attr:`CellWrite.formula` makes a formula.
* Formula cells carry their cached value with the right type (number, ``t="str"``, ``t="b"``,
  ``t="e"`` for the Excel error literals such as ``#DIV/0!``). ``fullCalcOnLoad`` is *not* set by
  default: our cached values are right, a forced recalculation would make Excel ask "save
  changes?" on every close of a file nobody edited, and Protected View does not calculate anyway.
  The cost: the user's own formulas that depend on the written cells may show their old cached
  values until Excel recalculates them (F9). Set :attr:`PackagePlan.full_calc_on_load` when that
  matters more.
* ``docProps/app.xml`` is left untouched: its list of sheet titles goes stale, which is harmless
  (Excel and LibreOffice ignore it on load and rewrite it on save).
* Writes over a shared formula (how Excel saves a filled-down column) are allowed: overwritten
  cells leave the group; when the group's master is overwritten, the first remaining member
  becomes the master (its formula translated with openpyxl's ``Translator``). Array formulas and
  data tables are refused: Excel itself refuses to change part of them.
* Sheets are matched by name case-insensitively, as Excel does; a replaced sheet keeps the
  user's spelling of its name. A hidden sheet is never made the active tab.
* A replaced sheet's old relationships go with it. Parts that become unreachable through the
  package's relationships (its drawing, comments, VML, printer settings...) are removed with their
  own relationships and content-type overrides, so the package stays orphan-free; parts still
  referenced from elsewhere stay. A sheet holding a table, pivot table, slicer or timeline is
  refused rather than replaced: other parts refer to those by name.
* New parts and changed parts keep deterministic zip metadata (the timestamp of the member they
  replace, else of the workbook part), so the output depends only on the input and the plan.

Not one of these results has been opened in real Microsoft Excel yet (LibreOffice, openpyxl and
python-calamine read them); say so until it has been.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import unquote

from lxml import etree

from iku_excel.a1 import (
    MAX_COL,
    MAX_ROW,
    cell_address,
    column_index,
    column_letter,
    parse_range,
    parse_ref,
    range_address,
)
from iku_excel.errors import UnsafeWorkbookError

if TYPE_CHECKING:
    import openpyxl

__all__ = [
    "EXCEL_ERRORS",
    "CellWrite",
    "PackagePlan",
    "UnsafeWorkbookError",
    "apply_plan",
    "column_letter",
    "parse_ref",
]

# --- Public API -----------------------------------------------------------------------------------

CellValue = str | float | int | bool | dt.datetime | dt.date | None

#: Cached values (strings) that are written as Excel errors (``t="e"``) in formula cells.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


@dataclass(frozen=True)
class CellWrite:
    """One cell to set in an existing worksheet.

    ``value`` is the plain value, or for a formula its cached value (None: no cached value).
    A ``str`` value is always text, even when it starts with ``=``. ``number_format`` None keeps
    the cell's style; otherwise the format is set on a copy of the cell's xf (font, fill, border,
    alignment stay). A new cell takes the row's style (``customFormat``) or the column's, as
    Excel does for a cell typed into.
    """

    row: int
    col: int
    value: CellValue
    formula: str | None = None
    number_format: str | None = None


@dataclass
class PackagePlan:
    """What :func:`apply_plan` changes.

    ``scratch``: sheets rendered by openpyxl; each worksheet (matched by title, case-insensitively
    as Excel does) replaces the original sheet of that name, keeping its position, or is appended
    last. ``cached_values``: sheet title -> (row, col) -> cached value of the scratch sheets'
    formula cells (openpyxl writes formulas without a value). ``cell_writes``: existing sheet
    title -> cells to set. ``activate``: make this sheet the active, selected tab (else the active
    tab stays; new sheets are not selected). ``full_calc_on_load``: ask Excel to recalculate
    everything when it opens the file (see the module docstring).
    """

    scratch: openpyxl.Workbook | None = None
    cached_values: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)
    cell_writes: dict[str, list[CellWrite]] = field(default_factory=dict)
    activate: str | None = None
    full_calc_on_load: bool = False
    #: Alternative to ``scratch``: sheets rendered straight to XML (the fast path).
    rendered: RenderedSheets | None = None


@dataclass(frozen=True)
class RenderedSheet:
    """A worksheet already written as XML, as openpyxl would write it (inline strings, no
    relationships); ``defined_names`` are ``definedName`` elements whose ``localSheetId`` is
    the sheet's position among :attr:`RenderedSheets.sheets`."""

    title: str
    xml: bytes
    defined_names: tuple[etree._Element, ...] = ()
    #: Optional fast path: writes the final part itself, given the maps from its ``s=`` and
    #: ``dxfId`` indices to the package's, the VBA code name to keep and whether the tab is
    #: selected; it must
    #: write the formula cells' cached values too. ``xml`` is then only used for checks.
    render: Callable[[StyleMaps, str | None, bool], bytes] | None = None


@dataclass(frozen=True)
class StyleMaps:
    """Maps a rendered sheet's style indices onto the package's: cell xfs and dxfs."""

    xf: Callable[[int], int]
    dxf: Callable[[int], int]


@dataclass(frozen=True)
class RenderedSheets:
    """Pre-rendered sheets and the ``styles.xml`` their ``s=`` indices refer to."""

    sheets: tuple[RenderedSheet, ...]
    styles_xml: bytes


def apply_plan(src: Path, plan: PackagePlan, dst: Path) -> None:
    """Read the package ``src``, apply ``plan`` and write the complete new package to ``dst``.

    Everything is checked and built in memory before the first byte of ``dst`` is written;
    :class:`UnsafeWorkbookError` (nothing written) when it can't be done safely: a cell write into
    a merged range other than its top-left cell, into a table's header or totals row or a column
    with a calculated-column formula, into an array formula or a data table (What-If) range; a
    target that is a chartsheet/dialogsheet/macro sheet; a protected target sheet; a protected
    workbook structure when sheets are added or replaced; a replaced sheet holding a table, pivot
    table, slicer or timeline; strict OOXML; a legacy shared workbook; a package needing zip64.
    ValueError for a plan that is wrong in itself (unknown sheet, bad cell, unsupported scratch
    content).

    Writes over a shared formula (Excel's fill-down) are allowed: overwritten cells leave the
    group, and when its master is overwritten the first remaining member becomes the master.

    ``dst`` must not be ``src``: write through :func:`iku_excel.backends.safe_io.atomic_write`.
    """
    src, dst = Path(src), Path(dst)
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise ValueError("apply_plan: dst must differ from src (use safe_io.atomic_write)")
    with _Package(src) as package:
        entries = _Splicer(package, plan).build()
        try:
            _write_zip(package, entries, dst)
        except BaseException:
            dst.unlink(missing_ok=True)  # no half-written package left behind
            raise


# --- Cell references ------------------------------------------------------------------------------

# --- Namespaces, relationship and content types ---------------------------------------------------

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

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_DECLARATION_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)(\r?\n)?")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=False
)


def _q(tag: str, ns: str = MAIN_NS) -> str:
    return f"{{{ns}}}{tag}"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _ns_of(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _is_true(value: str | None) -> bool:
    return value in ("1", "true")


def _elements(parent: etree._Element, local: str | None = None) -> list[etree._Element]:
    """Element children (no comments/PIs), optionally only those with this local name."""
    return [
        child
        for child in parent
        if isinstance(child.tag, str) and (local is None or _local(child.tag) == local)
    ]


# --- XML parts ------------------------------------------------------------------------------------


class _XmlPart:
    """A parsed part; serialised only when marked dirty, else its original bytes are kept."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.original = data
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise UnsafeWorkbookError(
                f"Bagian {name} bukan XML yang valid: file rusak? ({exc})"
            ) from exc
        self.tree = root.getroottree()
        if self.tree.docinfo.doctype:
            raise UnsafeWorkbookError(
                f"Bagian {name} memuat DOCTYPE: tidak diproses demi keamanan."
            )
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
            return _XML_DECLARATION + body
        return declaration + (match.group(2) or b"") + body


@dataclass
class _Rel:
    id: str
    type: str
    target: str
    external: bool
    element: etree._Element


def _rels_name(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``; package root -> ``_rels/.rels``."""
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve_target(source: str, target: str) -> str:
    """The zip name a relationship of part ``source`` points at."""
    target = unquote(target.partition("#")[0])
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relative_target(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


# --- Reading the package --------------------------------------------------------------------------


class _Package:
    """The source zip: members in order, case-insensitive lookup, raw compressed access."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise UnsafeWorkbookError(f"Bukan paket zip yang valid (file rusak?): {path}") from exc
        self._raw: BinaryIO = path.open("rb")
        self.infos = self.zip.infolist()
        self.by_lower: dict[str, str] = {}
        for info in self.infos:
            key = info.filename.lower()
            problem = "ganda" if key in self.by_lower else ""
            problem = problem or ("terenkripsi" if info.flag_bits & 0x1 else "")
            if problem:
                self.__exit__()
                raise UnsafeWorkbookError(f"Paket rusak: bagian {info.filename} {problem}.")
            self.by_lower[key] = info.filename
        self.info_by_name = {info.filename: info for info in self.infos}

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()
        self._raw.close()

    def find(self, name: str) -> str | None:
        """The exact member name of ``name`` (case-insensitive), or None."""
        return self.by_lower.get(name.lower())

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise UnsafeWorkbookError(f"Paket rusak: bagian {name} tidak utuh ({exc}).") from exc

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """The compressed data of a member exactly as stored."""
        self._raw.seek(info.header_offset)
        header = self._raw.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise UnsafeWorkbookError(f"Paket rusak: header lokal {info.filename} tidak valid.")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        self._raw.seek(info.header_offset + 30 + name_length + extra_length)
        data = self._raw.read(info.compress_size)
        if len(data) != info.compress_size:
            raise UnsafeWorkbookError(f"Paket rusak: bagian {info.filename} terpotong.")
        return data


# --- Values ---------------------------------------------------------------------------------------

_ESCAPE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
MAX_TEXT = 32_767
MAX_FORMULA = 8_192


def _escape_text(text: str) -> str:
    """Excel's ``_xHHHH_`` escaping: characters XML 1.0 cannot hold, and literal ``_xHHHH_``."""
    return _ESCAPE_RE.sub(
        lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", text
    )


def _number_text(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    if not math.isfinite(number):
        raise ValueError(f"cannot store {number!r} in a cell")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _value_xml(value: object, date1904: bool, *, cached: bool) -> tuple[str | None, str | None]:
    """(``t`` attribute, ``<v>`` text) of a number/bool/date, or of a formula's cached string.

    Plain strings are handled by the caller (inline strings); ``cached`` strings become
    ``t="str"``, or ``t="e"`` for the Excel error literals.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int | float):
        return None, _number_text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        return None, _number_text(to_excel(value, epoch))
    if isinstance(value, str) and cached:
        if value in EXCEL_ERRORS:
            return "e", value
        if len(value) > MAX_TEXT:
            raise ValueError(f"cached text longer than {MAX_TEXT} characters")
        return "str", _escape_text(value)
    try:
        return None, _number_text(float(value))  # type: ignore[arg-type]  # Decimal, numpy
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot store a {type(value).__name__} in a cell") from exc


def _inline_string(ns: str, text: str) -> etree._Element:
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    inline = etree.Element(_q("is", ns))
    node = etree.SubElement(inline, _q("t", ns))
    node.text = _escape_text(text)
    if text != text.strip() or "\n" in text:
        node.set(_q("space", XML_NS), "preserve")
    return inline


def _set_formula_value(cell: etree._Element, value: object, date1904: bool) -> None:
    """Give the formula cell ``cell`` the cached ``value`` (its ``<f>`` stays)."""
    ns = _ns_of(cell)
    for child in _elements(cell, "v"):
        cell.remove(child)
    cell.attrib.pop("t", None)
    kind, text = _value_xml(value, date1904, cached=True)
    if kind is not None:
        cell.set("t", kind)
    if text is not None:
        node = etree.Element(_q("v", ns))
        node.text = text
        formula = cell.find(_q("f", ns))
        if formula is not None:
            formula.addnext(node)
        else:
            cell.insert(0, node)


# --- Styles ---------------------------------------------------------------------------------------

_STYLE_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_STYLE_ITEM = {
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellXfs": "xf",
    "dxfs": "dxf",
}
_FONT_BOOLEANS = {"b", "i", "strike", "outline", "shadow", "condense", "extend"}
Key = tuple[object, ...]


def _element_key(element: etree._Element, font: bool = False) -> Key:
    """A comparable value of an element: tag, attributes, text and children, whitespace ignored.

    For a font the children's order is ignored (``CT_Font`` is a choice) and ``<b/>`` equals
    ``<b val="1"/>``.
    """
    children: list[Key] = []
    for child in _elements(element):
        if font and _local(child.tag) in _FONT_BOOLEANS:
            on = child.get("val") not in ("0", "false")
            children.append((child.tag, (("val", "1" if on else "0"),), "", ()))
        else:
            children.append(_element_key(child))
    if font:
        children.sort(key=repr)
    attributes = tuple(sorted((str(k), str(v)) for k, v in element.attrib.items()))
    return (element.tag, attributes, (element.text or "").strip(), tuple(children))


def _detached_copy(element: etree._Element) -> etree._Element:
    clone = copy.deepcopy(element)
    clone.tail = None
    return clone


class _StyleBook:
    """The original ``styles.xml``: append-or-reuse of fonts, fills, borders, xfs, dxfs, numFmts."""

    def __init__(self, part: _XmlPart) -> None:
        self.part = part
        self.root = part.root
        self.ns = _ns_of(self.root)
        self._items: dict[str, list[etree._Element]] = {}
        self._keys: dict[str, dict[Key, int]] = {}
        self._numfmts: dict[str, int] | None = None
        self._numfmt_xf_cache: dict[tuple[int, str], int] = {}

    def _container(self, section: str, create: bool) -> etree._Element | None:
        found = self.root.find(_q(section, self.ns))
        if found is None and create:
            found = etree.Element(_q(section, self.ns))
            found.set("count", "0")
            position = _STYLE_ORDER.index(section)
            later = [
                child
                for child in _elements(self.root)
                if _local(child.tag) in _STYLE_ORDER
                and _STYLE_ORDER.index(_local(child.tag)) > position
            ]
            if later:
                later[0].addprevious(found)
            else:
                self.root.append(found)
            self.part.dirty = True
        return found

    def items(self, section: str) -> list[etree._Element]:
        if section not in self._items:
            container = self._container(section, create=False)
            self._items[section] = (
                [] if container is None else _elements(container, _STYLE_ITEM[section])
            )
        return self._items[section]

    def add(self, section: str, element: etree._Element) -> int:
        """Index of an entry equal to ``element`` in ``section``, appending it when new."""
        if section not in self._keys:
            keys: dict[Key, int] = {}
            for index, item in enumerate(self.items(section)):
                keys.setdefault(_element_key(item, font=section == "fonts"), index)
            self._keys[section] = keys
        key = _element_key(element, font=section == "fonts")
        found = self._keys[section].get(key)
        if found is not None:
            return found
        container = self._container(section, create=True)
        assert container is not None
        items = self.items(section)
        container.append(element)
        items.append(element)
        container.set("count", str(len(items)))
        self._keys[section][key] = len(items) - 1
        self.part.dirty = True
        return len(items) - 1

    def numfmt_id(self, code: str) -> int:
        """Id of number format ``code``: built-in, already defined, or a fresh id >= 164."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

        builtin = BUILTIN_FORMATS_REVERSE.get(code)
        if builtin is not None:
            return int(builtin)
        if self._numfmts is None:
            self._numfmts = {}
            for item in self.items("numFmts"):
                try:
                    self._numfmts.setdefault(
                        item.get("formatCode") or "", int(item.get("numFmtId") or "")
                    )
                except ValueError:
                    continue
        if code in self._numfmts:
            return self._numfmts[code]
        used = [163, *self._numfmts.values()]
        for item in self.items("numFmts"):
            with_id = item.get("numFmtId") or ""
            if with_id.isdigit():
                used.append(int(with_id))
        new_id = max(used) + 1
        element = etree.Element(_q("numFmt", self.ns))
        element.set("numFmtId", str(new_id))
        element.set("formatCode", code)
        container = self._container("numFmts", create=True)
        assert container is not None
        container.append(element)
        self.items("numFmts").append(element)
        container.set("count", str(len(self.items("numFmts"))))
        self._numfmts[code] = new_id
        self.part.dirty = True
        return new_id

    def default_font_id(self) -> int:
        xfs = self.items("cellXfs")
        font_id = xfs[0].get("fontId") if xfs else "0"
        index = int(font_id) if font_id and font_id.isdigit() else 0
        return index if index < len(self.items("fonts")) else 0

    def default_font(self) -> etree._Element | None:
        fonts = self.items("fonts")
        return fonts[self.default_font_id()] if fonts else None

    def xf_with_numfmt(self, base: int, code: str) -> int:
        """Index of a copy of cell xf ``base`` whose number format is ``code``."""
        cached = self._numfmt_xf_cache.get((base, code))
        if cached is not None:
            return cached
        xfs = self.items("cellXfs")
        if 0 <= base < len(xfs):
            new = _detached_copy(xfs[base])
        elif xfs:
            new = _detached_copy(xfs[0])
        else:
            new = etree.Element(_q("xf", self.ns))
            for attribute in ("fontId", "fillId", "borderId", "xfId"):
                new.set(attribute, "0")
        new.set("numFmtId", str(self.numfmt_id(code)))
        new.set("applyNumberFormat", "1")
        index = self.add("cellXfs", new)
        self._numfmt_xf_cache[(base, code)] = index
        return index


class _ScratchStyles:
    """Maps style indices of the scratch workbook's ``styles.xml`` onto the original's."""

    def __init__(self, root: etree._Element, book: _StyleBook) -> None:
        self.book = book

        def section(name: str) -> list[etree._Element]:
            container = root.find(_q(name))
            return [] if container is None else _elements(container, _STYLE_ITEM[name])

        self.fonts, self.fills, self.borders = (
            section("fonts"),
            section("fills"),
            section("borders"),
        )
        self.xfs, self.dxfs = section("cellXfs"), section("dxfs")
        self.numfmt_codes = {
            int(item.get("numFmtId") or 0): item.get("formatCode") or ""
            for item in section("numFmts")
        }
        self._xf_cache: dict[int, int] = {}
        self._dxf_cache: dict[int, int] = {}

    def _numfmt(self, numfmt_id: int) -> int:
        if numfmt_id < 164 or numfmt_id not in self.numfmt_codes:
            return numfmt_id
        return self.book.numfmt_id(self.numfmt_codes[numfmt_id])

    def _font(self, index: int) -> int:
        if index == 0 or index >= len(self.fonts):
            return self.book.default_font_id()
        font = _detached_copy(self.fonts[index])
        default = self.book.default_font()
        if default is not None:
            present = {_local(child.tag) for child in _elements(font)}
            copied: tuple[str, ...] = ()
            if "name" not in present:
                copied += ("name", "family", "charset", "scheme")
            if "sz" not in present:
                copied += ("sz",)
            for child in _elements(default):
                if _local(child.tag) in copied:
                    font.append(_detached_copy(child))
        return self.book.add("fonts", font)

    def _simple(self, section: str, items: list[etree._Element], index: int, reserved: int) -> int:
        """Fills 0-1 and border 0 are the spec's reserved defaults: map them onto the original's."""
        if index < reserved and index < len(self.book.items(section)):
            return index
        if index >= len(items):
            return 0
        return self.book.add(section, _detached_copy(items[index]))

    def xf(self, index: int) -> int:
        """The original's cell xf index for scratch cell xf ``index`` (0 stays 0)."""
        if index == 0 or index >= len(self.xfs):
            return 0
        cached = self._xf_cache.get(index)
        if cached is not None:
            return cached
        source = self.xfs[index]
        new = etree.Element(_q("xf", self.book.ns))
        for name, value in source.attrib.items():
            if name in ("pivotButton", "quotePrefix") and value in ("0", "false"):
                continue
            new.set(name, value)
        new.set("numFmtId", str(self._numfmt(int(source.get("numFmtId") or 0))))
        new.set("fontId", str(self._font(int(source.get("fontId") or 0))))
        new.set("fillId", str(self._simple("fills", self.fills, int(source.get("fillId") or 0), 2)))
        new.set(
            "borderId",
            str(self._simple("borders", self.borders, int(source.get("borderId") or 0), 1)),
        )
        new.set("xfId", "0")  # named styles of the scratch are not carried over
        for child in _elements(source):
            new.append(_detached_copy(child))
        result = self.book.add("cellXfs", new)
        self._xf_cache[index] = result
        return result

    def dxf(self, index: int) -> int:
        cached = self._dxf_cache.get(index)
        if cached is not None:
            return cached
        if index >= len(self.dxfs):
            raise ValueError(f"scratch styles have no dxf {index}")
        dxf = _detached_copy(self.dxfs[index])
        for numfmt in _elements(dxf, "numFmt"):
            code = numfmt.get("formatCode")
            if code is not None:
                numfmt.set("numFmtId", str(self.book.numfmt_id(code)))
        result = self.book.add("dxfs", dxf)
        self._dxf_cache[index] = result
        return result


# --- Patching an existing worksheet ---------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    name: str
    ref: tuple[int, int, int, int]
    header_rows: int
    totals_rows: int
    calculated_cols: frozenset[int]


class _SheetPatcher:
    """Cell writes into one existing worksheet part, keeping everything else as it is."""

    def __init__(self, part: _XmlPart, title: str, book: _StyleBook, date1904: bool) -> None:
        self.part = part
        self.title = title
        self.book = book
        self.date1904 = date1904
        self.root = part.root
        self.ns = _ns_of(self.root)
        sheet_data = self.root.find(_q("sheetData", self.ns))
        if sheet_data is None:
            raise UnsafeWorkbookError(f"Sheet '{title}' tanpa sheetData: file rusak?")
        self.sheet_data = sheet_data
        self._c_tag, self._f_tag, self._v_tag = _q("c", self.ns), _q("f", self.ns), _q("v", self.ns)
        self._content_tags = {self._f_tag, self._v_tag, _q("is", self.ns)}
        self.rows = sheet_data.findall(_q("row", self.ns))
        self.row_numbers: list[int] = []
        previous = 0
        for row in self.rows:
            number = self._int_attr(row, "r", previous + 1)
            if number <= previous:
                raise UnsafeWorkbookError(f"Sheet '{title}': urutan baris rusak di baris {number}.")
            if row.get("r") is None:
                row.set("r", str(number))  # implicit numbering made explicit before inserting
            self.row_numbers.append(number)
            previous = number
        self._implicit_refs = bool(
            sheet_data.xpath("boolean(m:row/m:c[not(@r)])", namespaces={"m": self.ns})
        )
        self._cols: list[tuple[int, int, int]] | None = None
        #: (``<f>`` to change, its new text or None, its new ``ref``), from :meth:`check`.
        self._shared_fixes: list[tuple[etree._Element, str | None, str]] = []

    def _int_attr(self, element: etree._Element, name: str, default: int) -> int:
        value = element.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise UnsafeWorkbookError(
                f"Sheet '{self.title}': atribut {name}={value!r} tidak valid."
            ) from None

    def _row(self, number: int) -> etree._Element | None:
        index = bisect_left(self.row_numbers, number)
        if index < len(self.row_numbers) and self.row_numbers[index] == number:
            return self.rows[index]
        return None

    def _locate(
        self, row: etree._Element, number: int, col: int
    ) -> tuple[int, etree._Element | None]:
        """(child index where column ``col`` is or belongs, the cell if it exists).

        A binary search over the row's children reading only a few ``r`` attributes; a full
        scan (which also makes implicit ``r`` explicit) when the sheet has cells without ``r``
        or the row holds something unexpected.
        """
        if not self._implicit_refs:
            lo, hi = 0, len(row)
            while hi > lo and row[hi - 1].tag != self._c_tag:  # a trailing <extLst>
                hi -= 1
            while lo < hi:
                mid = (lo + hi) // 2
                child = row[mid]
                ref = child.get("r") if child.tag == self._c_tag else None
                letters = "" if ref is None else ref.rstrip("0123456789")
                if not letters.isalpha():
                    break  # something unexpected: scan the row
                found = column_index(letters)
                if found < col:
                    lo = mid + 1
                elif found > col:
                    hi = mid
                else:
                    return mid, child
            else:
                return lo, None
        return self._scan(row, number, col)

    def _scan(
        self, row: etree._Element, number: int, col: int
    ) -> tuple[int, etree._Element | None]:
        suffix = str(number)
        previous = 0
        result: tuple[int, etree._Element | None] | None = None
        for index, child in enumerate(row):
            if child.tag != self._c_tag:
                if result is None and _local(child.tag) == "extLst":
                    result = (index, None)
                continue
            ref = child.get("r")
            if ref is None:
                found = previous + 1
                child.set("r", cell_address(number, found))
            else:
                letters = ref.rstrip("0123456789")
                if not letters.isalpha() or ref[len(letters) :] != suffix:
                    raise UnsafeWorkbookError(
                        f"Sheet '{self.title}': sel {ref!r} di baris {number} tidak valid."
                    )
                found = column_index(letters)
            if found <= previous:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': urutan sel rusak di baris {number}."
                )
            previous = found
            if result is None and found >= col:
                result = (index, child if found == col else None)
        return result if result is not None else (len(row), None)

    def _new_cell(
        self, row: int, col: int, row_element: etree._Element | None, position: int
    ) -> etree._Element:
        """A new ``<c>`` at child ``position`` of ``row_element`` (created when None)."""
        if row_element is None:
            row_element = etree.Element(_q("row", self.ns))
            row_element.set("r", str(row))
            index = bisect_left(self.row_numbers, row)
            if index < len(self.rows):
                self.rows[index].addprevious(row_element)
            else:
                self.sheet_data.append(row_element)
            self.rows.insert(index, row_element)
            self.row_numbers.insert(index, row)
            position = 0
        cell = etree.Element(self._c_tag)
        cell.set("r", cell_address(row, col))
        row_element.insert(position, cell)
        style = self._inherited_style(row_element, col)
        if style:
            cell.set("s", str(style))
        spans = row_element.get("spans")
        if spans:
            bounds = [int(n) for n in re.findall(r"\d+", spans)]
            if bounds and not min(bounds) <= col <= max(bounds):
                row_element.set("spans", f"{min(*bounds, col)}:{max(*bounds, col)}")
        return cell

    def _inherited_style(self, row: etree._Element, col: int) -> int:
        """The style Excel gives a cell typed into an empty spot: the row's, else the column's."""
        if _is_true(row.get("customFormat")) and row.get("s"):
            return self._int_attr(row, "s", 0)
        if self._cols is None:
            self._cols = []
            cols = self.root.find(_q("cols", self.ns))
            for element in [] if cols is None else _elements(cols, "col"):
                self._cols.append(
                    (
                        self._int_attr(element, "min", 0),
                        self._int_attr(element, "max", 0),
                        self._int_attr(element, "style", 0),
                    )
                )
        for first, last, style in self._cols:
            if first <= col <= last:
                return style
        return 0

    # -- checks --

    def check(self, writes: list[CellWrite], tables: list[_Table]) -> None:
        """Raise UnsafeWorkbookError when any write would damage the sheet; changes nothing."""
        where = f"Sheet '{self.title}'"
        protection = self.root.find(_q("sheetProtection", self.ns))
        if protection is not None and _is_true(protection.get("sheet")):
            raise UnsafeWorkbookError(
                f"{where} diproteksi (protected): buka proteksinya dulu (Review > Unprotect "
                f"Sheet), simpan, lalu coba lagi."
            )
        by_col: dict[int, list[int]] = {}
        for write in writes:
            by_col.setdefault(write.col, []).append(write.row)
        for rows in by_col.values():
            rows.sort()

        def hits(r1: int, c1: int, r2: int, c2: int) -> Iterator[tuple[int, int]]:
            for col, rows in by_col.items():
                if c1 <= col <= c2:
                    for row in rows[bisect_left(rows, r1) : bisect_right(rows, r2)]:
                        yield row, col

        def refuse(found: tuple[int, int] | None, problem: str) -> None:
            if found is not None:
                where = f"Sel {self.title}!{cell_address(*found)}"
                raise UnsafeWorkbookError(f"{where} {problem}")

        for merge in self.root.iterfind(f"{{{self.ns}}}mergeCells/{{{self.ns}}}mergeCell"):
            r1, c1, r2, c2 = self._range(merge.get("ref") or "")
            refuse(
                next((hit for hit in hits(r1, c1, r2, c2) if hit != (r1, c1)), None),
                f"ada di dalam sel gabungan (merge) {range_address(r1, c1, r2, c2)}; hanya sel "
                f"kiri-atasnya yang boleh diisi: pisahkan (unmerge) sel itu dulu.",
            )
        for table in tables:
            r1, c1, r2, c2 = table.ref
            label = f"tabel '{table.name}' ({range_address(*table.ref)})"
            header_end = r1 + table.header_rows - 1
            refuse(next(hits(r1, c1, header_end, c2), None), f"adalah judul kolom {label}.")
            totals_start = r2 - table.totals_rows + 1
            refuse(next(hits(totals_start, c1, r2, c2), None), f"ada di baris total {label}.")
            for col in table.calculated_cols:
                refuse(
                    next(hits(r1, col, r2, col), None),
                    f"ada di kolom {label} yang berisi rumus kolom terhitung (calculated "
                    f"column): hapus rumus kolom itu dulu.",
                )
        for formula in self.root.iter(_q("f", self.ns)):
            kind = formula.get("t")
            if kind in ("array", "dataTable") and formula.get("ref"):
                r1, c1, r2, c2 = self._range(formula.get("ref") or "")
                what = "rumus array" if kind == "array" else "tabel data (What-If)"
                refuse(
                    next(hits(r1, c1, r2, c2), None),
                    f"bagian dari {what} {range_address(r1, c1, r2, c2)}: hapus rumus itu dulu.",
                )
        self._plan_shared_formulas({(write.row, write.col) for write in writes})

    def _plan_shared_formulas(self, written: set[tuple[int, int]]) -> None:
        """Prepare writes over cells of a shared formula (how Excel saves a filled-down column).

        Overwritten members simply leave the group. When the group's master is overwritten and
        other members remain, the first remaining member becomes the master: the formula text is
        translated to its position (openpyxl's Translator) and ``ref`` shrinks to the remaining
        cells. Nothing changes here; :meth:`apply` carries it out.
        """
        groups: dict[str, list[tuple[int, int, etree._Element]]] = {}
        shared_cells = self.sheet_data.xpath(
            "m:row/m:c[m:f/@t='shared']", namespaces={"m": self.ns}
        )
        for cell in shared_cells:
            formula = cell.find(self._f_tag)
            ref = cell.get("r")
            if formula is None or ref is None:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': rumus bersama (shared formula) tanpa alamat sel."
                )
            row, col = parse_ref(ref)
            groups.setdefault(formula.get("si") or "", []).append((row, col, formula))
        for members in groups.values():
            remaining = [m for m in members if (m[0], m[1]) not in written]
            if len(remaining) == len(members) or not remaining:
                continue
            new_ref = range_address(
                min(m[0] for m in remaining),
                min(m[1] for m in remaining),
                max(m[0] for m in remaining),
                max(m[1] for m in remaining),
            )
            master = next((m for m in members if m[2].get("ref") is not None), None)
            if master is None:
                continue  # a group without master: nothing to move
            if (master[0], master[1]) not in written:
                self._shared_fixes.append((master[2], None, new_ref))
                continue
            anchor = min(remaining, key=lambda m: (m[0], m[1]))
            origin, target = cell_address(master[0], master[1]), cell_address(anchor[0], anchor[1])
            try:
                from openpyxl.formula.translate import Translator

                text = Translator("=" + (master[2].text or ""), origin=origin).translate_formula(
                    target
                )
            except Exception:
                raise UnsafeWorkbookError(
                    f"Sel {self.title}!{origin} berisi rumus bersama (shared formula) yang tidak "
                    f"dapat dipindahkan ke {target}: salin kolom itu lalu Paste Values, atau "
                    f"kosongkan, lalu coba lagi."
                ) from None
            self._shared_fixes.append(
                (anchor[2], text[1:] if text.startswith("=") else text, new_ref)
            )

    def _range(self, ref: str) -> tuple[int, int, int, int]:
        try:
            return parse_range(ref.split()[0] if ref.split() else ref)
        except ValueError:
            raise UnsafeWorkbookError(
                f"Sheet '{self.title}': rentang {ref!r} tidak valid."
            ) from None

    # -- writes --

    def apply(self, writes: list[CellWrite]) -> tuple[bool, bool]:
        """Set the cells; returns (a formula was written, a formula was overwritten)."""
        wrote_formula = overwrote_formula = False
        bounds: list[tuple[int, int]] = []
        for write in sorted(writes, key=lambda w: (w.row, w.col)):
            row = self._row(write.row)
            position, cell = (0, None) if row is None else self._locate(row, write.row, write.col)
            if cell is None:
                if write.value is None and write.formula is None and write.number_format is None:
                    continue
                cell = self._new_cell(write.row, write.col, row, position)
            elif cell.find(self._f_tag) is not None:
                overwrote_formula = True
            if write.number_format is not None:
                base = self._int_attr(cell, "s", 0)
                cell.set("s", str(self.book.xf_with_numfmt(base, write.number_format)))
            self._set_content(cell, write)
            wrote_formula = wrote_formula or write.formula is not None
            bounds.append((write.row, write.col))
        for formula, text, ref in self._shared_fixes:
            formula.set("ref", ref)
            if text is not None:
                formula.text = text
        if bounds:
            self._widen_dimension(bounds)
        self.part.dirty = True
        return wrote_formula, overwrote_formula

    def _set_content(self, cell: etree._Element, write: CellWrite) -> None:
        for child in list(cell):
            if child.tag in self._content_tags:
                cell.remove(child)
        for attribute in ("t", "cm", "vm"):
            cell.attrib.pop(attribute, None)
        value = write.value
        if write.formula is not None:
            formula = etree.Element(self._f_tag)
            formula.text = write.formula[1:] if write.formula.startswith("=") else write.formula
            cell.insert(0, formula)
            kind, text = _value_xml(value, self.date1904, cached=True)
        elif isinstance(value, str):
            cell.set("t", "inlineStr")
            cell.insert(0, _inline_string(self.ns, value))
            return
        else:
            kind, text = _value_xml(value, self.date1904, cached=False)
        if kind is not None:
            cell.set("t", kind)
        if text is not None:
            node = etree.Element(self._v_tag)
            node.text = text
            cell.insert(1 if write.formula is not None else 0, node)

    def _widen_dimension(self, cells: list[tuple[int, int]]) -> None:
        dimension = self.root.find(_q("dimension", self.ns))
        if dimension is None:
            return
        rows = [row for row, _ in cells]
        cols = [col for _, col in cells]
        r1, c1, r2, c2 = min(rows), min(cols), max(rows), max(cols)
        try:
            o1, p1, o2, p2 = parse_range(dimension.get("ref") or "")
        except ValueError:
            o1, p1, o2, p2 = r1, c1, r2, c2
        new = range_address(min(o1, r1), min(p1, c1), max(o2, r2), max(p2, c2))
        if new != dimension.get("ref"):
            dimension.set("ref", new)


# --- The scratch workbook -------------------------------------------------------------------------


@dataclass
class _ScratchSheet:
    title: str
    xml: bytes
    rels: bytes | None
    protected: bool
    names: list[etree._Element]
    render: Callable[[StyleMaps, str | None, bool], bytes] | None = None


@dataclass
class _Scratch:
    sheets: list[_ScratchSheet]
    styles: etree._Element
    shared_strings: list[etree._Element]


def _read_rels(data: bytes) -> list[tuple[str, str, str, bool]]:
    root = etree.fromstring(data, _PARSER)
    return [
        (
            rel.get("Id") or "",
            rel.get("Type") or "",
            rel.get("Target") or "",
            rel.get("TargetMode") == "External",
        )
        for rel in root.iter(_q("Relationship", PKG_REL_NS))
    ]


def _load_scratch(workbook: openpyxl.Workbook, date1904: bool) -> _Scratch:
    """Save the scratch workbook (in the original's date system) and read back its parts."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    saved_epoch = workbook.epoch
    workbook.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    finally:
        workbook.epoch = saved_epoch
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        book = etree.fromstring(archive.read("xl/workbook.xml"), _PARSER)
        rels = {
            rid: (kind, target)
            for rid, kind, target, _ in _read_rels(archive.read("xl/_rels/workbook.xml.rels"))
        }
        styles = etree.fromstring(archive.read("xl/styles.xml"), _PARSER)
        strings: list[etree._Element] = []
        if "xl/sharedStrings.xml" in names:
            strings = _elements(
                etree.fromstring(archive.read("xl/sharedStrings.xml"), _PARSER), "si"
            )
        sheets: list[_ScratchSheet] = []
        for sheet in book.iter(_q("sheet")):
            title = sheet.get("name") or ""
            kind, target = rels[sheet.get(_q("id", R_NS)) or ""]
            if kind != RT_WORKSHEET:
                raise ValueError(f"scratch sheet {title!r} is not a worksheet: not supported")
            part = _resolve_target("xl/workbook.xml", target)
            xml = archive.read(part)
            rels_part = _rels_name(part)
            sheet_rels = archive.read(rels_part) if rels_part in names else None
            for _, rel_type, _, _ in _read_rels(sheet_rels) if sheet_rels else []:
                if rel_type != RT_HYPERLINK:
                    raise ValueError(
                        f"scratch sheet {title!r} has a {rel_type.rpartition('/')[2]} part: the "
                        f"splice carries only cells, styles and hyperlinks"
                    )
            protection = etree.fromstring(xml, _PARSER).find(_q("sheetProtection"))
            protected = protection is not None and _is_true(protection.get("sheet"))
            sheets.append(_ScratchSheet(title, xml, sheet_rels, protected, []))
        for name in book.iter(_q("definedName")):
            local = name.get("localSheetId")
            if local is None or not local.isdigit() or int(local) >= len(sheets):
                raise ValueError(
                    f"scratch defined name {name.get('name')!r} is not local to a sheet: "
                    f"workbook-level names are not carried over"
                )
            sheets[int(local)].names.append(name)
    return _Scratch(sheets, styles, strings)


def _scratch_from_rendered(rendered: RenderedSheets) -> _Scratch:
    """Sheets already written as XML (inline strings, no rels) with their styles part."""
    sheets = [
        _ScratchSheet(sheet.title, sheet.xml, None, False, list(sheet.defined_names), sheet.render)
        for sheet in rendered.sheets
    ]
    return _Scratch(sheets, etree.fromstring(rendered.styles_xml, _PARSER), [])


def _convert_scratch_sheet(
    sheet: _ScratchSheet,
    styles: _ScratchStyles,
    strings: list[etree._Element],
    cached: Mapping[tuple[int, int], object],
    *,
    code_name: str | None,
    tab_selected: bool,
    date1904: bool,
) -> tuple[bytes, bool]:
    """The scratch sheet's XML ready for the original package; also: has it formulas?"""
    root = etree.fromstring(sheet.xml, _PARSER)
    remaining = dict(cached)
    has_formulas = False
    for cell in root.iter(_q("c")):
        style = cell.get("s")
        if style is not None:
            cell.set("s", str(styles.xf(int(style))))
        if cell.find(_q("f")) is not None:
            has_formulas = True
            value = remaining.pop(parse_ref(cell.get("r") or ""), None)
            _set_formula_value(cell, value, date1904)
        elif cell.get("t") == "s":
            value_node = cell.find(_q("v"))
            index = int(value_node.text or 0) if value_node is not None else 0
            for child in _elements(cell):
                cell.remove(child)
            inline = etree.SubElement(cell, _q("is"))
            for child in _elements(strings[index]):
                inline.append(_detached_copy(child))
            cell.set("t", "inlineStr")
    if remaining:
        refs = ", ".join(cell_address(*key) for key in sorted(remaining)[:5])
        raise ValueError(f"cached values given for non-formula cells of {sheet.title!r}: {refs}")
    for row in root.iter(_q("row")):
        if row.get("s") is not None:
            row.set("s", str(styles.xf(int(row.get("s") or 0))))
    for col in root.iter(_q("col")):
        if col.get("style") is not None:
            col.set("style", str(styles.xf(int(col.get("style") or 0))))
    for rule in root.iter(_q("cfRule")):
        if rule.get("dxfId") is not None:
            rule.set("dxfId", str(styles.dxf(int(rule.get("dxfId") or 0))))
    for view in root.iter(_q("sheetView")):
        if tab_selected:
            view.set("tabSelected", "1")
        else:
            view.attrib.pop("tabSelected", None)
    if code_name:
        properties = root.find(_q("sheetPr"))
        if properties is None:
            properties = etree.Element(_q("sheetPr"))
            root.insert(0, properties)
        properties.set("codeName", code_name)
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8"), has_formulas


# --- The splice -----------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rel_type: str
    part: str | None
    element: etree._Element
    hidden: bool


@dataclass
class _Entry:
    name: str
    info: zipfile.ZipInfo  # zip metadata to keep (the member replaced, else the workbook part's)
    data: bytes | None  # None: copy the source member as stored


#: Children of <workbook> in schema order, for inserting a missing one in its place.
_WORKBOOK_ORDER = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
)


def _insert_in_order(
    parent: etree._Element, element: etree._Element, order: tuple[str, ...]
) -> None:
    """Insert ``element`` after the last child that comes before it in ``order``."""
    position = order.index(_local(element.tag))
    earlier = [child for child in _elements(parent) if _local(child.tag) in order[:position]]
    if earlier:
        earlier[-1].addnext(element)
    else:
        parent.insert(0, element)


class _Splicer:
    """Builds the member list of the new package; reads the source, writes nothing."""

    def __init__(self, package: _Package, plan: PackagePlan) -> None:
        self.package = package
        self.plan = plan
        self.parts: dict[str, _XmlPart] = {}
        self.output: dict[str, bytes] = {}
        self.new_members: list[str] = []
        self.deleted: set[str] = set()
        self._styles: _StyleBook | None = None

    # -- reading --

    def part(self, name: str) -> _XmlPart:
        if name not in self.parts:
            self.parts[name] = _XmlPart(name, self.package.read(name))
        return self.parts[name]

    def rels(self, source: str) -> tuple[_XmlPart | None, list[_Rel]]:
        name = self.package.find(_rels_name(source))
        if name is None:
            return None, []
        part = self.part(name)
        return part, [
            _Rel(
                element.get("Id") or "",
                element.get("Type") or "",
                element.get("Target") or "",
                element.get("TargetMode") == "External",
                element,
            )
            for element in part.root.iter(_q("Relationship", PKG_REL_NS))
        ]

    def target(self, source: str, rel: _Rel) -> str | None:
        if rel.external:
            return None
        return self.package.find(_resolve_target(source, rel.target))

    def content_type(self, name: str) -> str | None:
        root = self.types.root
        for override in root.iter(_q("Override", CT_NS)):
            if (override.get("PartName") or "").lstrip("/").lower() == name.lower():
                return override.get("ContentType")
        extension = name.rpartition(".")[2].lower()
        for default in root.iter(_q("Default", CT_NS)):
            if (default.get("Extension") or "").lower() == extension:
                return default.get("ContentType")
        return None

    @property
    def styles(self) -> _StyleBook:
        if self._styles is None:
            rel = next((rel for rel in self.wb_rels if rel.type == RT_STYLES), None)
            name = None if rel is None else self.target(self.wb_name, rel)
            if name is None:
                raise UnsafeWorkbookError("Workbook tanpa styles.xml: file rusak?")
            self._styles = _StyleBook(self.part(name))
        return self._styles

    def _read_sheets(self) -> list[_Sheet]:
        rels = {rel.id: rel for rel in self.wb_rels}
        container = self.workbook.root.find(_q("sheets"))
        if container is None:
            raise UnsafeWorkbookError("workbook.xml tanpa daftar sheet: file rusak?")
        sheets: list[_Sheet] = []
        for element in _elements(container, "sheet"):
            rel = rels.get(element.get(_q("id", R_NS)) or "")
            sheet_id = element.get("sheetId") or ""
            sheets.append(
                _Sheet(
                    name=element.get("name") or "",
                    sheet_id=int(sheet_id) if sheet_id.isdigit() else 0,
                    rel_type=rel.type if rel is not None else "",
                    part=None if rel is None else self.target(self.wb_name, rel),
                    element=element,
                    hidden=element.get("state") in ("hidden", "veryHidden"),
                )
            )
        return sheets

    def _tables(self, sheet_part: str) -> list[_Table]:
        tables: list[_Table] = []
        _, rels = self.rels(sheet_part)
        for rel in rels:
            name = self.target(sheet_part, rel) if rel.type == RT_TABLE else None
            if name is None:
                continue
            root = self.part(name).root
            try:
                ref = parse_range(root.get("ref") or "")
                header = int(root.get("headerRowCount") or 1)
                totals = int(root.get("totalsRowCount") or 0)
            except ValueError:
                raise UnsafeWorkbookError(f"Tabel {name} rusak (ref tidak valid).") from None
            columns = root.find(_q("tableColumns", _ns_of(root)))
            calculated = frozenset(
                ref[1] + index
                for index, column in enumerate([] if columns is None else _elements(columns))
                if column.find(_q("calculatedColumnFormula", _ns_of(root))) is not None
            )
            label = root.get("displayName") or root.get("name") or name
            tables.append(_Table(label, ref, header, totals, calculated))
        return tables

    def _check_worksheet(self, sheet: _Sheet) -> str:
        """The part of ``sheet``; refuse chartsheets, dialogsheets, macro sheets, broken links."""
        kind = SHEET_KIND_NAMES.get(sheet.rel_type)
        if kind is not None or sheet.rel_type != RT_WORKSHEET:
            raise UnsafeWorkbookError(
                f"Sheet '{sheet.name}' adalah {kind or 'sheet jenis lain'}, bukan worksheet "
                f"biasa: ganti nama atau hapus sheet itu dulu."
            )
        if sheet.part is None:
            raise UnsafeWorkbookError(f"Sheet '{sheet.name}' tidak ditemukan di paket: file rusak?")
        if _local(self.part(sheet.part).root.tag) != "worksheet":
            raise UnsafeWorkbookError(f"Sheet '{sheet.name}' bukan worksheet: file rusak?")
        return sheet.part

    # -- the plan --

    def _validate_plan(self, by_name: dict[str, _Sheet], scratch: _Scratch | None) -> None:
        scratch_keys = {sheet.title.casefold() for sheet in scratch.sheets} if scratch else set()
        for title, writes in self.plan.cell_writes.items():
            key = title.casefold()
            if key not in by_name:
                raise ValueError(f"cell_writes: the workbook has no sheet {title!r}")
            if key in scratch_keys:
                raise ValueError(
                    f"sheet {title!r} is both replaced by the scratch and written into"
                )
            seen: set[tuple[int, int]] = set()
            for write in writes:
                _validate_write(title, write)
                if (write.row, write.col) in seen:
                    raise ValueError(
                        f"two writes into {title}!{cell_address(write.row, write.col)}"
                    )
                seen.add((write.row, write.col))
        for title in self.plan.cached_values:
            if title.casefold() not in scratch_keys:
                raise ValueError(f"cached_values: the scratch workbook has no sheet {title!r}")
        activate = self.plan.activate
        if activate is not None and activate.casefold() not in by_name | dict.fromkeys(
            scratch_keys
        ):
            raise ValueError(f"activate: no sheet {activate!r}")

    def _cached_for(self, title: str) -> Mapping[tuple[int, int], object]:
        for key, values in self.plan.cached_values.items():
            if key.casefold() == title.casefold():
                return values
        return {}

    # -- building --

    def build(self) -> list[_Entry]:
        package, plan = self.package, self.plan
        types_name = package.find("[Content_Types].xml")
        if types_name is None:
            raise UnsafeWorkbookError("Paket tanpa [Content_Types].xml: bukan file xlsx.")
        self.types = self.part(types_name)
        _, root_rels = self.rels("")
        if any(rel.type == RT_STRICT_OFFICE_DOCUMENT for rel in root_rels):
            raise _strict_error()
        office = next((rel for rel in root_rels if rel.type == RT_OFFICE_DOCUMENT), None)
        workbook_name = None if office is None else self.target("", office)
        if workbook_name is None:
            raise UnsafeWorkbookError("Paket tanpa bagian workbook: bukan file xlsx.")
        main_type = self.content_type(workbook_name)
        if main_type not in WORKBOOK_MAIN_TYPES:
            raise UnsafeWorkbookError(f"Bukan workbook .xlsx/.xlsm (jenis isi {main_type}).")
        self.wb_name = workbook_name
        self.workbook = self.part(workbook_name)
        namespace = _ns_of(self.workbook.root)
        if namespace == STRICT_MAIN_NS:
            raise _strict_error()
        if namespace != MAIN_NS:
            raise UnsafeWorkbookError(f"workbook.xml dengan namespace tak dikenal {namespace!r}.")
        self.wb_rels_part, self.wb_rels = self.rels(workbook_name)
        if self.wb_rels_part is None:
            raise UnsafeWorkbookError("Workbook tanpa relasi (workbook.xml.rels): file rusak?")
        if any(rel.type == RT_REVISION_HEADERS for rel in self.wb_rels):
            raise UnsafeWorkbookError(
                "Workbook ini 'Shared Workbook' model lama (ada riwayat revisi): matikan berbagi "
                "(Review > Share Workbook) dulu, lalu coba lagi."
            )
        self.sheets = self._read_sheets()
        properties = self.workbook.root.find(_q("workbookPr"))
        self.date1904 = properties is not None and _is_true(properties.get("date1904"))
        reachable_before = self._reachable(after=False)

        if plan.rendered is not None:
            scratch: _Scratch | None = _scratch_from_rendered(plan.rendered)
        else:
            scratch = None if plan.scratch is None else _load_scratch(plan.scratch, self.date1904)
        by_name = {sheet.name.casefold(): sheet for sheet in self.sheets}
        self._validate_plan(by_name, scratch)

        # Every check before any change.
        pairs: list[tuple[_ScratchSheet, _Sheet | None]] = []
        if scratch is not None and scratch.sheets:
            protection = self.workbook.root.find(_q("workbookProtection"))
            if protection is not None and _is_true(protection.get("lockStructure")):
                raise UnsafeWorkbookError(
                    "Struktur workbook diproteksi (Protect Workbook): sheet tidak dapat ditambah "
                    "atau diganti. Buka proteksinya dulu (Review > Protect Workbook)."
                )
            for scratch_sheet in scratch.sheets:
                existing = by_name.get(scratch_sheet.title.casefold())
                if existing is not None:
                    self._check_replaceable(existing, scratch_sheet)
                pairs.append((scratch_sheet, existing))
        patchers: list[tuple[_SheetPatcher, list[CellWrite]]] = []
        for title, writes in plan.cell_writes.items():
            if not writes:
                continue
            sheet = by_name[title.casefold()]
            part_name = self._check_worksheet(sheet)
            patcher = _SheetPatcher(self.part(part_name), sheet.name, self.styles, self.date1904)
            patcher.check(writes, self._tables(part_name))
            patchers.append((patcher, writes))

        activate_key: str | None = None
        if plan.activate is not None:
            target = by_name.get(plan.activate.casefold())
            if target is None or not target.hidden:  # a hidden sheet is not activated
                activate_key = plan.activate.casefold()

        # Changes, in memory.
        drop_calc_chain = False
        for patcher, writes in patchers:
            wrote, overwrote = patcher.apply(writes)
            drop_calc_chain = drop_calc_chain or wrote or overwrote
        if scratch is not None:
            drop_calc_chain = self._splice_sheets(scratch, pairs, activate_key) or drop_calc_chain
        if activate_key is not None:
            self._activate(activate_key, {id(existing) for _, existing in pairs if existing})
        if plan.full_calc_on_load:
            self._full_calc_on_load()
        if drop_calc_chain:
            self._drop_calc_chain()
        self._drop_orphans(reachable_before)
        return self._entries()

    def _check_replaceable(self, sheet: _Sheet, scratch_sheet: _ScratchSheet) -> None:
        part_name = self._check_worksheet(sheet)
        root = self.part(part_name).root
        protection = root.find(_q("sheetProtection", _ns_of(root)))
        if (
            protection is not None
            and _is_true(protection.get("sheet"))
            and not scratch_sheet.protected
        ):
            raise UnsafeWorkbookError(
                f"Sheet '{sheet.name}' diproteksi (protected): buka proteksinya dulu (Review > "
                f"Unprotect Sheet), simpan, lalu coba lagi."
            )
        _, rels = self.rels(part_name)
        for rel in rels:
            what = RT_NOT_REPLACEABLE.get(rel.type)
            if what is not None:
                raise UnsafeWorkbookError(
                    f"Sheet '{sheet.name}' berisi {what} yang dirujuk bagian lain workbook: sheet "
                    f"ini tidak dapat dibuat ulang. Pindahkan {what} itu ke sheet lain dulu."
                )

    def _splice_sheets(
        self,
        scratch: _Scratch,
        pairs: list[tuple[_ScratchSheet, _Sheet | None]],
        activate_key: str | None,
    ) -> bool:
        """Replace/append the scratch sheets; returns whether the calc chain must go."""
        mapper = _ScratchStyles(scratch.styles, self.styles)
        next_position = len(self.sheets)
        next_sheet_id = max((sheet.sheet_id for sheet in self.sheets), default=0) + 1
        drop_calc_chain = False
        for scratch_sheet, existing in pairs:
            key = scratch_sheet.title.casefold()
            if existing is not None and existing.part is not None:
                old_root = self.part(existing.part).root
                ns = _ns_of(old_root)
                properties = old_root.find(_q("sheetPr", ns))
                code_name = None if properties is None else properties.get("codeName")
                if activate_key is not None:
                    selected = key == activate_key
                else:
                    selected = any(
                        _is_true(view.get("tabSelected"))
                        for view in old_root.iter(_q("sheetView", ns))
                    )
                part_name, position = existing.part, self.sheets.index(existing)
                drop_calc_chain = True
            else:
                code_name, selected = None, key == activate_key
                part_name, position = self._new_sheet_part(), next_position
                next_position += 1
                self._register_sheet(scratch_sheet.title, next_sheet_id, part_name)
                next_sheet_id += 1
            if scratch_sheet.render is not None:
                maps = StyleMaps(mapper.xf, mapper.dxf)
                xml, has_formulas = scratch_sheet.render(maps, code_name, selected), True
            else:
                xml, has_formulas = _convert_scratch_sheet(
                    scratch_sheet,
                    mapper,
                    scratch.shared_strings,
                    self._cached_for(scratch_sheet.title),
                    code_name=code_name,
                    tab_selected=selected,
                    date1904=self.date1904,
                )
            drop_calc_chain = drop_calc_chain or has_formulas
            self._put(part_name, xml)
            rels_name = _rels_name(part_name)
            existing_rels = self.package.find(rels_name)
            if scratch_sheet.rels is not None:
                self._put(existing_rels or rels_name, scratch_sheet.rels)
                self._ensure_rels_default()
            elif existing_rels is not None:
                self.deleted.add(existing_rels)
            self._carry_defined_names(position, scratch_sheet.names, existing is not None)
        return drop_calc_chain

    def _put(self, name: str, data: bytes) -> None:
        if self.package.find(name) is None and name not in self.output:
            self.new_members.append(name)
        self.output[self.package.find(name) or name] = data

    def _new_sheet_part(self) -> str:
        folder = posixpath.join(posixpath.dirname(self.wb_name), "worksheets")
        taken = set(self.package.by_lower) | {name.lower() for name in self.new_members}
        number = 1
        while f"{folder}/sheet{number}.xml".lower() in taken:
            number += 1
        return f"{folder}/sheet{number}.xml"

    def _register_sheet(self, title: str, sheet_id: int, part_name: str) -> None:
        """The new sheet's ``<sheet>`` entry, workbook relationship and content type."""
        assert self.wb_rels_part is not None
        used = {rel.id for rel in self.wb_rels}
        numbers = [int(rid[3:]) for rid in used if rid.startswith("rId") and rid[3:].isdigit()]
        number = max(numbers, default=0) + 1
        while f"rId{number}" in used:
            number += 1
        rel_id = f"rId{number}"
        relationship = etree.SubElement(self.wb_rels_part.root, _q("Relationship", PKG_REL_NS))
        relationship.set("Id", rel_id)
        relationship.set("Type", RT_WORKSHEET)
        relationship.set("Target", _relative_target(self.wb_name, part_name))
        self.wb_rels.append(_Rel(rel_id, RT_WORKSHEET, part_name, False, relationship))
        self.wb_rels_part.dirty = True
        container = self.workbook.root.find(_q("sheets"))
        assert container is not None
        entry = etree.SubElement(container, _q("sheet"))
        entry.set("name", title)
        entry.set("sheetId", str(sheet_id))
        entry.set(_q("id", R_NS), rel_id)
        self.workbook.dirty = True
        override = etree.SubElement(self.types.root, _q("Override", CT_NS))
        override.set("PartName", "/" + part_name)
        override.set("ContentType", CT_WORKSHEET)
        self.types.dirty = True

    def _ensure_rels_default(self) -> None:
        for default in self.types.root.iter(_q("Default", CT_NS)):
            if (default.get("Extension") or "").lower() == "rels":
                return
        default = etree.Element(_q("Default", CT_NS))
        default.set("Extension", "rels")
        default.set("ContentType", "application/vnd.openxmlformats-package.relationships+xml")
        self.types.root.insert(0, default)
        self.types.dirty = True

    def _carry_defined_names(
        self, position: int, names: list[etree._Element], replaced: bool
    ) -> None:
        """Replace the sheet's built-in local names (print titles/area, filter) by the scratch's."""
        root = self.workbook.root
        container = root.find(_q("definedNames"))
        carried = {(name.get("name") or "").casefold() for name in names}
        if replaced and container is not None:
            for name in _elements(container, "definedName"):
                label = (name.get("name") or "").casefold()
                if name.get("localSheetId") == str(position) and (
                    label.startswith("_xlnm.") or label in carried
                ):
                    container.remove(name)
                    self.workbook.dirty = True
            if not _elements(container):
                root.remove(container)
                container = None
        if names:
            if container is None:
                container = etree.Element(_q("definedNames"))
                _insert_in_order(root, container, _WORKBOOK_ORDER)
            for name in names:
                copied = _detached_copy(name)
                copied.set("localSheetId", str(position))
                container.append(copied)
            self.workbook.dirty = True

    def _activate(self, key: str, replaced_ids: set[int]) -> None:
        """Make sheet ``key`` the active tab and the only selected one."""
        root = self.workbook.root
        container = root.find(_q("sheets"))
        entries = [] if container is None else _elements(container, "sheet")
        position = next(
            index
            for index, entry in enumerate(entries)
            if (entry.get("name") or "").casefold() == key
        )
        views = root.find(_q("bookViews"))
        if views is None:
            views = etree.Element(_q("bookViews"))
            _insert_in_order(root, views, _WORKBOOK_ORDER)
        view = views.find(_q("workbookView"))
        if view is None:
            view = etree.SubElement(views, _q("workbookView"))
        if view.get("activeTab") != str(position):
            view.set("activeTab", str(position))
            self.workbook.dirty = True
        first = view.get("firstSheet")
        if first is not None and first.isdigit() and int(first) > position:
            view.set("firstSheet", str(position))
            self.workbook.dirty = True
        for sheet in self.sheets:
            if id(sheet) in replaced_ids or sheet.part is None:
                continue
            selected = sheet.name.casefold() == key
            if sheet.part not in self.parts:
                data = self.package.read(sheet.part)
                if not selected and b"tabSelected" not in data:
                    continue  # nothing to clear: leave the part unparsed and untouched
            part = self.part(sheet.part)
            for element in part.root.iter(_q("sheetView", _ns_of(part.root))):
                if selected and not _is_true(element.get("tabSelected")):
                    element.set("tabSelected", "1")
                    part.dirty = True
                elif not selected and element.get("tabSelected") is not None:
                    del element.attrib["tabSelected"]
                    part.dirty = True

    def _full_calc_on_load(self) -> None:
        root = self.workbook.root
        calc = root.find(_q("calcPr"))
        if calc is None:
            calc = etree.Element(_q("calcPr"))
            _insert_in_order(root, calc, _WORKBOOK_ORDER)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.workbook.dirty = True

    def _drop_calc_chain(self) -> None:
        assert self.wb_rels_part is not None
        for rel in list(self.wb_rels):
            if rel.type != RT_CALC_CHAIN:
                continue
            target = self.target(self.wb_name, rel)
            if target is not None:
                self.deleted.add(target)
            parent = rel.element.getparent()
            if parent is not None:
                parent.remove(rel.element)
            self.wb_rels.remove(rel)
            self.wb_rels_part.dirty = True

    # -- orphans --

    def _exists_after(self, name: str) -> str | None:
        exact = self.package.find(name)
        if exact is not None:
            return None if exact in self.deleted else exact
        return next((new for new in self.new_members if new.lower() == name.lower()), None)

    def _targets(self, source: str, after: bool) -> list[str]:
        rels_name = _rels_name(source)
        root: etree._Element | None = None
        if after:
            exact = self._exists_after(rels_name)
            if exact is None:
                return []
            if exact in self.output:
                root = etree.fromstring(self.output[exact], _PARSER)
            elif exact in self.parts:
                root = self.parts[exact].root
            else:
                root = self.part(exact).root
        else:
            exact = self.package.find(rels_name)
            if exact is None:
                return []
            original = (
                self.parts[exact].original if exact in self.parts else self.package.read(exact)
            )
            root = etree.fromstring(original, _PARSER)
        targets: list[str] = []
        for rel in root.iter(_q("Relationship", PKG_REL_NS)):
            if rel.get("TargetMode") == "External":
                continue
            resolved = _resolve_target(source, rel.get("Target") or "")
            found = self._exists_after(resolved) if after else self.package.find(resolved)
            if found is not None:
                targets.append(found)
        return targets

    def _reachable(self, after: bool) -> set[str]:
        seen: set[str] = set()
        stack = self._targets("", after)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self._targets(name, after))
        return seen

    def _drop_orphans(self, reachable_before: set[str]) -> None:
        """Remove parts that only the replaced content referred to (with their rels and types)."""
        for name in reachable_before - self._reachable(after=True):
            if name not in self.output:
                self.deleted.add(name)
        for name in list(self.deleted):
            rels = self.package.find(_rels_name(name))
            if rels is not None and rels not in self.output:
                self.deleted.add(rels)
        gone = {"/" + name.lower() for name in self.deleted}
        for override in list(self.types.root.iter(_q("Override", CT_NS))):
            if (override.get("PartName") or "").lower() in gone:
                parent = override.getparent()
                if parent is not None:
                    parent.remove(override)
                self.types.dirty = True

    def _entries(self) -> list[_Entry]:
        entries: list[_Entry] = []
        for info in self.package.infos:
            name = info.filename
            if name in self.deleted:
                continue
            data: bytes | None = None
            if name in self.output:
                data = self.output[name]
            elif name in self.parts and self.parts[name].dirty:
                data = self.parts[name].serialise()
            entries.append(_Entry(name, info, data))
        reference = self.package.info_by_name[self.wb_name]
        entries.extend(_Entry(name, reference, self.output[name]) for name in self.new_members)
        return entries


def _strict_error() -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        "Workbook disimpan sebagai 'Strict Open XML Spreadsheet': simpan ulang sebagai 'Excel "
        "Workbook (.xlsx)' biasa (File > Save As), lalu coba lagi."
    )


def _validate_write(title: str, write: CellWrite) -> None:
    where = f"{title}!{cell_address(write.row, write.col)}" if write.col > 0 else title
    if not (1 <= write.row <= MAX_ROW and 1 <= write.col <= MAX_COL):
        raise ValueError(f"cell ({write.row}, {write.col}) of {title!r} is outside the sheet")
    if write.formula is not None:
        text = write.formula[1:] if write.formula.startswith("=") else write.formula
        if not text.strip():
            raise ValueError(f"empty formula for {where}")
        if len(text) > MAX_FORMULA:
            raise ValueError(f"formula for {where} is longer than {MAX_FORMULA} characters")
    if isinstance(write.value, str) and len(write.value) > MAX_TEXT:
        raise ValueError(f"text for {where} is longer than {MAX_TEXT} characters")
    if isinstance(write.value, float) and not math.isfinite(write.value):
        raise ValueError(f"{write.value!r} cannot be stored in {where}")


# --- Writing the zip ------------------------------------------------------------------------------

_ZIP_LIMIT = 0xFFFFFFFF


def _dos_datetime(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if year < 1980:
        return 0, (1 << 5) | 1
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


@dataclass
class _Prepared:
    name: bytes
    flags: int
    method: int
    crc: int
    size: int
    compressed_size: int
    payload: bytes | None  # None: copy the source member's stored data
    info: zipfile.ZipInfo


def _prepare(package: _Package, entries: Iterable[_Entry]) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    total = 0
    for entry in entries:
        info = entry.info
        payload: bytes | None
        if entry.data is None and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            payload, flags, method = None, info.flag_bits & 0x0006, info.compress_type
            crc, size, compressed_size = info.CRC, info.file_size, info.compress_size
        else:
            data = entry.data if entry.data is not None else package.read(entry.name)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = compressor.compress(data) + compressor.flush()
            flags, method = 0, zipfile.ZIP_DEFLATED
            crc, size, compressed_size = zlib.crc32(data), len(data), len(payload)
        try:
            name = entry.name.encode("ascii")
        except UnicodeEncodeError:
            name, flags = entry.name.encode("utf-8"), flags | 0x800
        total += 76 + 2 * len(name) + compressed_size
        if size > _ZIP_LIMIT or total > _ZIP_LIMIT or len(prepared) >= 0xFFFF:
            raise UnsafeWorkbookError("Paket hasil terlalu besar (perlu zip64): tidak didukung.")
        prepared.append(_Prepared(name, flags, method, crc, size, compressed_size, payload, info))
    return prepared


def _write_zip(package: _Package, entries: list[_Entry], dst: Path) -> None:
    """Write the package: stored members are copied compressed as they are, new ones deflated."""
    prepared = _prepare(package, entries)  # every size check before the first byte
    central = io.BytesIO()
    with dst.open("wb") as out:
        for item in prepared:
            offset = out.tell()
            time, date = _dos_datetime(item.info.date_time)
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    item.flags,
                    item.method,
                    time,
                    date,
                    item.crc,
                    item.compressed_size,
                    item.size,
                    len(item.name),
                    0,
                )
            )
            out.write(item.name)
            out.write(item.payload if item.payload is not None else package.raw(item.info))
            version_made_by = (item.info.create_system << 8) | min(item.info.create_version, 63)
            central.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    version_made_by,
                    20,
                    item.flags,
                    item.method,
                    time,
                    date,
                    item.crc,
                    item.compressed_size,
                    item.size,
                    len(item.name),
                    0,
                    0,
                    0,
                    item.info.internal_attr,
                    item.info.external_attr & 0xFFFFFFFF,
                    offset,
                )
            )
            central.write(item.name)
        directory_offset = out.tell()
        out.write(central.getvalue())
        out.write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                len(prepared),
                len(prepared),
                len(central.getvalue()),
                directory_offset,
                0,
            )
        )
