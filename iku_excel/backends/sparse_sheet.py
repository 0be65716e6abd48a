"""Sparse, bounded reading of one worksheet part: only the non-empty cells, never the rectangle.

A dense reader allocates every cell from A1 to the bottom-right used cell, so one stray value at
``XFD1048576`` in a 10 KB file asks for 17 billion cells. :func:`read_sparse_sheet` streams the
sheet XML (lxml ``iterparse`` over a zip member read in chunks, with a hard cap on the bytes
inflated), frees each row once read, and returns ``{(row, col): value}`` for the cells that hold
something. Memory is proportional to the number of values, not to the used range.

Self-contained on purpose: it needs a :class:`zipfile.ZipFile`, the member name and the shared
strings list (:func:`read_shared_strings` reads those the same bounded way). DTDs are refused
(OOXML forbids them; Excel refuses them too), entities are never resolved, nothing is fetched.
Damage raises :class:`~iku_excel.errors.WorkbookCorrupt`; too much of anything raises
:class:`~iku_excel.limits.ResourceLimit`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, NamedTuple

from lxml import etree

from iku_excel.errors import WorkbookCorrupt
from iku_excel.limits import (
    HEAD_BYTES,
    MAX_CELLS_DENSE,
    MAX_CELLS_SPARSE,
    MAX_COLUMN,
    MAX_MEMBER_UNCOMPRESSED,
    MAX_ROW,
    ResourceLimit,
)

__all__ = [
    "CellValue",
    "SheetExtent",
    "SparseSheet",
    "excel_spelling",
    "inspect_sheet_xml",
    "read_shared_strings",
    "read_sparse_sheet",
    "scan_used_range",
    "sheet_extent",
    "sheet_head",
    "tag_attributes",
    "tag_elements",
]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CHUNK = 64 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_REF = re.compile(r"([A-Z]{1,3})(\d{1,10})")
_ROW_ATTR = re.compile(rb"""<(?:\w+:)?row\b[^>]*?\sr\s*=\s*["'](\d+)["']""")
_CELL_ATTR = re.compile(rb"""<(?:\w+:)?c\b[^>]*?\sr\s*=\s*["']([A-Z]{1,3})(\d+)["']""")

#: A cell's value as read: text, a number (always float, as Excel stores it), a bool, a date
#: (``t="d"`` cells), or an error text such as ``#DIV/0!``.
CellValue = str | float | bool | datetime


@dataclass(frozen=True)
class SparseSheet:
    """The non-empty cells of a sheet and the bottom-right corner of those cells (0, 0 if none)."""

    cells: dict[tuple[int, int], CellValue]
    max_row: int
    max_col: int


class _CappedStream:
    """A zip member read in chunks that raises :class:`ResourceLimit` past ``cap`` bytes."""

    def __init__(self, handle: IO[bytes], cap: int, label: str, member: str) -> None:
        self.handle, self.cap, self.label, self.member = handle, cap, label, member
        self.total = 0

    def read(self, size: int = _CHUNK) -> bytes:
        data = self.handle.read(min(size if size > 0 else _CHUNK, _CHUNK))
        self.total += len(data)
        if self.total > self.cap:
            raise ResourceLimit(
                self.label, f"ukuran bagian {self.member} (byte)", self.total, self.cap
            )
        return data


#: Where a part comes from: an open zip (inflated as it is read) or its bytes, already inflated.
Source = zipfile.ZipFile | bytes


def _open(source: Source, member: str) -> IO[bytes]:
    """A binary stream of ``member``: inflated from the zip, or over the bytes given."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source.open(member)


def tag_elements(data: bytes, member: str, tag: str, label: str) -> Iterator[etree._Element]:
    """Each element ``tag`` (a SpreadsheetML name: ``c``, ``mergeCell``) of an inflated part, in
    document order, by a DTD-free lxml parse, cleared once the caller asks for the next: for a
    part whose spelling the byte-level patterns do not read (:func:`excel_spelling`)."""
    for element in _parser_events(data, member, (f"{_MAIN}{tag}",), len(data) + 1, label):
        yield element
        element.clear(keep_tail=False)


def tag_attributes(data: bytes, member: str, tag: str, label: str) -> Iterator[dict[str, str]]:
    """The attributes of each element ``tag`` of an inflated part (:func:`tag_elements`)."""
    for element in tag_elements(data, member, tag, label):
        yield dict(element.attrib)


def _parser_events(
    archive: Source, member: str, tags: tuple[str, ...], cap: int, label: str
) -> Iterator[etree._Element]:
    """Yield each element named in ``tags`` at its end, from a capped, DTD-free stream."""
    head = sheet_head(archive, member)
    if _DOCTYPE.search(head):
        raise WorkbookCorrupt(
            f"File rusak: bagian {member} berisi DOCTYPE (tidak diizinkan): {label}"
        )
    try:
        with _open(archive, member) as handle:
            stream = _CappedStream(handle, cap, label, member)
            events = etree.iterparse(
                stream,
                events=("end",),
                tag=tags,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            )
            for _event, element in events:
                yield element
    except etree.XMLSyntaxError as exc:
        raise WorkbookCorrupt(
            f"File rusak: XML bagian {member} tidak valid ({exc}): {label}"
        ) from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak utuh ({exc}): {label}") from exc
    except KeyError as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak ada: {label}") from exc


def sheet_head(archive: Source, member: str, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` inflated bytes of a member (for ``<dimension>`` and DOCTYPE checks)."""
    if isinstance(archive, bytes):
        return archive[:size]
    try:
        with archive.open(member) as handle:
            return handle.read(size)
    except KeyError as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak ada") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak utuh ({exc})") from exc


def _free(element: etree._Element) -> None:
    """Drop a finished element and the siblings before it, so the tree never grows."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _text(element: etree._Element) -> str:
    """All text of ``<is>``/``<si>``: the plain ``<t>`` or the runs' ``<t>``s, not phonetics."""
    plain = element.find(f"{_MAIN}t")
    if plain is not None:
        return plain.text or ""
    return "".join(t.text or "" for t in element.iterfind(f"{_MAIN}r/{_MAIN}t"))


def read_shared_strings(
    archive: Source, member: str = "xl/sharedStrings.xml", label: str = ""
) -> list[str]:
    """The shared strings table, streamed with the same caps (empty list if the part is absent).

    ``archive`` is the open zip, or the part's bytes already inflated (``member`` then only
    names it in messages).
    """
    if isinstance(archive, zipfile.ZipFile) and member not in archive.NameToInfo:
        return []
    strings: list[str] = []
    for element in _parser_events(archive, member, (f"{_MAIN}si",), MAX_MEMBER_UNCOMPRESSED, label):
        strings.append(_text(element))
        if len(strings) > MAX_CELLS_SPARSE * 2:
            raise ResourceLimit(label, "jumlah shared string", len(strings), MAX_CELLS_SPARSE * 2)
        _free(element)
    return strings


def _position(ref: str | None, row: int, previous_col: int, label: str) -> tuple[int, int]:
    if ref is None:
        return row, previous_col + 1
    match = _REF.fullmatch(ref)
    if match is None:
        raise WorkbookCorrupt(f"File rusak: alamat sel {ref} tidak sah: {label}")
    col = 0
    for char in match.group(1):
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col


def _row_number(row: etree._Element, previous: int) -> int:
    """A ``<row>``'s number: its ``r`` attribute, else the previous row's plus one."""
    text = row.get("r")
    if text is None:
        return previous + 1
    try:
        return int(text)
    except ValueError:
        return -1  # refused by the grid check of its first cell


def _value(
    cell: etree._Element, strings: Sequence[str], label: str, where: str
) -> CellValue | None:
    """The value of one ``<c>``: None when it holds nothing (or only a style)."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return None if inline is None else (_text(inline) or None)
    v = cell.find(f"{_MAIN}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        try:
            index = int(text)
        except ValueError:
            raise WorkbookCorrupt(
                f"File rusak: sel {where} indeks teks {text[:20]} bukan angka: {label}"
            ) from None
        if not 0 <= index < len(strings):
            raise WorkbookCorrupt(
                f"File rusak: sel {where} merujuk teks nomor {index}, hanya ada "
                f"{len(strings)}: {label}"
            )
        return strings[index] or None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind in ("str", "e"):
        return text or None
    if kind == "d":
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            return text
    try:
        return float(text)
    except ValueError:
        raise WorkbookCorrupt(
            f"File rusak: sel {where} berisi {text[:20]}, bukan angka: {label}"
        ) from None


def read_sparse_sheet(
    archive: Source,
    member: str,
    shared_strings: Sequence[str],
    *,
    label: str = "",
    max_bytes: int = MAX_MEMBER_UNCOMPRESSED,
    max_cells: int = MAX_CELLS_SPARSE,
) -> SparseSheet:
    """The non-empty cells of worksheet part ``member`` as ``{(row, col): value}``, 1-based.

    ``archive`` is the open zip, or the part's bytes already inflated (``member`` then only
    names it in messages).

    Formula cells give their cached value (as Excel shows them). Cells and rows without an ``r``
    attribute follow the previous one, as the spec says. At most ``max_bytes`` are inflated and
    ``max_cells`` values kept (else :class:`ResourceLimit`); an address outside Excel's grid, a
    shared-string index out of range or malformed XML raise :class:`WorkbookCorrupt`.
    """
    cells: dict[tuple[int, int], CellValue] = {}
    max_row = max_col = 0
    row_number = 0
    tags = (f"{_MAIN}c", f"{_MAIN}row")
    previous_col = 0
    new_row = True
    for element in _parser_events(archive, member, tags, max_bytes, label):
        if element.tag == f"{_MAIN}row":
            if new_row:  # a row without cells still advances the row counter
                row_number = _row_number(element, row_number)
            _free(element)
            new_row, previous_col = True, 0
            continue
        if new_row:
            parent = element.getparent()
            row_number = _row_number(parent, row_number) if parent is not None else row_number + 1
            new_row = False
        row, col = _position(element.get("r"), row_number, previous_col, label)
        if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COLUMN):
            raise WorkbookCorrupt(
                f"File rusak: sel di baris {row}, kolom {col} berada di luar lembar Excel: {label}"
            )
        row_number, previous_col = row, col
        value = _value(element, shared_strings, label, element.get("r") or f"R{row}C{col}")
        element.clear(keep_tail=False)
        if value is None:
            continue
        cells[(row, col)] = value
        if len(cells) > max_cells:
            raise ResourceLimit(label, "jumlah sel terisi", len(cells), max_cells)
        max_row, max_col = max(max_row, row), max(max_col, col)
    return SparseSheet(cells, max_row, max_col)


def scan_used_range(
    archive: zipfile.ZipFile,
    member: str,
    *,
    label: str = "",
    max_bytes: int = MAX_MEMBER_UNCOMPRESSED,
) -> tuple[int, int]:
    """(max row, max column) of the cell addresses in a sheet, by a byte scan (no XML tree).

    The cheap first pass for a sheet whose ``<dimension>`` is absent or cannot be trusted: a
    regex over the inflated stream read in chunks, at most ``max_bytes`` inflated. It counts
    every ``<c r=...>``, even an empty styled one, because a dense reader allocates those too.
    """
    max_row = max_col = 0
    carry = b""
    try:
        with archive.open(member) as handle:
            stream = _CappedStream(handle, max_bytes, label, member)
            while chunk := stream.read(_CHUNK):
                data = carry + chunk
                for match in _CELL_ATTR.finditer(data):
                    col = 0
                    for char in match.group(1):
                        col = col * 26 + char - 64
                    max_row, max_col = max(max_row, int(match.group(2))), max(max_col, col)
                for match in _ROW_ATTR.finditer(data):
                    max_row = max(max_row, int(match.group(1)))
                carry = data[-256:]
    except KeyError as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak ada: {label}") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise WorkbookCorrupt(f"File rusak: bagian {member} tidak utuh ({exc}): {label}") from exc
    return max_row, max_col


# --- The cheap first pass over an inflated sheet part ---------------------------------------------

#: A row or cell address that is not a plain one of at most two letters and five digits: rare in
#: real sheets (a column past ZZ or a row past 99,999), so the few matches are parsed one by one.
#: The fast patterns read ``<c r="`` / ``<row r="`` as Excel, openpyxl and LibreOffice write
#: them (a literal prefix the regex engine can search for); any other form of a cell or row tag
#: (another attribute first, a namespace prefix, a tab or newline or two spaces before ``r``,
#: spaces around ``=``, single quotes) sends the part to the general path, which reads every
#: address attribute whatever its spelling (:data:`_ANY_REF`). The XML is valid either way and
#: python-calamine reads it: a stray ``<c r='XFD1048576'>`` the fast patterns did not see made it
#: allocate the whole grid (550 GB) and abort the process.
#: A cell or row tag that is not ``<c r="A1"`` / ``<row r="1"`` with a plain address first: none
#: in nearly every sheet, so one search each says both "r first everywhere" and "no unusual
#: address". Only when there is one are the patterns below compiled (``re``'s own cache) to tell
#: which.
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,2}[1-9]\d{0,4}")')
_ODD_ROW = re.compile(rb'<row(?=[\s/>])(?! r="[1-9]\d{0,4}")')
#: :data:`_ODD_CELL` or a cell past column Z: none says the two-letter scan has nothing to find.
_WIDE_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z][1-9]\d{0,4}")')
_UNUSUAL_CELL = rb'<c r="(?![A-Z]{1,2}[1-9]\d{0,4}")([^"]*)"'
_UNUSUAL_ROW = rb'<row r="(?![1-9]\d{0,4}")([^"]*)"'
_PLAIN_ROW = re.compile(rb'<row r="(\d+)"')
_TWO_LETTERS_CELL = re.compile(rb'<c r="([A-Z]{2})\d')
_ONE_LETTER = re.compile(rb'<c r="([A-Z])\d')
_OTHER_ORDER = (rb'<c(?=[\s/>])(?! r=")', rb'<row(?=[\s/>])(?! r=")')
#: Any ``r`` attribute, in either quotes, spaces allowed around ``=`` (the general path).
_ANY_REF = rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)[\s/>]")
_FIRST_CELL = re.compile(rb"<(?:\w+:)?c(?=[\s/>])")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_SHARED_INDEX = re.compile(rb't="s"[^>]*><(?:\w+:)?v>(\d+)<')
_ROOT_END = re.compile(rb"</(?:\w+:)?worksheet>\s*\Z")


def _column(letters: bytes) -> int:
    col = 0
    for char in letters:
        col = col * 26 + char - 64
    return col


def _prefixed_tags(data: bytes) -> bool:
    """True when ``data`` holds ``:c`` or ``:row`` followed by a space, tab, newline, ``/`` or
    ``>`` (a cell or row tag with a namespace prefix). A sheet holds few colons (its root's
    ``xmlns:`` declarations, some texts): each is found by ``memchr`` and looked at, instead of
    a search of the whole part; past :data:`_FEW_COLONS` of them, the search."""
    at = data.find(b":")
    for _ in range(_FEW_COLONS):
        if at < 0:
            return False
        if _PREFIXED.match(data, at):
            return True
        at = data.find(b":", at + 1)
    return _PREFIXED.search(data) is not None


_FEW_COLONS = 1_000


def _numbers_above(n: int) -> bytes:
    """A pattern of the decimal numbers (no leading zero) greater than ``n``."""
    digits = str(n)
    above = [rb"[1-9]\d{%d,}" % len(digits)]  # more digits
    for i, digit in enumerate(digits):
        if digit != "9":  # the same first i digits, a bigger one, then any
            rest = len(digits) - i - 1
            above.append(digits[:i].encode() + b"[%d-9]" % (int(digit) + 1) + rb"\d" * rest)
    return b"(?:" + b"|".join(above) + b")"


class SheetExtent(NamedTuple):
    """What :func:`sheet_extent` found in a worksheet part."""

    max_row: int
    max_col: int
    #: Every cell and row tag written as Excel, openpyxl and LibreOffice write it (``<c r="``,
    #: ``<row r="``): the byte-level readers' fast patterns hold; otherwise they take the tree.
    excel_spelling: bool


def inspect_sheet_xml(data: bytes, member: str, label: str, n_strings: int) -> tuple[int, int]:
    """(max row, max column) of :func:`sheet_extent`."""
    extent = sheet_extent(data, member, label, n_strings)
    return extent.max_row, extent.max_col


def excel_spelling(data: bytes) -> bool:
    """Whether a worksheet part that was not inspected (:func:`sheet_extent` says it of one that
    was) spells its cells as Excel does, judged by its first cell tag, ``<c r="`` with or
    without a prefix: a writer spells its cells alike, and the judgement costs nothing on a
    part of 20 MB (the full check took 34 ms). A part without cells counts as Excel's."""
    first = _FIRST_CELL.search(data)
    return first is None or data.startswith(b' r="', first.end())


def sheet_extent(data: bytes, member: str, label: str, n_strings: int) -> SheetExtent:
    """(max row, max column) of the addresses in an inflated worksheet part, and its damage.

    The column is exact past Z; up to Z it is reported as 26 unless the exact letter matters
    for :data:`~iku_excel.limits.MAX_CELLS_DENSE` (saves a full scan of the part).

    The guard before a dense reader (python-calamine allocates A1 to the bottom-right cell): a
    few byte-level regular expressions, no XML tree, a few percent of a read. Raises
    :class:`WorkbookCorrupt` naming the part and the cause for what a dense reader would pass
    over silently or crash on: bytes that are not UTF-8, a part that stops before
    ``</worksheet>``, an address that is malformed or outside Excel's grid, a shared-string
    index past the table. Styled empty cells count (a dense reader allocates those too), and so
    does a cell whose row is past its row tag's (the reader places a cell by its own address).
    """

    def corrupt(cause: str) -> WorkbookCorrupt:
        return WorkbookCorrupt(f"File rusak: bagian {member} {cause}: {label}")

    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(f"bukan teks UTF-8 yang sah (byte ke-{exc.start})") from None
    if _ROOT_END.search(data[-256:]) is None:
        raise corrupt("terpotong (tidak diakhiri </worksheet>)")
    plain = not _prefixed_tags(data)
    # one-letter plain addresses only (most sheets): no unusual address, no column past Z
    odd_row = plain and _ODD_ROW.search(data) is not None
    narrow = plain and not odd_row and _WIDE_CELL.search(data) is None
    odd = not narrow and (not plain or odd_row or _ODD_CELL.search(data) is not None)
    if odd:
        plain = plain and not any(re.search(pattern, data) for pattern in _OTHER_ORDER)
    if plain:
        max_row, max_col = _plain_extent(data, narrow, odd, corrupt)
    else:
        max_row, max_col = _any_extent(data, corrupt)
    if max_col <= 26 and max_row * 26 > MAX_CELLS_DENSE:  # only then is the letter needed
        if plain:
            max_col = max([max_col, *map(_column, set(_ONE_LETTER.findall(data)))])
    elif max_col <= 26:
        max_col = 26  # a bound: reading the exact letter would cost a full scan
    indexes = set(_SHARED_INDEX.findall(data))
    if indexes:
        top = max(map(int, indexes))
        if top >= n_strings:
            raise corrupt(f"merujuk teks bersama nomor {top}, padahal hanya ada {n_strings}")
    return SheetExtent(max_row, max_col, plain)


def _plain_extent(
    data: bytes, narrow: bool, odd: bool, corrupt: Callable[[str], WorkbookCorrupt]
) -> tuple[int, int]:
    """The extent of a part whose every cell and row tag starts ``<c r="`` / ``<row r="``
    (``narrow``: no column past Z, reported as 1, a bound the caller widens; ``odd``: some
    address is not a plain one). Plain addresses (two letters, five digits at most) are found
    in C; the unusual ones are checked one by one."""
    max_row = max_col = 0
    unusual = [*re.finditer(_UNUSUAL_CELL, data), *re.finditer(_UNUSUAL_ROW, data)] if odd else []
    for match in unusual:
        row, col = _address(match.group(1), match.group(0).startswith(b"<c"), corrupt)
        max_row, max_col = max(max_row, row), max(max_col, col)
    max_row = max([max_row, *map(int, set(_PLAIN_ROW.findall(data)))])
    if narrow:
        max_col = 1  # no column past Z: the caller takes 26 as the bound
    elif max_col <= 702:  # no three-letter column: the largest two-letter one, if any
        two = set(_TWO_LETTERS_CELL.findall(data))
        max_col = max([max_col, *map(_column, two)]) if two else max(max_col, 1)
    # A plain cell address names a row up to 99,999 whatever its row tag says, and the reader
    # places a cell by its own address: when such a row could make the dense area too big, look
    # for a cell past the last row tag (one search; none in a sheet as Excel writes it).
    if max_row < 99_999 and 99_999 * max(max_col, 26) > MAX_CELLS_DENSE:
        beyond = re.compile(rb'<c r="[A-Z]{1,3}' + _numbers_above(max_row) + b'"')
        if beyond.search(data) is not None:
            rows = re.findall(rb'<c r="[A-Z]{1,3}(\d+)"', data)
            max_row = max([max_row, *map(int, set(rows))])
    return max_row, max_col


def _any_extent(data: bytes, corrupt: Callable[[str], WorkbookCorrupt]) -> tuple[int, int]:
    """The exact extent of a part written some other way: every ``r`` attribute of a cell or
    row tag, in either quotes, checked one by one (slower, and rare)."""
    max_row = max_col = 0
    for match in re.finditer(_ANY_REF, data):
        tag_start = data.rfind(b"<", 0, match.start())
        tag = _TAG.match(data, tag_start) if tag_start >= 0 else None
        if tag is None or tag.end() > match.start() + 1:
            continue  # an r="" of some other element, or in a text: not an address
        text = match.group(1) if match.group(1) is not None else match.group(2)
        row, col = _address(text, tag.group(1) == b"c", corrupt)
        max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max(max_col, 1)


def _address(text: bytes, cell: bool, corrupt: Callable[[str], WorkbookCorrupt]) -> tuple[int, int]:
    """(row, column) of a cell's (``cell``) or a row's ``r``; damage is :class:`WorkbookCorrupt`."""
    shown = text.decode("ascii", "replace")
    ref = re.fullmatch(r"([A-Z]{1,3})?([1-9]\d{0,6})", shown)
    if ref is None or cell != bool(ref.group(1)):
        raise corrupt(f"berisi alamat sel yang tidak sah ({shown[:20]})")
    row = int(ref.group(2))
    col = _column(ref.group(1).encode()) if ref.group(1) else 0
    if row > MAX_ROW or col > MAX_COLUMN:
        raise corrupt(f"berisi sel {shown} di luar lembar Excel (batas XFD{MAX_ROW})")
    return row, col
