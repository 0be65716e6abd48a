"""Typed capaian against computed ones: when they agree, and which formula a disagreeing one used.

A typed value is consistent with a computed one when it equals it rounded half up or truncated to
the decimals the planner typed (:func:`matches_typed`). When it is not, :func:`explain` tries the
usual ways a report gets to another number and names the one that gives exactly the typed value:
another negative formula (rumus A, B, C), the positive formula on a negative indicator (and the
reverse), the capaian capped at 100, rounded down or to fewer decimals, computed against the RPJMD
Target Akhir, or against last year's target, or copied from Capaian Tahun Lalu. The suggestion is
the computed value rounded to the decimals typed (:func:`suggested`).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from iku_excel.capaian import point_capaian, range_capaian
from iku_excel.model import IkuIndicator, RpjmdIndicator
from iku_excel.numbers import ParsedNumber, decimals_of, format_number, round_half_up

_FORMULA_WORDS = {
    "A": "rumus A, (2 × Target − Realisasi) × 100 / Target",
    "B": "rumus B, Target × 100 / Realisasi",
    "C": "rumus C, (Target − Realisasi) × 100 / Target",
}


def same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def typed_decimals(p: ParsedNumber) -> int:
    """Decimals the planner typed (a percent-formatted cell counts after scaling by 100)."""
    d = decimals_of(p.raw, "0%" if p.percent_scaled else None)
    return d if d is not None else 0


def matches_typed(typed: float, computed: float, decimals: int) -> bool:
    """True when ``typed`` equals ``computed`` rounded (half up) or truncated to ``decimals``."""
    exact = Decimal(repr(computed))
    quantum = Decimal(1).scaleb(-decimals)
    candidates = (
        exact.quantize(quantum, rounding=ROUND_HALF_UP),
        exact.quantize(quantum, rounding=ROUND_DOWN),
    )
    return any(same(typed, float(c)) for c in candidates)


def suggested(computed: float, decimals: int) -> str:
    """The computed value as the planner would type it: rounded to the decimals typed."""
    return format_number(round_half_up(computed, decimals), decimals)


def _capaian(target: ParsedNumber, realisasi: float, polarity: str, formula: str) -> float | None:
    pol = "Negatif" if polarity == "Negatif" else "Positif"
    if target.status != "ok":
        return None
    if target.kind == "range" and target.low is not None and target.high is not None:
        return range_capaian(target.low, target.high, realisasi, pol, formula).value  # type: ignore[arg-type]
    if target.value is None:
        return None
    return point_capaian(target.value, realisasi, pol, formula).value  # type: ignore[arg-type]


def explain(
    ind: IkuIndicator,
    realisasi: float,
    computed: float,
    negative_formula: str,
    rpjmd: RpjmdIndicator | None,
    year: int | None,
) -> str:
    """A sentence naming the formula the typed capaian matches exactly, or ``""``."""
    reported = ind.reported_capaian.parsed
    if reported.value is None:
        return ""
    typed, decimals = reported.value, typed_decimals(reported)
    target = ind.target.parsed
    tries: list[tuple[str, float | None]] = []
    if ind.polarity == "Negatif":
        tries.append(
            (
                "rumus polaritas positif (Realisasi × 100 / Target), padahal indikator ini "
                "berpolaritas negatif",
                _capaian(target, realisasi, "Positif", "A"),
            )
        )
        for f in ("A", "B", "C"):
            if f != negative_formula:
                tries.append((_FORMULA_WORDS[f], _capaian(target, realisasi, "Negatif", f)))
    else:
        tries.append(
            (
                "rumus polaritas negatif (" + _FORMULA_WORDS[negative_formula] + "), padahal "
                "indikator ini berpolaritas positif",
                _capaian(target, realisasi, "Negatif", negative_formula),
            )
        )
    tries.append(("capaian yang dibatasi 100 %", min(computed, 100.0)))
    if decimals > 0:
        tries.append(("capaian yang dibulatkan ke bawah", float(int(computed))))
        tries.append(("capaian yang dibulatkan tanpa desimal", round_half_up(computed, 0)))
    if rpjmd is not None:
        tries.append(
            (
                "capaian terhadap Target Akhir RPJMD, bukan target tahun ini",
                _capaian(rpjmd.final_target.parsed, realisasi, ind.polarity, negative_formula),
            )
        )
        last = rpjmd.targets.get(year - 1) if year is not None else None
        if last is not None:
            tries.append(
                (
                    f"capaian terhadap target tahun lalu ({year - 1})",  # type: ignore[operator]
                    _capaian(last.parsed, realisasi, ind.polarity, negative_formula),
                )
            )
    tries.append(("Capaian Tahun Lalu yang tersalin", ind.capaian_last_year.number))
    for words, value in tries:
        if (
            value is not None
            and not same(value, computed)
            and matches_typed(typed, value, decimals)
        ):
            return f" Angka {format_number(typed, decimals)} sama persis dengan {words}."
    return ""
