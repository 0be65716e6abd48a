"""The Capaian sheet (the LKjIP table, its footnote and signature block) and the IKU column cells.

:func:`build_capaian_sheet` describes the table grouped by sasaran, with a "Rata-rata" row per
sasaran and the overall row, live formulas with the engine's values cached, predikat colours as
conditional formats over the whole PREDIKAT column (they follow the predikat when a planner edits
a realisasi), and a footnote that prints every formula and setting used. :func:`iku_cells` gives
the IKU sheet's ``Capaian (%)`` cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from iku_excel import contract
from iku_excel.a1 import cell_address, column_letter, quote_sheet
from iku_excel.capaian import predikat_table
from iku_excel.model import (
    Evaluation,
    GroupResult,
    IndicatorResult,
    PredicateScale,
    Settings,
    Value,
)
from iku_excel.sheets.capaian_chart import add_capaian_chart, chart_title
from iku_excel.sheets.footnote import PERIOD_FOOTNOTE, footnote_lines
from iku_excel.sheets.formulas import (
    MAX_LITERAL,
    PredikatLookup,
    cap_expr,
    capaian_expr,
    divisor,
    iku_capaian_formula,
    operand,
    predikat_formula,
    realisasi_operand,
    text_literal,
)
from iku_excel.sheets.lkjip import ExtraColumn, extra_columns, last_year_capaian, period_cells
from iku_excel.sheets.spec import (
    BASE_STYLES,
    DARK_FILLS,
    CellSpec,
    CellValue,
    ConditionalFill,
    PrintSetup,
    SheetSpec,
    cell_spec,
    estimate_height,
)
from iku_excel.text import shown

# --- The Capaian sheet ----------------------------------------------------------------------------


CAPAIAN_HEADERS = (
    "NO",
    "SASARAN STRATEGIS",
    "INDIKATOR KINERJA",
    "SATUAN",
    "KONDISI AWAL",
    "% CAPAIAN {prev}",
    "TARGET {year}",
    "REALISASI {year}",
    "% CAPAIAN {year}",
    "PREDIKAT",
    "TARGET AKHIR",
    "% CAPAIAN TERHADAP TARGET AKHIR",
    "KETERANGAN",
    "KODE",
    "BOBOT",
)
COL_NO, COL_SASARAN, COL_INDICATOR, COL_UNIT, COL_BASELINE, COL_PREV = 1, 2, 3, 4, 5, 6
COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_PREDIKAT = 7, 8, 9, 10
COL_FINAL, COL_VS_FINAL, COL_NOTE, COL_CODE, COL_WEIGHT = 11, 12, 13, 14, 15
LAST_PRINTED_COL = COL_NOTE
#: The predikat scale table, right of the hidden columns: lower bound | label.
COL_SCALE_BOUND, COL_SCALE_LABEL = 17, 18
CAPAIAN_WIDTHS = {
    1: 5,
    2: 30,
    3: 42,
    4: 10,
    5: 11,
    6: 11,
    7: 11,
    8: 11,
    9: 11,
    10: 14,
    11: 11,
    12: 14,
    13: 30,
    14: 8,
    15: 8,
    17: 12,
    18: 16,
}
TITLE = "LAPORAN CAPAIAN INDIKATOR KINERJA UTAMA (IKU)"


def capaian_headers(year: int | None) -> list[str]:
    y = str(year) if year else "TAHUN INI"
    prev = str(year - 1) if year else "TAHUN LALU"
    return [h.format(year=y, prev=prev) for h in CAPAIAN_HEADERS]


def _static(value: Value | None) -> CellValue:
    """The value a cell shows when it is not a formula: a native number as such (percent cells
    scaled), text as the planner typed it."""
    if value is None:
        return None
    p = value.parsed
    if p.status == "ok" and p.kind == "number" and p.value is not None and not p.from_text:
        return p.value
    text = shown(value)
    return text or None


def _ref_cell(value: Value | None, engine_value: CellValue) -> tuple[CellValue, str | None]:
    """(cached value, formula) for a cell mirroring one input cell."""
    op = operand(value)
    if op is not None:
        return engine_value, f'=IF({op.address}="","",{op.expr})'
    return engine_value, None


# long function: the sheet from top to bottom (title, rows, groups, footnote, signature, chart),
# in reading order; splitting it would pass a dozen locals around.
def build_capaian_sheet(ev: Evaluation, notes: dict[str, str], iku_capaian_col: int) -> SheetSpec:
    """The LKjIP capaian table.

    ``notes`` maps :func:`note_key` of an indicator to the KETERANGAN kept from the previous
    Capaian sheet; ``iku_capaian_col`` is the IKU sheet's Capaian (%) column.
    """
    settings = ev.workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    sheet = SheetSpec(contract.SHEET_CAPAIAN, dict(BASE_STYLES), tab_color="1F4E78")
    extras = extra_columns(ev, notes, iku_capaian_col)
    n_extra = len(extras)
    last = COL_WEIGHT + n_extra if extras else LAST_PRINTED_COL
    period = next((r.period for r in ev.indicators if r.period), None)
    header_row = _title_and_header(sheet, settings, last, period)
    for i, extra in enumerate(extras, start=COL_WEIGHT + 1):
        sheet.put(header_row, i, extra.header, "header")
        sheet.put(header_row + 1, i, i - 2, "colnum")  # numbered after the 13 printed columns
    lookup = _scale_table(sheet, scale, header_row, n_extra)
    first = header_row + 2
    row = first
    group_ranges: list[tuple[int, int]] = []
    indicator_rows: list[tuple[int, int]] = []
    number = 0
    for group in ev.sasaran:
        start = row
        for r in group.indicators:
            number += 1
            single = len(group.indicators) == 1
            _indicator_row(sheet, row, number, r, settings, lookup, notes, iku_capaian_col, single)
            _extra_cells(sheet, row, r, extras, settings)
            indicator_rows.append((row, number))
            row += 1
        end = row - 1
        group_ranges.append((start, end))
        sheet.put(start, COL_SASARAN, group.name or "(tanpa sasaran)", "text")
        for rr in range(start + 1, end + 1):
            sheet.put(rr, COL_SASARAN, None, "text")
        if end > start:
            sheet.merges.append((start, COL_SASARAN, end, COL_SASARAN))
        _group_row(
            sheet,
            row,
            group,
            (start, end),
            [(start, end)],
            settings,
            lookup,
            label=("Rata-rata capaian sasaran"),
            label_style="group_label",
            pct_style="group_percent",
            blank_style="group_blank",
            width=COL_WEIGHT + n_extra,
        )
        row += 1
    _group_row(
        sheet,
        row,
        ev.overall,
        (first, row - 1),
        group_ranges,
        settings,
        lookup,
        label="CAPAIAN KINERJA KESELURUHAN (RATA-RATA)"
        if settings.sasaran_aggregation == "Rata-rata"
        else "CAPAIAN KINERJA KESELURUHAN",
        label_style="overall_label",
        pct_style="overall_percent",
        blank_style="overall_blank",
        width=COL_WEIGHT + n_extra,
    )
    sheet.conditional_fills = predikat_fills(scale, first, row)
    row = _footnote(sheet, row + 2, settings, scale, last, period)
    row = _signature(sheet, row + 1, settings, last)
    sheet.column_widths = dict(CAPAIAN_WIDTHS)
    chart_col, title = COL_SCALE_LABEL + n_extra + 2, chart_title(settings.year, period)
    chart_end = add_capaian_chart(
        sheet, indicator_rows, COL_CAPAIAN, header_row, chart_col, row + 1, title
    )
    if extras:
        for col in (COL_SCALE_LABEL, COL_SCALE_BOUND):  # right first: never over the other
            sheet.column_widths[col + n_extra] = sheet.column_widths.pop(col)
        for i, extra in enumerate(extras, start=COL_WEIGHT + 1):
            sheet.column_widths[i] = extra.width
    sheet.hidden_columns = {COL_CODE, COL_WEIGHT}
    sheet.freeze = (first, COL_UNIT)
    sheet.print_setup = PrintSetup(
        title_rows=(header_row, header_row + 1), area=(1, 1, max(row - 1, chart_end or 0), last)
    )
    return sheet


def _extra_cells(
    sheet: SheetSpec,
    row: int,
    r: IndicatorResult,
    extras: Sequence[ExtraColumn],
    settings: Settings,
) -> None:
    """The optional LKjIP columns of an indicator row (:mod:`iku_excel.sheets.lkjip`)."""
    if not extras:
        return
    at = {
        "target": COL_TARGET,
        "realisasi": COL_REALISASI,
        "capaian": COL_CAPAIAN,
        **{e.key: i for i, e in enumerate(extras, start=COL_WEIGHT + 1)},
    }
    for i, extra in enumerate(extras, start=COL_WEIGHT + 1):
        value, formula, style = extra.cell(row, r, at)
        sheet.put(row, i, value, style, formula=formula)
        if extra.text and isinstance(value, str):
            height = estimate_height(value, extra.width)
            sheet.estimated_heights[row] = max(sheet.estimated_heights.get(row, 15.0), height)


def _title_and_header(
    sheet: SheetSpec, settings: Settings, last: int = LAST_PRINTED_COL, period: int | None = None
) -> int:
    """The title lines and the header with its row of column numbers; returns the header row."""
    agency = (settings.agency or "").upper()
    year_line = f"TAHUN {settings.year}" if settings.year else ""
    if period is not None:
        year_line = f"{year_line} {contract.PERIOD_TITLES[period]}".strip()
    title_lines = [TITLE, agency, year_line]
    for i, text in enumerate(title_lines, start=1):
        sheet.put(i, 1, text or None, "title" if i == 1 else "subtitle")
        sheet.merges.append((i, 1, i, last))
    header_row = 5
    headers = capaian_headers(settings.year)
    if period is not None:
        headers = period_headers(headers, settings.year, period)
    for col, text in enumerate(headers, start=1):
        sheet.put(header_row, col, text, "header")
        sheet.put(header_row + 1, col, col, "colnum")
    sheet.row_heights[header_row] = 45
    return header_row


def _footnote(
    sheet: SheetSpec,
    row: int,
    settings: Settings,
    scale: PredicateScale,
    last: int = LAST_PRINTED_COL,
    period: int | None = None,
) -> int:
    """The footnote from ``row``, one merged line each; returns the row after it."""
    width = sum(CAPAIAN_WIDTHS[c] for c in range(1, LAST_PRINTED_COL + 1))
    lines = footnote_lines(settings, scale)
    if period is not None:
        lines.append(PERIOD_FOOTNOTE.format(period=contract.PERIOD_TITLES[period].lower()))
    for line in lines + list(sheet.limit_notes):
        sheet.put(row, 1, line, "footnote")
        sheet.merges.append((row, 1, row, last))
        # merged: Excel's AutoFit would not measure it, so every engine sets this height
        sheet.row_heights[row] = estimate_height(line, width, 12.0)
        row += 1
    return row


def _signature(sheet: SheetSpec, row: int, settings: Settings, last: int = LAST_PRINTED_COL) -> int:
    """The signature block from ``row`` under the right-hand columns; returns the row after it."""
    signature = [
        (f"{settings.city}, {settings.report_date}".strip(", ") or None, "signature"),
        (settings.signer_title or None, "signature"),
        (None, "signature"),
        (None, "signature"),
        (None, "signature"),
        (settings.signer_name or None, "signature_name"),
        (settings.signer_rank or None, "signature"),
        (f"NIP. {settings.signer_nip}" if settings.signer_nip else None, "signature"),
    ]
    sig_first, sig_last = COL_PREDIKAT, last
    for sig_line, style in signature:
        sheet.put(row, sig_first, sig_line, style)
        sheet.merges.append((row, sig_first, row, sig_last))
        row += 1
    return row


def _indicator_row(
    sheet: SheetSpec,
    row: int,
    number: int,
    r: IndicatorResult,
    settings: Settings,
    lookup: PredikatLookup,
    notes: dict[str, str],
    iku_col: int,
    single_row_group: bool,
) -> None:
    ind = r.indicator
    sheet.put(row, COL_NO, number, "text_center")
    sheet.put(row, COL_INDICATOR, ind.indicator, "text")
    sheet.put(row, COL_UNIT, ind.unit or ind.target.parsed.unit or None, "text_center")
    baseline_value = _static(r.baseline)
    cached, formula = _ref_cell(r.baseline, baseline_value)
    sheet.put(row, COL_BASELINE, cached, "number", formula=formula)
    prev = ind.capaian_last_year
    if prev.is_blank:
        prev = last_year_capaian(r, settings.year) or prev
    cached, formula = _ref_cell(prev, _static(prev))
    sheet.put(row, COL_PREV, cached, "percent", formula=formula)
    if r.period is not None:
        _period_row(sheet, row, r, settings)
    else:
        _yearly_cells(sheet, row, r, settings, iku_col)
    pred_ref = cell_address(row, COL_CAPAIAN)
    sheet.put(
        row,
        COL_PREDIKAT,
        r.predicate or "",
        "predikat",
        formula="=" + predikat_formula(pred_ref, lookup),
    )
    final = r.rpjmd.final_target if r.rpjmd else None
    final_value = r.final_target if r.final_target is not None else _static(final)
    cached, formula = (
        _ref_cell(final, final_value) if r.final_target is not None else (_static(final), None)
    )
    sheet.put(row, COL_FINAL, cached, "number", formula=formula)
    h, k = cell_address(row, COL_REALISASI), cell_address(row, COL_FINAL)
    vs_formula = None
    if formula is not None and r.final_target is not None:
        # Same units and a clean Target Akhir: live formula on this row's cells.
        f = settings.negative_formula
        expr = capaian_expr(ind.polarity, f, k, h)
        div = divisor(ind.polarity, f, k, h)
        vs_formula = f'=IF(OR(NOT(ISNUMBER({h})),NOT(ISNUMBER({k}))),"",IF({div}=0,"",{expr}))'
    sheet.put(row, COL_VS_FINAL, r.capaian_vs_final, "percent", formula=vs_formula)
    note = notes.get(note_key(ind.code, ind.indicator), "")
    sheet.put(row, COL_NOTE, note or None, "text")
    sheet.put(row, COL_CODE, ind.code or None, "code")
    cached, formula = _ref_cell(ind.weight, ind.weight.number)
    sheet.put(row, COL_WEIGHT, cached, "code", formula=formula)
    height = max(
        estimate_height(ind.indicator, CAPAIAN_WIDTHS[COL_INDICATOR]),
        estimate_height(note, CAPAIAN_WIDTHS[COL_NOTE]),
    )
    if single_row_group:
        height = max(height, estimate_height(ind.sasaran, CAPAIAN_WIDTHS[COL_SASARAN]))
    sheet.estimated_heights[row] = height


def _yearly_cells(
    sheet: SheetSpec, row: int, r: IndicatorResult, settings: Settings, iku_col: int
) -> None:
    """TARGET, REALISASI and % CAPAIAN of a yearly row."""
    ind = r.indicator
    cached, formula = _ref_cell(ind.target, _static(ind.target))
    sheet.put(row, COL_TARGET, cached, "number", formula=formula)
    rr = realisasi_operand(r)
    if r.kind == "grade":  # show the grade as typed, not its position
        sheet.put(row, COL_REALISASI, r.grade_realisasi or _static(ind.realisasi), "number")
    elif rr is not None:
        rexpr, count = rr
        sheet.put(row, COL_REALISASI, r.realisasi, "number", formula=f'=IF({count}=0,"",{rexpr})')
    else:
        sheet.put(row, COL_REALISASI, r.realisasi, "number")
    # % capaian: the IKU cell, capped
    cap = settings.cap
    if ind.target.ref is not None:
        ref = f"{quote_sheet(ind.target.ref.sheet)}!{cell_address(ind.row, iku_col)}"
        sheet.put(
            row,
            COL_CAPAIAN,
            r.capaian,
            "percent",
            formula=f'=IF(ISNUMBER({ref}),{cap_expr(ref, cap)},"")',
        )
    else:
        sheet.put(row, COL_CAPAIAN, r.capaian, "percent")


def _period_row(sheet: SheetSpec, row: int, r: IndicatorResult, settings: Settings) -> None:
    """TARGET, REALISASI and % CAPAIAN s.d. the reporting period (:mod:`sheets.lkjip`)."""
    at = {"target": COL_TARGET, "realisasi": COL_REALISASI, "capaian": COL_CAPAIAN}
    for col, (value, formula, style) in period_cells(r, row, settings, at).items():
        sheet.put(row, col, value, style, formula=formula)


def period_headers(headers: list[str], year: int | None, period: int) -> list[str]:
    """The headers of a period report: TARGET, REALISASI and % CAPAIAN say "s.d. Triwulan k"."""
    y = str(year) if year else "TAHUN INI"
    title = contract.PERIOD_TITLES[period]
    out = list(headers)
    out[COL_TARGET - 1] = f"TARGET {title} {y}"
    out[COL_REALISASI - 1] = f"REALISASI {title} {y}"
    out[COL_CAPAIAN - 1] = f"% CAPAIAN {title} {y}"
    return out


def note_key(code: str, indicator: str) -> str:
    """How a KETERANGAN is matched across refreshes: by code, else by indicator name."""
    if code.strip():
        return f"code:{code.strip().casefold()}"
    return f"name:{' '.join(indicator.casefold().split())}"


def _group_row(
    sheet: SheetSpec,
    row: int,
    group: GroupResult,
    block: tuple[int, int],
    runs: Sequence[tuple[int, int]],
    settings: Settings,
    lookup: PredikatLookup,
    *,
    label: str,
    label_style: str,
    pct_style: str,
    blank_style: str,
    width: int = COL_WEIGHT,
) -> None:
    """A "Rata-rata" row of a sasaran, or the overall row. ``block`` is the contiguous rows the
    group's indicators sit in (for the overall row with the sasaran rows between them, whose
    target, realisasi and weight cells are empty); ``runs`` the indicator rows alone."""
    # through the hidden columns too: the table's border is then one rectangle, which an
    # engine formatting rectangles (xlwings) applies once instead of once per sasaran
    for col in range(1, width + 1):
        if col not in (COL_SASARAN, COL_INDICATOR, COL_CAPAIAN, COL_PREDIKAT):
            sheet.put(row, col, None, blank_style)
    sheet.put(row, COL_SASARAN, label, label_style)
    sheet.put(row, COL_INDICATOR, None, label_style)
    sheet.merges.append((row, COL_SASARAN, row, COL_INDICATOR))
    formula = _aggregate_formula(group, block, runs, settings)
    sheet.put(row, COL_CAPAIAN, group.capaian, pct_style, formula=formula)
    pred_ref = cell_address(row, COL_CAPAIAN)
    sheet.put(
        row,
        COL_PREDIKAT,
        group.predicate or "",
        "predikat",
        formula="=" + predikat_formula(pred_ref, lookup),
    )


#: AVERAGE takes at most 255 arguments; more sasaran than this get the value, not a formula.
MAX_AVERAGE_RUNS = 200


def _aggregate_formula(
    group: GroupResult,
    block: tuple[int, int],
    runs: Sequence[tuple[int, int]],
    settings: Settings,
) -> str | None:
    """The live formula of a group's capaian, or None when the sheet's cells would not give the
    engine's value. Sums run over whole ranges (``SUM``, ``SUMPRODUCT``), so the length does
    not grow with the indicators; only ``Rata-rata`` lists one range per sasaran."""
    method = settings.sasaran_aggregation
    if not runs:
        return None
    if method == "Rata-rata":
        if len(runs) > MAX_AVERAGE_RUNS:
            return None
        cap_col = column_letter(COL_CAPAIAN)
        spans = ",".join(
            f"{cap_col}{a}:{cap_col}{b}" if a != b else f"{cap_col}{a}" for a, b in runs
        )
        return f'=IF(COUNT({spans})=0,"",AVERAGE({spans}))'
    a, b = block

    def cells(col: int) -> str:
        return f"{column_letter(col)}{a}:{column_letter(col)}{b}"

    if method == "Rasio Jumlah":
        if group.capaian is None or any(
            r.target is None
            or r.realisasi is None
            or operand(r.indicator.target) is None
            or realisasi_operand(r) is None
            for r in group.indicators
        ):
            return None  # SUM over the sheet's cells would not see the same numbers
        ratio = f"SUM({cells(COL_REALISASI)})*100/SUM({cells(COL_TARGET)})"
        return "=" + cap_expr(ratio, settings.cap)
    # Rata-rata Tertimbang over the hidden BOBOT column (empty on the sasaran rows): an empty
    # capaian or weight drops out of both sums, as in the engine.
    c, w = cells(COL_CAPAIAN), cells(COL_WEIGHT)
    den = f"SUMPRODUCT(--ISNUMBER({c}),{w})"
    return f'=IF({den}=0,"",SUMPRODUCT({c},{w})/{den})'


def _scale_table(
    sheet: SheetSpec, scale: PredicateScale, header_row: int, shift: int = 0
) -> PredikatLookup:
    """The active predikat scale as a small table right of the printed area (outside the print
    area), bounds ascending, that the PREDIKAT formulas look up; returns where it is."""
    bottom, rows = predikat_table(scale)
    col_bound, col_label = COL_SCALE_BOUND + shift, COL_SCALE_LABEL + shift
    bound_col, label_col = column_letter(col_bound), column_letter(col_label)
    sheet.put(header_row - 1, col_bound, f"Skala Predikat ({scale.name})", "summary")
    sheet.put(header_row, col_bound, "BATAS BAWAH (≥)", "summary")
    sheet.put(header_row, col_label, "PREDIKAT", "summary")
    row = header_row + 1
    bottom_ref = None
    if bottom is not None:
        sheet.put(row, col_bound, "lainnya", "scale_bound")
        sheet.put(row, col_label, bottom)
        bottom_ref = f"${label_col}${row}"
        row += 1
    first = row
    for bound, label in rows:
        sheet.put(row, col_bound, bound, "scale_bound")
        sheet.put(row, col_label, label)
        row += 1
    if not rows:
        return PredikatLookup(None, None, bottom_ref)
    last = row - 1
    return PredikatLookup(
        f"${bound_col}${first}:${bound_col}${last}",
        f"${label_col}${first}:${label_col}${last}",
        bottom_ref,
    )


def predikat_fills(scale: PredicateScale, first_row: int, last_row: int) -> list[ConditionalFill]:
    """One conditional fill per coloured band of ``scale`` over the PREDIKAT column, rows
    ``first_row`` to ``last_row``: the colour follows the predikat formula's result."""
    return [
        ConditionalFill(
            first_row,
            COL_PREDIKAT,
            last_row,
            COL_PREDIKAT,
            band.label,
            band.colour,
            "FFFFFF" if band.colour in DARK_FILLS else None,
            bold=True,
        )
        for band in scale.bands
        if band.colour and len(text_literal(band.label)) <= MAX_LITERAL
    ]


def iku_cells(ev: Evaluation, capaian_col: int) -> list[CellSpec]:
    cells: list[CellSpec] = []
    for r in ev.indicators:
        r = r.annual or r  # the IKU sheet's Capaian (%) is always the yearly one
        formula = iku_capaian_formula(r, ev.workbook.settings)
        value = "" if formula is not None and r.capaian_raw is None else r.capaian_raw
        cells.append(cell_spec(r.indicator.row, capaian_col, value, formula, "iku_percent"))
    return cells
