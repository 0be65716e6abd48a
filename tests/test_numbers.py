"""Table-driven tests of iku_excel.numbers: reading cell contents as numbers, formatting them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from iku_excel.numbers import (
    ParsedNumber,
    decimals_of,
    format_number,
    normalise_unit,
    parse_number,
    round_half_up,
)

# --- Text that reads as a point number -----------------------------------------------------------

# text, value, unit
TEXT_NUMBERS: list[tuple[str, float, str | None]] = [
    # the domain brief's examples
    ("706 Orang", 706.0, "Orang"),
    ("80 %", 80.0, "%"),
    ("146%", 146.0, "%"),
    ("1.234,5", 1234.5, None),
    ("749.930.215", 749930215.0, None),
    ("0,34 %", 0.34, "%"),
    ("93.6", 93.6, None),
    # separators
    ("1,234.5", 1234.5, None),
    ("1.234.567,89", 1234567.89, None),
    ("1,234,567.89", 1234567.89, None),
    ("749,930,215", 749930215.0, None),
    ("0,34", 0.34, None),
    ("12,50", 12.5, None),
    ("0.345", 0.345, None),
    ("0,345", 0.345, None),
    (",5", 0.5, None),
    (".5", 0.5, None),
    ("1234.567", 1234.567, None),  # a grouped number would be 1.234.567
    ("12,3456", 12.3456, None),
    ("100", 100.0, None),
    ("007", 7.0, None),
    ("80,", 80.0, None),
    ("1.234,", 1234.0, None),
    # signs
    ("-5", -5.0, None),
    ("+5", 5.0, None),
    ("−3,5", -3.5, None),  # U+2212 minus sign
    ("- 2,5 %", -2.5, "%"),
    ("-1.234,5", -1234.5, None),
    ("-0", 0.0, None),
    # units
    ("80 persen", 80.0, "%"),
    ("80 Persen", 80.0, "%"),
    ("80 prosen", 80.0, "%"),
    ("80percent", 80.0, "%"),
    ("%80", 80.0, "%"),
    ("% 80", 80.0, "%"),
    ("2,5 per 1.000 KH", 2.5, "per 1.000 KH"),
    ("12  bulan", 12.0, "bulan"),
    ("  706\u00a0Orang\n", 706.0, "Orang"),
    ("5 SDM", 5.0, "SDM"),
    ("3 Dokumen", 3.0, "Dokumen"),
    ("706 (Orang)", 706.0, "(Orang)"),
    ("Rp 5.000", 5000.0, "Rp"),
    ("Rp. 749.930.215", 749930215.0, "Rp"),
    ("Rp5.000,-", 5000.0, "Rp"),
    ("Rp 1,5 miliar", 1.5, "Rp miliar"),
    ("Rp 1.500,50", 1500.5, "Rp"),
    ("-Rp 5.000", -5000.0, "Rp"),
]


@pytest.mark.parametrize(("text", "value", "unit"), TEXT_NUMBERS)
def test_text_number(text: str, value: float, unit: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.status == "ok", parsed.reason
    assert parsed.is_number
    assert parsed.kind == "number"
    assert parsed.value == value
    assert parsed.low == parsed.high == value
    assert parsed.unit == unit
    assert parsed.from_text
    assert not parsed.percent_scaled
    assert parsed.raw is text
    assert parsed.readings == ()
    assert parsed.reason == ""


def test_text_ignores_the_percent_number_format() -> None:
    parsed = parse_number("80", "0%")
    assert (parsed.value, parsed.unit, parsed.percent_scaled) == (80.0, None, False)


# --- Ambiguous text -------------------------------------------------------------------------------

# text, readings
AMBIGUOUS: list[tuple[str, tuple[float, ...]]] = [
    ("1.234", (1234.0, 1.234)),
    ("1,234", (1234.0, 1.234)),
    ("12.345", (12345.0, 12.345)),
    ("999,999", (999999.0, 999.999)),
    ("-1.234", (-1234.0, -1.234)),
    ("1.234 Orang", (1234.0, 1.234)),
    ("1,000 %", (1000.0, 1.0)),
    ("Rp 1,234", (1234.0, 1.234)),  # "Rp" only settles a dot
    ("1.000 - 2.000", (1000.0, 1.0)),  # a range with an ambiguous bound
    ("1:1.234", (1234.0, 1.234)),  # a ratio with an ambiguous term
]


@pytest.mark.parametrize(("text", "readings"), AMBIGUOUS)
def test_ambiguous(text: str, readings: tuple[float, ...]) -> None:
    parsed = parse_number(text)
    assert parsed.status == "ambiguous"
    assert not parsed.is_number
    assert parsed.kind is None
    assert parsed.value is None
    assert parsed.readings == readings
    assert parsed.reason
    assert parsed.from_text


def test_ambiguous_reason_names_the_value_and_both_readings() -> None:
    reason = parse_number("1.234").reason
    assert "'1.234'" in reason
    assert "1234" in reason
    assert "1,234" in reason


# --- Missing --------------------------------------------------------------------------------------

MISSING: list[object] = [
    None,
    "",
    "   ",
    "\n\t",
    "-",
    " - ",
    "–",
    "—",
    "n/a",
    "N/A",
    "na",
    "NA",
    "#N/A",
    "belum ada data",
    "Belum Ada Data",
    "tidak ada data",
    "belum  tersedia",
    "TIDAK TERSEDIA",
    "- %",
    "-%",
]


@pytest.mark.parametrize("raw", MISSING)
def test_missing(raw: object) -> None:
    parsed = parse_number(raw)
    assert parsed.status == "missing"
    assert not parsed.is_number
    assert parsed.value is None
    assert parsed.low is None and parsed.high is None
    assert parsed.raw is raw


def test_missing_from_text_flag() -> None:
    assert parse_number("n/a").from_text
    assert not parse_number(None).from_text


# --- Invalid text ---------------------------------------------------------------------------------

INVALID_TEXT: list[str] = [
    "32..420",
    "1,,5",
    "1.,5",
    "abc",
    "Orang",
    "%",
    "Rp",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#GETTING_DATA",
    "1.23.456",  # a group after the first must have 3 digits
    "1234.567.890",  # the first group has at most 3 digits
    "1,2.5",
    "12.34,5",
    "1.234,5,6",
    "1,234,56",
    "1e5",
    "1E-3",
    "80 90",
    "80/100",
    "80 -",
    "1 e 5",
    "-2,5E+3",
    "1E5 Orang",
    "%80 Orang",
    "≥ 80",
    "=A1/B1",
    "TRUE",
    "1 2 3",
    "Rp Rp 5",
]


@pytest.mark.parametrize("text", INVALID_TEXT)
def test_invalid_text(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.status == "invalid"
    assert not parsed.is_number
    assert parsed.kind is None and parsed.value is None
    assert parsed.reason
    assert parsed.from_text


def test_invalid_reason_names_the_value() -> None:
    assert "32..420" in parse_number("32..420").reason
    assert "abc" in parse_number("abc").reason
    assert "#DIV/0!" in parse_number("#DIV/0!").reason


def test_double_separator_reason_says_typo() -> None:
    assert "salah ketik" in parse_number("32..420").reason


def test_long_text_is_shortened_in_the_reason() -> None:
    reason = parse_number("x" * 500).reason
    assert reason and len(reason) < 120


# --- Ranges ---------------------------------------------------------------------------------------

# text, low, high, unit
RANGES: list[tuple[str, float, float, str | None]] = [
    ("80–90", 80.0, 90.0, None),
    ("80-90 %", 80.0, 90.0, "%"),
    ("80 - 90%", 80.0, 90.0, "%"),
    ("80% - 90%", 80.0, 90.0, "%"),
    ("80 % — 90 persen", 80.0, 90.0, "%"),
    ("7 s.d. 8", 7.0, 8.0, None),
    ("7 s.d 8", 7.0, 8.0, None),
    ("7 s/d 8 bulan", 7.0, 8.0, "bulan"),
    ("7 bulan s/d 8 bulan", 7.0, 8.0, "bulan"),
    ("7 Bulan s/d 8 bulan", 7.0, 8.0, "Bulan"),
    ("7 sd 8", 7.0, 8.0, None),
    ("7 SD 8", 7.0, 8.0, None),
    ("7 sampai 8", 7.0, 8.0, None),
    ("7 sampai dengan 8", 7.0, 8.0, None),
    ("7 hingga 8", 7.0, 8.0, None),
    ("87,5 - 92,5 %", 87.5, 92.5, "%"),
    ("1.234,5 - 2.345,5", 1234.5, 2345.5, None),
    ("749.930.215 - 800.000.000", 749930215.0, 800000000.0, None),
    ("-5 - -3", -5.0, -3.0, None),
    ("-2 – 0", -2.0, 0.0, None),
    ("80 - 80", 80.0, 80.0, None),
    ("Rp 1.000 - Rp 2.000", 1000.0, 2000.0, "Rp"),
    ("Rp 5.000,- s.d. Rp 6.000,-", 5000.0, 6000.0, "Rp"),
]


@pytest.mark.parametrize(("text", "low", "high", "unit"), RANGES)
def test_range(text: str, low: float, high: float, unit: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.status == "ok", parsed.reason
    assert parsed.kind == "range"
    assert parsed.value is None
    assert (parsed.low, parsed.high) == (low, high)
    assert parsed.unit == unit
    assert parsed.from_text


INVALID_RANGES: list[str] = [
    "90 - 80",  # reversed
    "90 s.d. 80 %",
    "5 - -3",
    "80 Orang - 90 %",  # two units
    "7 bulan - 8 tahun",
    "80 - 32..420",
    "80 - abc",
]


@pytest.mark.parametrize("text", INVALID_RANGES)
def test_invalid_range(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.status == "invalid"
    assert parsed.reason


def test_reversed_range_is_not_swapped() -> None:
    parsed = parse_number("90 - 80")
    assert (parsed.low, parsed.high, parsed.kind) == (None, None, None)
    assert "90 - 80" in parsed.reason


def test_leading_minus_is_a_sign_not_a_range() -> None:
    parsed = parse_number("-5 %")
    assert (parsed.kind, parsed.value, parsed.unit) == ("number", -5.0, "%")


# --- Ratios ---------------------------------------------------------------------------------------

# text, value
RATIOS: list[tuple[str, float]] = [
    ("1:17,9", 17.9),
    ("1 : 18", 18.0),
    ("1:17.9", 17.9),
    ("2:5", 2.5),
    ("1:0", 0.0),
    ("1 : 1.234,5", 1234.5),
]


@pytest.mark.parametrize(("text", "value"), RATIOS)
def test_ratio(text: str, value: float) -> None:
    parsed = parse_number(text)
    assert parsed.status == "ok", parsed.reason
    assert parsed.kind == "ratio"
    assert parsed.value == value
    assert parsed.low == parsed.high == value
    assert parsed.unit == "rasio"
    assert parsed.from_text


@pytest.mark.parametrize("text", ["0:5", "0,0 : 5", "-1:5", "1:-5", "1:2:3", ":5", "1:", "a:b"])
def test_invalid_ratio(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.status == "invalid"
    assert parsed.reason


# --- Native cells ---------------------------------------------------------------------------------

# raw, number_format, value, unit, percent_scaled
NATIVE: list[tuple[object, str | None, float, str | None, bool]] = [
    (706, None, 706.0, None, False),
    (93.6, None, 93.6, None, False),
    (-5, "General", -5.0, None, False),
    (0, None, 0.0, None, False),
    (0.8, "0%", 80.0, "%", True),
    (0.8, "0.00%", 80.0, "%", True),
    (0.145, "0.0%", 14.5, "%", True),
    (0.07, "0%", 7.0, "%", True),
    (1.46, "0%", 146.0, "%", True),
    (1, "0%", 100.0, "%", True),
    (-0.25, "0.00%;[Red]-0.00%", -25.0, "%", True),
    (0.875, "[$-421]0.00%", 87.5, "%", True),
    (0.5, '0.0"%"', 0.5, None, False),  # a quoted literal percent sign does not scale
    (0.5, "0.0\\%", 0.5, None, False),  # an escaped one neither
    (0.5, "0_%", 0.5, None, False),  # padding the width of "%"
    (0.5, "[%]0", 0.5, None, False),
    (0.5, '"%"0%', 50.0, "%", True),
    (Fraction(1, 4), None, 0.25, None, False),
]


@pytest.mark.parametrize(("raw", "number_format", "value", "unit", "scaled"), NATIVE)
def test_native(
    raw: object, number_format: str | None, value: float, unit: str | None, scaled: bool
) -> None:
    parsed = parse_number(raw, number_format)
    assert parsed.status == "ok"
    assert parsed.kind == "number"
    assert parsed.value == value
    assert parsed.low == parsed.high == value
    assert parsed.unit == unit
    assert parsed.percent_scaled is scaled
    assert not parsed.from_text


def test_percent_scaling_has_no_float_noise() -> None:
    # every percentage with 2 decimals from 0 to 100 %: k / 10000 shown as k / 100 %
    for k in range(10001):
        assert parse_number(k / 10000, "0.00%").value == k / 100
    assert 0.145 * 100 != 14.5  # the noise this avoids
    assert parse_number(0.145, "0%").value == 14.5
    assert parse_number(0.57, "0%").value == 57.0


INVALID_NATIVE: list[object] = [
    True,
    False,
    dt.datetime(2023, 12, 31),
    dt.date(2023, 12, 31),
    dt.time(12, 0),
    dt.timedelta(days=1),
    math.nan,
    math.inf,
    -math.inf,
    10**400,
    Decimal("1.5"),
    b"80",
    [80],
    {"value": 80},
    object(),
]


@pytest.mark.parametrize("raw", INVALID_NATIVE)
def test_invalid_native(raw: object) -> None:
    parsed = parse_number(raw)
    assert parsed.status == "invalid"
    assert parsed.value is None
    assert parsed.reason
    assert not parsed.from_text


def test_parsed_number_is_frozen() -> None:
    parsed = parse_number(1)
    assert isinstance(parsed, ParsedNumber)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.value = 2.0  # type: ignore[misc]


# --- decimals_of ----------------------------------------------------------------------------------

DECIMALS: list[tuple[object, str | None, int | None]] = [
    ("100 %", None, 0),
    ("87,50%", None, 2),
    ("87,5%", None, 1),
    ("1.234,5", None, 1),
    ("749.930.215", None, 0),
    ("93.6", None, 1),
    ("0,345", None, 3),
    ("Rp 5.000", None, 0),
    (12.5, None, 1),
    (100.0, None, 0),
    (100, None, 0),
    (0.1 + 0.2, None, 1),  # 0.30000000000000004: Excel shows 15 significant digits
    (1e-05, None, 5),
    (1e16, None, 0),
    (0.875, "0.00%", 1),  # 87.5 after scaling
    (0.8, "0%", 0),
    ("1.234", None, None),  # ambiguous
    ("80 - 90", None, None),  # range
    ("1:17,9", None, None),  # ratio
    ("n/a", None, None),
    (None, None, None),
    ("abc", None, None),
    (True, None, None),
    (math.nan, None, None),
]


@pytest.mark.parametrize(("raw", "number_format", "expected"), DECIMALS)
def test_decimals_of(raw: object, number_format: str | None, expected: int | None) -> None:
    assert decimals_of(raw, number_format) == expected


# --- format_number and round_half_up --------------------------------------------------------------

FORMATS: list[tuple[float, int, bool, str]] = [
    (1234.5, 2, False, "1.234,50"),
    (1234.5, 2, True, "1.234,5"),
    (80.0, 2, True, "80"),
    (80, 0, False, "80"),
    (0.0, 2, False, "0,00"),
    (-0.001, 2, False, "0,00"),  # no "-0,00"
    (-1234567.891, 1, False, "-1.234.567,9"),
    (749930215, 0, False, "749.930.215"),
    (0.125, 2, False, "0,13"),  # half up on the decimal repr, as Excel shows it
    (2.675, 2, False, "2,68"),
    (87.5, 0, False, "88"),
    (86.5, 0, False, "87"),
    (-86.5, 0, False, "-87"),  # half away from zero
    (107.14285714285714, 1, False, "107,1"),
    (100.0, 4, True, "100"),
    (1e20, 2, False, "100.000.000.000.000.000.000,00"),
    (0.1, 4, False, "0,1000"),
]


@pytest.mark.parametrize(("value", "decimals", "trim", "expected"), FORMATS)
def test_format_number(value: float, decimals: int, trim: bool, expected: str) -> None:
    assert format_number(value, decimals, trim=trim) == expected


def test_format_number_default_decimals() -> None:
    assert format_number(1234.5) == "1.234,50"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_format_number_rejects_non_finite(bad: float) -> None:
    with pytest.raises(ValueError):
        format_number(bad)
    with pytest.raises(ValueError):
        round_half_up(bad, 2)


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_number(1.0, -1)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(0.125, 2, 0.13), (2.675, 2, 2.68), (87.5, 0, 88.0), (-0.5, 0, -1.0), (1.005, 2, 1.01)],
)
def test_round_half_up(value: float, decimals: int, expected: float) -> None:
    assert round_half_up(value, decimals) == expected


# --- normalise_unit -------------------------------------------------------------------------------

UNIT_KEYS: list[tuple[object, str]] = [
    ("%", "%"),
    ("persen", "%"),
    ("Persen", "%"),
    ("PROSEN", "%"),
    ("percent", "%"),
    ("Persen (%)", "%"),
    ("(%)", "%"),
    (" % ", "%"),
    ("Orang", "orang"),
    ("orang", "orang"),
    ("per  1.000 KH", "per 1.000 kh"),
    ("Rp", "rp"),
    ("Rp.", "rp"),
    ("Rupiah", "rp"),
    ("rasio", "rasio"),
    (None, ""),
    ("", ""),
]


@pytest.mark.parametrize(("text", "key"), UNIT_KEYS)
def test_normalise_unit(text: object, key: str) -> None:
    assert normalise_unit(text) == key


def test_inline_unit_matches_satuan_column() -> None:
    assert normalise_unit(parse_number("80 persen").unit) == normalise_unit("%")
    assert normalise_unit(parse_number("706 Orang").unit) == normalise_unit("orang")
    assert normalise_unit(parse_number("706 Orang").unit) != normalise_unit("%")
