"""The reference renderer's scratch loader (tests/helpers/openpyxl_render.py)."""

from __future__ import annotations

from lxml import etree

from iku_excel.backends.xlsx.ooxml import XmlPart
from iku_excel.backends.xlsx.plan import StyleMaps
from iku_excel.backends.xlsx.styles import RenderedStyles, StyleBook
from tests.helpers import openpyxl_render as render
from tests.helpers import xlsx_build as xb

NS = {"x": xb.MAIN}


def test_scratch_shared_strings_become_inline_strings() -> None:
    book = etree.fromstring(f'<styleSheet xmlns="{xb.MAIN}"><cellXfs><xf/></cellXfs></styleSheet>')
    strings = etree.fromstring(
        f'<sst xmlns="{xb.MAIN}"><si><t>satu</t></si><si><r><t>dua</t></r></si></sst>'
    )
    sheet = render._ScratchSheet(  # an older openpyxl writes text as shared strings
        "Capaian",
        f'<worksheet xmlns="{xb.MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c>'
        '<c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>'.encode(),
        None,
        False,
        [],
    )
    styles = RenderedStyles(book, StyleBook(XmlPart("styles.xml", etree.tostring(book))))
    xml, has_formulas = render._convert_scratch_sheet(
        sheet,
        StyleMaps(styles.xf, styles.dxf),
        list(strings),
        {},
        code_name=None,
        tab_selected=False,
        date1904=False,
    )
    cells = etree.fromstring(xml).findall(".//x:c", NS)
    assert not has_formulas
    assert [c.get("t") for c in cells] == ["inlineStr", "inlineStr"]
    assert ["".join(c.itertext()) for c in cells] == ["dua", "satu"]
    assert cells[0].find("x:is/x:r/x:t", NS) is not None  # rich text runs kept
