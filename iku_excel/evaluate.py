"""Compute every figure of a workbook and collect every finding: :func:`evaluate`.

Input: the :class:`~iku_excel.model.IkuWorkbook` made by :mod:`iku_excel.reader`. Output: an
:class:`~iku_excel.model.Evaluation` with one result per indicator, per sasaran and overall, and
the findings sorted most severe first. Per indicator: the figures (:func:`_figures`), the typed
capaian checked against them (:func:`_check_reported`) and the indicator against the RPJMD
(:func:`_against_rpjmd`). Bad data never raises: it becomes a finding, and the value concerned is
left out (never turned into 0). Checks of single cells are in :mod:`iku_excel.checks`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

from iku_excel import contract
from iku_excel.aggregates import check_number_style, check_typed_aggregates
from iku_excel.capaian import (
    CapaianResult,
    aggregate_quarters,
    apply_cap,
    mean,
    point_capaian,
    predikat,
    range_capaian,
    ratio_of_sums,
    weighted_mean,
)
from iku_excel.checks import (
    Findings,
    check_duplicate_codes,
    check_number,
    check_rpjmd,
    norm_code,
    quiet,
    same_number,
)
from iku_excel.fold import fold_findings
from iku_excel.kinds import (
    composite_realisasi,
    detect_grade,
    evaluate_grade,
    infer_missing_polarity,
)
from iku_excel.lkjip import check_lkjip
from iku_excel.model import (
    CellRef,
    Evaluation,
    Finding,
    GroupResult,
    IkuIndicator,
    IkuWorkbook,
    IndicatorResult,
    PredicateScale,
    RpjmdIndicator,
    Settings,
    TableLayout,
    Value,
)
from iku_excel.numbers import ParsedNumber, normalise_unit
from iku_excel.periods import period_results
from iku_excel.reported import explain, matches_typed, suggested, typed_decimals
from iku_excel.slots import slot_builder
from iku_excel.text import fmt, formula_numbers, formula_text, shown, with_unit

IKU_HEADERS = {c.key: c.header for c in contract.IKU_COLUMNS}
OVERALL_NAME = "Capaian Kinerja Keseluruhan"


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _norm_name(name: str) -> str:
    return _NOT_ALNUM.sub(" ", name.casefold()).strip()


def _capaian(target: ParsedNumber, realisasi: float, polarity: str, formula: str) -> CapaianResult:
    pol = "Negatif" if polarity == "Negatif" else "Positif"
    neg = formula if formula in ("A", "B", "C") else "A"
    if target.kind == "range" and target.low is not None and target.high is not None:
        return range_capaian(target.low, target.high, realisasi, pol, neg)  # type: ignore[arg-type]
    assert target.value is not None
    return point_capaian(target.value, realisasi, pol, neg)  # type: ignore[arg-type]


_typed_decimals = typed_decimals  # moved to iku_excel.reported (shared with typed averages)
_matches_typed = matches_typed


# --- Per indicator --------------------------------------------------------------------------------


def _realisasi(ind: IkuIndicator, out: Findings) -> tuple[float | None, bool]:
    """Annual realisasi and whether it came from the quarters."""
    quarter_values: list[float | None] = []
    quarters_bad = False
    for q in ind.quarters:
        p = q.parsed
        if p.status == "ok" and p.kind != "range":
            quarter_values.append(p.value)
        else:
            quarter_values.append(None)
            quarters_bad = quarters_bad or p.status != "missing" or p.kind == "range"
    from_quarters = (
        None if quarters_bad else aggregate_quarters(quarter_values, ind.quarterly_aggregation)
    )
    annual = ind.realisasi.number if ind.realisasi.parsed.kind != "range" else None
    if annual is not None:
        if from_quarters is not None and not same_number(annual, from_quarters):
            out.add(
                "quarterly-mismatch",
                ind.realisasi.ref,
                code=ind.code,
                value=fmt(annual),
                method=ind.quarterly_aggregation.lower(),
                expected=fmt(from_quarters),
            )
        return annual, False
    if ind.realisasi.parsed.status != "missing":
        return None, False  # invalid annual value: already reported
    return from_quarters, from_quarters is not None


class _Figures(NamedTuple):
    """What one indicator's inputs give: the target read, the realisasi and the capaian (a
    tuple: one is made per indicator, and a frozen dataclass's ``__init__`` costs more)."""

    target: ParsedNumber
    t_point: float | None
    realisasi: float | None
    from_quarters: bool
    result: CapaianResult
    raw: float | None
    capped: float | None


def _check_inputs(ind: IkuIndicator, out: Findings) -> None:
    """Findings about the indicator's own number cells, each on its own."""
    h = IKU_HEADERS
    for key, value in (
        ("target", ind.target),
        ("realisasi", ind.realisasi),
        ("tw1", ind.quarters[0]),
        ("tw2", ind.quarters[1]),
        ("tw3", ind.quarters[2]),
        ("tw4", ind.quarters[3]),
    ):
        if quiet(value.parsed):
            continue
        check_number(
            value,
            h[key],
            ind.code,
            out,
            unit=ind.unit,
            indicator=ind.indicator,
            point_only=key != "target",
            text_is_info=True,
        )
    for key, value in (
        ("weight", ind.weight),
        ("capaian_last_year", ind.capaian_last_year),
        ("reported_capaian", ind.reported_capaian),
    ):
        if not quiet(value.parsed):
            check_number(value, h[key], ind.code, out)


def _figures(
    ind: IkuIndicator, settings: Settings, rpjmd_match: RpjmdIndicator | None, out: Findings
) -> _Figures:
    """Realisasi and capaian (raw and capped); reports missing inputs and ratios that have none."""
    code, name = ind.code, ind.indicator
    realisasi, from_quarters = _realisasi(ind, out)
    composite = composite_realisasi(ind, realisasi, out)
    if composite is not None:
        realisasi, from_quarters = composite, False
    target = ind.target.parsed
    t_point = target.value if target.status == "ok" and target.kind != "range" else None
    if target.status == "missing":
        hint = ""
        if rpjmd_match and settings.year in rpjmd_match.targets:
            rp_value = rpjmd_match.targets[settings.year]
            if rp_value.parsed.status == "ok":
                hint = f" (RPJMD: {shown(rp_value)}, {rp_value.ref})"
        out.add(
            "missing-target",
            ind.target.ref,
            code=code,
            indicator=name,
            year=settings.year or "berjalan",
            hint=hint,
        )
    if (
        realisasi is None
        and ind.realisasi.parsed.status == "missing"
        and all(q.parsed.status == "missing" for q in ind.quarters)
    ):
        typed = shown(ind.realisasi)
        note = f' (tertulis "{typed}")' if typed else ""
        out.add("missing-realisasi", ind.realisasi.ref, code=code, indicator=name, value_note=note)

    result = CapaianResult(None)
    if target.status == "ok" and realisasi is not None:
        result = _capaian(target, realisasi, ind.polarity, settings.negative_formula)
        if result.no_ratio == "target-zero":
            out.add(
                "target-zero",
                ind.target.ref,
                code=code,
                indicator=name,
                formula=formula_text(ind.polarity, settings.negative_formula),
            )
        elif result.no_ratio == "realisasi-zero":
            out.add("realisasi-zero", ind.realisasi.ref, code=code, indicator=name)
    raw = result.value
    capped = apply_cap(raw, settings.cap)
    return _Figures(target, t_point, realisasi, from_quarters, result, raw, capped)


def _check_reported(
    ind: IkuIndicator,
    fig: _Figures,
    settings: Settings,
    out: Findings,
    rpjmd_match: RpjmdIndicator | None = None,
) -> None:
    """``reported-capaian-mismatch`` when the typed capaian is neither the computed value (raw or
    capped) rounded nor truncated to the decimals typed."""
    reported = ind.reported_capaian.parsed
    raw, capped, realisasi = fig.raw, fig.capped, fig.realisasi
    if (
        raw is None
        or reported.status != "ok"
        or reported.kind != "number"
        or reported.value is None
        or realisasi is None
    ):
        return
    decimals = _typed_decimals(reported)
    ok = _matches_typed(reported.value, raw, decimals) or (
        capped is not None and _matches_typed(reported.value, capped, decimals)
    )
    if ok:
        return
    expected = capped if capped is not None else raw
    f = settings.negative_formula
    hint = explain(ind, realisasi, expected, f, rpjmd_match, settings.year)
    formula = (
        formula_text(ind.polarity, f)
        + " = "
        + formula_numbers(ind.polarity, f, fig.result.effective_target, realisasi)
    )
    out.add(
        "reported-capaian-mismatch",
        ind.reported_capaian.ref,
        code=ind.code,
        value=fmt(reported.value),
        formula=formula,
        expected=suggested(expected, decimals),
        hint=hint,
    )


class _VsRpjmd(NamedTuple):
    """What the RPJMD adds to an indicator's result."""

    final_target: float | None = None
    vs_final: float | None = None


_NO_RPJMD = _VsRpjmd()


def _against_rpjmd(
    ind: IkuIndicator,
    rp: RpjmdIndicator,
    fig: _Figures,
    settings: Settings,
    ref: Callable[[str], CellRef | None],
    out: Findings,
) -> _VsRpjmd:
    """Unit, polaritas and this year's target against the RPJMD; the capaian against its Target
    Akhir. With different units only ``unit-mismatch-rpjmd`` is reported (nothing to compare)."""
    iku_unit = ind.unit or fig.target.unit or ""
    units_differ = bool(iku_unit and rp.unit) and normalise_unit(iku_unit) != normalise_unit(
        rp.unit
    )
    year_value = rp.targets.get(settings.year) if settings.year else None
    if units_differ:
        rp_shown = shown(year_value) if year_value else shown(rp.final_target)
        rp_cell = year_value.ref if year_value else rp.final_target.ref
        out.add(
            "unit-mismatch-rpjmd",
            (ref("unit") if ind.unit else None) or ind.target.ref,
            code=ind.code,
            unit=iku_unit,
            value=with_unit(shown(ind.target), iku_unit),
            rpjmd_unit=rp.unit,
            rpjmd_value=with_unit(rp_shown, rp.unit),
            rpjmd_cell=str(rp_cell),
        )
    if ind.polarity_given and ind.polarity != rp.polarity:
        out.add(
            "polarity-mismatch-rpjmd",
            ref("polarity"),
            code=ind.code,
            value=ind.polarity,
            expected=rp.polarity,
            rpjmd_cell=f"RPJMD baris {rp.row}",
        )
    if year_value is not None and not units_differ:
        _check_year_target(ind, fig.target, year_value, settings, out)
    fp = rp.final_target.parsed
    if fp.status != "ok" or units_differ:
        return _NO_RPJMD
    vs_final = None
    if fig.realisasi is not None:
        vs_final = _capaian(fp, fig.realisasi, ind.polarity, settings.negative_formula).value
    return _VsRpjmd(fp.value, vs_final)


def _check_year_target(
    ind: IkuIndicator,
    target: ParsedNumber,
    year_value: Value,
    settings: Settings,
    out: Findings,
) -> None:
    """This year's IKU target against the RPJMD's target for the year (same unit)."""
    yp = year_value.parsed
    if yp.status == "missing":
        out.add(
            "missing-rpjmd-target",
            year_value.ref,
            code=ind.code,
            indicator=ind.indicator,
            year=settings.year,
        )
    elif (
        yp.status == "ok"
        and target.status == "ok"
        and not (
            same_number(_num(yp.low), _num(target.low))
            and same_number(_num(yp.high), _num(target.high))
        )
    ):
        out.add(
            "target-differs-from-rpjmd",
            ind.target.ref,
            code=ind.code,
            value=shown(ind.target),
            year=settings.year,
            expected=shown(year_value),
            rpjmd_cell=str(year_value.ref),
        )


def _evaluate_indicator(
    ind: IkuIndicator,
    settings: Settings,
    rpjmd_match: RpjmdIndicator | None,
    scale: PredicateScale,
    layout: TableLayout,
    out: Findings,
) -> IndicatorResult:
    """One indicator's result; its findings in a fixed order: its cells, the figures, the typed
    capaian, the RPJMD."""

    def ref(key: str) -> CellRef | None:
        col = layout.columns.get(key)
        return CellRef(layout.sheet, ind.row, col) if col else None

    grade = detect_grade(ind, settings)
    if grade is not None:
        return evaluate_grade(ind, grade, settings, rpjmd_match, scale, out)
    _check_inputs(ind, out)
    fig = _figures(ind, settings, rpjmd_match, out)
    _check_reported(ind, fig, settings, out, rpjmd_match)
    vs = _NO_RPJMD
    if rpjmd_match is not None:
        vs = _against_rpjmd(ind, rpjmd_match, fig, settings, ref, out)
    target = fig.target
    return slot_builder(IndicatorResult)(
        indicator=ind,
        target=fig.t_point,
        target_low=target.low if target.status == "ok" else None,
        target_high=target.high if target.status == "ok" else None,
        realisasi=fig.realisasi,
        realisasi_from_quarters=fig.from_quarters,
        capaian_raw=fig.raw,
        capaian=fig.capped,
        capaian_vs_final=vs.vs_final,
        predicate=predikat(scale, fig.capped),
        rpjmd=rpjmd_match,
        final_target=vs.final_target,
        baseline=rpjmd_match.baseline if rpjmd_match is not None else None,
        effective_target=fig.result.effective_target,
    )


def _num(x: float | None) -> float:
    return math.nan if x is None else x


def _match_rpjmd(workbook: IkuWorkbook) -> dict[int, RpjmdIndicator | None]:
    by_code: dict[str, RpjmdIndicator] = {}
    for rp in workbook.rpjmd:
        if rp.code:
            by_code.setdefault(norm_code(rp.code), rp)
    by_name: dict[str, RpjmdIndicator] | None = None  # made when a code does not match
    out: dict[int, RpjmdIndicator | None] = {}
    for ind in workbook.indicators:
        match = by_code.get(norm_code(ind.code)) if ind.code else None
        if match is None:
            if by_name is None:
                by_name = {}
                for rp in workbook.rpjmd:
                    by_name.setdefault(_norm_name(rp.indicator), rp)
            match = by_name.get(_norm_name(ind.indicator))
        out[ind.row] = match
    return out


# --- Aggregation ----------------------------------------------------------------------------------


def aggregate(
    name: str,
    results: Sequence[IndicatorResult],
    settings: Settings,
    scale: PredicateScale,
    out: Findings,
    *,
    sheet: str,
    warn_weights: bool,
) -> GroupResult:
    """Capaian of a group of indicators by the setting ``Agregasi Sasaran``."""
    method = settings.sasaran_aggregation
    value: float | None
    if method == "Rata-rata Tertimbang":
        pairs: list[tuple[float, float]] = []
        for r in results:
            w = r.indicator.weight.number
            if w is None:
                if warn_weights:
                    out.add(
                        "missing-weight",
                        r.indicator.weight.ref,
                        sheet=sheet,
                        code=r.indicator.code,
                        indicator=r.indicator.indicator,
                    )
                continue
            if r.capaian is not None:
                pairs.append((r.capaian, w))
        value = weighted_mean(pairs)
    elif method == "Rasio Jumlah":
        units = sorted(
            {
                normalise_unit(r.indicator.unit or r.indicator.target.parsed.unit or "")
                for r in results
            }
        )
        if len(units) > 1:
            out.add(
                "mixed-units-in-ratio",
                None,
                sheet=sheet,
                sasaran=name,
                units=", ".join(u or "(tanpa satuan)" for u in units),
            )
            value = None
        else:
            sums = [
                (r.target, r.realisasi)
                for r in results
                if r.target is not None and r.realisasi is not None
            ]
            value = apply_cap(
                ratio_of_sums([(t, rr) for t, rr in sums if t is not None and rr is not None]),
                settings.cap,
            )
    else:
        value = mean([r.capaian for r in results if r.capaian is not None])
    return GroupResult(name, tuple(results), value, predikat(scale, value))


def evaluate(workbook: IkuWorkbook, reader_findings: Iterable[Finding] = ()) -> Evaluation:
    """Compute every indicator, sasaran and the overall capaian, and collect all findings."""
    out = Findings()
    out.items.extend(reader_findings)
    settings = workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    layout = workbook.iku_layout
    out.number_style = settings.number_style

    check_duplicate_codes([(i.row, i.code) for i in workbook.indicators], layout, out)

    matches = _match_rpjmd(workbook)
    has_rpjmd = workbook.rpjmd_layout is not None
    if has_rpjmd:
        rl = workbook.rpjmd_layout
        assert rl is not None
        check_rpjmd(workbook.rpjmd, rl, out)
        if settings.year is not None and rl.year_columns and settings.year not in rl.year_columns:
            out.add(
                "missing-rpjmd-target",
                CellRef(rl.sheet, rl.header_row, 1),
                indicator="semua indikator",
                year=settings.year,
            )

    results: list[IndicatorResult] = []
    for ind in workbook.indicators:
        match = matches[ind.row]
        if match is None and has_rpjmd:
            out.add(
                "not-in-rpjmd",
                CellRef(layout.sheet, ind.row, layout.columns["indicator"]),
                code=ind.code,
                indicator=ind.indicator,
            )
        if match is not None and not ind.polarity_given:
            ind = replace(ind, polarity=match.polarity)  # an empty Polaritas follows the RPJMD
        ind = infer_missing_polarity(ind, match, layout, out)
        results.append(_evaluate_indicator(ind, settings, match, scale, layout, out))
    results = period_results(results, settings, scale, out)
    check_lkjip(results, settings, layout, out)

    groups: dict[str, list[IndicatorResult]] = {}
    for r in results:
        groups.setdefault(r.indicator.sasaran, []).append(r)
    sasaran = tuple(
        aggregate(name, members, settings, scale, out, sheet=layout.sheet, warn_weights=True)
        for name, members in groups.items()
    )
    # With one sasaran the overall figure is that sasaran's: report its problems once.
    overall_out = out if len(groups) > 1 else Findings()
    overall = aggregate(
        OVERALL_NAME,
        results,
        settings,
        scale,
        overall_out,
        sheet=layout.sheet,
        warn_weights=False,
    )
    check_typed_aggregates(workbook, sasaran, overall, out)
    check_number_style(workbook, out)
    findings = tuple(sorted(fold_findings(_dedupe(out.items)), key=lambda f: f.sort_key()))
    return Evaluation(workbook, tuple(results), sasaran, overall, findings)


def _dedupe(items: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str, str]] = set()
    unique: list[Finding] = []
    for f in items:
        key = (f.rule, f.sheet, f.cell, f.code, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique
