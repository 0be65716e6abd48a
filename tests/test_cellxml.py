"""The one cell encoder (iku_excel.backends.xlsx.cellxml): text comes back as it was written.

Both writers use it: the sheet writer (Capaian, Validasi) and the cell patcher (IKU cells). The
round trip goes through a full refresh and is read back by python-calamine and by LibreOffice,
which, like Excel, turn ``_xHHHH_`` back into the character; openpyxl does not unescape inline
strings and would see nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from iku_excel import contract
from iku_excel.api import refresh_file
from iku_excel.backends.xlsx.cellxml import (
    cell_xml,
    encode,
    escape_text,
    formula_text,
    formula_xml,
    inline_string,
    text_xml,
    xml_text,
)
from iku_excel.backends.xlsx.ooxml import MAIN_NS, q
from iku_excel.backends.xlsx.plan import CellWrite, PackagePlan
from iku_excel.backends.xlsx.splice import apply_plan
from tests.helpers import xlsx_build as xb

IKU = contract.SHEET_IKU
TEXTS = [
    "kode _x0041_ tertulis",
    "baris _x000D_ literal",
    "kendali\x01\x02 di tengah",  # (\x1c-\x1f are whitespace to the reader)
    "=SUM(A1:A3)",
]


def test_escape_text_escapes_literal_escapes_and_illegal_characters() -> None:
    assert escape_text("kode _x0041_ tertulis") == "kode _x005F_x0041_ tertulis"
    assert escape_text("a\x01b") == "a_x0001_b"
    assert escape_text("_x12G4_ and _x") == "_x12G4_ and _x"  # not an escape: left alone
    assert escape_text("tab\tbaris\n") == "tab\tbaris\n"


def test_cells_as_text() -> None:
    text = cell_xml("A1", None, "kode _x0041_ <b>\r")
    assert text == (
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve">'
        "kode _x005F_x0041_ &lt;b&gt;&#13;</t></is></c>"
    )
    formula = cell_xml("B2", 3, "_x0041_", "=C1")
    assert formula == '<c r="B2" s="3" t="str"><f>C1</f><v>_x005F_x0041_</v></c>'
    assert encode("#DIV/0!", "=1/0").kind == "e"
    assert encode(float("nan"), "=0/0").value == "#NUM!"
    assert encode("=1+1").kind == "inlineStr"  # text stays text


VALUES: list[object] = [
    None,
    "",
    "teks",
    " spasi ",
    "a\nb",
    "kode _x0041_ & <b>",
    "x\x01",
    0,
    7,
    -2.5,
    1e16,
    0.1 + 0.2,
    float("inf"),
    float("nan"),
    True,
    False,
    "#N/A",
    Decimal("1.25"),
    dt.date(2024, 3, 31),
]


@pytest.mark.parametrize("formula", [None, "=A1", '="a\x01"&B2'])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_text_path_and_the_element_path_agree(value: object, formula: str | None) -> None:
    """The sheet writer's text and the cell patcher's element hold the same content."""
    text = cell_xml("C3", 5, value, formula)
    content = encode(value, formula)
    cell = etree.Element(q("c"), r="C3", s="5", nsmap={None: MAIN_NS})
    if content.kind is not None:
        cell.set("t", content.kind)
    for tag, part in (("f", content.formula), ("v", content.value)):
        if part is not None:
            etree.SubElement(cell, q(tag)).text = part
    if content.inline is not None:
        cell.append(inline_string(MAIN_NS, content))
    wrapped = f'<x xmlns="{MAIN_NS}">{text}</x>'
    assert _shape(etree.fromstring(wrapped)[0]) == _shape(cell)


def _shape(element: etree._Element) -> tuple[object, ...]:
    """Tag, attributes, text and children: the content, whatever the prefixes."""
    children = tuple(_shape(child) for child in element)
    return (element.tag, sorted(element.attrib.items()), element.text or "", children)


def refreshed_with_texts(tmp_path: Path) -> Path:
    """An IKU workbook whose indicator names and notes are TEXTS, refreshed once."""
    src = xb.save(xb.iku_workbook(len(TEXTS)), tmp_path / "iku.xlsx")
    writes = [
        CellWrite(2 + i, xb.IKU_COL[key], text)
        for i, text in enumerate(TEXTS)
        for key in ("indicator", "note")
    ]
    patched = tmp_path / "patched.xlsx"
    apply_plan(src, PackagePlan(cell_writes={IKU: writes}), patched)  # openpyxl refuses \x01
    os.replace(patched, src)
    refresh_file(src)
    return src


def calamine_texts(path: Path) -> dict[str, set[object]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {
        name: {value for row in book.get_sheet_by_name(name).to_python() for value in row}
        for name in book.sheet_names
    }


def test_text_round_trips_through_a_refresh_calamine(tmp_path: Path) -> None:
    path = refreshed_with_texts(tmp_path)
    texts = calamine_texts(path)
    for sheet in (IKU, contract.SHEET_CAPAIAN):
        missing = [text for text in TEXTS if text not in texts[sheet]]
        assert missing == [], sheet
    assert "kode A tertulis" not in texts[contract.SHEET_CAPAIAN]


@pytest.mark.libreoffice
def test_text_round_trips_through_a_refresh_libreoffice(tmp_path: Path) -> None:
    from tests.helpers import libreoffice, libreoffice_text

    if libreoffice.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    texts = libreoffice_text.sheet_texts(refreshed_with_texts(tmp_path))
    for sheet in (IKU, contract.SHEET_CAPAIAN):
        missing = [text for text in TEXTS if text not in texts[sheet]]
        assert missing == [], sheet
    assert "kode A tertulis" not in texts[contract.SHEET_CAPAIAN]


@pytest.mark.parametrize("formula", [None, "=A1", '="a\x01"&B2', '=IF(A1<>"",A1&"x",">")'])
@pytest.mark.parametrize("value", [*VALUES, "a\r&b", "_x00e9_ <b>", "x" * 32_767], ids=repr)
def test_the_short_paths_write_the_general_paths_bytes(value: object, formula: str | None) -> None:
    """cell_xml's short paths (plain text, numbers, a formula with a number or a text cached)
    give byte for byte what the general path (``encode`` then ``encoded_xml``) gives."""
    from iku_excel.backends.xlsx.cellxml import encoded_xml

    try:
        general = encoded_xml('<c r="C3" s="5"', encode(value, formula))
    except ValueError:
        with pytest.raises(ValueError):
            cell_xml("C3", 5, value, formula)
        return
    assert cell_xml("C3", 5, value, formula) == general


@given(st.text())
def test_text_and_formula_fast_paths_equal_their_definitions(text: str) -> None:
    assert text_xml(text) == xml_text(escape_text(text))
    for formula in (text, "=" + text):
        assert formula_xml(formula) == xml_text(formula_text(formula))
