"""Reading numbers out of IKU workbook cells, the way Indonesian reports write them.

One cell's content (a native ``int``/``float`` or a text such as ``"706 Orang"``, ``"1.234,5"``,
``"80–90 %"``, ``"1:17,9 per siswa"``) becomes a :class:`ParsedNumber`: a point number, a range or
a ratio, with the unit written in the cell, or a status saying why no number could be read
(``missing``, ``invalid``, ``ambiguous``, ``multiple``) with a short Indonesian ``reason``.

**Writing style** (``style``; the workbook setting, default ``"id"``). Indonesian writing (PUEBI,
and every regulation's tables) groups thousands with ``.`` and marks decimals with ``,``; English
writing (tables copied from elsewhere, English-locale exports) does the opposite. Text is read
with the chosen style's convention; what only the other convention can produce is still read,
and flagged (``off_style``: :attr:`ParsedNumber.english_like` under ``"id"``), so the workbook can
give ONE warning suggesting the other setting instead of one error per cell. Per number
(``I`` = digits before the separator, ``F`` = digits after; ``reading`` = the convention used):

=================================  ==================  ==================  ===================
text shape (examples)              ``style="id"``      ``style="en"``      ``reading``
=================================  ==================  ==================  ===================
no separator: ``706``              706                 706                 ``None``
``.`` groups, ``,`` decimal:       1234.5              1234.5, off-style   ``id``
``1.234,5``, ``1.234,``
``,`` groups, ``.`` decimal:       1234.5, off-style   1234.5              ``en``
``1,234.5``
several ``.``: ``749.930.215``     749930215           same, off-style     ``id``
several ``,``: ``749,930,215``     same, off-style     749930215           ``en``
one ``,``, ``F`` not 3 digits, or  0.34                0.34, off-style     ``id``
``I`` empty/0/longer than 3:
``0,34``, ``0,345``, ``1234,567``
one ``.``, same shapes:            93.6, off-style     93.6                ``en``
``93.6``, ``0.345``, ``1234.567``
one ``.``, ``I`` 1-3 digits not    **1234** (a         **ambiguous**       ``id`` / ``None``
0, ``F`` 3 digits: ``1.234``,      thousands group)    (1234 or 1.234)
``1.000``, ``30.000``
one ``,``, same shape: ``1,234``,  **ambiguous**       **1234** (a         ``en`` / ``None``
``1,000``                          (1234 or 1.234)     thousands group)
``Rp`` + one ``.`` + 3 digits:     1234                1234, off-style     ``id``
``Rp 1.234``
=================================  ==================  ==================  ===================

So the two styles never give two different values for one text: a text they would read
differently is ``ambiguous`` under one of them. Why ``1,234`` stays ambiguous under ``"id"``
although the convention makes it a decimal: a decimal with exactly three digits after a non-zero
integer part is rare in IKU, while ``1,000`` is exactly what an English-locale Excel displays
for one thousand, and guessing wrong changes a capaian a thousandfold; the planner fixes it by
typing the number as a number or writing ``1.234``. ``1.234`` under ``"id"`` is not ambiguous:
the domain rule (and the regulation's writing) makes ``1.000`` one thousand, never 1.

Groups after the first must have exactly 3 digits and the first 1 to 3, else the text is invalid;
two separators in a row (``32..420``) are reported as a typo. A number may carry a sign (also
U+2212), an ``Rp`` prefix (``Rp 1.041.759.500,-``), ``%`` before or after, and a unit after it
(``706 Orang``). Ranges are two numbers joined by a dash, ``s.d.``, ``s/d``, ``sd``, ``sampai
(dengan)`` or ``hingga``; a reversed range or two different units is invalid, never swapped.
Empty cells, dashes, ``n/a``, ``#N/A``, ``belum ada data``... are ``missing``.

**Ratios** ``a:b`` (``1:17,9``, ``1 : 32``, ``1:17,9 per siswa``, ``1:32 siswa``) have kind
``"ratio"`` and ``value = b / a`` (murid per guru for ``1 guru : b murid``); the unit written
after ``b`` is kept, else the unit is ``"rasio"``. The capaian of a ratio indicator compares the
second terms (``b / a``, which is ``b`` when ``a`` is 1) with the indicator's polarity: a ratio
murid per guru of ``1:32`` against a target ``1:30`` is read as 32 against 30.

**Two quantities in one cell** (``11 jenis; 50.000 lembar``, ``5 dokumen dan 3 laporan``,
``11 jenis / 50 lembar``, ``11 jenis 50 lembar``) give status ``multiple`` (the quantities in
``parts``) and never a number: the indicator must be split. Separators are ``;``, ``, `` (a comma
followed by a space), ``&``, ``+``, ``/``, ``dan``, ``serta`` and ``and``; every part must read as
a quantity, so units such as ``orang/tahun``, ``sarana dan prasarana`` and ``per 1.000 KH``, and
ranges such as ``7 s/d 8`` are single quantities.

Native numbers with a percent number format (``0%``, ``0.00%``) are multiplied by 100 by shifting
the decimal point of their shortest ``repr`` (``Decimal``), so ``0.8`` gives exactly ``80.0`` and
``0.145`` gives ``14.5`` (plain ``x * 100`` gives ``14.499999999999998``). The style does not
affect native numbers.

:func:`format_number` writes Indonesian numbers (``1.234,50``) rounding half up on the shortest
decimal ``repr`` of the value, which is what Excel shows (``0.125`` -> ``0,13``);
:func:`round_half_up` is the same rounding as a float.

Pure module: standard library only.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from decimal import ROUND_HALF_UP, Context, Decimal

from iku_excel.number_text import (
    STYLES,
    Kind,
    ParsedNumber,
    Status,
    Style,
    invalid,
    normalise_unit,
    parse_text,
)
from iku_excel.slots import slot_setters

__all__ = [
    "STYLES",
    "STYLE_LABELS",
    "Kind",
    "ParsedNumber",
    "Status",
    "Style",
    "decimals_of",
    "format_number",
    "normalise_unit",
    "parse_number",
    "round_half_up",
    "style_from_label",
]

#: How the workbook setting names each writing style (Indonesian, for planners).
STYLE_LABELS: dict[Style, str] = {"id": "Indonesia", "en": "Inggris"}
_STYLE_WORDS: dict[str, Style] = {
    "id": "id",
    "indonesia": "id",
    "bahasa indonesia": "id",
    "en": "en",
    "inggris": "en",
    "english": "en",
    "bahasa inggris": "en",
}
_SWAP_SEPARATORS = str.maketrans(".,", ",.")  # "1,234.50" -> "1.234,50"

# Excel shows at most 15 significant digits; decimals_of() counts what a reader would see.
_EXCEL_DIGITS = 15


# --- Public API -----------------------------------------------------------------------------------


def parse_number(
    raw: object, number_format: str | None = None, *, style: Style = "id"
) -> ParsedNumber:
    """Read one cell's content as a number, a range or a ratio.

    ``number_format`` is the cell's Excel number format; it only matters for native numbers: with
    a ``%`` in it (outside quotes, escapes and ``[...]``) the value is multiplied by 100 and the
    unit is ``"%"``. Native numbers are ``int``, ``float`` and other :class:`numbers.Real`
    (numpy scalars, ``Fraction``) except ``bool``; text follows the module docstring's rules
    under ``style`` (``"id"``: Indonesian, ``"en"``: English). Never raises for any cell content:
    anything that is not a number gives ``invalid`` (or ``multiple``) with a reason; an unknown
    ``style`` is a programming error (``ValueError``).
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
            return plain_number(raw, value)
    return _parse(raw, number_format, style)[0]


_MISSING = ParsedNumber(None, "missing")
_new = object.__new__
# The slots' setters in field order: a slot's descriptor sets it past the frozen __setattr__.
(_raw, _status, _kind, _value, _low, _high, _unit, _from_text, _percent_scaled, _readings,
 _reason, _reading, _off_style, _parts) = slot_setters(ParsedNumber)  # fmt: skip


def plain_number(raw: object, value: float) -> ParsedNumber:
    """``ParsedNumber(raw, "ok", "number", value, value, value)`` in half the time of the frozen
    dataclass's ``__init__`` (a 20,000-indicator workbook parses 380,000 cells): each slot set
    through its descriptor, the fields after ``high`` to their defaults. Equal, hashable,
    picklable and printable like any other (tests/test_numbers_properties.py; a field added to
    ParsedNumber breaks the unpacking above at import)."""
    p: ParsedNumber = _new(ParsedNumber)
    _raw(p, raw)
    _status(p, "ok")
    _kind(p, "number")
    _value(p, value)
    _low(p, value)
    _high(p, value)
    _unit(p, None)
    _from_text(p, False)
    _percent_scaled(p, False)
    _readings(p, ())
    _reason(p, "")
    _reading(p, None)
    _off_style(p, False)
    _parts(p, ())
    return p


def decimals_of(
    raw: object, number_format: str | None = None, *, style: Style = "id"
) -> int | None:
    """How many decimals a typed number shows, or ``None`` when it is not a point number.

    ``"100 %"`` -> 0, ``"87,50%"`` -> 2 (digits written after the decimal mark, trailing zeros
    included), ``12.5`` -> 1, ``100.0`` -> 0 (a native number: decimals of its shortest ``repr``
    after rounding to Excel's 15 significant digits, and after the percent scaling that
    ``number_format`` implies, so ``0.875`` with ``"0.00%"`` -> 1, the decimals of ``87.5``).
    Ranges, ratios, missing, invalid, ambiguous and multiple contents give ``None``.
    """
    return _parse(raw, number_format, style)[1]


def style_from_label(label: object) -> Style | None:
    """The writing style a setting cell names (``Indonesia``/``id``, ``Inggris``/``English``/
    ``en``, any case), or ``None`` when it names neither."""
    if not isinstance(label, str):
        return None
    return _STYLE_WORDS.get(" ".join(label.split()).casefold())


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
    if type(value) is float and decimals >= 0:
        text = repr(value)
        if "." in text and "e" not in text:  # not inf, nan or an exponent: the digits as written
            return _round_digits(value, text, decimals)
    return float(_quantize(_to_decimal(value), decimals))


def _round_digits(value: float, text: str, decimals: int) -> float:
    """:func:`round_half_up` on ``text``, the shortest repr of ``value`` written without an
    exponent, by cutting its digits (the decimal context cost five times as much for every
    capaian's predikat): the same value, zero without its sign."""
    negative = text[0] == "-"
    body = text[1:] if negative else text
    dot = body.index(".")
    if len(body) - dot <= decimals + 1 or body[-2:] == ".0":  # 91.5, 100.0: already rounded
        return value if value else 0.0
    kept = int(body[:dot] + body[dot + 1 : dot + 1 + decimals])
    if body[dot + 1 + decimals] >= "5":  # half up: away from zero
        kept += 1
    if not kept:
        return 0.0
    rounded = kept / 10**decimals  # correctly rounded, as float() of the decimal text
    return -rounded if negative else rounded


# --- Native cells ---------------------------------------------------------------------------------


def _parse(
    raw: object, number_format: str | None, style: Style = "id"
) -> tuple[ParsedNumber, int | None]:
    """Parse ``raw``; also return the decimals shown by a point number (``None`` otherwise)."""
    if style not in STYLES:
        raise ValueError(f"unknown number style {style!r}; expected one of {STYLES}")
    if raw is None:
        return ParsedNumber(raw, "missing"), None
    if isinstance(raw, bool):
        return invalid(raw, f"Nilai {raw} adalah nilai logika (TRUE/FALSE), bukan angka"), None
    if isinstance(raw, str):
        return parse_text(raw, style)
    if isinstance(raw, numbers.Real):
        return _parse_native(raw, number_format)
    if isinstance(raw, _dt.date | _dt.time | _dt.timedelta):
        return invalid(raw, f"Nilai {raw} adalah tanggal/waktu, bukan angka"), None
    return invalid(
        raw, f"Isi sel berjenis {type(raw).__name__} tidak dapat dibaca sebagai angka"
    ), None


def _parse_native(raw: numbers.Real, number_format: str | None) -> tuple[ParsedNumber, int | None]:
    try:
        exact = (
            Decimal(int(raw)) if isinstance(raw, numbers.Integral) else Decimal(repr(float(raw)))
        )
    except (OverflowError, ValueError):
        return invalid(raw, f"Angka {raw} terlalu besar"), None
    if not exact.is_finite():
        return invalid(raw, f"Nilai {raw} bukan angka yang terhingga"), None
    scaled = _is_percent_format(number_format)
    if scaled:
        exact = exact.scaleb(2)
    value = float(exact)
    if not math.isfinite(value):
        return invalid(raw, f"Angka {raw} terlalu besar"), None
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


# --- Formatting -----------------------------------------------------------------------------------


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
