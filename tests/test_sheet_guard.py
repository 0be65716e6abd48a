"""The guard before the dense reader (``sparse_sheet.inspect_sheet_xml``) against every spelling
of a cell address that valid XML allows.

python-calamine allocates a sheet from A1 to its bottom-right cell and reads any attribute
spelling: single quotes, a newline or tab before ``r``, spaces around ``=``, a namespace prefix,
another attribute first, and a cell whose address is past its row tag's. The guard read only
``<c r="`` written Excel's way, so a stray ``<c r='XFD1048576'>`` got past it and the reader
aborted the process asking for 550 GB. Here an lxml parse is the oracle: whenever the true
area of a sheet passes :data:`~iku_excel.limits.MAX_CELLS_DENSE`, so does the guard's, and the
guard refuses exactly the sheets with an address that is malformed or outside Excel's grid.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from iku_excel.backends.sparse_sheet import inspect_sheet_xml
from iku_excel.errors import WorkbookCorrupt
from iku_excel.limits import MAX_CELLS_DENSE, MAX_COLUMN, MAX_ROW

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(rows: str, prefix: str = "") -> bytes:
    ns = f' xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f' xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0"?><{prefix}worksheet{ns}><{prefix}sheetData>'
        f'<{prefix}row r="1"><{prefix}c r="A1"><{prefix}v>1</{prefix}v></{prefix}c></{prefix}row>'
        f"{rows}</{prefix}sheetData></{prefix}worksheet>"
    ).encode()


#: One row holding one cell, in each spelling: (row tag's address part, cell's).
SPELLINGS = {
    "double-quotes": (' r="{row}"', ' r="{ref}"'),
    "single-quotes": (" r='{row}'", " r='{ref}'"),
    "single-quoted-cell": (' r="{row}"', " r='{ref}'"),
    "newline": ('\nr="{row}"', '\nr="{ref}"'),
    "tab": ('\tr="{row}"', '\tr="{ref}"'),
    "spaces-around-equals": (' r = "{row}"', ' r = "{ref}"'),
    "two-spaces": ('  r="{row}"', '  r="{ref}"'),
    "style-first": (' spans="1:2" r="{row}"', ' s="1" r="{ref}"'),
}


def one_cell(spelling: str, ref: str, prefix: str = "") -> bytes:
    row_attr, cell_attr = SPELLINGS[spelling]
    row = re.sub(r"^[A-Z]+", "", ref)
    return sheet(
        f"<{prefix}row{row_attr.format(row=row)}><{prefix}c{cell_attr.format(ref=ref)}>"
        f"<{prefix}v>1</{prefix}v></{prefix}c></{prefix}row>",
        prefix,
    )


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_a_stray_cell_is_seen_in_every_spelling(spelling: str, prefix: str) -> None:
    data = one_cell(spelling, "XFD1048576", prefix)
    assert inspect_sheet_xml(data, "s.xml", "t", 0) == (MAX_ROW, MAX_COLUMN)


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("ref", ["A1048577", "XFE9", "A0"])
def test_an_address_outside_the_grid_is_refused_in_every_spelling(spelling: str, ref: str) -> None:
    with pytest.raises(WorkbookCorrupt, match=r"^File rusak: bagian s\.xml "):
        inspect_sheet_xml(one_cell(spelling, ref), "s.xml", "t", 0)


def test_a_cell_past_its_row_tag_counts_by_its_own_address() -> None:
    """The reader places a cell by its address: 99,999 rows of 702 columns is 70 million cells
    (11 s and gigabytes read densely), though the row tag says 60."""
    data = sheet('<row r="60"><c r="ZZ99999"><v>1</v></c></row>')
    rows, cols = inspect_sheet_xml(data, "s.xml", "t", 0)
    assert (rows, cols) == (99_999, 702) and rows * cols > MAX_CELLS_DENSE
    # up to Z such a cell fits the dense budget whatever its row (26 x 99,999)
    narrow = sheet('<row r="60"><c r="Z99999"><v>1</v></c></row>')
    rows, cols = inspect_sheet_xml(narrow, "s.xml", "t", 0)
    assert 99_999 * cols <= MAX_CELLS_DENSE


def test_an_address_in_a_text_is_not_a_cell() -> None:
    data = sheet('<row r="3"><c r="A3" t="inlineStr"><is><t> r="XFD1048576"</t></is></c></row>')
    assert inspect_sheet_xml(data, "s.xml", "t", 0) == (3, 26)


# --- random sheets against an lxml oracle -----------------------------------------------------


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


_ROWS = st.one_of(st.integers(1, 60), st.integers(1, 99_999), st.integers(1, MAX_ROW + 5))
_COLS = st.one_of(st.integers(1, 26), st.integers(1, 702), st.integers(1, MAX_COLUMN + 5))


@st.composite
def address(draw: st.DrawFn, cell: bool) -> str:
    row = draw(_ROWS)
    text = f"{_letters(draw(_COLS))}{row}" if cell else str(row)
    return draw(st.sampled_from([text] * 12 + [text.lower(), "$" + text, "0" + text, ""]))


@st.composite
def tag(draw: st.DrawFn, name: str, ref: str, prefix: str) -> str:
    """``<name`` and its attributes (``r`` spelled any way, or left out), no ``>``."""
    quote = draw(st.sampled_from(['"'] * 4 + ["'"]))
    gap = draw(st.sampled_from([" "] * 6 + ["\n", "\t", "  ", " \n"]))
    equals = draw(st.sampled_from(["="] * 6 + [" = ", "= "]))
    r = f"r{equals}{quote}{ref}{quote}"
    other = ' s="1"' if name == "c" else ' spans="1:3"'
    attrs = draw(
        st.sampled_from(
            [f"{gap}{r}"] * 6 + [f"{other}{gap}{r}", f"{gap}{r}{other}", other if ref else ""]
        )
    )
    return f"<{prefix}{name}{attrs}"


@st.composite
def random_sheet(draw: st.DrawFn) -> bytes:
    prefix = draw(st.sampled_from(["", "", "", "x:"]))
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            opening = draw(tag("c", draw(address(True)), prefix))
            body = draw(st.sampled_from(["/>", f"><{prefix}v>1</{prefix}v></{prefix}c>"]))
            text = f'<{prefix}is><{prefix}t> r="XFD2000000"</{prefix}t></{prefix}is>'
            if draw(st.integers(0, 9)) == 0:
                body = f' t="inlineStr">{text}</{prefix}c>'
            cells.append(opening + body)
        opening = draw(tag("row", draw(address(False)), prefix))
        rows.append(f"{opening}>{''.join(cells)}</{prefix}row>")
    return sheet("".join(rows), prefix)


def _oracle(data: bytes) -> tuple[int, int] | None:
    """(max row, max column) of every address as lxml reads them; None for a bad address."""
    max_row = max_col = 0
    for element in etree.fromstring(data).iter(f"{{{MAIN}}}c", f"{{{MAIN}}}row"):
        ref = element.get("r")
        if ref is None:
            continue  # placed after the one before: never past the addresses around it
        cell = element.tag.endswith("}c")
        found = re.fullmatch(r"([A-Z]{1,3})?([1-9]\d{0,6})", ref)
        if found is None or cell != bool(found.group(1)):
            return None
        row = int(found.group(2))
        col = 0
        for char in found.group(1) or "":
            col = col * 26 + ord(char) - 64
        if row > MAX_ROW or col > MAX_COLUMN:
            return None
        max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max(max_col, 1)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_sheet())
def test_the_guard_sees_what_lxml_sees(data: bytes) -> None:
    truth = _oracle(data)
    if truth is None:
        with pytest.raises(WorkbookCorrupt):
            inspect_sheet_xml(data, "s.xml", "t", 0)
        return
    rows, cols = inspect_sheet_xml(data, "s.xml", "t", 0)
    if truth[0] * truth[1] > MAX_CELLS_DENSE:  # read sparsely, never densely
        assert rows * cols > MAX_CELLS_DENSE, (truth, (rows, cols))
    if truth[1] > 26:  # past Z the column is exact
        assert cols == truth[1]
    assert rows <= truth[0] and cols >= min(truth[1], 26)
