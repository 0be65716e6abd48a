"""Read the contract sheets of an .xlsx/.xlsm file into plain grids, without writing anything.

Values come from python-calamine (a Rust reader, 15-20x faster than openpyxl here); formula cells
give their cached results, which is what a planner sees in Excel. Number formats (a percent cell
holds 0.8 for 80 %) come from one streaming lxml pass over the sheet's XML and styles.xml.
:func:`read_column_formulas` streams one sheet's XML to tell which cells of a column hold a
formula (for ``refresh --dry-run``'s list of changed cells).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from iku_excel.a1 import column_index, column_letter
from iku_excel.backends.safe_io import check_readable
from iku_excel.errors import NotAnXlsx, WorkbookCorrupt
from iku_excel.model import SheetGrid

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\ss="(\d+)"')


def read_grids(
    path: Path, select: Callable[[Sequence[str]], Sequence[str]] | None = None
) -> tuple[list[str], dict[str, SheetGrid]]:
    """Sheet names of the workbook, and a grid (values + number formats) per selected sheet.

    ``select`` gets the workbook's sheet names and returns the ones to read (default: all).
    Values come from python-calamine (cached results for formula cells, as Excel shows them);
    number formats from one streaming pass over each selected sheet's XML. Raises
    :class:`~iku_excel.errors.CannotProceed` subclasses.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    check_readable(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [sheet.name for sheet in book.sheets_metadata]
        grids: dict[str, SheetGrid] = {}
        wanted = names if select is None else list(select(names))
        formats = _number_formats(path, wanted)
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
    except (CalamineError, zipfile.BadZipFile, KeyError) as exc:
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


def _number_formats(path: Path, sheets: Sequence[str]) -> dict[str, dict[tuple[int, int], str]]:
    """(row, col) -> number format of every cell with a format other than General."""
    from lxml import etree
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as archive:
        codes: list[str] = []
        if "xl/styles.xml" in archive.namelist():
            styles = etree.fromstring(archive.read("xl/styles.xml"), parser)
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
        for sheet in sheets:
            part = _sheet_part(archive, sheet)
            if part is None or not interesting:
                continue
            data = archive.read(part)
            tag = re.compile(
                rb'<(?:\w+:)?c\b[^>]*?\ss="(?:' + "|".join(interesting).encode() + rb')"[^>]*>'
            )
            found: dict[tuple[int, int], str] = {}
            for match in tag.finditer(data):
                element = match.group(0)
                ref = _REF.search(element)
                style = _STYLE.search(element)
                if ref is None or style is None:
                    continue  # a cell without r=: not written by Excel; format unknown
                row, col = int(ref.group(2)), column_index(ref.group(1).decode())
                found[(row, col)] = codes[int(style.group(1))]
            out[sheet] = found
    return out


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` (names compared case-insensitively)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    book = etree.fromstring(archive.read("xl/workbook.xml"), parser)
    rid = next(
        (
            el.get(f"{_REL}id")
            for el in book.iter(f"{_MAIN}sheet")
            if (el.get("name") or "").casefold() == sheet.casefold()
        ),
        None,
    )
    if rid is None:
        return None
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser)
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def read_column_formulas(path: Path, sheet: str, col: int) -> dict[int, str]:
    """Row -> formula (``"=..."``) of the cells of column ``col`` that hold one.

    Scans the sheet's XML with one regular expression for that column's cells, so it stays cheap
    on a 20,000-row sheet. A shared-formula member (no text of its own) is reported as
    ``"=<shared>"``: what matters to the caller is that a formula is there.
    """
    from xml.sax.saxutils import unescape

    letter = column_letter(col).encode()
    cell = re.compile(
        rb'<(?:\w+:)?c\b[^>]*?\sr="' + letter + rb'(\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)',
        re.DOTALL,
    )
    formula = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return {}
        data = archive.read(part)
    out: dict[int, str] = {}
    for match in cell.finditer(data):
        inner = match.group(2)
        f = formula.search(inner) if inner else None
        if f is not None:
            text = f.group(1)
            out[int(match.group(1))] = "=" + unescape(text.decode("utf-8")) if text else "=<shared>"
    return out
