"""Reporting periods: capaian s.d. triwulan I..III against the Perjanjian Kinerja's TW targets.

``Periode Laporan`` (Pengaturan) is ``TW I``, ``TW II``, ``TW III`` or ``Tahunan`` (default). For a
period report, :func:`period_results` turns each yearly :class:`IndicatorResult` into the result
s.d. the period (``annual`` keeps the yearly one), so that the sasaran averages, the predikat, the
Capaian sheet and ``check --json``'s ``capaian`` all judge the period; ``capaian_tahunan`` and the
Capaian sheet's second comparison keep the yearly target.

The rule (documented in docs/developer.md, "Periods"): the Perjanjian Kinerja appendix gives a
target per triwulan and a monitoring report compares the realisasi s.d. a triwulan with the target
of that triwulan.

- Realisasi s.d. TW k: the filled triwulan I..k aggregated by the indicator's Agregasi Triwulan
  (Jumlah: sum; Nilai Akhir: the last filled; Rata-rata: mean).
- Target s.d. TW k: for Jumlah, the cumulative target: the sum of Target TW I..k when the four TW
  targets add up to the yearly Target (targets per triwulan), else Target TW k itself (a PK
  written cumulatively, 25/50/75/100); for Nilai Akhir and Rata-rata, Target TW k (the level
  the indicator should stand at in that triwulan).
- Without any Target TW column the report says so once (``no-period-targets``) and keeps the
  yearly comparison; an indicator whose Target TW k is empty gets no period capaian
  (``missing-period-target``), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from iku_excel import contract
from iku_excel.capaian import aggregate_quarters, apply_cap, point_capaian, predikat
from iku_excel.checks import Findings, same_number
from iku_excel.model import CellRef, IndicatorResult, PredicateScale, Settings, Value


def period_of(settings: Settings) -> int | None:
    """The number of triwulan a period report covers (1..3), or None for a yearly report."""
    k = contract.REPORT_PERIODS.get(settings.report_period, 4)
    return k if k < 4 else None


@dataclass(frozen=True)
class PeriodTarget:
    """The target s.d. a triwulan and the IKU cells it is made of (summed when more than one)."""

    value: float | None
    cells: tuple[Value, ...]


def _point(v: Value) -> float | None:
    p = v.parsed
    return p.value if p.status == "ok" and p.kind == "number" else None


def period_target(r: IndicatorResult, k: int) -> PeriodTarget:
    """Target s.d. triwulan ``k`` of one indicator (see the module docstring for the rule)."""
    tw = r.indicator.extras.tw_targets
    if tw is None:
        return PeriodTarget(None, ())
    points = [_point(v) for v in tw]
    if r.indicator.quarterly_aggregation == "Jumlah" and all(p is not None for p in points):
        total = sum(p for p in points if p is not None)
        yearly = r.target
        if (
            yearly is not None
            and same_number(total, yearly)
            and not same_number(points[3] or 0.0, yearly)
        ):
            return PeriodTarget(sum(p for p in points[:k] if p is not None), tw[:k])
    return PeriodTarget(points[k - 1], (tw[k - 1],))


def realisasi_to_date(r: IndicatorResult, k: int) -> float | None:
    """Realisasi s.d. triwulan ``k``: the filled triwulan I..k by the Agregasi Triwulan."""
    values: list[float | None] = []
    for q in r.indicator.quarters[:k]:
        p = q.parsed
        values.append(p.value if p.status == "ok" and p.kind != "range" else None)
    return aggregate_quarters(values, r.indicator.quarterly_aggregation)


def period_results(
    results: Sequence[IndicatorResult],
    settings: Settings,
    scale: PredicateScale,
    out: Findings,
) -> list[IndicatorResult]:
    """The results s.d. the reporting period, or ``results`` unchanged for a yearly report or
    when the workbook has no Target TW column (then one ``no-period-targets`` finding)."""
    k = period_of(settings)
    if k is None:
        return list(results)
    if not any(r.indicator.extras.tw_targets is not None for r in results):
        ref = settings.refs.get("report_period")
        out.add(
            "no-period-targets",
            ref,
            sheet=contract.SHEET_PENGATURAN,
            period=settings.report_period,
        )
        return list(results)
    return [_period_result(r, k, settings, scale, out) for r in results]


def _period_result(
    r: IndicatorResult, k: int, settings: Settings, scale: PredicateScale, out: Findings
) -> IndicatorResult:
    ind = r.indicator
    target = period_target(r, k)
    realisasi = realisasi_to_date(r, k)
    if target.value is None and ind.extras.tw_targets is not None:
        cell: CellRef | None = ind.extras.tw_targets[k - 1].ref
        out.add(
            "missing-period-target",
            cell,
            code=ind.code,
            indicator=ind.indicator,
            period=settings.report_period,
        )
    raw = None
    if target.value is not None and realisasi is not None:
        pol = "Negatif" if ind.polarity == "Negatif" else "Positif"
        neg = settings.negative_formula if settings.negative_formula in ("A", "B", "C") else "A"
        raw = point_capaian(target.value, realisasi, pol, neg).value  # type: ignore[arg-type]
    capped = apply_cap(raw, settings.cap)
    return replace(
        r,
        target=target.value,
        target_low=target.value,
        target_high=target.value,
        realisasi=realisasi,
        realisasi_from_quarters=True,
        capaian_raw=raw,
        capaian=capped,
        predicate=predikat(scale, capped),
        effective_target=target.value,
        annual=r,
        period=k,
    )
