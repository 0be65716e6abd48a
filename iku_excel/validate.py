"""Compute every figure of a workbook and collect every finding: :func:`evaluate`.

Input: the :class:`~iku_excel.model.IkuWorkbook` made by :mod:`iku_excel.reader`. Output: an
:class:`~iku_excel.model.Evaluation` with one result per indicator, per sasaran and overall, and
the findings sorted most severe first. Bad data never raises: it becomes a finding, and the value
concerned is left out (never turned into 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from iku_excel import contract
from iku_excel.capaian import (
    CapaianResult,
    aggregate_quarters,
    apply_cap,
    mean,
    point_capaian,
    range_capaian,
    ratio_of_sums,
    weighted_mean,
)
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
from iku_excel.numbers import ParsedNumber, decimals_of, format_number, normalise_unit
from iku_excel.rules import make_finding

IKU_HEADERS = {c.key: c.header for c in contract.IKU_COLUMNS}
RPJMD_HEADERS = {c.key: c.header for c in contract.RPJMD_COLUMNS}
OVERALL_NAME = "Capaian Kinerja Keseluruhan"
_PERCENT_NAME = re.compile(r"^\s*(persentase|presentase|prosentase|proporsi)\b", re.IGNORECASE)


def fmt(x: float | None) -> str:
    """A number for a message: Indonesian separators, up to 4 decimals, no trailing zeros."""
    if x is None:
        return "(kosong)"
    return format_number(x, 4, trim=True)


def shown(value: Value) -> str:
    """How a cell looked to the planner."""
    raw = value.parsed.raw
    if isinstance(raw, str):
        return raw.strip()
    p = value.parsed
    if p.status == "ok" and p.value is not None:
        return fmt(p.value) + (" %" if p.percent_scaled else "")
    return "" if raw is None else str(raw)


def same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(
        self, rule: str, ref: CellRef | None, *, sheet: str = "", code: str = "", **params: object
    ) -> None:
        self.items.append(
            make_finding(
                rule,
                sheet=ref.sheet if ref else sheet,
                cell=ref.address if ref else "",
                code=code,
                **params,
            )
        )


def _is_percentage_indicator(name: str, unit_key: str) -> bool:
    return unit_key == "%" and bool(_PERCENT_NAME.match(name))


def _check_number(
    value: Value,
    column: str,
    code: str,
    out: _Findings,
    *,
    unit: str = "",
    indicator: str = "",
    point_only: bool = False,
    text_is_info: bool = False,
) -> None:
    """Findings about one numeric input cell."""
    p = value.parsed
    if p.status == "invalid":
        out.add(
            "unparseable-number",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            reason=p.reason or "bukan angka",
        )
        return
    if p.status == "ambiguous":
        readings = " atau ".join(fmt(r) for r in p.readings)
        out.add(
            "ambiguous-number",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            readings=readings,
        )
        return
    if p.status != "ok":
        return
    if point_only and p.kind == "range":
        out.add("realisasi-range", value.ref, code=code, column=column, value=shown(value))
    if p.unit and unit and normalise_unit(p.unit) != normalise_unit(unit):
        out.add(
            "inline-unit-mismatch",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            inline_unit=p.unit,
            unit=unit,
        )
    if text_is_info and p.from_text and p.kind == "number" and p.value is not None:
        out.add(
            "number-stored-as-text",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            number=fmt(p.value),
        )
    unit_key = normalise_unit(unit or p.unit or "")
    high = p.high if p.kind == "range" else p.value
    if high is not None and high > 100 and _is_percentage_indicator(indicator, unit_key):
        out.add(
            "percent-over-100",
            value.ref,
            code=code,
            column=column,
            value=fmt(high),
            indicator=indicator,
        )


def _norm_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).strip()


def _norm_code(code: str) -> str:
    return re.sub(r"\s+", "", code.casefold()).rstrip(".")


def _capaian(target: ParsedNumber, realisasi: float, polarity: str, formula: str) -> CapaianResult:
    pol = "Negatif" if polarity == "Negatif" else "Positif"
    neg = formula if formula in ("A", "B", "C") else "A"
    if target.kind == "range" and target.low is not None and target.high is not None:
        return range_capaian(target.low, target.high, realisasi, pol, neg)  # type: ignore[arg-type]
    assert target.value is not None
    return point_capaian(target.value, realisasi, pol, neg)  # type: ignore[arg-type]


def formula_text(polarity: str, negative_formula: str) -> str:
    """The formula in words, as printed in messages and in the Capaian sheet's footnote."""
    if polarity != "Negatif":
        return "Realisasi × 100 / Target"
    return {
        "A": "(2 × Target − Realisasi) × 100 / Target",
        "B": "Target × 100 / Realisasi",
        "C": "(Target − Realisasi) × 100 / Target",
    }[negative_formula]


def _formula_numbers(polarity: str, negative_formula: str, t: float | None, r: float) -> str:
    if t is None:
        return "100 (realisasi di dalam rentang target)"
    if polarity != "Negatif":
        return f"{fmt(r)} × 100 / {fmt(t)}"
    return {
        "A": f"(2 × {fmt(t)} − {fmt(r)}) × 100 / {fmt(t)}",
        "B": f"{fmt(t)} × 100 / {fmt(r)}",
        "C": f"({fmt(t)} − {fmt(r)}) × 100 / {fmt(t)}",
    }[negative_formula]


def _typed_decimals(p: ParsedNumber) -> int:
    """Decimals the planner typed (a percent-formatted cell counts after scaling by 100)."""
    d = decimals_of(p.raw, "0%" if p.percent_scaled else None)
    return d if d is not None else 0


def _matches_typed(typed: float, computed: float, decimals: int) -> bool:
    """True when ``typed`` equals ``computed`` rounded (half up) or truncated to ``decimals``."""
    exact = Decimal(repr(computed))
    quantum = Decimal(1).scaleb(-decimals)
    candidates = (
        exact.quantize(quantum, rounding=ROUND_HALF_UP),
        exact.quantize(quantum, rounding="ROUND_DOWN"),
    )
    return any(same_number(typed, float(c)) for c in candidates)


# --- Per indicator --------------------------------------------------------------------------------


def _realisasi(ind: IkuIndicator, out: _Findings) -> tuple[float | None, bool]:
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


def _evaluate_indicator(
    ind: IkuIndicator,
    settings: Settings,
    rpjmd_match: RpjmdIndicator | None,
    scale: PredicateScale,
    layout: TableLayout,
    out: _Findings,
) -> IndicatorResult:
    code, name, unit = ind.code, ind.indicator, ind.unit

    def ref(key: str) -> CellRef | None:
        col = layout.columns.get(key)
        return CellRef(layout.sheet, ind.row, col) if col else None

    h = IKU_HEADERS
    for key, value in (
        ("target", ind.target),
        ("realisasi", ind.realisasi),
        ("tw1", ind.quarters[0]),
        ("tw2", ind.quarters[1]),
        ("tw3", ind.quarters[2]),
        ("tw4", ind.quarters[3]),
    ):
        _check_number(
            value,
            h[key],
            code,
            out,
            unit=unit,
            indicator=name,
            point_only=key != "target",
            text_is_info=True,
        )
    for key, value in (
        ("weight", ind.weight),
        ("capaian_last_year", ind.capaian_last_year),
        ("reported_capaian", ind.reported_capaian),
    ):
        _check_number(value, h[key], code, out)

    realisasi, from_quarters = _realisasi(ind, out)
    target = ind.target.parsed
    t_point = target.value if target.status == "ok" and target.kind != "range" else None
    t_low = target.low if target.status == "ok" else None
    t_high = target.high if target.status == "ok" else None

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

    # Reported capaian
    reported = ind.reported_capaian.parsed
    if (
        raw is not None
        and reported.status == "ok"
        and reported.kind == "number"
        and reported.value is not None
        and realisasi is not None
    ):
        decimals = _typed_decimals(reported)
        ok = _matches_typed(reported.value, raw, decimals) or (
            capped is not None and _matches_typed(reported.value, capped, decimals)
        )
        if not ok:
            hint = ""
            if ind.polarity == "Negatif" and t_point:
                positive = realisasi * 100 / t_point
                if _matches_typed(reported.value, positive, decimals):
                    hint = (
                        " Angka yang dilaporkan memakai rumus polaritas positif, padahal "
                        "indikator ini berpolaritas negatif."
                    )
            formula = (
                formula_text(ind.polarity, settings.negative_formula)
                + " = "
                + _formula_numbers(
                    ind.polarity, settings.negative_formula, result.effective_target, realisasi
                )
            )
            expected = capped if capped is not None else raw
            out.add(
                "reported-capaian-mismatch",
                ind.reported_capaian.ref,
                code=code,
                value=fmt(reported.value),
                formula=formula,
                expected=fmt(expected),
                hint=hint,
            )

    # Against the RPJMD
    final_target: float | None = None
    vs_final: float | None = None
    baseline: Value | None = None
    if rpjmd_match is not None:
        rp = rpjmd_match
        baseline = rp.baseline
        iku_unit = unit or target.unit or ""
        units_differ = bool(iku_unit and rp.unit) and normalise_unit(iku_unit) != normalise_unit(
            rp.unit
        )
        year_value = rp.targets.get(settings.year) if settings.year else None
        if units_differ:
            rp_shown = shown(year_value) if year_value else shown(rp.final_target)
            rp_cell = year_value.ref if year_value else rp.final_target.ref
            out.add(
                "unit-mismatch-rpjmd",
                (ref("unit") if unit else None) or ind.target.ref,
                code=code,
                unit=iku_unit,
                value=_with_unit(shown(ind.target), iku_unit),
                rpjmd_unit=rp.unit,
                rpjmd_value=_with_unit(rp_shown, rp.unit),
                rpjmd_cell=str(rp_cell),
            )
        if ind.polarity_given and ind.polarity != rp.polarity:
            out.add(
                "polarity-mismatch-rpjmd",
                ref("polarity"),
                code=code,
                value=ind.polarity,
                expected=rp.polarity,
                rpjmd_cell=f"RPJMD baris {rp.row}",
            )
        if year_value is not None and not units_differ:
            yp = year_value.parsed
            if yp.status == "missing":
                out.add(
                    "missing-rpjmd-target",
                    year_value.ref,
                    code=code,
                    indicator=name,
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
                    code=code,
                    value=shown(ind.target),
                    year=settings.year,
                    expected=shown(year_value),
                    rpjmd_cell=str(year_value.ref),
                )
        fp = rp.final_target.parsed
        if fp.status == "ok" and not units_differ:
            final_target = fp.value
            if realisasi is not None:
                vs_final = _capaian(fp, realisasi, ind.polarity, settings.negative_formula).value

    return IndicatorResult(
        indicator=ind,
        target=t_point,
        target_low=t_low,
        target_high=t_high,
        realisasi=realisasi,
        realisasi_from_quarters=from_quarters,
        capaian_raw=raw,
        capaian=capped,
        capaian_vs_final=vs_final,
        predicate=scale.label(capped),
        rpjmd=rpjmd_match,
        final_target=final_target,
        baseline=baseline,
        effective_target=result.effective_target,
    )


def _num(x: float | None) -> float:
    return math.nan if x is None else x


def _with_unit(text: str, unit: str) -> str:
    """ "80" + "%" -> "80 %"; leaves "706 Orang" alone."""
    if not unit or not text or not text[-1].isdigit():
        return text
    return f"{text} {unit}"


# --- RPJMD sheet ----------------------------------------------------------------------------------


def _check_duplicate_codes(
    rows: Sequence[tuple[int, str]], layout: TableLayout, out: _Findings
) -> None:
    """``duplicate-code`` on every row whose Kode already appeared above it."""
    seen: dict[str, int] = {}
    for row, code in rows:
        if not code:
            continue
        key = _norm_code(code)
        if key in seen:
            ref = CellRef(layout.sheet, row, layout.columns.get("code", 1))
            out.add("duplicate-code", ref, code=code, first_row=seen[key])
        else:
            seen[key] = row


def _check_rpjmd(rows: Sequence[RpjmdIndicator], layout: TableLayout, out: _Findings) -> None:
    _check_duplicate_codes([(rp.row, rp.code) for rp in rows], layout, out)
    h = RPJMD_HEADERS
    for rp in rows:
        _check_number(
            rp.baseline, h["baseline"], rp.code, out, unit=rp.unit, indicator=rp.indicator
        )
        for year, value in rp.targets.items():
            _check_number(
                value, f"Target {year}", rp.code, out, unit=rp.unit, indicator=rp.indicator
            )
        _check_number(
            rp.final_target, h["final_target"], rp.code, out, unit=rp.unit, indicator=rp.indicator
        )
        # Trajectory: yearly targets must not turn against the polarity.
        previous: tuple[int, float] | None = None
        for year in sorted(rp.targets):
            value = rp.targets[year]
            v = value.number
            if v is None:
                continue
            if previous is not None:
                worse = v < previous[1] if rp.polarity == "Positif" else v > previous[1]
                if worse and not same_number(v, previous[1]):
                    out.add(
                        "rpjmd-trajectory",
                        value.ref,
                        code=rp.code,
                        year=year,
                        value=fmt(v),
                        previous_year=previous[0],
                        previous=fmt(previous[1]),
                        polarity=rp.polarity.lower(),
                        indicator=rp.indicator,
                        direction="turun" if rp.polarity == "Positif" else "naik",
                    )
            previous = (year, v)
        last_year = max((y for y, v in rp.targets.items() if v.number is not None), default=None)
        final = rp.final_target.number
        if last_year is not None and final is not None and last_year == max(rp.targets):
            last = rp.targets[last_year].number
            assert last is not None
            if not same_number(final, last):
                out.add(
                    "final-target-mismatch",
                    rp.final_target.ref,
                    code=rp.code,
                    value=fmt(final),
                    year=last_year,
                    expected=fmt(last),
                    indicator=rp.indicator,
                )


def _match_rpjmd(workbook: IkuWorkbook) -> dict[int, RpjmdIndicator | None]:
    by_code: dict[str, RpjmdIndicator] = {}
    by_name: dict[str, RpjmdIndicator] = {}
    for rp in workbook.rpjmd:
        if rp.code:
            by_code.setdefault(_norm_code(rp.code), rp)
        by_name.setdefault(_norm_name(rp.indicator), rp)
    out: dict[int, RpjmdIndicator | None] = {}
    for ind in workbook.indicators:
        match = by_code.get(_norm_code(ind.code)) if ind.code else None
        out[ind.row] = match or by_name.get(_norm_name(ind.indicator))
    return out


# --- Aggregation ----------------------------------------------------------------------------------


def aggregate(
    name: str,
    results: Sequence[IndicatorResult],
    settings: Settings,
    scale: PredicateScale,
    out: _Findings,
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
    return GroupResult(name, tuple(results), value, scale.label(value))


def evaluate(workbook: IkuWorkbook, reader_findings: Iterable[Finding] = ()) -> Evaluation:
    """Compute every indicator, sasaran and the overall capaian, and collect all findings."""
    out = _Findings()
    out.items.extend(reader_findings)
    settings = workbook.settings
    scale = settings.predicate_scale
    assert scale is not None
    layout = workbook.iku_layout

    _check_duplicate_codes([(i.row, i.code) for i in workbook.indicators], layout, out)

    matches = _match_rpjmd(workbook)
    has_rpjmd = workbook.rpjmd_layout is not None
    if has_rpjmd:
        rl = workbook.rpjmd_layout
        assert rl is not None
        _check_rpjmd(workbook.rpjmd, rl, out)
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
        results.append(_evaluate_indicator(ind, settings, match, scale, layout, out))

    groups: dict[str, list[IndicatorResult]] = {}
    for r in results:
        groups.setdefault(r.indicator.sasaran, []).append(r)
    sasaran = tuple(
        aggregate(name, members, settings, scale, out, sheet=layout.sheet, warn_weights=True)
        for name, members in groups.items()
    )
    # With one sasaran the overall figure is that sasaran's: report its problems once.
    overall_out = out if len(groups) > 1 else _Findings()
    overall = aggregate(
        OVERALL_NAME,
        results,
        settings,
        scale,
        overall_out,
        sheet=layout.sheet,
        warn_weights=False,
    )
    findings = tuple(sorted(_dedupe(out.items), key=lambda f: f.sort_key()))
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
