"""Checks of the optional LKjIP columns: national standard, analysis columns, capaian trend.

Called by :func:`iku_excel.evaluate.evaluate` after the figures are known. A workbook without the
optional columns (``contract.LKJIP_OPTIONAL_COLUMNS``, ``Realisasi/Capaian <year>``) gets none of
these findings, so a workbook of an earlier round is judged exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from iku_excel.checks import Findings
from iku_excel.model import IndicatorResult, Settings, TableLayout, Value
from iku_excel.text import fmt

#: The analysis columns a planner fills for an indicator below target.
ANALYSIS_KEYS = ("drivers", "obstacles", "follow_up")


def _number(v: Value | None) -> float | None:
    if v is None:
        return None
    p = v.parsed
    return p.value if p.status == "ok" and p.kind == "number" else None


def history_capaian(r: IndicatorResult, year: int) -> list[tuple[int, float]]:
    """(year, capaian) of the earlier years given, oldest first; the year before ``year`` falls
    back on ``Capaian Tahun Lalu (%)``."""
    ind = r.indicator
    years = {h.year: _number(h.capaian) for h in ind.extras.history}
    out = {y: c for y, c in years.items() if c is not None}
    last = _number(ind.capaian_last_year)
    if year - 1 not in out and last is not None:
        out[year - 1] = last
    return sorted(out.items())


def check_lkjip(
    results: Sequence[IndicatorResult], settings: Settings, layout: TableLayout, out: Findings
) -> None:
    """``target-below-standard``, ``missing-analysis`` and ``capaian-trend``."""
    has_analysis = any(k in layout.columns for k in ANALYSIS_KEYS)
    for r in results:
        annual = r.annual or r
        ind = r.indicator
        ex = ind.extras
        standard = _number(ex.national_standard)
        target = annual.target
        if standard is not None and target is not None:
            weaker = target < standard if ind.polarity == "Positif" else target > standard
            if weaker:
                out.add(
                    "target-below-standard",
                    ind.target.ref,
                    code=ind.code,
                    indicator=ind.indicator,
                    value=fmt(target),
                    standard=fmt(standard),
                    polarity=ind.polarity.lower(),
                )
        below = has_analysis and r.capaian is not None and r.capaian < 100
        if below and (not ex.obstacles or not ex.follow_up):
            col = layout.columns.get("obstacles" if not ex.obstacles else "follow_up")
            ref = ind.target.ref
            if col is not None and ref is not None:
                ref = type(ref)(ref.sheet, ind.row, col)
            out.add(
                "missing-analysis",
                ref,
                code=ind.code,
                indicator=ind.indicator,
                capaian=fmt(r.capaian),
            )
        past = history_capaian(r, settings.year) if settings.year is not None else []
        if settings.year is not None and annual.capaian is not None and len(past) >= 2:
            (y1, c1), (y2, c2) = past[-2], past[-1]
            if y2 == settings.year - 1 and y1 == y2 - 1 and c1 > c2 > annual.capaian:
                out.add(
                    "capaian-trend",
                    ind.target.ref,
                    code=ind.code,
                    indicator=ind.indicator,
                    trend=f"{fmt(c1)} ({y1}) → {fmt(c2)} ({y2}) → {fmt(annual.capaian)} "
                    f"({settings.year})",
                )
