"""The Capaian sheet's optional LKjIP columns and its period (s.d. triwulan) cells.

:func:`extra_columns` lists the columns a workbook's optional IKU columns add to the Capaian
sheet, right of the hidden KODE/BOBOT columns (so every column of an earlier round keeps its
place, and a workbook without the optional columns gets the same sheet, byte for byte): the
yearly comparison of a period report, the Standar Nasional, up to four earlier years, the
efficiency of resources, and the analysis columns. :func:`period_cells` gives the TARGET,
REALISASI and % CAPAIAN cells of a row s.d. the reporting period.

Efisiensi: PermenPANRB 53/2014 (Bab III, "analisis efisiensi penggunaan sumber daya") asks to
compare the capaian with the resources used; the sheet writes ``Efisiensi = % capaian kinerja −
% serapan anggaran`` (positive: more performance than budget spent), and ``% serapan =
realisasi anggaran × 100 / pagu``, both live formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iku_excel import contract
from iku_excel.a1 import cell_address, quote_sheet
from iku_excel.model import Evaluation, IndicatorResult, Settings, SheetGrid, Value
from iku_excel.periods import period_target
from iku_excel.sheets.formulas import cap_expr, capaian_expr, divisor, operand
from iku_excel.sheets.spec import CellValue

#: A cell: (cached value, formula or None, style).
Cell = tuple[CellValue, str | None, str]
#: (row, result, column of % CAPAIAN's letter map) -> cell.
CellFn = Callable[[int, IndicatorResult, dict[str, int]], Cell]

ANALYSIS_HEADERS = {
    "drivers": "FAKTOR PENDORONG",
    "obstacles": "FAKTOR PENGHAMBAT",
    "follow_up": "TINDAK LANJUT",
}


@dataclass(frozen=True)
class ExtraColumn:
    key: str
    header: str
    width: float
    cell: CellFn
    text: bool = False


def _static(value: Value | None) -> CellValue:
    if value is None:
        return None
    p = value.parsed
    if p.status == "ok" and p.kind == "number" and p.value is not None and not p.from_text:
        return p.value
    return p.raw if isinstance(p.raw, str) and p.raw.strip() else None


def _mirror(value: Value | None, style: str = "number") -> Cell:
    op = operand(value)
    cached = _static(value)
    if op is not None:
        return cached, f'=IF({op.address}="","",{op.expr})', style
    return cached, None, style


def _number(value: Value | None) -> float | None:
    if value is None:
        return None
    p = value.parsed
    return p.value if p.status == "ok" and p.kind == "number" else None


def extra_columns(ev: Evaluation, kept: dict[str, str], iku_capaian_col: int) -> list[ExtraColumn]:
    """The optional columns of this workbook's Capaian sheet, in order (empty for a workbook
    without optional IKU columns). ``kept`` holds the analysis texts of the previous sheet."""
    settings = ev.workbook.settings
    cols = ev.workbook.iku_layout.columns
    year = str(settings.year) if settings.year else "TAHUN INI"
    out: list[ExtraColumn] = []
    if any(r.period for r in ev.indicators):
        out.append(ExtraColumn("annual_target", f"TARGET {year}", 11, _annual_target))
        out.append(
            ExtraColumn(
                "annual_capaian",
                f"% CAPAIAN TERHADAP TARGET {year}",
                14,
                lambda row, r, at: _annual_capaian(r, settings, iku_capaian_col),
            )
        )
    if "national_standard" in cols:
        out.append(
            ExtraColumn(
                "standard",
                "STANDAR NASIONAL",
                11,
                lambda row, r, at: _mirror(r.indicator.extras.national_standard),
            )
        )
    years = sorted({h.year for r in ev.indicators for h in r.indicator.extras.history})
    last_year = settings.year - 1 if settings.year else None
    for y in years:
        out.append(ExtraColumn(f"real{y}", f"REALISASI {y}", 11, _history(y, "realisasi")))
        if y != last_year:  # last year's capaian is the table's own "% CAPAIAN <Y-1>" column
            out.append(ExtraColumn(f"cap{y}", f"% CAPAIAN {y}", 11, _history(y, "capaian")))
    if "budget" in cols or "budget_spent" in cols:
        out += [
            ExtraColumn(
                "budget", "PAGU (RP)", 16, lambda row, r, at: _mirror(r.indicator.extras.budget)
            ),
            ExtraColumn(
                "spent",
                "REALISASI ANGGARAN (RP)",
                16,
                lambda row, r, at: _mirror(r.indicator.extras.budget_spent),
            ),
            ExtraColumn("absorption", "% SERAPAN ANGGARAN", 11, _absorption),
            ExtraColumn("efficiency", "EFISIENSI (% CAPAIAN − % SERAPAN)", 14, _efficiency),
        ]
    for key, header in ANALYSIS_HEADERS.items():
        if key in cols:
            out.append(ExtraColumn(key, header, 28, _analysis(key, header, kept), text=True))
    return out


def _annual_target(row: int, r: IndicatorResult, at: dict[str, int]) -> Cell:
    return _mirror(r.indicator.target)


def _annual_capaian(r: IndicatorResult, settings: Settings, iku_col: int) -> Cell:
    annual = r.annual or r
    ind = r.indicator
    if ind.target.ref is None:
        return annual.capaian, None, "percent"
    ref = f"{quote_sheet(ind.target.ref.sheet)}!{cell_address(ind.row, iku_col)}"
    return annual.capaian, f'=IF(ISNUMBER({ref}),{cap_expr(ref, settings.cap)},"")', "percent"


def _history(year: int, kind: str) -> CellFn:
    def cell(row: int, r: IndicatorResult, at: dict[str, int]) -> Cell:
        for h in r.indicator.extras.history:
            if h.year == year:
                return _mirror(
                    h.realisasi if kind == "realisasi" else h.capaian,
                    "number" if kind == "realisasi" else "percent",
                )
        return None, None, "number"

    return cell


def serapan(r: IndicatorResult) -> float | None:
    """% serapan anggaran: realisasi anggaran × 100 / pagu."""
    pagu, spent = _number(r.indicator.extras.budget), _number(r.indicator.extras.budget_spent)
    if pagu is None or spent is None or pagu == 0:
        return None
    return spent * 100 / pagu


def _absorption(row: int, r: IndicatorResult, at: dict[str, int]) -> Cell:
    p, s = cell_address(row, at["budget"]), cell_address(row, at["spent"])
    formula = f'=IF(OR(NOT(ISNUMBER({p})),NOT(ISNUMBER({s}))),"",IF({p}=0,"",{s}*100/{p}))'
    return serapan(r), formula, "percent"


def _efficiency(row: int, r: IndicatorResult, at: dict[str, int]) -> Cell:
    c, s = cell_address(row, at["capaian"]), cell_address(row, at["absorption"])
    value = None
    absorbed = serapan(r)
    if absorbed is not None and r.capaian is not None:
        value = r.capaian - absorbed
    formula = f'=IF(OR(NOT(ISNUMBER({c})),NOT(ISNUMBER({s}))),"",{c}-{s})'
    return value, formula, "percent"


def kept_key(header: str, note_key: str) -> str:
    """How an analysis text of the previous Capaian sheet is found again (by column, then
    indicator)."""
    return f"{contract.normalise_header(header)}\x1f{note_key}"


def _analysis(key: str, header: str, kept: dict[str, str]) -> CellFn:
    from iku_excel.sheets.capaian import note_key

    def cell(row: int, r: IndicatorResult, at: dict[str, int]) -> Cell:
        ind = r.indicator
        typed = kept.get(kept_key(header, note_key(ind.code, ind.indicator)))
        value = typed if typed else getattr(ind.extras, key)
        return value or None, None, "text"

    return cell


def period_cells(
    r: IndicatorResult, row: int, settings: Settings, at: dict[str, int]
) -> dict[int, Cell]:
    """TARGET, REALISASI and % CAPAIAN of a row s.d. the period (``r.period``), as live formulas
    where the IKU cells are clean numbers."""
    assert r.period is not None
    k = r.period
    ind = r.indicator
    target = period_target(r.annual or r, k)
    ops = [operand(v) for v in target.cells]
    t_formula = None
    if ops and all(o is not None for o in ops):
        refs = ",".join(o.expr for o in ops if o is not None)
        addrs = ",".join(o.address for o in ops if o is not None)
        t_formula = f'=IF(COUNT({addrs})=0,"",SUM({refs}))'
    q_ops = [operand(q) for q in ind.quarters[:k]]
    r_formula = None
    if q_ops and all(o is not None and o.expr == o.address for o in q_ops):
        addrs_q = [o.address for o in q_ops if o is not None]
        span = ",".join(addrs_q)
        if ind.quarterly_aggregation == "Jumlah":
            agg = f"SUM({span})"
        elif ind.quarterly_aggregation == "Rata-rata":
            agg = f"AVERAGE({span})"
        else:
            agg = addrs_q[0]
            for a in addrs_q[1:]:
                agg = f'IF({a}<>"",{a},{agg})'
        r_formula = f'=IF(COUNT({span})=0,"",{agg})'
    t, h = cell_address(row, at["target"]), cell_address(row, at["realisasi"])
    f = settings.negative_formula
    expr = cap_expr(capaian_expr(ind.polarity, f, t, h), settings.cap)
    div = divisor(ind.polarity, f, t, h)
    c_formula = f'=IF(OR(NOT(ISNUMBER({h})),NOT(ISNUMBER({t}))),"",IF({div}=0,"",{expr}))'
    return {
        at["target"]: (r.target, t_formula, "number"),
        at["realisasi"]: (r.realisasi, r_formula, "number"),
        at["capaian"]: (r.capaian, c_formula, "percent"),
    }


def read_kept_analysis(grid: SheetGrid | None) -> dict[str, str]:
    """The analysis texts (FAKTOR PENDORONG, ...) of an existing Capaian sheet, keyed by
    :func:`kept_key`, found by header and the hidden KODE column, like KETERANGAN."""
    from iku_excel.sheets.capaian import COL_CODE, COL_INDICATOR, note_key

    if grid is None:
        return {}
    wanted = {contract.normalise_header(h): h for h in ANALYSIS_HEADERS.values()}
    for row in range(1, min(grid.n_rows, 40) + 1):
        heads = [contract.normalise_header(v) for v in grid.values[row - 1]]
        cols = {wanted[h]: i + 1 for i, h in enumerate(heads) if h in wanted}
        if cols:
            break
    else:
        return {}
    kept: dict[str, str] = {}
    for r in range(row + 1, grid.n_rows + 1):
        name = _cell_text(grid.value(r, COL_INDICATOR))
        code = _cell_text(grid.value(r, COL_CODE))
        if not (code or name):
            continue
        for header, col in cols.items():
            typed = _cell_text(grid.value(r, col))
            if typed:
                kept.setdefault(kept_key(header, note_key(code, name)), typed)
    return kept


def _cell_text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def last_year_capaian(r: IndicatorResult, year: int | None) -> Value | None:
    """``Capaian <Y-1>`` from the history columns, for the table's "% CAPAIAN <Y-1>" column when
    the IKU sheet's ``Capaian Tahun Lalu`` is empty."""
    if year is None:
        return None
    for h in r.indicator.extras.history:
        if h.year == year - 1 and h.capaian is not None and not h.capaian.is_blank:
            return h.capaian
    return None
