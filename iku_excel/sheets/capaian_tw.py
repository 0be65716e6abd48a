"""The ``Capaian TW`` sheet: the Perjanjian Kinerja monitoring table, per triwulan I..IV.

Built only when the IKU sheet has ``Target TW`` columns (``contract.LKJIP_OPTIONAL_COLUMNS``);
a workbook without them gets no such sheet. One row per indicator, grouped by sasaran like the
Capaian sheet; for each triwulan I..IV three columns: TARGET s.d. TW k, REALISASI s.d. TW k and
% CAPAIAN, by the rule of :mod:`iku_excel.periods` (the same figures a ``Periode Laporan`` of
TW k shows on the Capaian sheet; TW IV is the year). Live formulas referencing the IKU cells
where they are clean numbers (:func:`iku_excel.sheets.lkjip.period_cells`), values otherwise.
"""

from __future__ import annotations

from iku_excel.checks import Findings
from iku_excel.model import Evaluation, IndicatorResult
from iku_excel.periods import _period_result as period_result  # the rule, per triwulan k
from iku_excel.sheets.formulas import operand
from iku_excel.sheets.lkjip import period_cells
from iku_excel.sheets.spec import BASE_STYLES, PrintSetup, SheetSpec, estimate_height
from iku_excel.text import shown

SHEET_CAPAIAN_TW = "Capaian TW"
TITLE = "PEMANTAUAN CAPAIAN PERJANJIAN KINERJA PER TRIWULAN"
QUARTERS = ("I", "II", "III", "IV")
COL_NO, COL_SASARAN, COL_INDICATOR, COL_UNIT, COL_TARGET = 1, 2, 3, 4, 5
FIRST_TW_COL = 6
WIDTHS = {COL_NO: 5, COL_SASARAN: 28, COL_INDICATOR: 40, COL_UNIT: 10, COL_TARGET: 11}


def has_tw_targets(ev: Evaluation) -> bool:
    return any(r.indicator.extras.tw_targets is not None for r in ev.indicators)


def build_capaian_tw_sheet(ev: Evaluation) -> SheetSpec | None:
    """The sheet, or None for a workbook without ``Target TW`` columns."""
    if not has_tw_targets(ev):
        return None
    settings = ev.workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    sheet = SheetSpec(SHEET_CAPAIAN_TW, dict(BASE_STYLES), tab_color="1F4E78")
    last = FIRST_TW_COL + 3 * len(QUARTERS) - 1
    year = str(settings.year) if settings.year else "TAHUN INI"
    lines = [TITLE, (settings.agency or "").upper(), f"TAHUN {year}"]
    for i, text in enumerate(lines, start=1):
        sheet.put(i, 1, text or None, "title" if i == 1 else "subtitle")
        sheet.merges.append((i, 1, i, last))
    top, sub = 5, 6
    for col, text in (
        (COL_NO, "NO"),
        (COL_SASARAN, "SASARAN STRATEGIS"),
        (COL_INDICATOR, "INDIKATOR KINERJA"),
        (COL_UNIT, "SATUAN"),
        (COL_TARGET, f"TARGET {year}"),
    ):
        sheet.put(top, col, text, "header")
        sheet.put(sub, col, None, "header")
        sheet.merges.append((top, col, sub, col))
    for i, q in enumerate(QUARTERS):
        c = FIRST_TW_COL + 3 * i
        sheet.put(top, c, f"TRIWULAN {q}", "header")
        for j in (1, 2):
            sheet.put(top, c + j, None, "header")
        sheet.merges.append((top, c, top, c + 2))
        for j, text in enumerate((f"TARGET s.d. TW {q}", f"REALISASI s.d. TW {q}", "% CAPAIAN")):
            sheet.put(sub, c + j, text, "header")
    sheet.row_heights[sub] = 45
    row = sub + 1
    number = 0
    findings = Findings()  # the Capaian sheet and Validasi report the period findings
    for group in ev.sasaran:
        start = row
        for r in group.indicators:
            number += 1
            _row(sheet, row, number, r.annual or r, ev, findings)
            row += 1
        sheet.put(start, COL_SASARAN, group.name or "(tanpa sasaran)", "text")
        for rr in range(start + 1, row):
            sheet.put(rr, COL_SASARAN, None, "text")
        if row - 1 > start:
            sheet.merges.append((start, COL_SASARAN, row - 1, COL_SASARAN))
    note = (
        "Catatan: Target s.d. TW dari lampiran Perjanjian Kinerja (Agregasi Jumlah: kumulatif, "
        "dijumlah bila target per triwulan); Realisasi s.d. TW = realisasi triwulan yang sudah "
        "diisi menurut Agregasi Triwulan; % capaian dengan rumus polaritas dan batas atas yang "
        "sama dengan sheet Capaian."
    )
    sheet.put(row + 1, 1, note, "footnote")
    sheet.merges.append((row + 1, 1, row + 1, last))
    sheet.row_heights[row + 1] = estimate_height(note, 200, 12.0)
    sheet.column_widths = dict(WIDTHS)
    for c in range(FIRST_TW_COL, last + 1):
        sheet.column_widths[c] = 11
    sheet.freeze = (sub + 1, COL_UNIT)
    sheet.print_setup = PrintSetup(title_rows=(top, sub), area=(1, 1, row + 1, last))
    return sheet


def _row(
    sheet: SheetSpec, row: int, number: int, r: IndicatorResult, ev: Evaluation, out: Findings
) -> None:
    settings = ev.workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    ind = r.indicator
    sheet.put(row, COL_NO, number, "text_center")
    sheet.put(row, COL_INDICATOR, ind.indicator, "text")
    sheet.put(row, COL_UNIT, ind.unit or ind.target.parsed.unit or None, "text_center")
    op = operand(ind.target)
    if op is not None:
        mirror = f'=IF({op.address}="","",{op.expr})'
        sheet.put(row, COL_TARGET, r.target, "number", formula=mirror)
    else:
        sheet.put(row, COL_TARGET, shown(ind.target) or None, "number")
    sheet.estimated_heights[row] = estimate_height(ind.indicator, WIDTHS[COL_INDICATOR])
    for k in range(1, len(QUARTERS) + 1):
        c = FIRST_TW_COL + 3 * (k - 1)
        at = {"target": c, "realisasi": c + 1, "capaian": c + 2}
        rk = period_result(r, k, settings, scale, out)
        for col, (value, formula, style) in period_cells(rk, row, settings, at).items():
            sheet.put(row, col, value, style, formula=formula)
