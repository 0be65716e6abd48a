"""The figures of one adopted indicator: triwulan reading, realisasi from quarters, capaian.

Pure functions on floats and :class:`~iku_excel.numbers.ParsedNumber`; the capaian itself comes
from :mod:`iku_excel.capaian` (formula A for Negatif).
"""

from __future__ import annotations

import itertools
import math

from iku_excel.capaian import Polarity, point_capaian, range_capaian
from iku_excel.numbers import ParsedNumber


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def tw_reading(
    target: float | None, quarters: tuple[float | None, ...], name: str, warnings: list[str]
) -> str | None:
    """ "Nilai Akhir" when TW IV equals the yearly target, "Jumlah" when the TWs add up to it."""
    known = [q for q in quarters if q is not None]
    q4 = quarters[3] if len(quarters) == 4 else None
    cumulative = (
        target is not None
        and q4 is not None
        and _close(q4, target)
        and all(a <= b for a, b in itertools.pairwise(known))
    )
    per_quarter = target is not None and len(known) == 4 and _close(sum(known), target)
    if cumulative and per_quarter:
        warnings.append(f'"{name}": target triwulan dapat dibaca kumulatif maupun per triwulan.')
        return None
    if cumulative:
        return "Nilai Akhir"
    if per_quarter:
        return "Jumlah"
    warnings.append(f'"{name}": target triwulan tidak cocok dengan target tahunan.')
    return None


def realisasi_from_quarters(
    values: tuple[float | None, ...], aggregation: str | None
) -> float | None:
    known = [v for v in values if v is not None]
    if not known or aggregation is None:
        return None
    if aggregation == "Nilai Akhir":
        return known[-1]
    return sum(known)


def capaian_of(target: ParsedNumber, realisasi: float | None, polarity: str | None) -> float | None:
    if realisasi is None or target.status != "ok":
        return None
    pol: Polarity = "Negatif" if polarity == "Negatif" else "Positif"
    if target.kind == "range" and target.low is not None and target.high is not None:
        return range_capaian(target.low, target.high, realisasi, pol).value
    if target.value is None:
        return None
    return point_capaian(target.value, realisasi, pol).value
