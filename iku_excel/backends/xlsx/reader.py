"""The reader: an .xlsx/.xlsm file's sheets as plain grids (values, number formats) and formulas.

Values come from python-calamine (a Rust reader, 15-20x faster than openpyxl here); formula cells
give their cached results, which is what a planner sees in Excel. Number formats (a percent cell
holds 0.8 for 80 %) come from styles.xml and a byte search of the sheet's XML for the styles that
have one, made when a grid's formats are first asked for. :func:`read_column_formulas` searches
one sheet's XML the same way to tell which cells of a column hold a formula (for the list of
changed cells). Both take a path or an
:class:`~iku_excel.backends.xlsx.zippackage.XlsxPackage` already open (the file engine's), so a
refresh reads the file once.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

from lxml import etree

from iku_excel.a1 import column_index, column_letter, parse_range, parse_ref
from iku_excel.backends.sparse_sheet import (
    excel_spelling,
    read_shared_strings,
    read_sparse_sheet,
    sheet_extent,
    tag_attributes,
    tag_elements,
)
from iku_excel.backends.xlsx.ooxml import MAIN_NS, PARSER, PKG_REL_NS, R_NS, resolve_target
from iku_excel.backends.xlsx.sheettext import unescape
from iku_excel.backends.xlsx.zippackage import XlsxPackage
from iku_excel.errors import UnsafeWorkbookError, WorkbookCorrupt
from iku_excel.limits import HEAD_BYTES, MAX_CELLS_DENSE
from iku_excel.model import SheetGrid

_MAIN = f"{{{MAIN_NS}}}"
_REL = f"{{{R_NS}}}"
_PKG_REL = f"{{{PKG_REL_NS}}}"
_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_XML_SPACE = b" \t\n\r\x0b\x0c"  # what \s matches in a bytes pattern


def _package(source: Path | XlsxPackage) -> XlsxPackage:
    """``source`` itself, or the file at that path opened (and checked) once."""
    return source if isinstance(source, XlsxPackage) else XlsxPackage.open(Path(source))


def read_grids(
    source: Path | XlsxPackage, select: Callable[[Sequence[str]], Sequence[str]] | None = None
) -> tuple[list[str], dict[str, SheetGrid]]:
    """Sheet names of the workbook, and a grid (values + number formats) per selected sheet.

    ``select`` gets the workbook's sheet names and returns the ones to read (default: all).
    Values come from python-calamine (cached results for formula cells, as Excel shows them);
    number formats from one streaming pass over each selected sheet's XML. Each sheet's XML is
    first inspected (:func:`~iku_excel.backends.sparse_sheet.inspect_sheet_xml`): damage is
    refused, and a sheet whose used range passes :data:`~iku_excel.limits.MAX_CELLS_DENSE`
    (one stray value at XFD1048576) is read sparsely instead, as is every sheet when the
    shared-strings table declares an absurd size (calamine would allocate what it declares).
    Raises :class:`~iku_excel.errors.CannotProceed` subclasses.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    package = _package(source)
    path = package.path
    try:
        parts = sheet_parts(package)
        strings = _SharedStrings.of(package)
        book = None
        if strings.dense_safe:
            book = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
            names = [sheet.name for sheet in book.sheets_metadata]
        else:
            names = _sheet_names(package)
        grids: dict[str, SheetGrid] = {}
        wanted = names if select is None else list(select(names))
        formats = _NumberFormats(package)
        for name in wanted:
            part = parts.get(name.casefold())
            data = _worksheet_xml(package, part, name)
            extent = None
            if data is not None:
                extent = sheet_extent(data, part or "", str(path), strings.count)
            spelled = extent is None or extent.excel_spelling
            if book is not None and (
                extent is None or extent.max_row * extent.max_col <= MAX_CELLS_DENSE
            ):
                try:
                    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                except CalamineError:
                    if data is None:
                        continue  # a chartsheet or dialog sheet: no cells
                else:
                    values: list[list[object]] = [
                        [None if v == "" else v for v in row] for row in rows
                    ]
                    while values and all(v is None for v in values[-1]):
                        values.pop()
                    grids[name] = SheetGrid(name, values, formats.grid(part, values, spelled))
                    continue
            if data is not None:
                found = formats.of_part(part, spelled)
                grids[name] = _sparse_grid(name, data, part or "", strings, found)
        return names, grids
    except (CalamineError, zipfile.BadZipFile, KeyError, UnsafeWorkbookError) as exc:
        cause = _cause(exc)
        raise WorkbookCorrupt(f"File rusak: isinya tidak dapat dibaca ({cause}): {path}") from exc
    except (OSError, ValueError) as exc:
        raise WorkbookCorrupt(f"File rusak: {_cause(exc)}: {path}") from exc


def _cause(exc: BaseException) -> str:
    """An exception's own text on one line, without the Python class or repr."""
    text = " ".join(str(exc).split()).strip("'\"")
    return text[:200] or type(exc).__name__


class _SharedStrings:
    """The shared-strings table: its bytes, how many it holds, and whether calamine may read it."""

    def __init__(self, name: str | None, data: bytes, count: int, dense_safe: bool) -> None:
        self.name, self.data, self.count, self.dense_safe = name, data, count, dense_safe
        self._strings: list[str] | None = None

    @classmethod
    def of(cls, package: XlsxPackage) -> _SharedStrings:
        name = package.find("xl/sharedStrings.xml")
        if name is None:
            return cls(None, b"", 0, True)
        data = package.read(name)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WorkbookCorrupt(
                f"File rusak: bagian {name} bukan teks UTF-8 yang sah (byte ke-{exc.start}): "
                f"{package.path}"
            ) from None
        count = len(_SI.findall(data))
        tag = _SST_TAG.search(data[:HEAD_BYTES])
        declared = [int(n) for n in _DECLARED_COUNT.findall(tag.group(0) if tag else b"")]
        # calamine reserves room for what uniqueCount declares: 2**31 asks for 48 GiB
        return cls(name, data, count, all(n <= max(count, 1) * 2 + 1000 for n in declared))

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = read_shared_strings(self.data, self.name, "") if self.name else []
        return self._strings


_SI = re.compile(rb"<(?:\w+:)?si[\s/>]")
_SST_TAG = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_DECLARED_COUNT = re.compile(rb"\s(?:count|uniqueCount)\s*=\s*[\"'](\d+)")
_WORKSHEET_ROOT = re.compile(rb"<(?:\w+:)?worksheet\b")


def _sheet_names(package: XlsxPackage) -> list[str]:
    """The sheet names in workbook.xml, in order (when calamine is not asked)."""
    book = _parse(package, "xl/workbook.xml")
    return [el.get("name") or "" for el in book.iter(f"{_MAIN}sheet")]


def _worksheet_xml(package: XlsxPackage, part: str | None, sheet: str) -> bytes | None:
    """The inflated XML of a worksheet part; None for another kind of sheet (a chartsheet)."""
    if part is None:
        return None
    name = package.find(part)
    if name is None:
        raise WorkbookCorrupt(
            f"File rusak: bagian {part} (sheet {sheet}) tidak ada di dalam file: {package.path}"
        )
    data = package.read(name)
    return data if _WORKSHEET_ROOT.search(data[:HEAD_BYTES]) else None


class _SparseRows(Sequence[Sequence[object]]):
    """Rows of a sheet read sparsely: each row only as long as its last cell, built on demand."""

    def __init__(self, cells: dict[tuple[int, int], object], n_rows: int) -> None:
        self._rows: dict[int, dict[int, object]] = {}
        for (row, col), value in cells.items():
            self._rows.setdefault(row, {})[col] = value
        self._n = n_rows

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Sequence[object]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[object]]: ...
    def __getitem__(self, index: int | slice) -> Sequence[object] | Sequence[Sequence[object]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._n))]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        cells = self._rows.get(index + 1)
        if cells is None:
            return ()
        line: list[object] = [None] * max(cells)
        for col, value in cells.items():
            line[col - 1] = value
        return tuple(line)


def _sparse_grid(
    name: str, data: bytes, part: str, strings: _SharedStrings, formats: dict[tuple[int, int], str]
) -> SheetGrid:
    """A sheet read by the sparse reader: memory follows the values, not the used range."""
    sheet = read_sparse_sheet(data, part, strings.strings())
    cells: dict[tuple[int, int], object] = dict(sheet.cells)
    known = {key: code for key, code in formats.items() if key in cells}
    return SheetGrid(name, _SparseRows(cells, sheet.max_row), _SparseRows(known, sheet.max_row))  # type: ignore[arg-type]


class _NumberFormats:
    """The number formats of the cells of a package's sheets, each sheet's found only when its
    grid's formats are first asked for: a refresh reads an existing Capaian sheet for its typed
    notes alone, and matching its thousands of percent cells was most of a second refresh's extra
    reading time."""

    def __init__(self, package: XlsxPackage) -> None:
        self.package = package
        # The styles are read now, inside read_grids' refusals; only the sheets' matching waits.
        self.codes = _format_codes(package)
        # Only cells whose style has a format other than General matter: their ``s="N"``.
        self._needles = [b's="%d"' % i for i, code in enumerate(self.codes) if code != "General"]

    def of_part(self, part: str | None, excel_spelling: bool = True) -> dict[tuple[int, int], str]:
        """(row, col) -> number format of every cell of ``part`` with a format other than
        General: each ``s="N"`` of such a style found by a plain byte search (a sheet has tens
        of thousands of cells, a handful of formats; a sheet without them costs one pass in C),
        kept when it is an attribute of a ``<c>`` tag. A part not in Excel's spelling
        (``excel_spelling``, :func:`~iku_excel.backends.sparse_sheet.sheet_extent`: single
        quotes, spaces around ``=``...) is read as a tree instead: a percent format missed would
        read 87.5 % as 0.875."""
        codes = self.codes
        found: dict[tuple[int, int], str] = {}
        if part is None or not self._needles:
            return found
        data = self.package.read(part)
        if not excel_spelling:
            return self._of_tree(data, part)
        hits: list[int] = []
        for needle in self._needles:
            at = data.find(needle)
            while at >= 0:
                hits.append(at)
                at = data.find(needle, at + 1)
        hits.sort()
        for at in hits:
            if at == 0 or data[at - 1] not in _XML_SPACE:
                continue
            opening = data.rfind(b"<", 0, at)
            tag = _CELL_TAG.match(data, opening) if opening >= 0 else None
            if tag is None or tag.end() <= at:
                continue  # not inside a cell's opening tag
            element = tag.group(0)
            ref = _REF.search(element)
            style = _STYLE.search(element)
            if ref is None or style is None:
                continue  # a cell without r=: not written by Excel; format unknown
            row, col = int(ref.group(2)), column_index(ref.group(1).decode())
            found[(row, col)] = codes[int(style.group(1))]
        return found

    def _of_tree(self, data: bytes, part: str) -> dict[tuple[int, int], str]:
        found: dict[tuple[int, int], str] = {}
        for attributes in tag_attributes(data, part, "c", str(self.package.path)):
            style = attributes.get("s", "")
            if not style.isdigit() or int(style) >= len(self.codes):
                continue  # no style of ours
            code = self.codes[int(style)]
            if code == "General":
                continue
            with contextlib.suppress(ValueError):  # no address: placed by order, format unknown
                found[parse_ref(attributes.get("r", ""))] = code
        return found

    def grid(
        self, part: str | None, values: Sequence[Sequence[object]], excel_spelling: bool = True
    ) -> _LazyFormatGrid:
        """The formats of ``part`` shaped like ``values``, found on first use."""
        return _LazyFormatGrid(lambda: _format_grid(self.of_part(part, excel_spelling), values))


def _format_codes(package: XlsxPackage) -> list[str]:
    """The number format code of each cell style (``cellXfs``) of styles.xml, in order."""
    from iku_excel.backends.xlsx.stylesheet import BUILTIN_FORMATS

    codes: list[str] = []
    styles_name = package.find("xl/styles.xml")
    if styles_name == "xl/styles.xml":
        styles = _parse(package, styles_name)
        custom = {
            int(el.get("numFmtId", "0")): el.get("formatCode", "")
            for el in styles.iter(f"{_MAIN}numFmt")
        }
        xfs = styles.find(f"{_MAIN}cellXfs")
        for xf in [] if xfs is None else xfs.iterfind(f"{_MAIN}xf"):
            fmt_id = int(xf.get("numFmtId", "0"))
            codes.append(custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General"))
    return codes


class _LazyFormatGrid(Sequence[Sequence[str | None]]):
    """A sheet's number-format grid, built by ``build`` the first time a row is asked for."""

    def __init__(self, build: Callable[[], list[list[str | None]]]) -> None:
        self._build: Callable[[], list[list[str | None]]] | None = build
        self._rows: list[list[str | None]] = []

    def _grid(self) -> list[list[str | None]]:
        if self._build is not None:
            self._rows, self._build = self._build(), None
        return self._rows

    def __len__(self) -> int:
        return len(self._grid())

    @overload
    def __getitem__(self, index: int) -> Sequence[str | None]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[str | None]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> Sequence[str | None] | Sequence[Sequence[str | None]]:
        return self._grid()[index]


def _format_grid(
    formats: dict[tuple[int, int], str], values: Sequence[Sequence[object]]
) -> list[list[str | None]]:
    grid: list[list[str | None]] = [[None] * len(row) for row in values]
    for (row, col), code in formats.items():
        if row <= len(grid) and col <= len(grid[row - 1]):
            grid[row - 1][col - 1] = code
    return grid


def _parse(package: XlsxPackage, part: str) -> etree._Element:
    """A package part parsed; missing or malformed is :class:`WorkbookCorrupt` naming the part."""
    name = package.find(part)
    if name is None:
        raise WorkbookCorrupt(f"File rusak: bagian {part} tidak ada di dalam file: {package.path}")
    try:
        return etree.fromstring(package.read(name), PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookCorrupt(
            f"File rusak: XML bagian {part} tidak valid ({_cause(exc)}): {package.path}"
        ) from None


def sheet_parts(package: XlsxPackage) -> dict[str, str]:
    """Sheet name (casefolded) -> the zip member holding it (first sheet of a name wins)."""
    book = _parse(package, "xl/workbook.xml")
    rels = _parse(package, "xl/_rels/workbook.xml.rels")
    targets = {
        rel.get("Id"): rel.get("Target") or "" for rel in rels.iter(f"{_PKG_REL}Relationship")
    }
    parts: dict[str, str] = {}
    for el in book.iter(f"{_MAIN}sheet"):
        target = targets.get(el.get(f"{_REL}id"))
        if target is not None:
            parts.setdefault(
                (el.get("name") or "").casefold(), resolve_target("xl/workbook.xml", target)
            )
    return parts


def read_column_formulas(source: Path | XlsxPackage, sheet: str, col: int) -> dict[int, str]:
    """Row -> formula (``"=..."``) of the cells of column ``col`` that hold one.

    Scans the sheet's XML with one regular expression for that column's cells, so it stays cheap
    on a 20,000-row sheet. A shared-formula member (no text of its own) is reported as
    ``"=<shared>"``: what matters to the caller is that a formula is there.
    """
    letter = column_letter(col).encode()
    cell = re.compile(
        rb'<(?:\w+:)?c\b[^>]*?\sr="' + letter + rb'(\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)',
        re.DOTALL,
    )
    formula = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
    package = _package(source)
    part = sheet_parts(package).get(sheet.casefold())
    if part is None:
        return {}
    data = package.read(part)
    out: dict[int, str] = {}
    if not excel_spelling(data):
        return _column_formulas_of_tree(data, part, col, str(package.path))
    needle = b'r="' + letter
    at, done = data.find(needle), 0
    while at >= 0:
        # a plain search for the column's r="Q..., then the pattern from the tag's "<": the
        # same cells as the pattern scanning the whole sheet, without trying it at every cell
        opening = data.rfind(b"<", done, at) if at > 0 and data[at - 1] in _XML_SPACE else -1
        match = cell.match(data, opening) if opening >= 0 else None
        at = data.find(needle, at + 1)
        if match is None:
            continue
        done = match.end()
        if at >= 0 and at < done:
            at = data.find(needle, done)
        inner = match.group(2)
        f = formula.search(inner) if inner else None
        if f is not None:
            text = f.group(1)
            out[int(match.group(1))] = "=" + unescape(text.decode()) if text else "=<shared>"
    return out


def _column_formulas_of_tree(data: bytes, part: str, col: int, label: str) -> dict[int, str]:
    """:func:`read_column_formulas` of a part in another writer's spelling."""
    out: dict[int, str] = {}
    for cell in tag_elements(data, part, "c", label):
        try:
            row, at = parse_ref(cell.get("r", ""))
        except ValueError:
            continue  # no address: placed by order, not a cell of the column as addressed
        formula = cell.find(f"{_MAIN}f") if at == col else None
        if formula is not None:
            out[row] = "=" + formula.text if formula.text else "=<shared>"
    return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def read_merges(
    source: Path | XlsxPackage, sheets: Sequence[str]
) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges of each of ``sheets`` as 1-based ``(min_row, min_col, max_row, max_col)``,
    from the ``<mergeCell ref=...>`` elements of the sheet's XML (a sheet not found: none)."""
    package = _package(source)
    parts = sheet_parts(package)
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for sheet in sheets:
        part = parts.get(sheet.casefold())
        found: list[tuple[int, int, int, int]] = []
        if part is not None:
            data = package.read(part)
            if not excel_spelling(data):  # another writer's spelling: the tree
                for merge in tag_attributes(data, part, "mergeCell", str(package.path)):
                    with contextlib.suppress(ValueError):
                        found.append(parse_range(merge.get("ref", "")))
            else:
                for m in _MERGE.finditer(data):
                    c1, r1 = column_index(m.group(1).decode()), int(m.group(2))
                    c2 = column_index(m.group(3).decode()) if m.group(3) else c1
                    r2 = int(m.group(4)) if m.group(4) else r1
                    found.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        out[sheet] = found
    return out
