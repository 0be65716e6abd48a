"""The A1 helpers that build addresses: what they write reads back as the same rectangle."""

from hypothesis import given
from hypothesis import strategies as st

from iku_excel.a1 import absolute_range, parse_range, range_address

rows = st.integers(1, 1_048_576)
cols = st.integers(1, 16_384)


@given(rows, cols, rows, cols)
def test_absolute_range_reads_back_and_is_range_address_with_dollars(
    r1: int, c1: int, r2: int, c2: int
) -> None:
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    written = absolute_range(r1, c1, r2, c2)
    assert parse_range(written.replace("$", "")) == (r1, c1, r2, c2)
    assert written.replace("$", "") == range_address(r1, c1, r2, c2)
    assert written.count("$") == (2 if (r1, c1) == (r2, c2) else 4)


def test_absolute_range_examples() -> None:
    assert absolute_range(1, 1, 3, 3) == "$A$1:$C$3"
    assert absolute_range(5, 28, 5, 28) == "$AB$5"
