"""Reading a number, range, ratio or list of quantities out of one text cell, per writing style.

The rules (and the table of separator readings per style) are documented in
:mod:`iku_excel.numbers`, the module callers use; this module holds :class:`ParsedNumber` and the
text half of the parser. Pure module: standard library only.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Literal, TypedDict

__all__ = [
    "STYLES",
    "Kind",
    "ParsedNumber",
    "Status",
    "Style",
    "collapse",
    "invalid",
    "normalise_unit",
    "parse_text",
]

Status = Literal["ok", "missing", "invalid", "ambiguous", "multiple"]
Kind = Literal["number", "range", "ratio"]
#: Writing style of numbers in text: "id" (Indonesia: 1.234,5) or "en" (Inggris: 1,234.5).
Style = Literal["id", "en"]
STYLES: tuple[Style, ...] = ("id", "en")


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """What one cell says as a number.

    ``value`` is the point value (``None`` for a range; ``b / a`` for a ratio ``a:b``); ``low`` and
    ``high`` bound a range and equal ``value`` for a point. ``unit`` is the unit written in the cell
    (``"%"`` for ``%``/``persen``/``prosen``, ``"rasio"`` for a ratio without a unit, ``"Rp"`` for
    an ``Rp`` prefix, else as written with whitespace collapsed). ``readings`` lists the candidate
    values of an ``ambiguous`` text; ``parts`` the quantities of a ``multiple`` one; ``reason``
    explains ``invalid``/``ambiguous``/``multiple`` in Indonesian.

    ``reading`` is the writing style whose separator convention gave the value (``None`` when no
    separator needed interpreting, and for native numbers); ``off_style`` is True when that is not
    the style the text was parsed with, because only that reading made sense (``93.6`` under
    ``"id"``): see :attr:`english_like`.
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
    reading: Style | None = None
    off_style: bool = False
    parts: tuple[str, ...] = ()

    @property
    def is_number(self) -> bool:
        """True when a number, range or ratio was read (``status == "ok"``)."""
        return self.status == "ok"

    @property
    def english_like(self) -> bool:
        """True when parsed as Indonesian but only the English reading made sense (``93.6``)."""
        return self.off_style and self.reading == "en"

    @property
    def indonesian_like(self) -> bool:
        """True when parsed as English but only the Indonesian reading made sense (``1.234,5``)."""
        return self.off_style and self.reading == "id"


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
# Between two quantities of one cell: ";", ", " (a decimal comma is never followed by a space),
# "&", "+", "/", and the words "dan", "serta", "and". Every part must read as a quantity.
_LIST_SEP_RE = re.compile(r"\s*(?:;|,\s|&|\+|/|\b(?:dan|serta|and)\b)\s*", re.IGNORECASE)
# A unit that is a word followed by another quantity: "11 jenis 50 lembar" -> "jenis", "50 lembar"
# ("per 1.000 KH", "dari 100 desa", "tiap 1.000 penduduk" are one quantity with a rate unit).
_UNIT_THEN_QUANTITY_RE = re.compile(r"^(?P<word>[^\W\d_]+)\s+(?P<rest>[0-9][0-9.,]*\s*[^\W\d_].*)$")
_LETTER_RE = re.compile(r"[^\W\d_]|%")
_RATE_WORDS = frozenset({"per", "dari", "tiap", "setiap", "untuk"})
_DOUBLE_SEPARATOR_RE = re.compile(r"[.,]{2}")


# --- Text cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A point number read from part of a text, or why it could not be read."""

    status: Literal["ok", "ambiguous", "invalid"]
    value: float | None = None
    unit: str | None = None
    decimals: int | None = None
    readings: tuple[float, ...] = ()
    reason: str = ""
    reading: Style | None = None


def parse_text(raw: str, style: Style) -> tuple[ParsedNumber, int | None]:
    """Parse a text cell; also return the decimals shown by a point number (``None`` otherwise)."""
    text = collapse(raw.translate(_MINUS_SIGNS))
    folded = text.casefold()
    if folded in _MISSING_TOKENS or (folded.endswith("%") and folded[:-1].strip() in _DASHES):
        return ParsedNumber(raw, "missing", from_text=True), None
    if _EXCEL_ERROR_RE.match(text):
        return invalid(raw, f"Sel berisi galat Excel {text}"), None
    if _SCIENTIFIC_RE.match(text):
        return invalid(raw, f"'{_quote(text)}': notasi ilmiah tidak didukung"), None
    listed = _parse_list(raw, text, style)
    if listed is not None:
        return listed, None
    return _parse_single(raw, text, style)


def _parse_single(raw: str, text: str, style: Style) -> tuple[ParsedNumber, int | None]:
    """One quantity: a ratio, a range or a point number (with its shown decimals)."""
    rupiah = bool(_RUPIAH_RE.search(text))
    if ":" in text:
        return _parse_ratio(raw, text, style), None
    ranged = _parse_range(raw, text, rupiah, style)
    if ranged is not None:
        return ranged, None
    point = _parse_point(text, rupiah, style)
    if point.status == "ok":
        assert point.value is not None
        if point.unit is not None:
            split = _unit_then_quantity(raw, text, point, style)
            if split is not None:
                return split, None
        parsed = ParsedNumber(
            raw,
            "ok",
            kind="number",
            value=point.value,
            low=point.value,
            high=point.value,
            unit=point.unit,
            from_text=True,
            reading=point.reading,
            off_style=point.reading is not None and point.reading != style,
        )
        return parsed, point.decimals
    return _not_ok(raw, point), None


def _parse_list(raw: str, text: str, style: Style) -> ParsedNumber | None:
    """``multiple`` when ``text`` is two or more quantities joined by a list separator.

    A ``/`` alone joins two quantities only when one has a unit (``11 jenis/50 lembar``); bare
    ``80/100`` is a fraction and stays unreadable.
    """
    separators = [match.group().strip() for match in _LIST_SEP_RE.finditer(text)]
    if not separators:
        return None
    parts = _LIST_SEP_RE.split(text)
    if not all(parts):
        return None
    if set(separators) == {"/"} and not any(_LETTER_RE.search(part) for part in parts):
        return None
    for part in parts:
        parsed, _ = _parse_single(part, part, style)
        if parsed.status not in ("ok", "ambiguous", "multiple"):
            return None
    return _multiple(raw, text, tuple(parts))


def _unit_then_quantity(raw: str, text: str, point: _Point, style: Style) -> ParsedNumber | None:
    """``multiple`` for ``11 jenis 50 lembar``: a unit word followed by another quantity."""
    assert point.unit is not None
    match = _UNIT_THEN_QUANTITY_RE.match(point.unit)
    if match is None or match["word"].casefold() in _RATE_WORDS:
        return None
    rest = match["rest"]
    if _parse_single(rest, rest, style)[0].status not in ("ok", "ambiguous", "multiple"):
        return None
    first = text[: len(text) - len(rest)].strip()
    return _multiple(raw, text, (first, rest))


def _multiple(raw: str, text: str, parts: tuple[str, ...]) -> ParsedNumber:
    listed = "; ".join(f"'{_quote(part, 25)}'" for part in parts)
    reason = (
        f"'{_quote(text)}' berisi {len(parts)} besaran ({listed}); satu sel hanya boleh berisi "
        f"satu angka: pecah menjadi {len(parts)} indikator, masing-masing dengan target dan "
        "realisasinya sendiri"
    )
    return ParsedNumber(raw, "multiple", from_text=True, reason=reason, parts=parts)


def _parse_ratio(raw: str, text: str, style: Style) -> ParsedNumber:
    unreadable = f"Rasio '{_quote(text)}' tidak dapat dibaca (tulis misalnya 1:18)"
    match = _RATIO_RE.match(text)
    if match is None:
        return invalid(raw, unreadable)
    first = _parse_point(match["a"], False, style)
    second = _parse_point(match["b"], False, style)
    if "invalid" in (first.status, second.status) or first.unit is not None:
        return invalid(raw, unreadable)
    if second.unit is not None and (second.unit == "%" or not second.unit[0].isalpha()):
        return invalid(raw, unreadable)
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
        return invalid(raw, f"Rasio '{_quote(text)}' tidak sah: angka pertama harus lebih dari 0")
    if second.value < 0:
        return invalid(raw, f"Rasio '{_quote(text)}' tidak sah: angka kedua negatif")
    value = second.value / first.value
    return ParsedNumber(
        raw,
        "ok",
        kind="ratio",
        value=value,
        low=value,
        high=value,
        unit=second.unit or _RATIO_UNIT,
        from_text=True,
        **_style_of((first, second), style),
    )


def _parse_range(raw: str, text: str, rupiah: bool, style: Style) -> ParsedNumber | None:
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
        low, high = _parse_point(left, rupiah, style), _parse_point(right, rupiah, style)
        if "invalid" in (low.status, high.status):
            continue
        result = _make_range(raw, text, low, high, style)
        if result.status == "ok":
            return result
        if first_problem is None:
            first_problem = result
    return first_problem


def _make_range(raw: str, text: str, low: _Point, high: _Point, style: Style) -> ParsedNumber:
    for side in (low, high):
        if side.status == "ambiguous":
            return _ambiguous(raw, side.readings, f"Rentang '{_quote(text)}': {side.reason}")
    assert low.value is not None and high.value is not None
    if (
        low.unit is not None
        and high.unit is not None
        and normalise_unit(low.unit) != normalise_unit(high.unit)
    ):
        return invalid(
            raw,
            f"Rentang '{_quote(text)}' memakai dua satuan berbeda ('{low.unit}' dan '{high.unit}')",
        )
    if low.value > high.value:
        return invalid(
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
        **_style_of((low, high), style),
    )


def _parse_point(text: str, rupiah: bool, style: Style) -> _Point:
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

    digits = _read_digits(match["num"], style, rupiah=has_rp)
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
    return _Point("ok", value=value, unit=unit, decimals=digits.decimals, reading=digits.reading)


# --- Separators -----------------------------------------------------------------------------------


def _read_digits(token: str, style: Style, *, rupiah: bool) -> _Point:
    """Read an unsigned run of digits, ``.`` and ``,`` under ``style`` (rules: numbers module).

    ``rupiah``: the number follows ``Rp``, so one ``.`` before 3 digits groups thousands under
    either style (rupiah amounts have no decimals in practice).
    """
    if _DOUBLE_SEPARATOR_RE.search(token):
        return _Point(
            "invalid", reason=f"'{token}' berisi dua pemisah berurutan, kemungkinan salah ketik"
        )
    seps = [char for char in token if char in ".,"]
    if not seps:
        return _number(token, "", None)
    if len(set(seps)) == 2:  # both kinds: the last one is the decimal mark
        mark = seps[-1]
        integer, _, fraction = token.rpartition(mark)
        group_char = "." if mark == "," else ","
        if mark in integer or not _grouped(integer.split(group_char)):
            return _Point(
                "invalid", reason=f"'{token}': titik dan koma bukan pemisah ribuan dan desimal"
            )
        return _number(integer.replace(group_char, ""), fraction, _decimal_style(mark))
    sep = seps[0]
    parts = token.split(sep)
    if len(parts) > 2:  # one kind, several times: thousands groups
        if not _grouped(parts):
            return _Point(
                "invalid", reason=f"'{token}': pemisah ribuan harus diikuti tepat 3 angka"
            )
        return _number("".join(parts), "", _other(_decimal_style(sep)))
    integer, fraction = parts
    if len(fraction) != 3 or integer.strip("0") == "" or len(integer) > 3:
        return _number(integer, fraction, _decimal_style(sep))  # cannot be a thousands group
    if rupiah and sep == ".":
        return _number(integer + fraction, "", "id")
    if style != _decimal_style(sep):  # the style's own thousands separator
        return _number(integer + fraction, "", style)
    return _ambiguous_digits(token, integer, fraction, style)


def _ambiguous_digits(token: str, integer: str, fraction: str, style: Style) -> _Point:
    grouped = integer + fraction
    if style == "id":
        reason = (
            f"'{token}' bisa berarti {integer},{fraction} (koma desimal) atau {grouped} (koma "
            f"pemisah ribuan cara Inggris); tulis {integer}.{fraction} bila ribuan, atau ketik "
            f"{integer},{fraction} sebagai angka, bukan teks"
        )
    else:
        reason = (
            f"'{token}' bisa berarti {integer}.{fraction} (titik desimal cara Inggris) atau "
            f"{grouped} (titik pemisah ribuan cara Indonesia); tulis {integer},{fraction} bila "
            f"ribuan, atau ketik {integer}.{fraction} sebagai angka, bukan teks"
        )
    readings = (float(grouped), float(f"{integer}.{fraction}"))
    return _Point("ambiguous", readings=readings, reason=reason)


def _decimal_style(mark: str) -> Style:
    """The style in which ``mark`` is the decimal mark."""
    return "id" if mark == "," else "en"


def _other(style: Style) -> Style:
    return "en" if style == "id" else "id"


def _grouped(groups: list[str]) -> bool:
    """True for thousands groups: the first has 1 to 3 digits, every other exactly 3."""
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _number(integer: str, fraction: str, reading: Style | None) -> _Point:
    value = float(f"{integer or '0'}.{fraction or '0'}")
    return _Point("ok", value=value, decimals=len(fraction), reading=reading)


# --- Helpers --------------------------------------------------------------------------------------


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
    if (
        type(text) is str
    ):  # a workbook has a handful of distinct units, met tens of thousands of times
        return _unit_key(text)
    return _unit_key(str(text))


@functools.lru_cache(maxsize=4096)
def _unit_key(text: str) -> str:
    key = collapse(text).casefold()
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


class _StyleFields(TypedDict):
    reading: Style | None
    off_style: bool


def _style_of(points: tuple[_Point, ...], style: Style) -> _StyleFields:
    """``reading`` and ``off_style`` of a number read from ``points`` (an off-style side wins)."""
    readings = [point.reading for point in points if point.reading is not None]
    foreign = [reading for reading in readings if reading != style]
    if foreign:
        return {"reading": foreign[0], "off_style": True}
    return {"reading": readings[0] if readings else None, "off_style": False}


def collapse(text: str) -> str:
    """``text`` without invisible characters, whitespace runs collapsed to one space."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def _display_unit(text: str) -> str:
    unit = collapse(text)
    return "%" if unit.casefold() in _PERCENT_WORDS else unit


def _quote(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invalid(raw: object, reason: str) -> ParsedNumber:
    """An ``invalid`` result for ``raw`` with an Indonesian ``reason``."""
    return ParsedNumber(raw, "invalid", from_text=isinstance(raw, str), reason=reason)


def _ambiguous(raw: object, readings: tuple[float, ...], reason: str) -> ParsedNumber:
    return ParsedNumber(raw, "ambiguous", from_text=True, readings=readings, reason=reason)


def _not_ok(raw: str, point: _Point) -> ParsedNumber:
    if point.status == "ambiguous":
        return _ambiguous(raw, point.readings, point.reason)
    return invalid(raw, point.reason)
