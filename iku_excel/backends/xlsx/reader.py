"""The reader: an .xlsx/.xlsm file's sheets as plain grids (values, number formats) and formulas.

Values come from python-calamine (a Rust reader, 15-20x faster than openpyxl here); formula cells
give their cached results, which is what a planner sees in Excel. Number formats (a percent cell
holds 0.8 for 80 %) come from one streaming lxml pass over the sheet's XML and styles.xml.
:func:`read_column_formulas` streams one sheet's XML to tell which cells of a column hold a
formula (for ``refresh --dry-run``'s list of changed cells). Both take a path or an
:class:`~iku_excel.backends.xlsx.zippackage.XlsxPackage` already open (the file engine's), so a
refresh reads the file once.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from iku_excel.a1 import column_index, column_letter
from iku_excel.backends.xlsx.ooxml import MAIN_NS, PARSER, PKG_REL_NS, R_NS, resolve_target
from iku_excel.backends.xlsx.zippackage import XlsxPackage
from iku_excel.errors import NotAnXlsx, UnsafeWorkbookError, WorkbookCorrupt
from iku_excel.model import SheetGrid

_MAIN = f"{{{MAIN_NS}}}"
_REL = f"{{{R_NS}}}"
_PKG_REL = f"{{{PKG_REL_NS}}}"
_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\ss="(\d+)"')


def _package(source: Path | XlsxPackage) -> XlsxPackage:
    """``source`` itself, or the file at that path opened (and checked) once."""
    return source if isinstance(source, XlsxPackage) else XlsxPackage.open(Path(source))


def read_grids(
    source: Path | XlsxPackage, select: Callable[[Sequence[str]], Sequence[str]] | None = None
) -> tuple[list[str], dict[str, SheetGrid]]:
    """Sheet names of the workbook, and a grid (values + number formats) per selected sheet.

    ``select`` gets the workbook's sheet names and returns the ones to read (default: all).
    Values come from python-calamine (cached results for formula cells, as Excel shows them);
    number formats from one streaming pass over each selected sheet's XML. Raises
    :class:`~iku_excel.errors.CannotProceed` subclasses.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    package = _package(source)
    path = package.path
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
        names = [sheet.name for sheet in book.sheets_metadata]
        grids: dict[str, SheetGrid] = {}
        wanted = names if select is None else list(select(names))
        formats = _number_formats(package, wanted)
        for name in wanted:
            try:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except CalamineError:
                continue  # a chartsheet or dialog sheet: no cells
            values: list[list[object]] = [[None if v == "" else v for v in row] for row in rows]
            while values and all(v is None for v in values[-1]):
                values.pop()
            grids[name] = SheetGrid(name, values, _format_grid(formats.get(name, {}), values))
        return names, grids
    except (CalamineError, zipfile.BadZipFile, KeyError, UnsafeWorkbookError) as exc:
        raise NotAnXlsx(path, str(exc)) from exc
    except (OSError, ValueError) as exc:
        raise WorkbookCorrupt(path, f"{type(exc).__name__}: {exc}") from exc


def _format_grid(
    formats: dict[tuple[int, int], str], values: Sequence[Sequence[object]]
) -> list[list[str | None]]:
    grid: list[list[str | None]] = [[None] * len(row) for row in values]
    for (row, col), code in formats.items():
        if row <= len(grid) and col <= len(grid[row - 1]):
            grid[row - 1][col - 1] = code
    return grid


def _number_formats(
    package: XlsxPackage, sheets: Sequence[str]
) -> dict[str, dict[tuple[int, int], str]]:
    """(row, col) -> number format of every cell with a format other than General."""
    from lxml import etree

    from iku_excel.backends.xlsx.stylesheet import BUILTIN_FORMATS

    out: dict[str, dict[tuple[int, int], str]] = {}
    codes: list[str] = []
    styles_name = package.find("xl/styles.xml")
    if styles_name == "xl/styles.xml":
        styles = etree.fromstring(package.read(styles_name), PARSER)
        custom = {
            int(el.get("numFmtId", "0")): el.get("formatCode", "")
            for el in styles.iter(f"{_MAIN}numFmt")
        }
        xfs = styles.find(f"{_MAIN}cellXfs")
        for xf in [] if xfs is None else xfs.iterfind(f"{_MAIN}xf"):
            fmt_id = int(xf.get("numFmtId", "0"))
            codes.append(custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General"))
    # Only cells whose style has a format other than General matter: match just those
    # opening tags, in C (a sheet has tens of thousands of cells, a handful of formats).
    interesting = [str(i) for i, code in enumerate(codes) if code != "General"]
    if not interesting:
        return out
    parts = _sheet_parts(package)
    tag = re.compile(
        rb'<(?:\w+:)?c\b[^>]*?\ss="(?:' + "|".join(interesting).encode() + rb')"[^>]*>'
    )
    for sheet in sheets:
        part = parts.get(sheet.casefold())
        if part is None:
            continue
        found: dict[tuple[int, int], str] = {}
        for match in tag.finditer(package.read(part)):
            element = match.group(0)
            ref = _REF.search(element)
            style = _STYLE.search(element)
            if ref is None or style is None:
                continue  # a cell without r=: not written by Excel; format unknown
            row, col = int(ref.group(2)), column_index(ref.group(1).decode())
            found[(row, col)] = codes[int(style.group(1))]
        out[sheet] = found
    return out


def _sheet_parts(package: XlsxPackage) -> dict[str, str]:
    """Sheet name (casefolded) -> the zip member holding it (first sheet of a name wins)."""
    from lxml import etree

    book = etree.fromstring(package.read("xl/workbook.xml"), PARSER)
    rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"), PARSER)
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


def _unescape(text: str) -> str:
    """XML character data to text: the five named entities and character references."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED.get(name, match.group(0))


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
    part = _sheet_parts(package).get(sheet.casefold())
    if part is None:
        return {}
    data = package.read(part)
    out: dict[int, str] = {}
    for match in cell.finditer(data):
        inner = match.group(2)
        f = formula.search(inner) if inner else None
        if f is not None:
            text = f.group(1)
            out[int(match.group(1))] = "=" + _unescape(text.decode()) if text else "=<shared>"
    return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def read_merges(
    source: Path | XlsxPackage, sheets: Sequence[str]
) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges of each of ``sheets`` as 1-based ``(min_row, min_col, max_row, max_col)``,
    from the ``<mergeCell ref=...>`` elements of the sheet's XML (a sheet not found: none)."""
    package = _package(source)
    parts = _sheet_parts(package)
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for sheet in sheets:
        part = parts.get(sheet.casefold())
        found: list[tuple[int, int, int, int]] = []
        if part is not None:
            for m in _MERGE.finditer(package.read(part)):
                c1, r1 = column_index(m.group(1).decode()), int(m.group(2))
                c2 = column_index(m.group(3).decode()) if m.group(3) else c1
                r2 = int(m.group(4)) if m.group(4) else r1
                found.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        out[sheet] = found
    return out
