"""Reading numbers out of IKU workbook cells, the way Indonesian reports write them.

One cell's content (a native ``int``/``float`` or a text such as ``"706 Orang"``, ``"1.234,5"``,
``"80–90 %"``, ``"1:17,9"``) becomes a :class:`ParsedNumber`: a point number, a range or a ratio,
with the unit written in the cell, or a status saying why no number could be read (``missing``,
``invalid``, ``ambiguous``) with a short Indonesian ``reason`` for the planner.

Separator rules for text (Indonesian: ``.`` groups thousands, ``,`` is the decimal mark; tables
copied from elsewhere use ``93.6``), decided per number:

* both ``.`` and ``,``: the last one is the decimal mark, the other groups thousands;
* one kind, several times: thousands grouping (``749.930.215``);
* one kind, once: a decimal mark unless exactly 3 digits follow it; with 3 digits it is still a
  decimal mark when the integer part is ``0``/empty (``0.345``) or longer than 3 digits
  (``1234.567``: a grouped number would be written ``1.234.567``), and thousands grouping after
  an ``Rp`` prefix with ``.`` (``Rp 1.000``); otherwise the text is *ambiguous* (``1.234``).

Groups after the first must have exactly 3 digits and the first 1 to 3, else the text is invalid;
two separators in a row (``32..420``) are reported as a typo. A number may carry a sign (also
U+2212), an ``Rp`` prefix, ``%`` before or after, and a unit after it (``706 Orang``). Ranges are
two numbers joined by a dash, ``s.d.``, ``s/d``, ``sd``, ``sampai (dengan)`` or ``hingga``; a
reversed range or two different units is invalid, never swapped. ``a:b`` is a ratio worth
``b / a``. Empty cells, dashes, ``n/a``, ``#N/A``, ``belum ada data``... are ``missing``.

Native numbers with a percent number format (``0%``, ``0.00%``) are multiplied by 100 by shifting
the decimal point of their shortest ``repr`` (``Decimal``), so ``0.8`` gives exactly ``80.0`` and
``0.145`` gives ``14.5`` (plain ``x * 100`` gives ``14.499999999999998``).

:func:`format_number` writes Indonesian numbers (``1.234,50``) rounding half up on the shortest
decimal ``repr`` of the value, which is what Excel shows (``0.125`` -> ``0,13``);
:func:`round_half_up` is the same rounding as a float.

Pure module: standard library only.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

__all__ = [
    "Kind",
    "ParsedNumber",
    "Status",
    "decimals_of",
    "format_number",
    "normalise_unit",
    "parse_number",
    "round_half_up",
]

Status = Literal["ok", "missing", "invalid", "ambiguous"]
Kind = Literal["number", "range", "ratio"]


@dataclass(frozen=True)
class ParsedNumber:
    """What one cell says as a number.

    ``value`` is the point value (``None`` for a range; ``b / a`` for a ratio ``a:b``); ``low`` and
    ``high`` bound a range and equal ``value`` for a point. ``unit`` is the unit written in the cell
    (``"%"`` for ``%``/``persen``/``prosen``, ``"rasio"`` for a ratio, ``"Rp"`` for an ``Rp``
    prefix, else as written with whitespace collapsed). ``readings`` lists the candidate values of
    an ``ambiguous`` text; ``reason`` explains ``invalid``/``ambiguous`` in Indonesian.
    """

    raw: object
    status: Status
    kind: Kind | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    from_text: bool = False
    percent_scaled: bool = False
    readings: tuple[float, ...] = ()
    reason: str = ""

    @property
    def is_number(self) -> bool:
        """True when a number, range or ratio was read (``status == "ok"``)."""
        return self.status == "ok"


# --- Vocabulary -----------------------------------------------------------------------------------

_MISSING_TOKENS = frozenset(
    {
        "",
        "-",
        "–",
        "—",
        "n/a",
        "na",
        "#n/a",
        "belum ada data",
        "tidak ada data",
        "belum tersedia",
        "tidak tersedia",
    }
)
_DASHES = frozenset({"-", "–", "—"})
_PERCENT_WORDS = frozenset({"%", "％", "persen", "prosen", "percent"})
_RUPIAH_WORDS = frozenset({"rp", "rp.", "rupiah"})
_RATIO_UNIT = "rasio"
_RUPIAH_UNIT = "Rp"
# Excel error values ("#DIV/0!", "#VALUE!", "#NAME?", "#GETTING_DATA", ...); "#N/A" is missing.
_EXCEL_ERROR_RE = re.compile(r"^#(?:[A-Za-z0-9_/]+[!?]|GETTING_DATA)$", re.IGNORECASE)
# Characters removed before parsing (zero-width space, BOM, soft hyphen).
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MINUS_SIGNS = str.maketrans("\u2212\ufe63\uff0d", "---")
_SWAP_SEPARATORS = str.maketrans(".,", ",.")  # "1,234.50" -> "1.234,50"

# A point number: optional "Rp"/"%" prefix, sign, digits with separators, then a unit.
_POINT_RE = re.compile(
    r"^(?P<pre>rp\.?|%)?\s*(?P<sign>[-+])?\s*(?P<rp>rp\.?)?\s*"
    r"(?P<num>[0-9.,]*[0-9][0-9.,]*)\s*(?P<unit>.*)$",
    re.IGNORECASE,
)
_UNIT_START = frozenset("%‰°(")
_SCIENTIFIC_RE = re.compile(r"^[-+]?[0-9.,]*[0-9]\s*e\s*[-+]?[0-9]+$", re.IGNORECASE)
_EXPONENT_UNIT_RE = re.compile(r"^e[-+]?[0-9]", re.IGNORECASE)
_RUPIAH_RE = re.compile(r"(?<![A-Za-z])rp(?![A-Za-z])", re.IGNORECASE)
_RUPIAH_DASH_RE = re.compile(r"[.,]-$")
# Range separators: dashes, "s.d.", "s/d", "sd", "sampai (dengan)", "hingga".
_RANGE_SEP_RE = re.compile(
    r"\s*(?:[-–—‒~]|s\s?[./]?\s?d\.?|sampai(?:\s+dengan)?|hingga)\s*", re.IGNORECASE
)
_RATIO_RE = re.compile(r"^(?P<a>[^:]+?)\s*:\s*(?P<b>[^:]+)$")

# Excel shows at most 15 significant digits; decimals_of() counts what a reader would see.
_EXCEL_DIGITS = 15


# --- Public API -----------------------------------------------------------------------------------


def parse_number(raw: object, number_format: str | None = None) -> ParsedNumber:
    """Read one cell's content as a number, a range or a ratio.

    ``number_format`` is the cell's Excel number format; it only matters for native numbers: with
    a ``%`` in it (outside quotes, escapes and ``[...]``) the value is multiplied by 100 and the
    unit is ``"%"``. Native numbers are ``int``, ``float`` and other :class:`numbers.Real`
    (numpy scalars, ``Fraction``) except ``bool``; text follows the module docstring's rules.
    Never raises: anything that is not a number gives ``invalid`` with a reason.
    """
    # Fast paths for the two commonest cells (a workbook has tens of thousands of them); the
    # results are exactly what the general path gives (tests/test_numbers_properties.py).
    if raw is None:
        return _MISSING
    kind = type(raw)
    if (kind is float or (kind is int and -(2**53) <= raw <= 2**53)) and (  # type: ignore[operator]
        number_format is None or "%" not in number_format
    ):
        value = float(raw)  # type: ignore[arg-type]
        if math.isfinite(value):
            return ParsedNumber(raw, "ok", "number", value, value, value)
    return _parse(raw, number_format)[0]


_MISSING = ParsedNumber(None, "missing")


def decimals_of(raw: object, number_format: str | None = None) -> int | None:
    """How many decimals a typed number shows, or ``None`` when it is not a point number.

    ``"100 %"`` -> 0, ``"87,50%"`` -> 2 (digits written after the decimal mark, trailing zeros
    included), ``12.5`` -> 1, ``100.0`` -> 0 (a native number: decimals of its shortest ``repr``
    after rounding to Excel's 15 significant digits, and after the percent scaling that
    ``number_format`` implies, so ``0.875`` with ``"0.00%"`` -> 1, the decimals of ``87.5``).
    Ranges, ratios, missing, invalid and ambiguous contents give ``None``.
    """
    return _parse(raw, number_format)[1]


def format_number(value: float, decimals: int = 2, *, trim: bool = False) -> str:
    """Write ``value`` the Indonesian way: ``.`` groups thousands, ``,`` is the decimal mark.

    Rounds half up on the shortest decimal ``repr`` (as Excel displays): ``format_number(1234.5)``
    is ``"1.234,50"``; ``trim=True`` drops trailing zeros and a bare decimal mark (``"1.234,5"``,
    ``"80"``). A value that rounds to zero is written without a minus sign.
    Raises ``ValueError`` for NaN, infinities or negative ``decimals``.
    """
    rounded = _quantize(_to_decimal(value), decimals)
    text = format(rounded, ",f").translate(_SWAP_SEPARATORS)
    if trim and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def round_half_up(value: float, decimals: int = 0) -> float:
    """``value`` rounded half up to ``decimals`` on its shortest decimal ``repr``.

    This is the value of :func:`format_number`'s text: ``round_half_up(0.125, 2) == 0.13`` (Python's
    ``round`` gives ``0.12``), ``round_half_up(2.675, 2) == 2.68``. Raises ``ValueError`` for NaN,
    infinities or negative ``decimals``.
    """
    return float(_quantize(_to_decimal(value), decimals))


def normalise_unit(text: object) -> str:
    """Comparison key of a unit, for matching the ``Satuan`` column with units written in cells.

    Whitespace is collapsed and case folded; ``%``, ``persen``, ``prosen``, ``percent`` and
    ``Persen (%)`` all give ``"%"``; ``Rp``, ``Rp.`` and ``Rupiah`` give ``"rp"``. So
    ``normalise_unit("persen") == normalise_unit("%")`` and
    ``normalise_unit("orang") == normalise_unit("Orang ")``. ``None`` gives ``""``.
    The result is a key, not a label to display.
    """
    if text is None:
        return ""
    key = _collapse(str(text)).casefold()
    if key.startswith("(") and key.endswith(")"):
        key = key[1:-1].strip()
    if key.endswith("(%)"):  # "Persen (%)"
        head = key[:-3].strip()
        if head in _PERCENT_WORDS:
            key = head
    if key in _PERCENT_WORDS:
        return "%"
    if key in _RUPIAH_WORDS:
        return "rp"
    return key


# --- Native cells ---------------------------------------------------------------------------------


def _parse(raw: object, number_format: str | None) -> tuple[ParsedNumber, int | None]:
    """Parse ``raw``; also return the decimals shown by a point number (``None`` otherwise)."""
    if raw is None:
        return ParsedNumber(raw, "missing"), None
    if isinstance(raw, bool):
        return _invalid(raw, f"Nilai {raw} adalah nilai logika (TRUE/FALSE), bukan angka"), None
    if isinstance(raw, str):
        return _parse_text(raw)
    if isinstance(raw, numbers.Real):
        return _parse_native(raw, number_format)
    if isinstance(raw, _dt.date | _dt.time | _dt.timedelta):
        return _invalid(raw, f"Nilai {raw} adalah tanggal/waktu, bukan angka"), None
    return _invalid(
        raw, f"Isi sel berjenis {type(raw).__name__} tidak dapat dibaca sebagai angka"
    ), None


def _parse_native(raw: numbers.Real, number_format: str | None) -> tuple[ParsedNumber, int | None]:
    try:
        exact = (
            Decimal(int(raw)) if isinstance(raw, numbers.Integral) else Decimal(repr(float(raw)))
        )
    except (OverflowError, ValueError):
        return _invalid(raw, f"Angka {raw} terlalu besar"), None
    if not exact.is_finite():
        return _invalid(raw, f"Nilai {raw} bukan angka yang terhingga"), None
    scaled = _is_percent_format(number_format)
    if scaled:
        exact = exact.scaleb(2)
    value = float(exact)
    if not math.isfinite(value):
        return _invalid(raw, f"Angka {raw} terlalu besar"), None
    parsed = ParsedNumber(
        raw,
        "ok",
        kind="number",
        value=value,
        low=value,
        high=value,
        unit="%" if scaled else None,
        percent_scaled=scaled,
    )
    return parsed, _shown_decimals(exact)


def _shown_decimals(exact: Decimal) -> int:
    """Decimals of a native value as Excel shows it (15 significant digits, no trailing zeros)."""
    if exact.is_zero():
        return 0
    digits = exact.adjusted() + 1  # digits before the decimal point (may be <= 0)
    if len(exact.as_tuple().digits) > _EXCEL_DIGITS:
        exact = exact.quantize(Decimal(1).scaleb(digits - _EXCEL_DIGITS), rounding=ROUND_HALF_UP)
    exponent = exact.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    return max(0, -exponent)


def _is_percent_format(number_format: str | None) -> bool:
    """True when an Excel number format shows a percent sign (outside quotes, escapes, [..])."""
    if not number_format:
        return False
    i = 0
    in_quote = False
    while i < len(number_format):
        char = number_format[i]
        if in_quote:
            in_quote = char != '"'
        elif char == '"':
            in_quote = True
        elif char in "\\_*":  # escaped literal, padding width, fill character: skip the next one
            i += 1
        elif char == "[":  # [Red], [$-421], [>=100]
            end = number_format.find("]", i)
            i = len(number_format) if end < 0 else end
        elif char == "%":
            return True
        i += 1
    return False


# --- Text cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A point number read from part of a text, or why it could not be read."""

    status: Status  # "ok", "ambiguous" or "invalid"
    value: float | None = None
    unit: str | None = None
    decimals: int | None = None
    readings: tuple[float, ...] = ()
    reason: str = ""


def _parse_text(raw: str) -> tuple[ParsedNumber, int | None]:
    text = _collapse(raw.translate(_MINUS_SIGNS))
    folded = text.casefold()
    if folded in _MISSING_TOKENS or (folded.endswith("%") and folded[:-1].strip() in _DASHES):
        return ParsedNumber(raw, "missing", from_text=True), None
    if _EXCEL_ERROR_RE.match(text):
        return _invalid(raw, f"Sel berisi galat Excel {text}"), None
    if _SCIENTIFIC_RE.match(text):
        return _invalid(raw, f"'{_quote(text)}': notasi ilmiah tidak didukung"), None
    rupiah = bool(_RUPIAH_RE.search(text))
    if ":" in text:
        return _parse_ratio(raw, text), None
    ranged = _parse_range(raw, text, rupiah)
    if ranged is not None:
        return ranged, None
    point = _parse_point(text, rupiah)
    if point.status == "ok":
        assert point.value is not None
        parsed = ParsedNumber(
            raw,
            "ok",
            kind="number",
            value=point.value,
            low=point.value,
            high=point.value,
            unit=point.unit,
            from_text=True,
        )
        return parsed, point.decimals
    return _not_ok(raw, point), None


def _parse_ratio(raw: str, text: str) -> ParsedNumber:
    match = _RATIO_RE.match(text)
    if match is None:
        return _invalid(raw, f"Rasio '{_quote(text)}' tidak dapat dibaca (tulis misalnya 1:18)")
    first = _parse_point(match["a"], rupiah=False)
    second = _parse_point(match["b"], rupiah=False)
    for point in (first, second):
        if point.status == "invalid" or point.unit is not None:
            return _invalid(raw, f"Rasio '{_quote(text)}' tidak dapat dibaca (tulis misalnya 1:18)")
    if first.status == "ambiguous" or second.status == "ambiguous":
        readings = tuple(
            dict.fromkeys(
                b / a
                for a in (first.readings or (first.value,))
                for b in (second.readings or (second.value,))
                if a is not None and b is not None and a > 0
            )
        )
        unclear = first if first.status == "ambiguous" else second
        return _ambiguous(raw, readings, f"Rasio '{_quote(text)}': {unclear.reason}")
    assert first.value is not None and second.value is not None
    if first.value <= 0:
        return _invalid(raw, f"Rasio '{_quote(text)}' tidak sah: angka pertama harus lebih dari 0")
    if second.value < 0:
        return _invalid(raw, f"Rasio '{_quote(text)}' tidak sah: angka kedua negatif")
    value = second.value / first.value
    return ParsedNumber(
        raw,
        "ok",
        kind="ratio",
        value=value,
        low=value,
        high=value,
        unit=_RATIO_UNIT,
        from_text=True,
    )


def _parse_range(raw: str, text: str, rupiah: bool) -> ParsedNumber | None:
    """A range if ``text`` splits at a separator into two readable numbers, else ``None``.

    Every separator position is tried (a leading ``-`` is a sign, not a separator); the first
    split giving a well-formed range wins, else the first split whose two sides are numbers
    decides the error (reversed bounds, two different units, an ambiguous side).
    """
    first_problem: ParsedNumber | None = None
    for match in _RANGE_SEP_RE.finditer(text):
        left, right = text[: match.start()].strip(), text[match.end() :].strip()
        if not left or not right:
            continue
        low, high = _parse_point(left, rupiah), _parse_point(right, rupiah)
        if "invalid" in (low.status, high.status):
            continue
        result = _make_range(raw, text, low, high)
        if result.status == "ok":
            return result
        if first_problem is None:
            first_problem = result
    return first_problem


def _make_range(raw: str, text: str, low: _Point, high: _Point) -> ParsedNumber:
    for side in (low, high):
        if side.status == "ambiguous":
            return _ambiguous(raw, side.readings, f"Rentang '{_quote(text)}': {side.reason}")
    assert low.value is not None and high.value is not None
    if (
        low.unit is not None
        and high.unit is not None
        and normalise_unit(low.unit) != normalise_unit(high.unit)
    ):
        return _invalid(
            raw,
            f"Rentang '{_quote(text)}' memakai dua satuan berbeda ('{low.unit}' dan '{high.unit}')",
        )
    if low.value > high.value:
        return _invalid(
            raw, f"Rentang '{_quote(text)}' terbalik: batas bawah lebih besar dari batas atas"
        )
    return ParsedNumber(
        raw,
        "ok",
        kind="range",
        low=low.value,
        high=high.value,
        unit=low.unit if low.unit is not None else high.unit,
        from_text=True,
    )


def _parse_point(text: str, rupiah: bool) -> _Point:
    """Read one number with an optional sign, ``Rp``/``%`` prefix and unit suffix."""
    if rupiah:
        text = _RUPIAH_DASH_RE.sub("", text)  # "Rp 5.000,-"
    match = _POINT_RE.match(text)
    if match is None:
        return _Point("invalid", reason=f"'{_quote(text)}' tidak dapat dibaca sebagai angka")
    prefix = (match["pre"] or "").casefold()
    has_rp = prefix.startswith("rp") or match["rp"] is not None
    unit_text = match["unit"].strip()
    if (prefix.startswith("rp") and match["rp"] is not None) or (prefix == "%" and unit_text):
        return _Point("invalid", reason=f"'{_quote(text)}' tidak dapat dibaca sebagai angka")
    if _EXPONENT_UNIT_RE.match(unit_text):  # "1E5 Orang"
        return _Point("invalid", reason=f"'{_quote(text)}': notasi ilmiah tidak didukung")
    if unit_text and not (unit_text[0].isalpha() or unit_text[0] in _UNIT_START):
        return _Point("invalid", reason=f"'{_quote(text)}' tidak dapat dibaca sebagai angka")

    digits = _read_digits(match["num"], grouping_dot=has_rp)
    sign = -1.0 if match["sign"] == "-" else 1.0
    if digits.status != "ok":
        readings = tuple(sign * reading for reading in digits.readings)
        return _Point(digits.status, readings=readings, reason=digits.reason)
    assert digits.value is not None
    value = sign * digits.value + 0.0  # + 0.0 turns -0.0 into 0.0
    if not math.isfinite(value):
        return _Point("invalid", reason=f"Angka '{_quote(text)}' terlalu besar")
    if prefix == "%":
        unit: str | None = "%"
    elif has_rp:
        unit = f"{_RUPIAH_UNIT} {unit_text}" if unit_text else _RUPIAH_UNIT
    else:
        unit = _display_unit(unit_text) if unit_text else None
    return _Point("ok", value=value, unit=unit, decimals=digits.decimals)


def _read_digits(token: str, *, grouping_dot: bool) -> _Point:
    """Read an unsigned run of digits, ``.`` and ``,`` (see the module docstring for the rules)."""
    if re.search(r"[.,]{2}", token):
        return _Point(
            "invalid",
            reason=f"'{token}' berisi dua pemisah berurutan, kemungkinan salah ketik",
        )
    seps = [c for c in token if c in ".,"]
    if not seps:
        return _number(token, "")
    kinds = set(seps)
    if len(kinds) == 2:
        mark = seps[-1]
        integer, _, fraction = token.rpartition(mark)
        group_char = "." if mark == "," else ","
        if mark in integer or not _grouped(integer.split(group_char)):
            return _Point(
                "invalid",
                reason=f"'{token}': titik dan koma bukan pemisah ribuan dan desimal",
            )
        return _number(integer.replace(group_char, ""), fraction)
    sep = seps[0]
    parts = token.split(sep)
    if len(parts) > 2:
        if not _grouped(parts):
            return _Point(
                "invalid", reason=f"'{token}': pemisah ribuan harus diikuti tepat 3 angka"
            )
        return _number("".join(parts), "")
    integer, fraction = parts
    if len(fraction) != 3 or integer.strip("0") == "" or len(integer) > 3:
        return _number(integer, fraction)
    if grouping_dot and sep == ".":
        return _number(integer + fraction, "")
    grouped, decimal = integer + fraction, f"{integer},{fraction}"
    return _Point(
        "ambiguous",
        readings=(float(grouped), float(f"{integer}.{fraction}")),
        reason=(
            f"'{token}' bisa berarti {grouped} atau {decimal}; tulis {grouped} (tanpa pemisah) "
            f"bila ribuan, atau ketik {decimal} sebagai angka, bukan teks"
        ),
    )


def _grouped(groups: list[str]) -> bool:
    """True for thousands groups: the first has 1 to 3 digits, every other exactly 3."""
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _number(integer: str, fraction: str) -> _Point:
    value = float(f"{integer or '0'}.{fraction or '0'}")
    return _Point("ok", value=value, decimals=len(fraction))


# --- Helpers --------------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def _display_unit(text: str) -> str:
    unit = _collapse(text)
    return "%" if unit.casefold() in _PERCENT_WORDS else unit


def _quote(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _invalid(raw: object, reason: str) -> ParsedNumber:
    return ParsedNumber(raw, "invalid", from_text=isinstance(raw, str), reason=reason)


def _ambiguous(raw: object, readings: tuple[float, ...], reason: str) -> ParsedNumber:
    return ParsedNumber(raw, "ambiguous", from_text=True, readings=readings, reason=reason)


def _not_ok(raw: str, point: _Point) -> ParsedNumber:
    if point.status == "ambiguous":
        return _ambiguous(raw, point.readings, point.reason)
    return _invalid(raw, point.reason)


def _to_decimal(value: float) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot format {number!r}")
    return Decimal(repr(number))


def _quantize(exact: Decimal, decimals: int) -> Decimal:
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    context = Context(prec=max(28, exact.adjusted() + decimals + 3))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=context)
    return rounded.copy_abs() if rounded.is_zero() else rounded
