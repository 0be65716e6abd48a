"""Indicator kinds beyond a plain number: grade (ordinal) and composite indicators, and polaritas
inferred from the name.

**Grade indicators** (Opini BPK ``WTP``, nilai SAKIP ``BB``, level maturitas ``3``, mutu IKM
``Baik``): a row is a grade row when its ``Satuan`` names a grade scale (``Opini BPK``, ``Nilai
SAKIP``, ``Level Maturitas``, ``Mutu IKM`` or a scale of the workbook's ``Skala Nilai`` block), or
when its target or realisasi is not a number but a grade (:func:`iku_excel.grades.detect_scale`).
Capaian: 100 % when the realisasi reaches the target grade, otherwise position(realisasi) /
position(target) × 100 (positions from the worst grade = 1); with the setting ``Capaian Nilai di
Bawah Target`` = Nol, 0 %. The live formula is ``MATCH`` on the scale written as an array
constant (``MATCH(N5,{"TMP","TW","WDP","WTP"},0)``), baked in like the other settings.

**Composite indicators**: with ``Pembilang`` and ``Penyebut`` both filled (and Penyebut not 0),
realisasi = Pembilang / Penyebut × factor, where the factor is 100 for a ``%`` unit, N for a unit
``per N ...`` (``per 100.000 KH``), else 1. A typed realisasi that disagrees (beyond the decimals
typed) is ``composite-realisasi-mismatch``; only one of the two filled, or Penyebut 0, is
``invalid-composite``.

**Polaritas**: an empty Polaritas (in the IKU and in the matching RPJMD row) on an indicator whose
name implies Negatif (:func:`iku_excel.polarity.infer_polarity`: "Angka kematian ibu") is read as
Negatif, with the warning ``polarity-inferred``; never a silently positive mortality rate.
"""

from __future__ import annotations

import re
from dataclasses import replace

from iku_excel import contract
from iku_excel.a1 import cell_address
from iku_excel.capaian import apply_cap, predikat
from iku_excel.checks import Findings
from iku_excel.grades import (
    DEFAULT_SCALES,
    GradeMode,
    GradeScale,
    ScaleDetection,
    detect_scale,
    find_scale,
    grade_candidates,
    grade_capaian,
    scale_from_table,
)
from iku_excel.model import (
    CellRef,
    Finding,
    IkuIndicator,
    IndicatorResult,
    PredicateScale,
    RpjmdIndicator,
    Settings,
    SheetGrid,
    TableLayout,
    Value,
)
from iku_excel.numbers import normalise_unit, parse_number
from iku_excel.polarity import infer_polarity
from iku_excel.reported import matches_typed, typed_decimals
from iku_excel.rules import make_finding
from iku_excel.text import fmt, shown

_HEADER_SCAN = 60


# --- The Skala Nilai block ------------------------------------------------------------------------


def read_grade_scales(grid: SheetGrid | None, findings: list[Finding]) -> tuple[GradeScale, ...]:
    """The grade scales of a Pengaturan grid: its ``Skala Nilai | Nilai | Urutan`` block (rows
    of scale name, grade, rank from the worst = 1; an empty scale name continues the one above)
    over the built-in scales; a scale of the block replaces the built-in of the same name (its
    aliases kept for the labels it still has). Problems: ``invalid-grade-scale``, and the
    built-in scale is used."""
    if grid is None:
        return DEFAULT_SCALES
    origin = _find_block(grid)
    if origin is None:
        return DEFAULT_SCALES
    row0, col = origin
    tables: dict[str, list[tuple[object, object]]] = {}
    current = ""
    for row in range(row0 + 1, grid.n_rows + 1):
        name, label, rank = (grid.value(row, col + i) for i in range(3))
        if all(v is None or str(v).strip() == "" for v in (name, label, rank)):
            break
        current = " ".join(str(name).split()) if name not in (None, "") else current
        tables.setdefault(current, []).append((label, rank))
    scales = list(DEFAULT_SCALES)
    for name, rows in tables.items():
        scale, problems = scale_from_table(rows, name or "Skala Kustom")
        if scale is None:
            findings.append(
                make_finding(
                    "invalid-grade-scale",
                    sheet=grid.name,
                    cell=cell_address(row0, col),
                    scale=name or "(tanpa nama)",
                    problems="; ".join(p.message for p in problems),
                )
            )
            continue
        builtin = find_scale(name, DEFAULT_SCALES)
        if builtin is not None:
            aliases = tuple(a for a in builtin.aliases if a[1] in scale.labels)
            scale = GradeScale(builtin.name, scale.labels, aliases)
            scales[scales.index(builtin)] = scale
        else:
            scales.append(scale)
    return tuple(scales)


def _find_block(grid: SheetGrid) -> tuple[int, int] | None:
    keys = [contract.normalise_header(h) for h in contract.GRADE_SCALE_HEADER]
    for row in range(1, min(grid.n_rows, _HEADER_SCAN) + 1):
        for col, value in enumerate(grid.values[row - 1], start=1):
            if value is None or contract.normalise_header(value) != keys[0]:
                continue
            rest = [contract.normalise_header(grid.value(row, col + i)) for i in (1, 2)]
            if rest == keys[1:]:
                return row, col
    return None


# --- Grade indicators -----------------------------------------------------------------------------


def detect_grade(ind: IkuIndicator, settings: Settings) -> ScaleDetection | None:
    """The grade scale of an indicator row, or ``None`` when it is a number indicator."""
    scales = settings.grade_scales
    unit_scale = find_scale(ind.unit, scales) if ind.unit else None
    cells = (ind.target.parsed, ind.realisasi.parsed)
    numeric = all(p.status in ("ok", "missing") for p in cells)
    if unit_scale is None and numeric:
        return None
    det = detect_scale(cells[0].raw, cells[1].raw, scales, scale=unit_scale)
    if det.status == "none" and unit_scale is None:
        return None
    return det


def evaluate_grade(
    ind: IkuIndicator,
    det: ScaleDetection,
    settings: Settings,
    rpjmd_match: RpjmdIndicator | None,
    scale: PredicateScale,
    out: Findings,
) -> IndicatorResult:
    """The result of a grade indicator (``kind="grade"``; target/realisasi are positions)."""
    t_ref = ind.target.ref or ind.realisasi.ref
    capaian: float | None = None
    if det.status != "ok" or det.scale is None:
        out.add(
            "grade-unreadable", t_ref, code=ind.code, indicator=ind.indicator, reason=det.reason
        )
    else:
        if det.target is None:
            out.add(
                "missing-target",
                ind.target.ref,
                code=ind.code,
                indicator=ind.indicator,
                year=settings.year or "berjalan",
                hint="",
            )
        if det.realisasi is None:
            out.add(
                "missing-realisasi",
                ind.realisasi.ref,
                code=ind.code,
                indicator=ind.indicator,
                value_note="",
            )
        if det.target is not None and det.realisasi is not None:
            mode: GradeMode = "nol" if settings.grade_mode == "Nol" else "rasio"
            capaian = grade_capaian(det.target, det.realisasi, mode)
            _check_reported_grade(ind, capaian, det, out)
    capped = apply_cap(capaian, settings.cap)
    t_pos = float(det.target.position) if det.target else None
    r_pos = float(det.realisasi.position) if det.realisasi else None
    return IndicatorResult(
        indicator=ind,
        target=t_pos,
        target_low=t_pos,
        target_high=t_pos,
        realisasi=r_pos,
        realisasi_from_quarters=False,
        capaian_raw=capaian,
        capaian=capped,
        capaian_vs_final=None,
        predicate=predikat(scale, capped),
        rpjmd=rpjmd_match,
        final_target=None,
        baseline=rpjmd_match.baseline if rpjmd_match is not None else None,
        effective_target=t_pos,
        kind="grade",
        grade_scale=det.scale.name if det.scale else None,
        grade_target=det.target.label if det.target else None,
        grade_realisasi=det.realisasi.label if det.realisasi else None,
    )


def _check_reported_grade(
    ind: IkuIndicator, capaian: float, det: ScaleDetection, out: Findings
) -> None:
    reported = ind.reported_capaian.parsed
    if reported.status != "ok" or reported.kind != "number" or reported.value is None:
        return
    if matches_typed(reported.value, capaian, typed_decimals(reported)):
        return
    assert det.target is not None and det.realisasi is not None and det.scale is not None
    formula = (
        f"nilai {det.realisasi.label} (urutan {det.realisasi.position}) terhadap target "
        f"{det.target.label} (urutan {det.target.position}) pada skala {det.scale.name}"
    )
    out.add(
        "reported-capaian-mismatch",
        ind.reported_capaian.ref,
        code=ind.code,
        value=fmt(reported.value),
        formula=formula,
        expected=fmt(capaian),
        hint="",
    )


def is_grade_text(value: Value, scales: tuple[GradeScale, ...] = DEFAULT_SCALES) -> bool:
    """True when a cell that is not a number reads as a grade (an RPJMD target ``WTP``)."""
    p = value.parsed
    return p.status == "invalid" and bool(grade_candidates(p.raw, scales))


def grade_formula(r: IndicatorResult, settings: Settings) -> str | None:
    """The live Capaian (%) formula of a grade row: ``MATCH`` on the scale as an array constant.

    None (the value is written) when a cell holds an alias rather than the scale's label."""
    ind = r.indicator
    scale = find_scale(r.grade_scale or "", settings.grade_scales)
    t, rr = ind.target, ind.realisasi
    if scale is None or t.ref is None or rr.ref is None:
        return None
    for value in (t, rr):
        raw = value.parsed.raw
        if raw is None:
            continue
        text = str(int(raw)) if isinstance(raw, int | float) else str(raw).strip()
        if text.casefold() not in {label.casefold() for label in scale.labels}:
            return None
    labels = ",".join('"' + label.replace('"', '""') + '"' for label in scale.labels)
    mt = f'MATCH({t.ref.address}&"",{{{labels}}},0)'
    mr = f'MATCH({rr.ref.address}&"",{{{labels}}},0)'
    below = "0" if settings.grade_mode == "Nol" else f"{mr}*100/{mt}"
    return (
        f'=IF(OR({t.ref.address}="",{rr.ref.address}=""),"",IFERROR(IF({mr}>={mt},100,{below}),""))'
    )


# --- Composite indicators -------------------------------------------------------------------------

_PER_N = re.compile(r"\bper\s*([\d.,]+)")


def composite_factor(ind: IkuIndicator) -> float:
    """100 for a ``%`` unit, N for ``per N ...``, else 1."""
    unit = ind.unit or ""
    if normalise_unit(unit) == "%":
        return 100.0
    match = _PER_N.search(unit.casefold())
    if match:
        parsed = parse_number(match.group(1))
        if parsed.status == "ok" and parsed.value:
            return parsed.value
    return 1.0


def composite_realisasi(ind: IkuIndicator, typed: float | None, out: Findings) -> float | None:
    """Realisasi from Pembilang / Penyebut, or None (then the typed realisasi is used)."""
    num, den = ind.numerator, ind.denominator
    if num is None or den is None or (num.is_blank and den.is_blank):
        return None
    pn, pd = num.parsed, den.parsed
    if pn.status != "ok" or pd.status != "ok" or pn.kind != "number" or pd.kind != "number":
        if pn.status == "missing" or pd.status == "missing":
            blank = num if pn.status == "missing" else den
            out.add(
                "invalid-composite",
                blank.ref,
                code=ind.code,
                indicator=ind.indicator,
                problem="hanya satu dari Pembilang dan Penyebut yang diisi",
            )
        return None
    assert pn.value is not None and pd.value is not None
    if pd.value == 0:
        out.add(
            "invalid-composite",
            den.ref,
            code=ind.code,
            indicator=ind.indicator,
            problem="Penyebut bernilai 0",
        )
        return None
    factor = composite_factor(ind)
    value = pn.value * factor / pd.value
    reported = ind.realisasi.parsed
    if (
        typed is not None
        and reported.status == "ok"
        and not matches_typed(typed, value, typed_decimals(reported))
    ):
        times = f" × {fmt(factor)}" if factor != 1 else ""
        out.add(
            "composite-realisasi-mismatch",
            ind.realisasi.ref,
            code=ind.code,
            value=shown(ind.realisasi),
            formula=f"{fmt(pn.value)} / {fmt(pd.value)}{times}",
            expected=fmt(value),
        )
    return value


def composite_expr(ind: IkuIndicator, same_sheet: str | None) -> tuple[str, str] | None:
    """(Pembilang×factor/Penyebut, condition that both are usable) for the live formulas."""
    num, den = ind.numerator, ind.denominator
    if num is None or den is None or num.ref is None or den.ref is None:
        return None
    if num.is_blank and den.is_blank:
        return None
    for value in (num, den):
        p = value.parsed
        if p.status != "ok" or p.kind != "number" or p.from_text or p.percent_scaled:
            return None

    def addr(ref: CellRef) -> str:
        return ref.address if same_sheet == ref.sheet else f"'{ref.sheet}'!{ref.address}"

    n, d = addr(num.ref), addr(den.ref)
    factor = composite_factor(ind)
    times = "" if factor == 1 else f"*{fmt_literal(factor)}"
    return f"({n}{times}/{d})", f"AND(COUNT({n},{d})=2,N({d})<>0)"


def fmt_literal(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(x)


# --- Polaritas ------------------------------------------------------------------------------------


def infer_missing_polarity(
    ind: IkuIndicator, match: RpjmdIndicator | None, layout: TableLayout, out: Findings
) -> IkuIndicator:
    """An indicator with no Polaritas anywhere whose name implies Negatif: read as Negatif."""
    if ind.polarity_given or (match is not None and match.polarity_given):
        return ind
    polarity, phrase = infer_polarity(ind.indicator)
    if polarity != "Negatif":
        return ind
    col = layout.columns.get("polarity") or layout.columns["indicator"]
    out.add(
        "polarity-inferred",
        CellRef(layout.sheet, ind.row, col),
        code=ind.code,
        indicator=ind.indicator,
        phrase=phrase,
        polarity=polarity,
    )
    return replace(ind, polarity=polarity)
