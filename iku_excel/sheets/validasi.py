"""The Validasi sheet: one row per finding, most severe first, each linked to its cell.

The links are ``HYPERLINK`` formulas written with the other values (one block per sheet), not
hyperlink objects; the message rows are sized by estimate (an engine in Excel AutoFits them).
"""

from __future__ import annotations

from collections.abc import Sequence

from iku_excel import contract
from iku_excel.a1 import quote_sheet
from iku_excel.model import Evaluation, Finding
from iku_excel.sheets.formulas import hyperlink_formula
from iku_excel.sheets.spec import BASE_STYLES, PrintSetup, SheetSpec, estimate_height

SEVERITY_LABEL = {"error": "Error", "warning": "Peringatan", "info": "Info"}
VALIDASI_HEADERS = ("NO", "TINGKAT", "ATURAN", "SHEET", "SEL", "KODE", "PESAN")
VALIDASI_WIDTHS = {1: 5, 2: 12, 3: 26, 4: 12, 5: 8, 6: 8, 7: 90}


def _link_target(f: Finding, sheet_names: Sequence[str]) -> str | None:
    if not f.cell or f.sheet not in sheet_names:
        return None
    return f"{quote_sheet(f.sheet)}!{f.cell}"


def build_validasi_sheet(ev: Evaluation) -> SheetSpec:
    settings = ev.workbook.settings
    sheet = SheetSpec(contract.SHEET_VALIDASI, dict(BASE_STYLES), tab_color="C0392B")
    last = len(VALIDASI_HEADERS)
    sheet.put(1, 1, "HASIL VALIDASI WORKBOOK IKU", "title")
    sheet.merges.append((1, 1, 1, last))
    subtitle = " — ".join(
        x for x in (settings.agency, f"Tahun {settings.year}" if settings.year else "") if x
    )
    sheet.put(2, 1, subtitle or None, "subtitle")
    sheet.merges.append((2, 1, 2, last))
    n_info = len(ev.findings) - ev.n_errors - ev.n_warnings
    if ev.findings:
        summary = (
            f"{ev.n_errors} error, {ev.n_warnings} peringatan, {n_info} info. "
            "Perbaiki error lebih dahulu; klik alamat sel untuk menuju selnya. "
            "Penjelasan setiap aturan ada di dokumentasi (docs/rules.md)."
        )
        sheet.put(3, 1, summary, "summary")
    else:
        sheet.put(3, 1, "Tidak ada temuan: semua indikator sesuai aturan. Terima kasih!", "ok")
    sheet.merges.append((3, 1, 3, last))
    header_row = 5
    for col, text in enumerate(VALIDASI_HEADERS, start=1):
        sheet.put(header_row, col, text, "header")
    row = header_row + 1
    width = VALIDASI_WIDTHS[7]
    for n, f in enumerate(ev.findings, start=1):
        sheet.put(row, 1, n, "text_center")
        sheet.put(row, 2, SEVERITY_LABEL[f.severity], f"sev_{f.severity}")
        sheet.put(row, 3, f.rule, "text")
        sheet.put(row, 4, f.sheet, "text")
        target = _link_target(f, ev.workbook.sheet_names)
        link = hyperlink_formula(target, f.cell) if target else None
        if link:
            sheet.put(row, 5, f.cell, "link", formula=link)
        else:
            sheet.put(row, 5, f.cell or None, "text")
        sheet.put(row, 6, f.code or None, "text_center")
        sheet.put(row, 7, f.message, "text")
        sheet.estimated_heights[row] = estimate_height(f.message, width)
        row += 1
    if not ev.findings:
        sheet.put(row, 1, None, "text")
        sheet.put(row, 2, "—", "text_center")
        sheet.put(row, 7, "Tidak ada yang perlu diperbaiki.", "text")
        row += 1
    row = _limit_notes(sheet, row + 1, last)
    sheet.column_widths = dict(VALIDASI_WIDTHS)
    sheet.freeze = (header_row + 1, 1)
    sheet.print_setup = PrintSetup(title_rows=(header_row, header_row), area=(1, 1, row - 1, last))
    return sheet


def _limit_notes(sheet: SheetSpec, row: int, last: int) -> int:
    """What had to change to stay within Excel's limits (cut messages), one merged line each
    from ``row``; returns the row after the last line, or ``row - 1`` when there is none."""
    if not sheet.limit_notes:
        return row - 1
    width = sum(VALIDASI_WIDTHS.values())
    for note in list(sheet.limit_notes):
        sheet.put(row, 1, note, "footnote")
        sheet.merges.append((row, 1, row, last))
        sheet.row_heights[row] = estimate_height(note, width, 12.0)
        row += 1
    return row
