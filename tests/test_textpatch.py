"""The text patcher (iku_excel.backends.xlsx.textpatch) against the tree patcher (cellpatch).

The tree patcher parses the whole sheet with lxml and is the reference: on every sheet the text
patcher takes, both must give the same document (compared canonically, whitespace between
elements ignored) and the same new styles; every byte outside the written cells stays as it was;
sheets the text patcher does not take are left to the tree patcher (``open`` gives None).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from iku_excel.backends.xlsx.cellpatch import SheetPatcher
from iku_excel.backends.xlsx.ooxml import XmlPart
from iku_excel.backends.xlsx.plan import CellWrite
from iku_excel.backends.xlsx.sheettext import parse_skeleton, skeleton
from iku_excel.backends.xlsx.styles import StyleBook
from iku_excel.backends.xlsx.textpatch import TextPatcher
from iku_excel.errors import UnsafeWorkbookError
from tests.helpers import xlsx_build as xb

MAIN = xb.MAIN
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
    f'<borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0" fontId="0"/>'
    f'<xf numFmtId="0" fontId="0" applyFont="1"/><xf numFmtId="2" fontId="0"/></cellXfs>'
    f"</styleSheet>"
).encode()


def sheet(rows: str, head: str = "", tail: str = "", root_attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
        f'xmlns:r="{xb.R}"{root_attrs}>{head}<sheetData>{rows}</sheetData>{tail}</worksheet>'
    ).encode()


def canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def text_patch(data: bytes, writes: list[CellWrite]) -> tuple[bytes, tuple[bool, bool], bytes]:
    """(new part, (wrote formula, overwrote formula), new styles) by the text patcher."""
    book = StyleBook(XmlPart("s", STYLES))
    patcher = TextPatcher.open(data, parse_skeleton("x", data), "IKU", book, False)
    assert patcher is not None, "the text patcher should take this sheet"
    patcher.check(writes, [])
    new, wrote, overwrote = patcher.apply(writes)
    return new, (wrote, overwrote), book.part.serialise()


def tree_patch(data: bytes, writes: list[CellWrite]) -> tuple[bytes, tuple[bool, bool], bytes]:
    """The same by the tree patcher (the reference)."""
    book = StyleBook(XmlPart("s", STYLES))
    part = XmlPart("x", data)
    tree = SheetPatcher(part, "IKU", book, False)
    tree.check(writes, [])
    flags = tree.apply(writes)
    return part.serialise(), flags, book.part.serialise()


def assert_same(data: bytes, writes: list[CellWrite]) -> bytes:
    new, flags, styles = text_patch(data, writes)
    reference, tree_flags, tree_styles = tree_patch(data, writes)
    assert canonical(new) == canonical(reference)
    assert flags == tree_flags
    assert styles == tree_styles
    return new


ROWS = (
    '<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>Kode</t></is></c>'
    '<c r="C1" s="1"><v>3</v></c></row>'
    '<row r="2" spans="1:3" customFormat="1" s="1"><c r="A2"><v>1</v></c>'
    '<c r="B2" t="str"><f>A2*2</f><v>2</v></c><c r="C2" s="2"/></row>'
    '<row r="4"/>'
    '<row r="5"><c r="B5" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>a</t></r></is></c>'
    '<c r="C5"><v>4</v><extLst><ext uri="urn:x"/></extLst></c></row>'
)
CASES: dict[str, list[CellWrite]] = {
    "rewrite existing cells": [
        CellWrite(2, 2, 5.5, formula="=A2*3", number_format="0.00"),
        CellWrite(2, 3, "teks <&>", number_format="0.0"),
        CellWrite(5, 2, 7),
        CellWrite(5, 3, None, formula="=B5"),  # keeps its extLst
    ],
    "insert before, between, after": [
        CellWrite(1, 2, "baru"),
        CellWrite(1, 5, True),
        CellWrite(2, 4, None, formula="=1/0"),
        CellWrite(5, 1, " spasi "),
    ],
    "new rows before, between, after, and a self-closing row": [
        CellWrite(3, 2, 1),
        CellWrite(4, 2, 2, number_format="0.00"),
        CellWrite(9, 1, "akhir"),
        CellWrite(9, 3, 3.25),
    ],
    "empty writes": [CellWrite(3, 1, None), CellWrite(2, 1, None), CellWrite(7, 7, None)],
    "error and text cached values": [
        CellWrite(2, 2, "#DIV/0!", formula="=1/0"),
        CellWrite(2, 3, "x", formula='="x"'),
        CellWrite(1, 1, "=bukan rumus"),
    ],
}


@pytest.mark.parametrize("writes", list(CASES.values()), ids=list(CASES))
def test_text_patch_equals_the_tree_patch(writes: list[CellWrite]) -> None:
    assert_same(
        sheet(ROWS, head='<dimension ref="A1:C5"/><cols><col min="4" max="9" style="2"/></cols>'),
        writes,
    )


def test_untouched_bytes_stay_as_they_were() -> None:
    head = "<sheetPr><tabColor rgb='FF00FF00'/></sheetPr><dimension ref=\"A1:C5\"/>"
    tail = "<mergeCells count='1'><mergeCell ref='A7:B7'/></mergeCells>"
    data = sheet(ROWS, head=head, tail=tail)
    new = assert_same(data, [CellWrite(2, 3, 1.5)])
    old_cell = re.search(rb'<c r="C2" s="2"/>', data)
    assert old_cell is not None
    assert (
        new == data[: old_cell.start()] + b'<c r="C2" s="2"><v>1.5</v></c>' + data[old_cell.end() :]
    )


def test_widens_dimension_and_spans_and_opens_an_empty_sheet_data() -> None:
    data = sheet(ROWS, head='<dimension ref="A1:C5"/>')
    new = assert_same(data, [CellWrite(2, 6, 1)])
    assert b'<dimension ref="A1:F5"/>' in new and b'spans="1:6"' in new
    empty = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData/><pageMargins left="1" '
        f'right="1" top="1" bottom="1" header="0" footer="0"/></worksheet>'
    ).encode()
    assert_same(empty, [CellWrite(2, 2, 1), CellWrite(3, 1, "x")])


def test_shared_formulas_move_as_in_the_tree_patcher() -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}">'
        + (f'<f t="shared" ref="B2:B6" si="0">A{r}*2</f>' if r == 2 else '<f t="shared" si="0"/>')
        + f"<v>{2 * r}</v></c></row>"
        for r in range(2, 7)
    )
    for written in (range(2, 4), range(4, 5), range(2, 7)):
        writes = [CellWrite(r, 2, 1.0, formula=f"=A{r}/100") for r in written]
        assert_same(sheet(rows), writes)


def test_checks_refuse_what_the_tree_patcher_refuses() -> None:
    merged = sheet(ROWS, tail='<mergeCells count="1"><mergeCell ref="B1:C2"/></mergeCells>')
    protected = sheet(ROWS, tail='<sheetProtection sheet="1"/>')
    array = sheet('<row r="2"><c r="D2"><f t="array" ref="D2:D4">A2:A4*2</f><v>2</v></c></row>')
    for data, write in (
        (merged, CellWrite(2, 3, 1)),
        (protected, CellWrite(2, 3, 1)),
        (array, CellWrite(3, 4, 1)),
    ):
        book = StyleBook(XmlPart("s", STYLES))
        patcher = TextPatcher.open(data, parse_skeleton("x", data), "IKU", book, False)
        assert patcher is not None
        with pytest.raises(UnsafeWorkbookError):
            patcher.check([write], [])
        with pytest.raises(UnsafeWorkbookError):
            SheetPatcher(XmlPart("x", data), "IKU", book, False).check([write], [])
    disordered = sheet('<row r="3"/><row r="2"/>')
    with pytest.raises(UnsafeWorkbookError, match="urutan baris"):
        TextPatcher.open(disordered, parse_skeleton("x", disordered), "IKU", book, False)


@pytest.mark.parametrize(
    "data",
    [
        sheet('<row><c r="A1"><v>1</v></c></row>'),  # a row without r
        sheet('<row r="1"><c><v>1</v></c></row>'),  # a cell without r
        sheet('<row r="1"><!-- x --><c r="A1"><v>1</v></c></row>'),
        sheet('<row r="1"><c r="A1" xmlns:y="urn:y"><v>1</v></c></row>'),
        (
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"/></x:sheetData></x:worksheet>'
        ).encode(),
    ],
    ids=["row-without-r", "cell-without-r", "comment", "namespace", "prefixed"],
)
def test_unusual_sheets_are_left_to_the_tree_patcher(data: bytes) -> None:
    book = StyleBook(XmlPart("s", STYLES))
    assert TextPatcher.open(data, parse_skeleton("x", data), "IKU", book, False) is None


def test_the_skeleton_refuses_a_doctype() -> None:
    data = b'<!DOCTYPE worksheet [<!ENTITY a "b">]>' + sheet(ROWS).split(b"\n", 1)[1]
    with pytest.raises(UnsafeWorkbookError, match="DOCTYPE"):
        parse_skeleton("x", data)
    cut = skeleton(sheet(ROWS))
    assert cut is not None and b"<row" not in cut[0]


def _corpus_sheets() -> list[Path]:
    folders = [Path(__file__).parent / "corpus", Path(__file__).parent / "fixtures"]
    return sorted(p for folder in folders for p in folder.glob("*.xls[xm]"))


@pytest.mark.parametrize("path", _corpus_sheets(), ids=lambda p: p.name)
def test_every_corpus_and_fixture_sheet(path: Path) -> None:
    """A column written into every worksheet of the corpus: both patchers agree, or the text
    patcher declines (and both refuse alike)."""
    members = xb.read_members(path)
    names = [n for n in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    writes: Callable[[int], list[CellWrite]] = lambda col: [  # noqa: E731
        CellWrite(row, col, float(row) * 1.5, formula=f"=A{row}*1", number_format="0.00")
        for row in range(1, 40)
    ]
    for name in names:
        data = members[name]
        book = StyleBook(XmlPart("s", STYLES))
        if TextPatcher.open(data, parse_skeleton(name, data), "S", book, False) is None:
            continue
        for col in (2, 9):
            try:
                reference = tree_patch(data, writes(col))
            except UnsafeWorkbookError:
                with pytest.raises(UnsafeWorkbookError):
                    text_patch(data, writes(col))
                continue
            new = text_patch(data, writes(col))
            assert canonical(new[0]) == canonical(reference[0]), name
            assert new[1:] == reference[1:], name


def test_rows_read_tag_by_tag_when_the_quick_scan_cannot() -> None:
    rows = (
        '<row r="7"><c r=\'A7\' t="inlineStr"><is><t>x</t></is></c>'
        '<c r="C7" foo="a>b"><v>1</v></c><c r="E7"><v>2</v></c></row>'
    )
    assert_same(sheet(rows), [CellWrite(7, 2, 1.5), CellWrite(7, 4, "d"), CellWrite(7, 6, 3)])
    disordered = sheet('<row r="7"><c r="C7"><v>1</v></c><c r="A7"><v>2</v></c></row>')
    for data in (disordered, disordered.replace(b'r="A7"', b"r='A7'")):  # quick and slow scan
        with pytest.raises(UnsafeWorkbookError, match="urutan sel"):
            text_patch(data, [CellWrite(7, 2, 1)])


def test_a_row_read_in_c_gives_what_the_loop_gives() -> None:
    """_row_cells_quickly answers only for a row as Excel writes it, columns already met, and
    then with the loop's columns and starts; any other row (disordered, another row's number, an
    unknown column) it leaves to the loop, whose refusals stay its own."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="C{r}"><v>2</v></c><c r="AB{r}"/></row>'
        for r in (1, 2)
    )
    data = sheet(
        rows + '<row r="3"><c r="C3"><v>1</v></c><c r="A3"/></row><row r="4"><c r="A5"/></row>'
    )
    patcher = TextPatcher.open(
        data, parse_skeleton("x", data), "IKU", StyleBook(XmlPart("s", STYLES)), False
    )
    assert patcher is not None
    (first, second, third, fourth) = patcher.rows
    bounds = [(row.tag_end, data.index(b"</row>", row.tag_end)) for row in patcher.rows]
    assert patcher._row_cells_quickly(1, *bounds[0]) is None  # columns not met yet
    loop = patcher._row_cells(1, *bounds[0])
    assert loop[0] == [1, 3, 28]
    quick = patcher._row_cells_quickly(2, *bounds[1])
    assert quick is not None
    cells_of_row = [at for at in range(*bounds[1]) if data.startswith(b"<c ", at)]
    assert (quick[0], list(quick[1]), quick[1][-1]) == (loop[0], cells_of_row, cells_of_row[-1])
    assert patcher._row_cells_quickly(3, *bounds[2]) is None  # disordered
    assert patcher._row_cells_quickly(4, *bounds[3]) is None  # A5 in row 4
    with pytest.raises(UnsafeWorkbookError, match="urutan sel"):
        patcher._row_cells(3, *bounds[2])
    with pytest.raises(UnsafeWorkbookError, match="tidak valid"):
        patcher._row_cells(4, *bounds[3])
    assert (first.number, fourth.number, second.closed, third.closed) == (1, 4, False, False)
