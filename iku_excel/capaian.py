"""The arithmetic of capaian: formulas per polaritas, range targets, caps, predikat, aggregation.

Pure functions on floats. A capaian is computed exactly (on the exact values of the input
floats, as fractions of integers) and rounded once, so it is the float nearest to the true value:
meeting the target gives exactly 100, and 91 of 100 gives exactly 91. The live Excel formulas
written by :mod:`iku_excel.sheets.formulas` compute the same expression in binary floating point
and may differ in the last bit; tests compare them with a relative tolerance of 1e-12.

Conventions (IKU-rules.md, "Capaian of one indicator"; T = target, R = realisasi):

- Positif: ``R × 100 / T``.
- Negatif, formula A (default): ``(2T − R) × 100 / T`` — the regulation's ``(2 − R/T) × 100``.
- Negatif, formula B: ``T × 100 / R``.
- Negatif, formula C: ``(T − R) × 100 / T`` (a reduction rate: R = T gives 0).
- Range target [lo, hi]: R inside counts as 100; outside, the nearer bound is T.
- No ratio (T = 0, or R = 0 with formula B): no capaian (None), never 0.
- Cap (setting): ``min(max(raw, 0), cap)``; the raw value is kept beside it.
- Predikat follows the capaian as shown: it is read off the scale at the capaian rounded to two
  decimals, half away from zero (:func:`predikat`), as Excel's ``ROUND(x,2)`` in the live formula.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_FLOOR, Context, Decimal
from typing import Literal

from iku_excel.model import PredicateBand, PredicateScale
from iku_excel.numbers import round_half_up
from iku_excel.slots import slot_setters

Polarity = Literal["Positif", "Negatif"]
NegativeFormula = Literal["A", "B", "C"]
NoRatio = Literal["target-zero", "realisasi-zero"]


@dataclass(frozen=True, slots=True)
class CapaianResult:
    """Result of one capaian computation: ``value`` or the reason there is none."""

    value: float | None
    no_ratio: NoRatio | None = None
    effective_target: float | None = None
    in_range: bool = False


_new = object.__new__
_set_value, _set_no_ratio, _set_effective_target, _set_in_range = slot_setters(CapaianResult)


def _result(value: float | None, no_ratio: NoRatio | None, target: float) -> CapaianResult:
    """``CapaianResult(value, no_ratio, target)`` through its slots (a point capaian is computed
    twice per indicator; the frozen ``__init__`` cost more than half the arithmetic). A field
    added to CapaianResult breaks the unpacking above at import."""
    result: CapaianResult = _new(CapaianResult)
    _set_value(result, value)
    _set_no_ratio(result, no_ratio)
    _set_effective_target(result, target)
    _set_in_range(result, False)
    return result


_EXACT = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _ratio(numerator: Decimal, denominator: Decimal) -> float:
    """``numerator / denominator`` rounded once to the nearest float (inf when it overflows)."""
    return float(_EXACT.divide(numerator, denominator))


def point_capaian(
    target: float, realisasi: float, polarity: Polarity, negative_formula: NegativeFormula = "A"
) -> CapaianResult:
    """Capaian of a point target.

    Computed exactly and rounded once to the nearest float, so meeting the target gives exactly
    100 and 91 of 100 gives exactly 91 (what a reader checks by hand): the inputs' exact values
    as fractions of integers, the formula over them, and one correctly rounded integer division
    (:func:`_decimal_ratio`, 60-digit decimal arithmetic, for the rare inputs that are not finite
    or give zero, whose sign decimal arithmetic decides). A divisor so close to 0 that the result
    overflows counts as no ratio.
    """
    divisor_is_r = polarity == "Negatif" and negative_formula == "B"
    reason: NoRatio = "realisasi-zero" if divisor_is_r else "target-zero"
    if (realisasi if divisor_is_r else target) == 0:
        return _result(None, reason, target)
    value = _exact_ratio(target, realisasi, polarity, negative_formula, divisor_is_r)
    if value is None or not math.isfinite(value):
        return _result(None, reason, target)
    return _result(value, None, target)


def _exact_ratio(
    target: float, realisasi: float, polarity: str, negative_formula: str, divisor_is_r: bool
) -> float | None:
    """The formula's value on the exact inputs, rounded once (None when it overflows): Python's
    integer ``/`` is correctly rounded, and about six times faster than the decimal context."""
    try:
        tn, td = target.as_integer_ratio()
        rn, rd = realisasi.as_integer_ratio()
    except (OverflowError, ValueError):  # infinity, NaN
        return _decimal_ratio(target, realisasi, polarity, negative_formula, divisor_is_r)
    # the numerator's formula times 100, as num / den
    if polarity == "Positif":
        num, den = rn * 100, rd
    elif negative_formula == "B":
        num, den = tn * 100, td
    elif negative_formula == "C":
        num, den = (tn * rd - rn * td) * 100, td * rd
    else:
        num, den = (2 * tn * rd - rn * td) * 100, td * rd
    if num == 0:  # a signed zero: as the decimal arithmetic signs it
        return _decimal_ratio(target, realisasi, polarity, negative_formula, divisor_is_r)
    dn, dd = (rn, rd) if divisor_is_r else (tn, td)
    try:
        return (num * dd) / (den * dn)
    except OverflowError:
        return None


def _decimal_ratio(
    target: float, realisasi: float, polarity: str, negative_formula: str, divisor_is_r: bool
) -> float:
    """:func:`_exact_ratio` in 60-digit decimal arithmetic (inf when it overflows)."""
    t, r = Decimal(target), Decimal(realisasi)
    hundred = Decimal(100)
    if polarity == "Positif":
        numerator = _EXACT.multiply(r, hundred)
    elif negative_formula == "B":
        numerator = _EXACT.multiply(t, hundred)
    elif negative_formula == "C":
        numerator = _EXACT.multiply(_EXACT.subtract(t, r), hundred)
    else:
        numerator = _EXACT.multiply(_EXACT.subtract(_EXACT.multiply(2, t), r), hundred)
    return _ratio(numerator, r if divisor_is_r else t)


def range_capaian(
    low: float,
    high: float,
    realisasi: float,
    polarity: Polarity,
    negative_formula: NegativeFormula = "A",
) -> CapaianResult:
    """Capaian of a range target (PermenPANRB 8/2021): inside is 100, else the nearer bound."""
    if low <= realisasi <= high:
        return CapaianResult(100.0, None, None, in_range=True)
    bound = high if realisasi > high else low
    return point_capaian(bound, realisasi, polarity, negative_formula)


def apply_cap(raw: float | None, cap: float | None) -> float | None:
    """Capped capaian: no cap -> raw; else clamp to [0, cap]."""
    if raw is None or cap is None:
        return raw
    return min(max(raw, 0.0), cap)


# --- Predikat scales ------------------------------------------------------------------------------

COLOUR_TOP = "1E8449"
COLOUR_HIGH = "58D68D"
COLOUR_MID = "F4D03F"
COLOUR_LOW = "EB984E"
COLOUR_BOTTOM = "E74C3C"
_COLOURS = (COLOUR_TOP, COLOUR_HIGH, COLOUR_MID, COLOUR_LOW, COLOUR_BOTTOM)


def _permendagri(labels: Sequence[str], name: str) -> PredicateScale:
    bounds: tuple[float | None, ...] = (91.0, 76.0, 66.0, 51.0, None)
    return PredicateScale(
        name,
        tuple(
            PredicateBand(label, lower, False, colour)
            for label, lower, colour in zip(labels, bounds, _COLOURS, strict=True)
        ),
    )


PERMENDAGRI_86_2017 = _permendagri(
    ("Sangat Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah"), "Permendagri 86/2017"
)
PERMENDAGRI_86_2017_BAIK = _permendagri(
    ("Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang"),
    "Permendagri 86/2017 (Sangat Baik)",
)
PERMENPANRB_8_2021 = PredicateScale(
    "PermenPANRB 8/2021",
    (
        PredicateBand("Sangat Baik", 100.0, True, COLOUR_TOP),
        PredicateBand("Baik", 100.0, False, COLOUR_HIGH),
        PredicateBand("Cukup", 80.0, False, COLOUR_MID),
        PredicateBand("Kurang", 60.0, False, COLOUR_LOW),
        PredicateBand("Sangat Kurang", None, False, COLOUR_BOTTOM),
    ),
)
NAMED_SCALES: dict[str, PredicateScale] = {
    s.name: s for s in (PERMENDAGRI_86_2017, PERMENDAGRI_86_2017_BAIK, PERMENPANRB_8_2021)
}
DEFAULT_SCALE = PERMENDAGRI_86_2017


def custom_scale(rows: Sequence[tuple[str, float | None]]) -> tuple[PredicateScale, list[str]]:
    """Build a custom scale from (label, lower bound) rows; returns the scale and its problems.

    The band with no lower bound (or the lowest bound) catches everything below the others.
    Problems (as short Indonesian sentences): fewer than two bands, two bands with the same lower
    bound (an overlap), more than one open band (a gap: which one holds the low values?), empty
    labels, duplicate labels.
    """
    problems: list[str] = []
    labelled = [(label.strip(), lower) for label, lower in rows if label.strip()]
    if len(labelled) < 2:
        problems.append("skala kustom perlu sedikitnya dua predikat")
    open_bands = [label for label, lower in labelled if lower is None]
    if len(open_bands) > 1:
        problems.append(
            "lebih dari satu predikat tanpa batas bawah (" + ", ".join(open_bands) + ")"
        )
    seen: dict[float, str] = {}
    for label, lower in labelled:
        if lower is None:
            continue
        if not math.isfinite(lower):
            problems.append(f"batas bawah predikat {label} bukan angka")
        elif lower in seen:
            problems.append(
                f"predikat {seen[lower]} dan {label} tumpang tindih (batas bawah sama {lower:g})"
            )
        else:
            seen[lower] = label
    labels = [label for label, _ in labelled]
    dupes = sorted({label for label in labels if labels.count(label) > 1})
    if dupes:
        problems.append("nama predikat ganda: " + ", ".join(dupes))
    bounded = sorted(
        ((lower, label) for label, lower in labelled if lower is not None), reverse=True
    )
    bands = [PredicateBand(label, lower) for lower, label in bounded]
    if open_bands:
        bands.append(PredicateBand(open_bands[0], None))
    elif bands:
        # The lowest band also takes everything below it: no value is left without predikat.
        last = bands[-1]
        bands[-1] = PredicateBand(last.label, None)
    coloured = tuple(
        PredicateBand(b.label, b.lower, b.strict, _COLOURS[min(i, len(_COLOURS) - 1)])
        for i, b in enumerate(bands)
    )
    return PredicateScale("Kustom", coloured), problems


#: A capaian is printed, and its predikat read, with this many decimals.
SHOWN_DECIMALS = 2


def shown_capaian(capaian: float) -> float:
    """``capaian`` as printed: two decimals, half away from zero, on the float's shortest repr
    (``90.995`` -> ``91.0``), the value Excel's ``ROUND(x,2)`` gives."""
    if not math.isfinite(capaian):
        return capaian
    return round_half_up(capaian, SHOWN_DECIMALS)


def predikat(scale: PredicateScale, capaian: float | None) -> str | None:
    """The predikat of ``capaian`` as shown, so the report never prints ``91,00`` beside
    *Tinggi*: 90.995 shows as ``91,00`` and is *Sangat Tinggi*; 90.994 shows as ``90,99``."""
    if capaian is None:
        return None
    return scale.label(shown_capaian(capaian))


def predikat_table(scale: PredicateScale) -> tuple[str | None, list[tuple[float, str]]]:
    """The scale as a lookup table on shown values: (label of the bottom band, or None when no
    band is open below, and (lower bound, label) rows sorted ascending).

    A value ``v`` (already rounded to :data:`SHOWN_DECIMALS`) gets the label of the last row whose
    bound is ``<= v``, else the bottom label: what ``LOOKUP`` does, and what
    :func:`predikat` gives. A strict band (``> 100``) starts at the next shown value (``100.01``).
    Where two bands share a bound, the one the scale lists first wins, as in ``scale.label``.
    """
    step = Decimal(1).scaleb(-SHOWN_DECIMALS)
    bottom: str | None = None
    rows: dict[float, str] = {}
    for band in scale.bands:
        if band.lower is None:
            bottom = bottom if bottom is not None else band.label
            continue
        if not math.isfinite(band.lower):
            continue
        bound = band.lower
        if band.strict:
            bound = float(Decimal(repr(bound)).quantize(step, rounding=ROUND_FLOOR) + step)
        rows.setdefault(bound, band.label)
    return bottom, sorted(rows.items())


# --- Aggregation ----------------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    """Plain mean, summing in order (as Excel's AVERAGE does); None for no values."""
    if not values:
        return None
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Σ(w·c) / Σw over (capaian, weight) pairs (Excel: SUMPRODUCT / SUM); None when Σw is 0."""
    num = 0.0
    den = 0.0
    for c, w in pairs:
        num += c * w
        den += w
    if not pairs or den == 0:
        return None
    return num / den


def ratio_of_sums(pairs: Sequence[tuple[float, float]]) -> float | None:
    """The seed's "Σ realisasi × 100 / Σ target" over (target, realisasi) pairs."""
    st = 0.0
    sr = 0.0
    for t, r in pairs:
        st += t
        sr += r
    if not pairs or st == 0:
        return None
    return sr * 100 / st


def aggregate_quarters(values: Sequence[float | None], method: str) -> float | None:
    """Annual realisasi from the four triwulan values (None = not filled).

    ``Jumlah``: sum of filled quarters; ``Nilai Akhir``: the last filled quarter;
    ``Rata-rata``: mean of the filled quarters. None when no quarter is filled.
    """
    filled = [v for v in values if v is not None]
    if not filled:
        return None
    if method == "Jumlah":
        total = 0.0
        for v in filled:
            total += v
        return total
    if method == "Rata-rata":
        return mean(filled)
    return filled[-1]


def default_quarterly_aggregation(unit_key: str) -> str:
    """``Nilai Akhir`` for percentages, ``Jumlah`` for everything else (IKU-rules.md)."""
    return "Nilai Akhir" if unit_key == "%" else "Jumlah"
