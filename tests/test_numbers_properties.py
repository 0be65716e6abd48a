"""Property tests (Hypothesis) of iku_excel.numbers: round trips and robustness."""

from __future__ import annotations

import math
import re

from hypothesis import example, given
from hypothesis import strategies as st

from iku_excel.numbers import (
    STYLES,
    Style,
    decimals_of,
    format_number,
    normalise_unit,
    parse_number,
    round_half_up,
)

SENSIBLE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
DECIMALS = st.integers(min_value=0, max_value=4)
# What stays ambiguous: one decimal mark of the style followed by exactly 3 digits, after an
# integer part of 1 to 3 digits that is not 0 ("1,234" under "id", "1.234" under "en").
AMBIGUOUS_SHAPE = {
    "id": re.compile(r"-?[1-9][0-9]{0,2},[0-9]{3}"),
    "en": re.compile(r"-?[1-9][0-9]{0,2}\.[0-9]{3}"),
}
SWAP = str.maketrans(".,", ",.")


def value_of_indonesian(text: str) -> float:
    """The value an Indonesian-formatted number denotes, read independently of the parser."""
    return float(text.replace(".", "").replace(",", "."))


def written(x: float, decimals: int, style: Style) -> str:
    """``x`` written the ``style`` way: Indonesian ``1.234,5`` or English ``1,234.5``."""
    text = format_number(x, decimals)
    return text if style == "id" else text.translate(SWAP)


@given(SENSIBLE, DECIMALS, st.sampled_from(STYLES))
@example(1234.0, 0, "id")
@example(1234.0, 0, "en")
@example(1000.0, 0, "id")
@example(30000.0, 0, "id")
@example(12.345, 3, "id")
@example(12.345, 3, "en")
@example(0.125, 2, "id")
@example(-0.001, 2, "en")
@example(999999.9996, 3, "id")
def test_formatted_number_parses_back(x: float, decimals: int, style: Style) -> None:
    text = written(x, decimals, style)
    parsed = parse_number(text, style=style)
    expected = round_half_up(x, decimals)
    # the text is x rounded to `decimals`: its value is within half a unit of the last place
    assert value_of_indonesian(written(x, decimals, "id")) == expected
    float_error = abs(x) * 2**-50  # a few ulps of x
    assert abs(expected - x) <= 0.5 * 10**-decimals + float_error
    assert abs(expected - round(x, decimals)) <= 10**-decimals + float_error
    if AMBIGUOUS_SHAPE[style].fullmatch(text):
        assert parsed.status == "ambiguous"
        assert expected in parsed.readings
    else:
        assert parsed.status == "ok", (text, parsed.reason)
        assert parsed.kind == "number"
        assert parsed.value == expected
        assert not parsed.off_style  # written the style's own way
        assert decimals_of(text, style=style) == decimals


@given(SENSIBLE, DECIMALS)
def test_trimmed_format_keeps_the_value(x: float, decimals: int) -> None:
    full = format_number(x, decimals)
    trimmed = format_number(x, decimals, trim=True)
    assert value_of_indonesian(trimmed) == value_of_indonesian(full)
    assert not trimmed.endswith(",")
    assert "," not in trimmed or not trimmed.endswith("0")


# --- Robustness -----------------------------------------------------------------------------------

NUMBERISH_TEXT = st.text(alphabet="0123456789.,-–—+−: %sd/Rp\u00a0OrangKH#!naN", max_size=20)
ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.fractions(),
    st.decimals(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.binary(),
    st.text(),
    NUMBERISH_TEXT,
    st.lists(st.integers(), max_size=3),
    st.from_type(object),
)
NUMBER_FORMATS = st.one_of(
    st.none(), st.sampled_from(["General", "0%", "0.00%", '0"%"', "0\\%", "@"]), st.text()
)


@given(ANY_CELL, NUMBER_FORMATS, st.sampled_from(STYLES))
def test_parser_never_raises_and_results_are_consistent(
    raw: object, number_format: str | None, style: Style
) -> None:
    parsed = parse_number(raw, number_format, style=style)
    assert parsed.raw is raw
    assert parsed.status in ("ok", "missing", "invalid", "ambiguous", "multiple")
    if parsed.status == "ok":
        assert parsed.is_number
        assert parsed.kind in ("number", "range", "ratio")
        assert parsed.low is not None and parsed.high is not None
        assert math.isfinite(parsed.low) and math.isfinite(parsed.high)
        assert parsed.low <= parsed.high
        if parsed.kind == "range":
            assert parsed.value is None
        else:
            assert parsed.value == parsed.low == parsed.high
        assert parsed.reason == ""
    else:
        assert not parsed.is_number
        assert parsed.kind is None and parsed.value is None
    if parsed.status in ("invalid", "ambiguous", "multiple"):
        assert parsed.reason
    if parsed.status == "ambiguous":
        assert len(parsed.readings) >= 2
    assert (parsed.status == "multiple") == (len(parsed.parts) >= 2)
    assert not parsed.off_style or (parsed.status == "ok" and parsed.reading is not None)
    decimals = decimals_of(raw, number_format, style=style)
    assert decimals is None or (parsed.kind == "number" and decimals >= 0)


@given(st.one_of(NUMBERISH_TEXT, st.text()))
@example("1.234")
@example("1,234")
@example("93.6")
@example("1.000 - 2.000")
@example("1:1,234")
@example("1,5 dan 1.234 orang")
def test_the_styles_never_read_one_text_as_two_different_numbers(text: str) -> None:
    as_id, as_en = parse_number(text, style="id"), parse_number(text, style="en")
    if as_id.status != as_en.status:
        # only a thousands group of one style is the other's (ambiguous) decimal
        assert {as_id.status, as_en.status} == {"ok", "ambiguous"}, (as_id, as_en)
        return
    assert (as_id.kind, as_id.value, as_id.low, as_id.high, as_id.unit, as_id.parts) == (
        as_en.kind,
        as_en.value,
        as_en.low,
        as_en.high,
        as_en.unit,
        as_en.parts,
    )
    if as_id.status == "ok" and as_id.reading != as_en.reading:
        assert as_id.off_style and as_en.off_style  # a cell mixing both conventions
    elif as_id.status == "ok" and as_id.reading is not None:
        # one convention read it: flagged under the other style only
        assert as_id.english_like == (as_id.reading == "en")
        assert as_en.indonesian_like == (as_en.reading == "id")


@given(st.text())
def test_text_parser_never_raises(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.from_text
    normalise_unit(text)


# --- Ranges and grouped integers ------------------------------------------------------------------


@given(SENSIBLE, SENSIBLE)
@example(-5.0, -3.0)
@example(5.0, -3.0)
@example(80.0, 80.0)
def test_formatted_range_parses_back(a: float, b: float) -> None:
    text = f"{format_number(a)} - {format_number(b)}"
    parsed = parse_number(text)
    low, high = round_half_up(a, 2), round_half_up(b, 2)
    if low <= high:
        assert parsed.status == "ok", (text, parsed.reason)
        assert parsed.kind == "range"
        assert (parsed.low, parsed.high) == (low, high)
        assert parsed.unit is None
    else:
        assert parsed.status == "invalid"  # reversed bounds are reported, not swapped


@given(st.integers(min_value=-(10**15), max_value=10**15))
@example(1234)
@example(749930215)
@example(-1000)
@example(999)
def test_grouped_integers_parse_back(n: int) -> None:
    text = format_number(n, 0)
    assert text.replace(".", "").lstrip("-") == str(abs(n))
    english = text.replace(".", ",")
    one_group = 1000 <= abs(n) < 1_000_000  # "1,234" under "id" might be 1,234
    for style, native, foreign in (("id", text, english), ("en", english, text)):
        for cell in (native, f"{native} Orang"):
            parsed = parse_number(cell, style=style)  # type: ignore[arg-type]
            assert (parsed.status, parsed.value) == ("ok", n), (cell, parsed.reason)
            assert not parsed.off_style
        parsed = parse_number(foreign, style=style)  # type: ignore[arg-type]
        if one_group:
            assert parsed.status == "ambiguous"
            assert parsed.readings[0] == n
        else:
            assert (parsed.status, parsed.value) == ("ok", n), (foreign, parsed.reason)
            assert parsed.off_style == (abs(n) >= 1000)
    for style in STYLES:  # after "Rp" a dot groups thousands
        rupiah = parse_number(f"Rp {text}", style=style)
        assert (rupiah.status, rupiah.value, rupiah.unit) == ("ok", n, "Rp")


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_percent_format_scales_without_noise(millionths: int) -> None:
    # a typed fraction with up to 6 decimals, shown as a percentage with up to 4 decimals
    parsed = parse_number(millionths / 10**6, "0.0000%")
    assert parsed.value == millionths / 10**4
    assert parsed.percent_scaled and parsed.unit == "%"


@given(
    st.one_of(st.none(), st.integers(), st.floats(allow_nan=False)),
    st.sampled_from([None, "General", "0.00", "#,##0", "0%", "0.00%", '0" %"']),
    st.sampled_from(STYLES),
)
def test_fast_paths_equal_the_general_path(
    raw: object, number_format: str | None, style: Style
) -> None:
    import dataclasses
    import pickle

    from iku_excel.numbers import _parse

    fast = parse_number(raw, number_format, style=style)
    general = _parse(raw, number_format, style)[0]
    assert fast == general
    # built without __init__, it behaves as one built with it
    assert hash(fast) == hash(general) and repr(fast) == repr(general)
    assert dataclasses.asdict(fast) == dataclasses.asdict(general)
    assert pickle.loads(pickle.dumps(fast)) == general


@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(-1000, 1000, places=4).map(float),
    st.integers(min_value=0, max_value=6),
)
def test_round_half_up_by_digits_is_the_decimal_rounding(value: float, decimals: int) -> None:
    from iku_excel.numbers import _quantize, _to_decimal

    expected = float(_quantize(_to_decimal(value), decimals))
    got = round_half_up(value, decimals)
    assert got == expected and math.copysign(1, got) == math.copysign(1, expected)
