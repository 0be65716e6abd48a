"""What the output sheets contain, described once for every engine.

:func:`build_outputs` turns an :class:`~iku_excel.model.Evaluation` into plain descriptions:

- the cells of the IKU sheet's ``Capaian (%)`` column (live formulas with cached values),
- the ``Capaian`` sheet (the LKjIP table, its footnote and signature block),
- the ``Validasi`` sheet (one row per finding, each linked to its cell).

The file engine (:mod:`iku_excel.backends.openpyxl_writer`) and the live-Excel engine apply the
same :class:`SheetSpec`; they differ only in how. No workbook library is imported here.

What varies from row to row is described so that an engine can apply it in a number of calls
that does not grow with the number of indicators: predikat colours are conditional formats over
the whole PREDIKAT column (one :class:`ConditionalFill` per band, and they follow the predikat
when a planner edits a realisasi), the Validasi links are ``HYPERLINK`` formulas in the value
block, and heights of rows of wrapped text are estimates an engine that can measure text
replaces with one AutoFit (:attr:`SheetSpec.estimated_heights`).

Formulas: wherever an input is a clean number (a native number cell, or empty), a cell gets a
native Excel formula that references the ``IKU``/``RPJMD`` cells, so a planner who edits a
realisasi sees the capaian change without running Python. Where an input needed parsing (text
such as ``"80 %"``, a range ``"80–90"``), the computed value is written instead (the finding
``number-stored-as-text`` says so). Every formula cell carries the engine's value as its cached
value. Settings (negative formula, cap, predikat scale) are written into the formulas as
constants and printed in the footnote; changing them needs a refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iku_excel import contract
from iku_excel.a1 import cell_address, column_index, column_letter, quote_sheet
from iku_excel.model import (
    Evaluation,
    Finding,
    GroupResult,
    IndicatorResult,
    PredicateScale,
    Settings,
    Value,
)
from iku_excel.numbers import format_number
from iku_excel.validate import formula_text, shown

CellValue = str | float | int | bool | None


@dataclass(frozen=True)
class Style:
    """An engine-neutral cell style."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    font_color: str | None = None
    fill: str | None = None
    h_align: str | None = None  # "left" | "center" | "right"
    v_align: str | None = "center"
    wrap: bool = False
    border: bool = False
    number_format: str = "General"


@dataclass(frozen=True)
class CellSpec:
    """One cell to write. ``value`` is the value, or a formula's cached value."""

    row: int
    col: int
    value: CellValue
    formula: str | None = None
    style: str = ""

    @property
    def address(self) -> str:
        return cell_address(self.row, self.col)


@dataclass(frozen=True)
class PrintSetup:
    orientation: str = "landscape"
    paper: str = "A4"
    fit_to_width: bool = True
    title_rows: tuple[int, int] | None = None
    area: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col


@dataclass(frozen=True)
class ConditionalFill:
    """A conditional format: the cells of a rectangle whose value equals ``equals`` (as Excel
    compares text: ignoring case) get ``fill`` and, when given, ``font_color`` and bold."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    equals: str
    fill: str
    font_color: str | None = None
    bold: bool = False

    @property
    def operand(self) -> str:
        """``equals`` as an Excel text literal (``"Sangat Tinggi"``), the rule's operand."""
        return text_literal(self.equals)


@dataclass
class SheetSpec:
    """A whole sheet: cells, merges, conditional fills, sizes, freeze panes and print setup.

    Row heights come in two kinds. ``row_heights`` are set by every engine: a designed height
    (a header) or rows of merged cells, whose wrapped text Excel's AutoFit does not measure.
    ``estimated_heights`` are rows sized to their wrapped text: the file engine writes these
    estimates (openpyxl cannot measure text); an engine running in Excel lets Excel AutoFit the
    rows instead, which measures the text better than the estimate.
    """

    name: str
    styles: dict[str, Style]
    cells: list[CellSpec] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    conditional_fills: list[ConditionalFill] = field(default_factory=list)
    column_widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    row_heights: dict[int, float] = field(default_factory=dict)
    estimated_heights: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None  # the top-left cell that is not frozen
    print_setup: PrintSetup = field(default_factory=PrintSetup)
    tab_color: str | None = None

    def put(
        self,
        row: int,
        col: int,
        value: CellValue,
        style: str = "",
        *,
        formula: str | None = None,
    ) -> CellSpec:
        if style and style not in self.styles:
            raise KeyError(f"unknown style {style!r}")
        if formula is not None and value is None:
            value = ""  # what the formula computes when its inputs are empty
        cell = CellSpec(row, col, value, formula, style)
        self.cells.append(cell)
        return cell


@dataclass(frozen=True)
class Outputs:
    """Everything ``refresh`` writes."""

    iku_sheet: str
    iku_header: CellSpec | None  # the "Capaian (%)" header, when the column had to be added
    iku_cells: list[CellSpec]
    capaian: SheetSpec
    validasi: SheetSpec


# --- Styles ---------------------------------------------------------------------------------------

PERCENT_FORMAT = "#,##0.00"
HEADER_FILL = "D9E1F2"
GROUP_FILL = "F2F2F2"
OVERALL_FILL = "DDEBF7"

BASE_STYLES: dict[str, Style] = {
    "title": Style(bold=True, size=14, h_align="center"),
    "subtitle": Style(bold=True, size=12, h_align="center"),
    "header": Style(bold=True, fill=HEADER_FILL, h_align="center", wrap=True, border=True),
    "colnum": Style(italic=True, size=9, fill=GROUP_FILL, h_align="center", border=True),
    "text": Style(wrap=True, v_align="top", border=True),
    "text_center": Style(h_align="center", v_align="top", border=True),
    "number": Style(h_align="right", v_align="top", border=True),
    "percent": Style(h_align="right", v_align="top", border=True, number_format=PERCENT_FORMAT),
    "predikat": Style(bold=True, h_align="center", v_align="top", border=True),
    "group_label": Style(bold=True, italic=True, fill=GROUP_FILL, border=True),
    "group_percent": Style(
        bold=True, fill=GROUP_FILL, border=True, h_align="right", number_format=PERCENT_FORMAT
    ),
    "group_blank": Style(fill=GROUP_FILL, border=True),
    "overall_label": Style(bold=True, fill=OVERALL_FILL, border=True),
    "overall_percent": Style(
        bold=True, fill=OVERALL_FILL, border=True, h_align="right", number_format=PERCENT_FORMAT
    ),
    "overall_blank": Style(fill=OVERALL_FILL, border=True),
    "footnote": Style(italic=True, size=9, wrap=True, v_align="top"),
    "signature": Style(h_align="center"),
    "signature_name": Style(bold=True, underline=True, h_align="center"),
    "summary": Style(bold=True),
    "link": Style(font_color="0563C1", underline=True, border=True, v_align="top"),
    "sev_error": Style(bold=True, font_color="922B21", fill="FADBD8", border=True, v_align="top"),
    "sev_warning": Style(bold=True, font_color="7D6608", fill="FCF3CF", border=True, v_align="top"),
    "sev_info": Style(bold=True, font_color="1B4F72", fill="D6EAF8", border=True, v_align="top"),
    "ok": Style(bold=True, font_color="1E8449", size=12),
    "iku_percent": Style(v_align=None, number_format=PERCENT_FORMAT),
    # wrapped, so the hidden code never overflows into the printed columns
    "code": Style(wrap=True, v_align="top", border=True),
}


#: Predikat colours dark enough to need white text.
DARK_FILLS = frozenset({"1E8449", "E74C3C"})


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
        if band.colour
    ]


# --- Formula helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operand:
    """An input cell as a formula operand.

    ``expr`` computes with it (``(IKU!I5*100)`` for a percent-formatted cell); ``address`` is the
    bare reference, for emptiness tests (``COUNT``, ``=""``); ``blank`` says the cell is empty now
    (the formula still references it, so typing a value later updates the result).
    """

    expr: str
    address: str
    blank: bool


def operand(value: Value | None, *, same_sheet: str | None = None) -> Operand | None:
    """The operand for a clean numeric or empty input cell; None when the value needed parsing
    (text, a range) and must be written as a computed value instead."""
    if value is None or value.ref is None:
        return None
    ref = value.ref
    addr = ref.address if same_sheet == ref.sheet else f"{quote_sheet(ref.sheet)}!{ref.address}"
    p = value.parsed
    if p.status == "missing" and not p.from_text and (p.raw is None or p.raw == ""):
        return Operand(addr, addr, True)
    if p.status != "ok" or p.kind != "number" or p.from_text:
        return None
    return Operand(f"({addr}*100)" if p.percent_scaled else addr, addr, False)


def _capaian_expr(polarity: str, negative_formula: str, t: str, r: str) -> str:
    if polarity != "Negatif":
        return f"{r}*100/{t}"
    return {
        "A": f"(2*{t}-{r})*100/{t}",
        "B": f"{t}*100/{r}",
        "C": f"({t}-{r})*100/{t}",
    }[negative_formula]


def _divisor(polarity: str, negative_formula: str, t: str, r: str) -> str:
    return r if (polarity == "Negatif" and negative_formula == "B") else t


def _cap_expr(expr: str, cap: float | None) -> str:
    if cap is None:
        return expr
    return f"MIN(MAX({expr},0),{_num_literal(cap)})"


def text_literal(text: str) -> str:
    """``text`` as an Excel formula string literal, quotes doubled (``"Sangat Tinggi"``)."""
    return '"' + text.replace('"', '""') + '"'


def _num_literal(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(x)


def predikat_formula(ref: str, scale: PredicateScale) -> str:
    """Nested IFs reading a capaian cell off the predikat scale ("" for an empty capaian)."""
    expr = '""'
    for band in reversed(scale.bands):
        label = text_literal(band.label)
        if band.lower is None:
            expr = label
        else:
            op = ">" if band.strict else ">="
            expr = f"IF({ref}{op}{_num_literal(band.lower)},{label},{expr})"
    return f'IF({ref}="","",{expr})'


def _joined(ops: Sequence[Operand]) -> str:
    """``J5:M5`` for adjacent cells of one row, else ``J5,L5,...``."""
    refs = [o.address for o in ops]
    prefix, _, first = refs[0].rpartition("!")
    cols = [column_index(r.rpartition("!")[2]) for r in refs]
    if cols == list(range(cols[0], cols[0] + len(cols))):
        last = refs[-1].rpartition("!")[2]
        return f"{prefix}!{first}:{last}" if prefix else f"{first}:{last}"
    return ",".join(refs)


def realisasi_operand(r: IndicatorResult, same_sheet: str | None = None) -> tuple[str, str] | None:
    """(expression of the annual realisasi, expression that is 0 when nothing is filled).

    The annual Realisasi wins when filled; otherwise the triwulan values are aggregated by the
    indicator's Agregasi Triwulan. None when an input is not clean (the value is written then).
    """
    ind = r.indicator
    annual = operand(ind.realisasi, same_sheet=same_sheet)
    if annual is None:
        return None
    simple = (annual.expr, f"COUNT({annual.address})")
    if any(q.ref is None for q in ind.quarters):
        return simple
    quarters = [operand(q, same_sheet=same_sheet) for q in ind.quarters]
    clean = [q for q in quarters if q is not None and q.expr == q.address]
    if len(clean) != 4:  # text or percent-formatted quarters: write the value
        return None if any(not q.is_blank for q in ind.quarters) else simple
    if not annual.blank and all(q.blank for q in clean):
        return simple
    span = _joined(clean)
    if ind.quarterly_aggregation == "Jumlah":
        agg = f"SUM({span})"
    elif ind.quarterly_aggregation == "Rata-rata":
        agg = f"AVERAGE({span})"
    else:  # Nilai Akhir, the last filled quarter: IF(TW4<>"",TW4,IF(TW3<>"",TW3,...TW1))
        agg = clean[0].address
        for q in clean[1:]:
            agg = f'IF({q.address}<>"",{q.address},{agg})'
    return (
        f'IF({annual.address}<>"",{annual.expr},{agg})',
        f"COUNT({annual.address},{span})",
    )


def iku_capaian_formula(r: IndicatorResult, settings: Settings) -> str | None:
    """The live formula of the IKU sheet's Capaian (%) cell (raw, uncapped), or None."""
    ind = r.indicator
    sheet = ind.target.ref.sheet if ind.target.ref else None
    t = operand(ind.target, same_sheet=sheet)
    if t is None:
        return None
    rr = realisasi_operand(r, same_sheet=sheet)
    if rr is None:
        return None
    rexpr, count = rr
    f = settings.negative_formula
    expr = _capaian_expr(ind.polarity, f, t.expr, rexpr)
    div = _divisor(ind.polarity, f, t.expr, rexpr)
    return f'=IF(OR({count}=0,NOT(ISNUMBER({t.address}))),"",IF({div}=0,"",{expr}))'


def iku_cells(ev: Evaluation, capaian_col: int) -> list[CellSpec]:
    cells: list[CellSpec] = []
    for r in ev.indicators:
        formula = iku_capaian_formula(r, ev.workbook.settings)
        value = "" if formula is not None and r.capaian_raw is None else r.capaian_raw
        cells.append(CellSpec(r.indicator.row, capaian_col, value, formula, "iku_percent"))
    return cells


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
)
COL_NO, COL_SASARAN, COL_INDICATOR, COL_UNIT, COL_BASELINE, COL_PREV = 1, 2, 3, 4, 5, 6
COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_PREDIKAT = 7, 8, 9, 10
COL_FINAL, COL_VS_FINAL, COL_NOTE, COL_CODE = 11, 12, 13, 14
LAST_PRINTED_COL = COL_NOTE
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


def _estimate_height(text: str, width: float, line: float = 15.0) -> float:
    chars_per_line = max(int(width * 1.1), 1)
    lines = sum(max(1, -(-len(part) // chars_per_line)) for part in text.split("\n"))
    return max(line, lines * line)


def footnote_lines(settings: Settings, scale: PredicateScale) -> list[str]:
    """The formulas and settings used, in Indonesian (the Capaian sheet's footnote)."""
    f = settings.negative_formula
    lines = [
        "Catatan perhitungan (dihitung oleh iku-excel; rumus Excel di sel dapat ditelusuri):",
        "• Capaian indikator berpolaritas positif = Realisasi × 100 / Target.",
        f"• Capaian indikator berpolaritas negatif (rumus {f}) = {formula_text('Negatif', f)}"
        + {
            "A": " — sama dengan (2 − Realisasi/Target) × 100 (PermenPANRB 8/2021).",
            "B": ".",
            "C": " — tingkat penurunan: realisasi sama dengan target memberi 0 %.",
        }[f],
        "• Target berupa rentang: realisasi di dalam rentang = 100 %; di luar rentang dipakai "
        "batas terdekat sebagai target.",
        "• Target 0 (atau realisasi 0 pada rumus B) dan realisasi kosong: capaian dikosongkan "
        "dan tidak ikut rata-rata.",
    ]
    if settings.cap is None:
        lines.append("• Batas atas capaian: tidak ada.")
    else:
        lines.append(
            f"• Batas atas capaian: {format_number(settings.cap, 2, trim=True)} % "
            "(dan batas bawah 0 %); kolom Capaian (%) di sheet IKU memuat nilai "
            "sebelum dibatasi."
        )
    agg = settings.sasaran_aggregation
    agg_text = {
        "Rata-rata": "rata-rata capaian indikatornya",
        "Rata-rata Tertimbang": "rata-rata capaian indikatornya, ditimbang dengan Bobot",
        "Rasio Jumlah": "Σ realisasi × 100 / Σ target indikatornya",
    }[agg]
    lines.append(
        f"• Capaian sasaran dan capaian keseluruhan = {agg_text} (Agregasi Sasaran: {agg})."
    )
    bands = []
    for band in scale.bands:
        if band.lower is None:
            bands.append(f"lainnya {band.label}")
        else:
            op = ">" if band.strict else "≥"
            bands.append(f"{op} {format_number(band.lower, 2, trim=True)} {band.label}")
    lines.append(f"• Predikat ({scale.name}): " + "; ".join(bands) + ".")
    lines.append(
        "• % Capaian terhadap Target Akhir = rumus yang sama dengan Target Akhir "
        "RPJMD sebagai target."
    )
    return lines


def build_capaian_sheet(ev: Evaluation, notes: dict[str, str], iku_capaian_col: int) -> SheetSpec:
    """The LKjIP capaian table.

    ``notes`` maps :func:`note_key` of an indicator to the KETERANGAN kept from the previous
    Capaian sheet; ``iku_capaian_col`` is the IKU sheet's Capaian (%) column.
    """
    settings = ev.workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    sheet = SheetSpec(contract.SHEET_CAPAIAN, dict(BASE_STYLES), tab_color="1F4E78")
    last = LAST_PRINTED_COL
    agency = (settings.agency or "").upper()
    title_lines = [TITLE, agency, f"TAHUN {settings.year}" if settings.year else ""]
    for i, text in enumerate(title_lines, start=1):
        sheet.put(i, 1, text or None, "title" if i == 1 else "subtitle")
        sheet.merges.append((i, 1, i, last))
    header_row = 5
    for col, text in enumerate(capaian_headers(settings.year), start=1):
        sheet.put(header_row, col, text, "header")
        sheet.put(header_row + 1, col, col, "colnum")
    sheet.row_heights[header_row] = 45
    first = header_row + 2
    row = first
    group_ranges: list[tuple[int, int]] = []
    number = 0
    for group in ev.sasaran:
        start = row
        for r in group.indicators:
            number += 1
            single = len(group.indicators) == 1
            _indicator_row(sheet, row, number, r, settings, scale, notes, iku_capaian_col, single)
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
            settings,
            scale,
            label=("Rata-rata capaian sasaran"),
            label_style="group_label",
            pct_style="group_percent",
            blank_style="group_blank",
        )
        row += 1
    _group_row(
        sheet,
        row,
        ev.overall,
        None,
        settings,
        scale,
        label="CAPAIAN KINERJA KESELURUHAN (RATA-RATA)"
        if settings.sasaran_aggregation == "Rata-rata"
        else "CAPAIAN KINERJA KESELURUHAN",
        label_style="overall_label",
        pct_style="overall_percent",
        blank_style="overall_blank",
        overall_ranges=group_ranges,
    )
    sheet.conditional_fills = predikat_fills(scale, first, row)
    row += 2
    width = sum(CAPAIAN_WIDTHS[c] for c in range(1, last + 1))
    for line in footnote_lines(settings, scale):
        sheet.put(row, 1, line, "footnote")
        sheet.merges.append((row, 1, row, last))
        # merged: Excel's AutoFit would not measure it, so every engine sets this height
        sheet.row_heights[row] = _estimate_height(line, width, 12.0)
        row += 1
    row += 1
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
    sheet.column_widths = dict(CAPAIAN_WIDTHS)
    sheet.hidden_columns = {COL_CODE}
    sheet.freeze = (first, COL_UNIT)
    sheet.print_setup = PrintSetup(
        title_rows=(header_row, header_row + 1), area=(1, 1, row - 1, last)
    )
    return sheet


def _indicator_row(
    sheet: SheetSpec,
    row: int,
    number: int,
    r: IndicatorResult,
    settings: Settings,
    scale: PredicateScale,
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
    cached, formula = _ref_cell(prev, _static(prev))
    sheet.put(row, COL_PREV, cached, "percent", formula=formula)
    cached, formula = _ref_cell(ind.target, _static(ind.target))
    sheet.put(row, COL_TARGET, cached, "number", formula=formula)
    rr = realisasi_operand(r)
    if rr is not None:
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
            formula=f'=IF(ISNUMBER({ref}),{_cap_expr(ref, cap)},"")',
        )
    else:
        sheet.put(row, COL_CAPAIAN, r.capaian, "percent")
    pred_ref = cell_address(row, COL_CAPAIAN)
    sheet.put(
        row,
        COL_PREDIKAT,
        r.predicate or "",
        "predikat",
        formula="=" + predikat_formula(pred_ref, scale),
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
        expr = _capaian_expr(ind.polarity, f, k, h)
        div = _divisor(ind.polarity, f, k, h)
        vs_formula = f'=IF(OR(NOT(ISNUMBER({h})),NOT(ISNUMBER({k}))),"",IF({div}=0,"",{expr}))'
    sheet.put(row, COL_VS_FINAL, r.capaian_vs_final, "percent", formula=vs_formula)
    note = notes.get(note_key(ind.code, ind.indicator), "")
    sheet.put(row, COL_NOTE, note or None, "text")
    sheet.put(row, COL_CODE, ind.code or None, "code")
    texts = [(ind.indicator, CAPAIAN_WIDTHS[COL_INDICATOR]), (note, CAPAIAN_WIDTHS[COL_NOTE])]
    if single_row_group:
        texts.append((ind.sasaran, CAPAIAN_WIDTHS[COL_SASARAN]))
    sheet.estimated_heights[row] = max(_estimate_height(t, w) for t, w in texts)


def note_key(code: str, indicator: str) -> str:
    """How a KETERANGAN is matched across refreshes: by code, else by indicator name."""
    if code.strip():
        return f"code:{code.strip().casefold()}"
    return f"name:{' '.join(indicator.casefold().split())}"


def _group_row(
    sheet: SheetSpec,
    row: int,
    group: GroupResult,
    span: tuple[int, int] | None,
    settings: Settings,
    scale: PredicateScale,
    *,
    label: str,
    label_style: str,
    pct_style: str,
    blank_style: str,
    overall_ranges: Sequence[tuple[int, int]] | None = None,
) -> None:
    # through the hidden KODE column too: the table's border is then one rectangle, which an
    # engine formatting rectangles (xlwings) applies once instead of once per sasaran
    for col in range(1, COL_CODE + 1):
        if col not in (COL_SASARAN, COL_INDICATOR, COL_CAPAIAN, COL_PREDIKAT):
            sheet.put(row, col, None, blank_style)
    sheet.put(row, COL_SASARAN, label, label_style)
    sheet.put(row, COL_INDICATOR, None, label_style)
    sheet.merges.append((row, COL_SASARAN, row, COL_INDICATOR))
    ranges = [span] if span is not None else list(overall_ranges or [])
    formula = _aggregate_formula(group, ranges, settings)
    sheet.put(row, COL_CAPAIAN, group.capaian, pct_style, formula=formula)
    pred_ref = cell_address(row, COL_CAPAIAN)
    sheet.put(
        row,
        COL_PREDIKAT,
        group.predicate or "",
        "predikat",
        formula="=" + predikat_formula(pred_ref, scale),
    )


def _aggregate_formula(
    group: GroupResult, ranges: Sequence[tuple[int, int]], settings: Settings
) -> str | None:
    if not ranges or len(ranges) > 200:
        return None
    cap_col = column_letter(COL_CAPAIAN)
    spans = ",".join(f"{cap_col}{a}:{cap_col}{b}" if a != b else f"{cap_col}{a}" for a, b in ranges)
    method = settings.sasaran_aggregation
    if method == "Rata-rata":
        return f'=IF(COUNT({spans})=0,"",AVERAGE({spans}))'
    if method == "Rasio Jumlah":
        if group.capaian is None or any(
            r.target is None
            or r.realisasi is None
            or operand(r.indicator.target) is None
            or realisasi_operand(r) is None
            for r in group.indicators
        ):
            return None  # SUM over the sheet's cells would not see the same numbers
        t_col, r_col = column_letter(COL_TARGET), column_letter(COL_REALISASI)
        ts = ",".join(f"{t_col}{a}:{t_col}{b}" for a, b in ranges)
        rs = ",".join(f"{r_col}{a}:{r_col}{b}" for a, b in ranges)
        return "=" + _cap_expr(f"SUM({rs})*100/SUM({ts})", settings.cap)
    # Rata-rata Tertimbang: explicit terms over the IKU weight cells, when all are clean. An
    # empty capaian (or weight) drops out of both sums, as in the engine.
    terms: list[tuple[str, str]] = []
    rows = [row for a, b in ranges for row in range(a, b + 1)]
    if len(rows) != len(group.indicators):
        return None
    for row, r in zip(rows, group.indicators, strict=True):
        w = operand(r.indicator.weight)
        if w is None:
            return None
        terms.append((f"{cap_col}{row}", w.expr))
    num = "+".join(f"N({c})*{w}" for c, w in terms)
    den = "+".join(f"IF(ISNUMBER({c}),{w},0)" for c, w in terms)
    return f'=IF(({den})=0,"",({num})/({den}))'


# --- The Validasi sheet ---------------------------------------------------------------------------

SEVERITY_LABEL = {"error": "Error", "warning": "Peringatan", "info": "Info"}
VALIDASI_HEADERS = ("NO", "TINGKAT", "ATURAN", "SHEET", "SEL", "KODE", "PESAN")
VALIDASI_WIDTHS = {1: 5, 2: 12, 3: 26, 4: 12, 5: 8, 6: 8, 7: 90}


def _link_target(f: Finding, sheet_names: Sequence[str]) -> str | None:
    if not f.cell or f.sheet not in sheet_names:
        return None
    return f"{quote_sheet(f.sheet)}!{f.cell}"


def hyperlink_formula(location: str, text: str) -> str:
    """``=HYPERLINK("#IKU!Q3","Q3")``: a link to ``location`` inside the workbook showing
    ``text``. A formula, so that it is written with the other values, in one block."""
    return f"=HYPERLINK({text_literal('#' + location)},{text_literal(text)})"


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
        if target:
            sheet.put(row, 5, f.cell, "link", formula=hyperlink_formula(target, f.cell))
        else:
            sheet.put(row, 5, f.cell or None, "text")
        sheet.put(row, 6, f.code or None, "text_center")
        sheet.put(row, 7, f.message, "text")
        sheet.estimated_heights[row] = _estimate_height(f.message, width)
        row += 1
    if not ev.findings:
        sheet.put(row, 1, None, "text")
        sheet.put(row, 2, "—", "text_center")
        sheet.put(row, 7, "Tidak ada yang perlu diperbaiki.", "text")
        row += 1
    sheet.column_widths = dict(VALIDASI_WIDTHS)
    sheet.freeze = (header_row + 1, 1)
    sheet.print_setup = PrintSetup(title_rows=(header_row, header_row), area=(1, 1, row - 1, last))
    return sheet


# --- All outputs ----------------------------------------------------------------------------------


def build_outputs(
    ev: Evaluation, notes: dict[str, str] | None = None, *, capaian_col: int | None = None
) -> Outputs:
    """Describe everything refresh writes. ``capaian_col`` overrides where Capaian (%) goes."""
    layout = ev.workbook.iku_layout
    header: CellSpec | None = None
    col = layout.columns.get("capaian") if capaian_col is None else capaian_col
    if col is None:
        # The first column right of everything in the sheet: never over the planner's data.
        col = max([layout.last_col, *layout.columns.values()]) + 1
        title = next(c.header for c in contract.IKU_COLUMNS if c.key == "capaian")
        header = CellSpec(layout.header_row, col, title, None, "")
    capaian = build_capaian_sheet(ev, notes or {}, col)
    return Outputs(layout.sheet, header, iku_cells(ev, col), capaian, build_validasi_sheet(ev))
