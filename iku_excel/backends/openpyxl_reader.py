"""Read the contract sheets of an .xlsx/.xlsm file into plain grids (openpyxl, read-only mode).

Read-only, streaming reads keep memory flat on large workbooks and never write. Formula cells
give their cached results (``data_only=True``), which is what a planner sees in Excel.
:func:`read_column_formulas` streams one sheet's XML to tell which cells of a column hold a
formula (for ``refresh --dry-run``'s list of changed cells).
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from iku_excel.backends.safe_io import NotAnXlsx, WorkbookCorrupt, check_readable
from iku_excel.model import SheetGrid, column_index

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_grids(
    path: Path, select: Callable[[Sequence[str]], Sequence[str]] | None = None
) -> tuple[list[str], dict[str, SheetGrid]]:
    """Sheet names of the workbook, and a grid (values + number formats) per selected sheet.

    ``select`` gets the workbook's sheet names and returns the ones to read (default: all).
    Raises :class:`~iku_excel.backends.safe_io.CannotProceed` subclasses.
    """
    check_readable(path)
    # openpyxl warns about extensions it does not read (x14 validations, slicers...) while it
    # loads and while it streams rows; the workbook is only read here, so they are noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read(path, select)


def _read(
    path: Path, select: Callable[[Sequence[str]], Sequence[str]] | None
) -> tuple[list[str], dict[str, SheetGrid]]:
    import openpyxl  # lazy: `import iku_excel` stays fast
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile) as exc:
        raise NotAnXlsx(path, str(exc)) from exc
    except Exception as exc:  # any other parse failure means a damaged package
        raise WorkbookCorrupt(path, f"{type(exc).__name__}: {exc}") from exc
    try:
        names = list(book.sheetnames)
        grids: dict[str, SheetGrid] = {}
        for name in names if select is None else select(names):
            ws = book[name]
            if not hasattr(ws, "iter_rows"):
                continue  # a chartsheet
            values: list[list[object]] = []
            formats: list[list[str | None]] = []
            for row in ws.iter_rows():
                values.append([getattr(c, "value", None) for c in row])
                formats.append([getattr(c, "number_format", None) for c in row])
            while values and all(v is None for v in values[-1]):
                values.pop()
                formats.pop()
            grids[name] = SheetGrid(name, values, formats)
        return names, grids
    finally:
        book.close()


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

    Streams the sheet's XML and keeps nothing else, so it stays cheap on a 20,000-row sheet.
    A shared-formula member (no text of its own) is reported as ``"=<shared>"``: what matters
    to the caller is that a formula is there.
    """
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return {}
        out: dict[int, str] = {}
        with archive.open(part) as stream:
            for _, cell in etree.iterparse(
                stream, events=("end",), tag=f"{_MAIN}c", resolve_entities=False, no_network=True
            ):
                ref = cell.get("r") or ""
                if column_index(ref) == col:
                    f = cell.find(f"{_MAIN}f")
                    if f is not None:
                        row = int("".join(ch for ch in ref if ch.isdigit()))
                        out[row] = "=" + f.text if f.text else "=<shared>"
                cell.clear()
        return out
