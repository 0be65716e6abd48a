"""Writing the recap workbook (openpyxl): Ringkasan, Per Sasaran, Per Indikator, Temuan, Predikat.

Every data sheet has its header in row 1 (frozen, with an autofilter), Indonesian headers from
the column specs of :mod:`iku_excel.rekap.frames`, and an A4 landscape print setup (fit to page
width, header row repeated on every page). Figures are written as the exact floats of the frames
(openpyxl writes the shortest repr, which reads back as the same float; XlsxWriter would write 16
significant digits, see benchmarks/README.md) and shown with 2 decimals by the number format.

A file name is shown as its name and links to the workbook (relative to the recap when
possible); a finding's cell links to that cell of that workbook.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.header_footer import _HeaderFooterPart as _Part
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from iku_excel.rekap.frames import (
    CHANGE_COLUMNS,
    FAILURE_COLUMNS,
    FINDING_COLUMNS,
    INDICATOR_COLUMNS,
    OPD_COLUMNS,
    SASARAN_COLUMNS,
    Column,
)

if TYPE_CHECKING:
    import pandas as pd

    from iku_excel.rekap.collect import Rekap

SHEET_SUMMARY = "Ringkasan"
SHEET_SASARAN = "Per Sasaran"
SHEET_INDICATORS = "Per Indikator"
SHEET_FINDINGS = "Temuan"
SHEET_PREDICATE = "Predikat"
SHEET_CHANGES = "Tahun ke Tahun"
#: The Predikat sheet's column for indicators without a capaian.
NO_PREDICATE = "Tanpa Predikat"
TITLE = "Rekap Capaian IKU"

PERCENT_FORMAT = "0.00"
#: Columns holding a workbook's path: shown as its name, linked to the file.
FILE_COLUMNS = ("file", "file_before")
_WIDE = {"name": 40, "sasaran": 40, "indicator": 48, "message": 70, "error": 70, "agency": 44}
_NARROW = {"year": 7, "row": 7, "code": 8, "errors": 7, "warnings": 11, "infos": 6}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LINK_FONT = Font(color="0563C1", underline="single")


def write_rekap(rekap: Rekap, out: Path) -> Path:
    """Write the recap workbook of ``rekap`` to ``out`` (created or replaced) and return it."""
    out = Path(out)
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SHEET_SUMMARY
    base = out.resolve().parent
    _summary_sheet(summary, rekap, base)
    _table_sheet(wb.create_sheet(SHEET_SASARAN), SASARAN_COLUMNS, rekap.sasaran, base)
    _table_sheet(wb.create_sheet(SHEET_INDICATORS), INDICATOR_COLUMNS, rekap.indicators, base)
    _table_sheet(wb.create_sheet(SHEET_FINDINGS), FINDING_COLUMNS, rekap.findings, base)
    _predicate_sheet(wb.create_sheet(SHEET_PREDICATE), rekap.indicators, base)
    if len(rekap.changes):
        _table_sheet(wb.create_sheet(SHEET_CHANGES), CHANGE_COLUMNS, rekap.changes, base)
    wb.properties.creator = "iku-excel"
    wb.properties.title = TITLE
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


# --- Cells ----------------------------------------------------------------------------------------


def plain(value: object) -> Any:
    """A frame value as a cell value: ``<NA>`` -> None, numpy scalars -> int/float."""
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


@lru_cache(maxsize=4096)
def _file_target(file: str, base: Path) -> str:
    path = Path(file).resolve()
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_uri()


def link_target(file: str, base: Path, sheet: str = "", cell: str = "") -> str:
    """The hyperlink to ``file`` (relative to ``base`` when possible), optionally to a cell."""
    target = _file_target(file, base)
    if sheet:
        where = "'" + sheet.replace("'", "''") + "'"
        target += f"#{where}!{cell or 'A1'}"
    return target


def _write_rows(
    ws: Worksheet, columns: Sequence[Column], frame: pd.DataFrame, base: Path, first_row: int
) -> int:
    """Write ``frame``'s rows from ``first_row``; returns the last row written."""
    names = [c.name for c in columns]
    percent = [i + 1 for i, c in enumerate(columns) if c.dtype == "Float64" and _is_percent(c)]
    file_cols = [i for i, name in enumerate(names) if name in FILE_COLUMNS]
    cell_col = names.index("cell") if "cell" in names and "sheet" in names else -1
    row = first_row - 1
    records = frame[names].itertuples(index=False, name=None) if len(frame) else []
    for record in records:
        row += 1
        values = [plain(v) for v in record]
        files = {i: values[i] for i in file_cols if isinstance(values[i], str)}
        for i, file in files.items():
            values[i] = Path(file).name
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text that looks like a formula stays text
        for col in percent:
            ws.cell(row=row, column=col).number_format = PERCENT_FORMAT
        for i, file in files.items():
            _link(ws.cell(row=row, column=i + 1), link_target(file, base))
        if cell_col >= 0 and files:
            sheet = str(values[names.index("sheet")] or "")
            target = link_target(
                next(iter(files.values())), base, sheet, str(values[cell_col] or "")
            )
            _link(ws.cell(row=row, column=cell_col + 1), target)
    return row


def _is_percent(c: Column) -> bool:
    return "capaian" in c.name or c.name == "change"


def _link(cell: Any, target: str) -> None:
    cell.hyperlink = target
    cell.font = _LINK_FONT


def _header(ws: Worksheet, columns: Sequence[Column], row: int = 1) -> None:
    """Header cells in ``row``; row 1 also sets the column widths."""
    for col, c in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=c.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        if row != 1:
            continue
        letter = get_column_letter(col)
        width = _WIDE.get(c.name) or _NARROW.get(c.name) or (12 if c.dtype != "string" else 16)
        if c.name == "sha256":
            width = 20
        if c.name in FILE_COLUMNS:
            width = 30
        ws.column_dimensions[letter].width = width


def _print_setup(ws: Worksheet, n_cols: int, last_row: int) -> None:
    """A4 landscape, fit to the page width, header row repeated, title in the page header."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.HeaderFooter.oddHeader = HeaderFooterItem(center=_Part(text=f"{TITLE} — {ws.title}"))
    ws.HeaderFooter.oddFooter = HeaderFooterItem(center=_Part(text="Halaman &P dari &N"))
    ws.print_area = f"A1:{get_column_letter(n_cols)}{max(last_row, 1)}"


def _table_sheet(ws: Worksheet, columns: Sequence[Column], frame: pd.DataFrame, base: Path) -> int:
    """A header row, the frame's rows, frozen header, autofilter, print setup; the last row."""
    _header(ws, columns)
    ws.row_dimensions[1].height = 42  # up to three lines of a wrapped header
    last = _write_rows(ws, columns, frame, base, 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    _print_setup(ws, len(columns), last)
    return last


# --- Ringkasan and Predikat -----------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, rekap: Rekap, base: Path) -> None:
    """One row per workbook; below it, the files that could not be read (and those skipped)."""
    last = _table_sheet(ws, OPD_COLUMNS, rekap.opd, base)
    row = last + 2
    if len(rekap.failures):
        ws.cell(row=row, column=1, value=f"File yang tidak dapat dibaca ({len(rekap.failures)})")
        ws.cell(row=row, column=1).font = _HEADER_FONT
        _header(ws, FAILURE_COLUMNS, row + 1)
        row = _write_rows(ws, FAILURE_COLUMNS, rekap.failures, base, row + 2) + 2
    if rekap.skipped:
        ws.cell(row=row, column=1, value=f"Dilewati: tahun lain ({len(rekap.skipped)} file)")
        ws.cell(row=row, column=1).font = _HEADER_FONT
        for offset, file in enumerate(rekap.skipped, start=1):
            cell = ws.cell(row=row + offset, column=1, value=Path(file).name)
            _link(cell, link_target(file, base))
        row += len(rekap.skipped) + 1
    ws.print_area = f"A1:{get_column_letter(len(OPD_COLUMNS))}{max(row, last, 1)}"


def predicate_labels(indicators: pd.DataFrame) -> list[str]:
    """The predikat labels used, best first (by the mean capaian of their indicators)."""
    if not len(indicators):
        return []
    have = indicators.dropna(subset=["predicate"])
    means = have.groupby("predicate", sort=False)["capaian"].mean()
    return [str(label) for label in means.sort_values(ascending=False, na_position="last").index]


def predicate_counts(indicators: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the Predikat sheet: per workbook, indicators per predikat."""
    labels = predicate_labels(indicators)
    header = ["Instansi", "Tahun", *labels, NO_PREDICATE, "Jumlah", "File"]
    rows: list[list[Any]] = []
    for file, group in indicators.groupby("file", sort=False):
        counts = group["predicate"].value_counts()
        per_label = [int(counts.get(label, 0)) for label in labels]
        missing = int(group["predicate"].isna().sum())
        first = group.iloc[0]
        rows.append(
            [plain(first["agency"]), plain(first["year"]), *per_label, missing, len(group), file]
        )
    return header, rows


def _predicate_sheet(ws: Worksheet, indicators: pd.DataFrame, base: Path) -> None:
    header, rows = predicate_counts(indicators)
    for col, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions[get_column_letter(len(header))].width = 30
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
        file = values[-1]
        cell.value = Path(file).name
        _link(cell, link_target(file, base))
    last = len(rows) + 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
    _print_setup(ws, len(header), last)
    if rows:
        _predicate_chart(ws, len(header) - 3, last)


def _predicate_chart(ws: Worksheet, n_series: int, last: int) -> None:
    """A stacked bar per workbook: how many indicators got each predikat."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Jumlah indikator per predikat"
    chart.y_axis.title = "Indikator"
    data = Reference(ws, min_col=3, max_col=2 + n_series, min_row=1, max_row=last)
    cats = Reference(ws, min_col=1, max_col=2, min_row=2, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.width = 24
    chart.height = min(max(7.5, 0.6 * (last - 1) + 3), 200)
    ws.add_chart(chart, f"{get_column_letter(2 + n_series + 4)}2")
