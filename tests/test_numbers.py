"""Table-driven tests of iku_excel.numbers: reading cell contents as numbers, formatting them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from iku_excel.numbers import (
    STYLE_LABELS,
    ParsedNumber,
    decimals_of,
    format_number,
    normalise_unit,
    parse_number,
    round_half_up,
    style_from_label,
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


# --- Thousands groups and ambiguous text ---------------------------------------------------------

# Indonesian writing: a dot followed by exactly three digits groups thousands (issue 9).
# text, value, unit
INDONESIAN_THOUSANDS: list[tuple[str, float, str | None]] = [
    ("1.000 orang", 1000.0, "orang"),
    ("3.000", 3000.0, None),
    ("30.000", 30000.0, None),
    ("1.234", 1234.0, None),  # was ambiguous before issue 9
    ("12.345", 12345.0, None),  # was ambiguous
    ("-1.234", -1234.0, None),  # was ambiguous
    ("1.234 Orang", 1234.0, "Orang"),  # was ambiguous
    ("Rp 1.041.759.500,-", 1041759500.0, "Rp"),
    ("12.500.000", 12500000.0, None),
]


@pytest.mark.parametrize(("text", "value", "unit"), INDONESIAN_THOUSANDS)
def test_dot_and_three_digits_is_a_thousands_group(
    text: str, value: float, unit: str | None
) -> None:
    parsed = parse_number(text)
    assert (parsed.status, parsed.kind, parsed.value, parsed.unit) == ("ok", "number", value, unit)
    assert (parsed.reading, parsed.off_style, parsed.english_like) == ("id", False, False)
    assert decimals_of(text) == 0


def test_thousands_groups_in_ranges_and_ratios() -> None:
    ranged = parse_number("1.000 - 2.000")  # was ambiguous
    assert (ranged.status, ranged.kind, ranged.low, ranged.high) == ("ok", "range", 1000, 2000)
    ratio = parse_number("1:1.234")  # was ambiguous
    assert (ratio.status, ratio.kind, ratio.value) == ("ok", "ratio", 1234.0)


# text, readings (thousands reading first): what stays ambiguous under the default "id" style
AMBIGUOUS: list[tuple[str, tuple[float, ...]]] = [
    ("1,234", (1234.0, 1.234)),
    ("12,345", (12345.0, 12.345)),
    ("999,999", (999999.0, 999.999)),
    ("-1,234", (-1234.0, -1.234)),
    ("1,234 Orang", (1234.0, 1.234)),
    ("1,000 %", (1000.0, 1.0)),
    ("Rp 1,234", (1234.0, 1.234)),  # "Rp" only settles a dot
    ("1,000 - 2,000", (1000.0, 1.0)),  # a range with an ambiguous bound
    ("1:1,234", (1234.0, 1.234)),  # a ratio with an ambiguous term
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
    reason = parse_number("1,234").reason
    assert "'1,234'" in reason
    assert "1234" in reason
    assert "1.234" in reason  # how to write the thousands reading


# --- Writing styles -------------------------------------------------------------------------------

# text, (status, value) under "id", (status, value) under "en", reading when ok, off-style under
# "id", off-style under "en"
STYLES: list[tuple[str, tuple[str, float | None], tuple[str, float | None], str | None, bool, bool]]
STYLES = [
    ("706", ("ok", 706), ("ok", 706), None, False, False),
    ("1.234,5", ("ok", 1234.5), ("ok", 1234.5), "id", False, True),
    ("1.234,", ("ok", 1234), ("ok", 1234), "id", False, True),
    ("1,234.5", ("ok", 1234.5), ("ok", 1234.5), "en", True, False),
    ("749.930.215", ("ok", 749930215), ("ok", 749930215), "id", False, True),
    ("749,930,215", ("ok", 749930215), ("ok", 749930215), "en", True, False),
    ("0,34", ("ok", 0.34), ("ok", 0.34), "id", False, True),
    ("0,345", ("ok", 0.345), ("ok", 0.345), "id", False, True),
    ("1234,567", ("ok", 1234.567), ("ok", 1234.567), "id", False, True),
    ("80,", ("ok", 80), ("ok", 80), "id", False, True),
    ("93.6", ("ok", 93.6), ("ok", 93.6), "en", True, False),
    ("0.35", ("ok", 0.35), ("ok", 0.35), "en", True, False),
    ("0.345", ("ok", 0.345), ("ok", 0.345), "en", True, False),
    ("1234.567", ("ok", 1234.567), ("ok", 1234.567), "en", True, False),
    (".5", ("ok", 0.5), ("ok", 0.5), "en", True, False),
    ("1.000", ("ok", 1000), ("ambiguous", None), "id", False, False),
    ("30.000", ("ok", 30000), ("ambiguous", None), "id", False, False),
    ("1,000", ("ambiguous", None), ("ok", 1000), "en", False, False),
    ("Rp 1.234", ("ok", 1234), ("ok", 1234), "id", False, True),
    ("Rp 1,234", ("ambiguous", None), ("ok", 1234), "en", False, False),
    ("93.6 - 1.234,5", ("ok", None), ("ok", None), None, True, True),  # mixed: both flagged
]


@pytest.mark.parametrize(("text", "as_id", "as_en", "reading", "off_id", "off_en"), STYLES)
def test_styles(
    text: str,
    as_id: tuple[str, float | None],
    as_en: tuple[str, float | None],
    reading: str | None,
    off_id: bool,
    off_en: bool,
) -> None:
    for style, (status, value), off in (("id", as_id, off_id), ("en", as_en, off_en)):
        parsed = parse_number(text, style=style)  # type: ignore[arg-type]
        assert parsed.status == status, (style, parsed.reason)
        assert parsed.value == value
        if status == "ok":
            assert parsed.off_style is off
            if reading is not None:
                assert parsed.reading == reading
            assert parsed.english_like is (off and parsed.reading == "en")
            assert parsed.indonesian_like is (off and parsed.reading == "id")
        else:
            assert not parsed.off_style


def test_english_like_flag_is_what_the_workbook_warning_needs() -> None:
    assert parse_number("93.6").english_like
    assert not parse_number("93.6", style="en").english_like
    assert parse_number("1.234,5", style="en").indonesian_like
    assert not parse_number("1.234,5").english_like
    assert not parse_number(93.6).english_like  # native numbers have no writing style
    assert parse_number(93.6).reading is None


def test_ambiguous_reason_under_english_style() -> None:
    reason = parse_number("1.234", style="en").reason
    assert "'1.234'" in reason and "1234" in reason and "1,234" in reason


def test_decimals_follow_the_style() -> None:
    assert decimals_of("1,234") is None  # ambiguous under "id"
    assert decimals_of("1,234", style="en") == 0
    assert decimals_of("1.234") == 0
    assert decimals_of("1.234", style="en") is None
    assert decimals_of("93.65") == 2


def test_unknown_style_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_number("1", style="fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "style"),
    [
        ("Indonesia", "id"),
        (" indonesia ", "id"),
        ("Bahasa  Indonesia", "id"),
        ("id", "id"),
        ("Inggris", "en"),
        ("English", "en"),
        ("EN", "en"),
        ("Perancis", None),
        ("", None),
        (None, None),
        (1, None),
    ],
)
def test_style_from_label(label: object, style: str | None) -> None:
    assert style_from_label(label) == style


def test_style_labels_name_every_style() -> None:
    assert {style_from_label(label) for label in STYLE_LABELS.values()} == set(STYLE_LABELS)


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

# text, value, unit
RATIOS: list[tuple[str, float, str]] = [
    ("1:17,9", 17.9, "rasio"),
    ("1 : 18", 18.0, "rasio"),
    ("1 : 32", 32.0, "rasio"),
    ("1:17.9", 17.9, "rasio"),
    ("2:5", 2.5, "rasio"),
    ("1:0", 0.0, "rasio"),
    ("1 : 1.234,5", 1234.5, "rasio"),
    ("1:17,9 per siswa", 17.9, "per siswa"),  # the unit after the second term is kept
    ("1 : 17,9 Per  Siswa", 17.9, "Per Siswa"),
    ("1:32 siswa", 32.0, "siswa"),
    ("1:32 murid per guru", 32.0, "murid per guru"),
]


@pytest.mark.parametrize(("text", "value", "unit"), RATIOS)
def test_ratio(text: str, value: float, unit: str) -> None:
    parsed = parse_number(text)
    assert parsed.status == "ok", parsed.reason
    assert parsed.kind == "ratio"
    assert parsed.value == value
    assert parsed.low == parsed.high == value
    assert parsed.unit == unit
    assert parsed.from_text


def test_ratio_unit_matches_the_satuan_column() -> None:
    assert normalise_unit(parse_number("1:17,9 per siswa").unit) == normalise_unit("Per Siswa")


@pytest.mark.parametrize(
    "text",
    [
        *("0:5", "0,0 : 5", "-1:5", "1:-5", "1:2:3", ":5", "1:", "a:b"),
        *("1:80 %", "1 guru : 32", "1:(5)"),  # a unit only after the second term, and no percent
    ],
)
def test_invalid_ratio(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.status == "invalid"
    assert parsed.reason


# --- Two quantities in one cell ------------------------------------------------------------------

# text, the quantities
MULTIPLE: list[tuple[str, tuple[str, ...]]] = [
    ("11 jenis; 50.000 lembar", ("11 jenis", "50.000 lembar")),  # was read as 11
    ("5 dokumen dan 3 laporan", ("5 dokumen", "3 laporan")),
    ("11 jenis / 50 lembar", ("11 jenis", "50 lembar")),
    ("11 jenis/50 lembar", ("11 jenis", "50 lembar")),
    ("11 jenis 50 lembar", ("11 jenis", "50 lembar")),
    ("11 jenis, 50 lembar", ("11 jenis", "50 lembar")),
    ("2 Perda serta 3 Perwali", ("2 Perda", "3 Perwali")),
    ("3 dokumen & 2 laporan", ("3 dokumen", "2 laporan")),
    ("10 orang + 5 KK", ("10 orang", "5 KK")),
    ("80 %; 90 %", ("80 %", "90 %")),
    ("1.000 - 2.000 dan 3 dokumen", ("1.000 - 2.000", "3 dokumen")),
    ("1, 2, 3", ("1", "2", "3")),
    ("3;5", ("3", "5")),
]


@pytest.mark.parametrize(("text", "parts"), MULTIPLE)
def test_two_quantities_are_never_a_number(text: str, parts: tuple[str, ...]) -> None:
    for style in ("id", "en"):
        parsed = parse_number(text, style=style)  # type: ignore[arg-type]
        assert parsed.status == "multiple", (style, parsed)
        assert not parsed.is_number
        assert (parsed.kind, parsed.value, parsed.low, parsed.high) == (None, None, None, None)
        assert parsed.parts == parts
        assert parsed.reason and "pecah" in parsed.reason
        assert decimals_of(text, style=style) is None  # type: ignore[arg-type]


# one quantity each, though they contain a list separator or a second number
SINGLE_QUANTITIES: list[tuple[str, str]] = [
    ("80 %", "number"),
    ("706 Orang", "number"),
    ("Rp 1.000.000,-", "number"),
    ("80–90 %", "range"),
    ("7 s/d 8 bulan", "range"),
    ("Rp 5.000,- s.d. Rp 6.000,-", "range"),
    ("2,5 per 1.000 KH", "number"),
    ("102 per 100.000 KH", "number"),
    ("5 orang/tahun", "number"),
    ("5 sarana dan prasarana", "number"),
    ("80 dari 100 desa", "number"),
    ("1:17,9 per siswa", "ratio"),
    ("+5", "number"),
]


@pytest.mark.parametrize(("text", "kind"), SINGLE_QUANTITIES)
def test_single_quantities_stay_single(text: str, kind: str) -> None:
    parsed = parse_number(text)
    assert (parsed.status, parsed.kind) == ("ok", kind), parsed.reason
    assert parsed.parts == ()


def test_a_bare_fraction_is_not_two_quantities() -> None:
    assert parse_number("80/100").status == "invalid"


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
    ("1,234", None, None),  # ambiguous
    ("1.234", None, 0),  # a thousands group (was ambiguous before issue 9)
    ("11 jenis; 50.000 lembar", None, None),  # two quantities
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
