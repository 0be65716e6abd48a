"""The text patcher against the tree patcher on random sheets (Hypothesis).

``tests/test_textpatch.py`` holds the two patchers equal on hand-written cases and on every
corpus sheet; the text patcher's shortcuts (rows read in C, cell starts found on demand, new
cells written in one step) depend on how a row is written, so this file draws the rows: cells of
every type, self-closing and empty cells, styled rows (``customFormat``), rows without cells,
attributes in other orders and quotes, shared formulas, gaps between rows and cells; and the
writes: over existing cells, into gaps, past a row's end, into new rows, empty writes. On every
sheet the text patcher takes, both give the same document, the same flags and the same styles,
or both refuse it alike.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iku_excel.backends.xlsx.ooxml import XmlPart
from iku_excel.backends.xlsx.plan import CellWrite
from iku_excel.backends.xlsx.sheettext import parse_skeleton
from iku_excel.backends.xlsx.styles import StyleBook
from iku_excel.backends.xlsx.textpatch import TextPatcher
from iku_excel.errors import UnsafeWorkbookError
from tests.test_textpatch import STYLES, canonical, sheet, text_patch, tree_patch

COLUMNS = "ABCDEFGH"

# One cell's XML after its reference: (attributes, content), or None for <c .../>.
_CELL_BODIES = [
    ("", "<v>1</v>"),
    (' s="1"', "<v>2.5</v>"),
    (' s="2"', None),
    (' t="inlineStr"', "<is><t>teks &amp; &lt;x&gt;</t></is>"),
    (' t="inlineStr"', '<is><t xml:space="preserve"> a </t></is>'),
    (' t="str"', "<f>A1*2</f><v>2</v>"),
    ("", "<f>SUM(A1:A2)</f><v>3</v>"),
    (' t="b"', "<v>1</v>"),
    (' t="e"', "<v>#DIV/0!</v>"),
    ("", '<v>4</v><extLst><ext uri="urn:x"/></extLst>'),
    ("", None),
    ("", ""),
]


@st.composite
def cell_xml(draw: st.DrawFn, ref: str) -> str:
    attrs, content = draw(st.sampled_from(_CELL_BODIES))
    quote = draw(st.sampled_from(['"', '"', "'"]))
    reference = f"r={quote}{ref}{quote}"
    if attrs and draw(st.booleans()):  # the reference not first: the slow scan
        opening = f"<c{attrs} {reference}"
    else:
        opening = f"<c {reference}{attrs}"
    return f"{opening}/>" if content is None else f"{opening}>{content}</c>"


@st.composite
def rows_xml(draw: st.DrawFn) -> tuple[str, list[int]]:
    """The rows of a sheet, and their numbers."""
    numbers = sorted(draw(st.sets(st.integers(1, 12), max_size=6)))
    out = []
    for number in numbers:
        cols = sorted(draw(st.sets(st.integers(1, len(COLUMNS)), max_size=5)))
        cells = "".join(draw(cell_xml(f"{COLUMNS[c - 1]}{number}")) for c in cols)
        attrs = f' r="{number}"'
        if draw(st.booleans()):
            attrs += f' spans="1:{len(COLUMNS)}"'
        attrs += draw(
            st.sampled_from(
                [
                    "",
                    "",
                    ' s="1" customFormat="1"',
                    ' s="2" customFormat="0"',
                    ' customFormat="true" s="2"',
                    ' s="1"',
                ]
            )
        )
        if draw(st.integers(0, 4)) == 0:
            attrs += ' ht="20" customHeight="1"'
        if not cells and draw(st.booleans()):
            out.append(f"<row{attrs}/>")
        else:
            out.append(f"<row{attrs}>{cells}</row>")
    return "".join(out), numbers


_VALUES = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.sampled_from(["x", " spasi ", "teks <&>", "=bukan rumus", "#N/A"]),
)


@st.composite
def writes_for(draw: st.DrawFn, numbers: list[int]) -> list[CellWrite]:
    rows = st.sampled_from(numbers) if numbers else st.integers(1, 14)
    spots = draw(
        st.sets(
            st.tuples(st.one_of(rows, st.integers(1, 14)), st.integers(1, len(COLUMNS) + 2)),
            min_size=1,
            max_size=8,
        )
    )
    out = []
    for row, col in sorted(spots):
        formula = draw(st.sampled_from([None, None, f"=A{row}*3", "=1/0"]))
        value = draw(_VALUES)
        fmt = draw(st.sampled_from([None, None, "0.00", "0.0%"]))
        out.append(CellWrite(row, col, value, formula=formula, number_format=fmt))
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[bytes, list[CellWrite]]:
    rows, numbers = draw(rows_xml())
    head = draw(
        st.sampled_from(
            [
                "",
                '<dimension ref="A1:C5"/>',
                '<dimension ref="A1"/><cols><col min="4" max="9" style="2"/></cols>',
            ]
        )
    )
    data = (
        sheet(rows, head=head)
        if rows or draw(st.booleans())
        else sheet("").replace(b"<sheetData></sheetData>", b"<sheetData/>")
    )
    return data, draw(writes_for(numbers))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_text_patch_equals_the_tree_patch_on_random_sheets(
    case: tuple[bytes, list[CellWrite]],
) -> None:
    data, writes = case
    book = StyleBook(XmlPart("s", STYLES))
    if TextPatcher.open(data, parse_skeleton("x", data), "IKU", book, False) is None:
        return  # left to the tree patcher
    try:
        reference = tree_patch(data, writes)
    except UnsafeWorkbookError:
        with pytest.raises(UnsafeWorkbookError):
            text_patch(data, writes)
        return
    new, flags, styles = text_patch(data, writes)
    assert canonical(new) == canonical(reference[0])
    assert flags == reference[1]
    assert styles == reference[2]
