"""Tests of the zip-package splice (iku_excel.backends.xlsx.splice) on the production path.

Each test builds a small workbook with openpyxl, hand-edits the members openpyxl cannot write
(threaded comments, x14 validations, calc chain, VBA, ribbon, shared formulas...), applies a plan
of cell writes and *rendered sheets* (the input production gives the splice; varied sheets are
rendered cheaply by the reference renderer in tests/helpers/openpyxl_render.py) and checks the
package member by member, then reads the result back with openpyxl and python-calamine.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table

from iku_excel import contract
from iku_excel.backends.xlsx.plan import CellWrite, PackagePlan
from iku_excel.backends.xlsx.splice import apply_plan
from iku_excel.errors import UnsafeWorkbookError
from tests.helpers import xlsx_build as xb
from tests.helpers.openpyxl_render import rendered_sheets

IKU = contract.SHEET_IKU
CAPAIAN = contract.SHEET_CAPAIAN
VALIDASI = contract.SHEET_VALIDASI
CAP = xb.IKU_COL["capaian"]
CAP_L = get_column_letter(CAP)
TARGET_L = get_column_letter(xb.IKU_COL["target"])
REAL_L = get_column_letter(xb.IKU_COL["realisasi"])
ROWS = 8
NS = {"x": xb.MAIN}

# openpyxl warns that it drops x14 validations when *it* loads the result; the splice keeps them.
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")


# --- Builders -------------------------------------------------------------------------------------


def capaian_writes(rows: int = ROWS, number_format: str | None = "0.00") -> list[CellWrite]:
    """The Capaian (%) column: formula realisasi/target*100 with its cached value."""
    return [
        CellWrite(
            row,
            CAP,
            float(50 + row - 2),
            formula=f"={REAL_L}{row}/{TARGET_L}{row}*100",
            number_format=number_format,
        )
        for row in range(2, rows + 2)
    ]


def scratch_book(
    rows: int = ROWS,
) -> tuple[openpyxl.Workbook, dict[str, dict[tuple[int, int], object]]]:
    """Capaian and Validasi as the layout code would render them, with their cached values."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = CAPAIAN
    sheet["A1"] = "Capaian Kinerja 2024"
    sheet["A1"].font = Font(bold=True, color="FF1F4E79")
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["Kode", "Indikator", "Capaian (%)", "Ke IKU"])
    for cell in sheet[3]:
        cell.fill = PatternFill("solid", fgColor="FFDDEBF7")
        cell.font = Font(bold=True)
    cached: dict[tuple[int, int], object] = {}
    for index in range(rows):
        row = 4 + index
        iku_row = 2 + index
        sheet.cell(row, 1, f"1.{index + 1}")
        sheet.cell(row, 2, f"=IKU!C{iku_row}")
        cached[(row, 2)] = f"Indikator {index + 1}"
        sheet.cell(row, 3, f"=IKU!{CAP_L}{iku_row}/100")
        sheet.cell(row, 3).number_format = "0.0%"
        cached[(row, 3)] = (50 + index) / 100
        sheet.cell(row, 4, "buka")
        sheet.cell(row, 4).hyperlink = Hyperlink(
            ref=f"D{row}", location=f"IKU!{CAP_L}{iku_row}", display="buka"
        )
    sheet["F4"] = "=bukan rumus"
    sheet["F4"].data_type = "s"
    sheet["F5"] = "situs"
    sheet["F5"].hyperlink = "https://example.org/iku"
    sheet.conditional_formatting.add(
        f"C4:C{3 + rows}",
        CellIsRule(operator="lessThan", formula=["0.6"], font=Font(color="FF9C0006")),
    )
    sheet.print_title_rows = "1:3"
    sheet.freeze_panes = "A4"
    check = book.create_sheet(VALIDASI)
    check.append(["Aturan", "Hasil"])
    check["A2"], check["B2"] = "jumlah baris", "=COUNTA(IKU!A:A)-1"
    check["A3"], check["B3"] = "ada error", "=ISERROR(1/0)"
    check["A4"], check["B4"] = "bagi nol", "=1/0"
    check["A5"], check["B5"] = "kosong", '=""'
    cached_check: dict[tuple[int, int], object] = {(2, 2): rows, (3, 2): True, (4, 2): "#DIV/0!"}
    cached_check[(5, 2)] = ""
    return book, {CAPAIAN: cached, VALIDASI: cached_check}


def full_plan(**overrides: object) -> PackagePlan:
    book, cached = scratch_book()
    plan = PackagePlan(rendered=rendered_sheets(book, cached), cell_writes={IKU: capaian_writes()})
    for name, value in overrides.items():
        setattr(plan, name, value)
    return plan


def rich_source(tmp_path: Path, *, name: str = "iku.xlsx", rows: int = ROWS) -> Path:
    """An IKU workbook with Excel-only features: x14 validation, mc:Ignorable prefixes, a threaded
    comment, a calc chain, a custom number format, a conditional format and a bordered column."""
    book = xb.iku_workbook(rows)
    sheet = book[IKU]
    sheet["D2"].number_format = "0.000"  # a custom numFmt id 164 in the original
    sheet.conditional_formatting.add(
        "I2:I20",
        CellIsRule(
            operator="greaterThan", formula=["100"], fill=PatternFill("solid", fgColor="FFFFC7CE")
        ),
    )
    thin = Side(style="thin")
    for row in range(1, rows + 2):
        sheet.cell(row, CAP).border = Border(left=thin, right=thin)
        sheet.cell(row, CAP).font = Font(italic=True)
    path = xb.save(book, tmp_path / name)
    xb.make_excel_like_iku(path)
    xb.add_threaded_comment(path)
    xb.add_calc_chain(path, [(f"{CAP_L}2", 2)])
    return path


def apply(src: Path, plan: PackagePlan, name: str = "out.xlsx") -> Path:
    dst = src.with_name(name)
    apply_plan(src, plan, dst)
    return dst


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet title -> zip member of its part."""
    members = xb.read_members(path)
    book = etree.fromstring(members["xl/workbook.xml"])
    rels = etree.fromstring(members["xl/_rels/workbook.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    result = {}
    for sheet in book.iter(xb.q("sheet")):
        target = targets[sheet.get(xb.q("id", xb.R))] or ""
        result[sheet.get("name") or ""] = (
            target.lstrip("/") if target.startswith("/") else "xl/" + target
        )
    return result


def root_of(path: Path, member: str) -> etree._Element:
    return etree.fromstring(xb.read_members(path)[member])


# --- Lossless splicing ----------------------------------------------------------------------------


def test_untouched_members_are_copied_exactly_as_stored(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    before, after = xb.raw_members(src), xb.raw_members(dst)
    touched = {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
        xb.IKU_PART,
    }
    new = set(after) - set(before)
    assert set(before) - set(after) == {"xl/calcChain.xml"}
    assert new == {
        "xl/worksheets/sheet3.xml",
        "xl/worksheets/sheet4.xml",
        "xl/worksheets/_rels/sheet3.xml.rels",
    }
    for name in set(before) - touched - {"xl/calcChain.xml"}:
        assert after[name] == before[name], name  # same method, CRC and compressed bytes
    with zipfile.ZipFile(dst) as archive:
        assert archive.testzip() is None


def test_patched_sheet_keeps_every_element_and_namespace(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    old, new = root_of(src, xb.IKU_PART), root_of(dst, xb.IKU_PART)
    assert new.nsmap == old.nsmap
    assert dict(new.attrib) == dict(old.attrib)  # mc:Ignorable, xr:uid
    raw = xb.read_members(dst)[xb.IKU_PART]
    assert b'mc:Ignorable="x14ac xr"' in raw and b"x14ac:dyDescent" in raw
    # Everything outside sheetData and <dimension> is unchanged, the x14 validation included.
    for old_child, new_child in zip(old, new, strict=True):
        assert old_child.tag == new_child.tag
        if etree.QName(old_child).localname not in ("sheetData", "dimension"):
            assert etree.tostring(new_child) == etree.tostring(old_child)
    assert new.find(f"x:extLst/{{{xb.MAIN}}}ext", NS) is not None
    # Every old row keeps its attributes; every cell outside the Capaian column is unchanged.
    old_rows = {row.get("r"): row for row in old.iter(xb.q("row"))}
    new_rows = {row.get("r"): row for row in new.iter(xb.q("row"))}
    assert set(old_rows) <= set(new_rows)
    for number, old_row in old_rows.items():
        assert dict(new_rows[number].attrib) == dict(old_row.attrib)
        new_cells = {cell.get("r"): cell for cell in new_rows[number]}
        for cell in old_row:
            ref = cell.get("r") or ""
            if not ref.startswith(CAP_L) or number == "1":
                assert etree.tostring(new_cells[ref]) == etree.tostring(cell)


def test_touched_package_parts_keep_their_entries(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    # styles.xml: every original entry still at its index, byte for byte.
    old_styles, new_styles = root_of(src, "xl/styles.xml"), root_of(dst, "xl/styles.xml")
    for container in old_styles:
        counterpart = new_styles.find(container.tag)
        assert counterpart is not None
        for index, item in enumerate(container):
            assert etree.tostring(counterpart[index]) == etree.tostring(item)
    # workbook.xml: original sheets unchanged and first; all relationships kept but calcChain.
    old_book, new_book = root_of(src, "xl/workbook.xml"), root_of(dst, "xl/workbook.xml")
    old_sheets = old_book.findall("x:sheets/x:sheet", NS)
    new_sheets = new_book.findall("x:sheets/x:sheet", NS)
    assert [etree.tostring(s) for s in new_sheets[: len(old_sheets)]] == [
        etree.tostring(s) for s in old_sheets
    ]
    assert [s.get("name") for s in new_sheets] == [contract.SHEET_PETUNJUK, IKU, CAPAIAN, VALIDASI]
    assert [s.get("sheetId") for s in new_sheets[2:]] == ["3", "4"]
    old_rels = {r.get("Id"): r.get("Type") for r in root_of(src, "xl/_rels/workbook.xml.rels")}
    new_rels = {r.get("Id"): r.get("Type") for r in root_of(dst, "xl/_rels/workbook.xml.rels")}
    assert {
        k: v for k, v in old_rels.items() if not v.endswith("/calcChain")
    }.items() <= new_rels.items()
    assert not any(v.endswith("/calcChain") for v in new_rels.values())
    types = {
        o.get("PartName"): o.get("ContentType")
        for o in root_of(dst, "[Content_Types].xml")
        if o.get("PartName")
    }
    assert "/xl/calcChain.xml" not in types
    assert types["/xl/worksheets/sheet3.xml"].endswith("worksheet+xml")
    assert (
        types["/xl/threadedComments/threadedComment1.xml"]
        == "application/vnd.ms-excel.threadedcomments+xml"
    )


def test_written_cells_and_cached_values_read_back(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    formulas = openpyxl.load_workbook(dst)
    values = openpyxl.load_workbook(dst, data_only=True)
    iku = formulas[IKU]
    assert iku[f"{CAP_L}2"].value == f"={REAL_L}2/{TARGET_L}2*100"
    assert iku[f"{CAP_L}2"].number_format == "0.00"
    assert iku[f"{CAP_L}2"].border.left.style == "thin"  # the copied xf keeps the border
    assert iku[f"{CAP_L}2"].font.i is True  # and the font
    assert [values[IKU].cell(r, CAP).value for r in range(2, ROWS + 2)] == [
        50 + i for i in range(ROWS)
    ]
    cap = values[CAPAIAN]
    assert cap["B4"].value == "Indikator 1"
    assert cap["C5"].value == pytest.approx(0.51)
    assert values[VALIDASI]["B2"].value == ROWS
    assert values[VALIDASI]["B3"].value is True
    assert values[VALIDASI]["B4"].value == "#DIV/0!"
    assert formulas[CAPAIAN]["C4"].value == f"=IKU!{CAP_L}2/100"
    assert formulas[CAPAIAN]["C4"].number_format == "0.0%"
    calamine = CalamineWorkbook.from_path(str(dst))
    grid = calamine.get_sheet_by_name(IKU).to_python()
    assert [grid[r][CAP - 1] for r in range(1, ROWS + 1)] == [50.0 + i for i in range(ROWS)]
    cap_grid = calamine.get_sheet_by_name(CAPAIAN).to_python()
    assert cap_grid[3][:3] == ["1.1", "Indikator 1", pytest.approx(0.5)]


def test_cached_values_have_their_types(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    root = root_of(dst, sheet_parts(dst)[VALIDASI])
    cells = {c.get("r"): c for c in root.iter(xb.q("c"))}

    def typed(ref: str) -> tuple[str | None, str | None]:
        value = cells[ref].find(xb.q("v"))
        return cells[ref].get("t"), None if value is None else (value.text or "")

    assert typed("B2") == (None, str(ROWS))
    assert typed("B3") == ("b", "1")
    assert typed("B4") == ("e", "#DIV/0!")
    assert typed("B5") == ("str", "")
    capaian = {c.get("r"): c for c in root_of(dst, sheet_parts(dst)[CAPAIAN]).iter(xb.q("c"))}
    assert capaian["B4"].get("t") == "str"
    assert capaian["C4"].get("t") is None and capaian["C4"].findtext(xb.q("v")) == "0.5"


def test_new_sheet_layout_survives(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    book = openpyxl.load_workbook(dst)
    cap = book[CAPAIAN]
    assert [str(r) for r in cap.merged_cells.ranges] == ["A1:D1"]
    assert cap.freeze_panes == "A4"
    assert cap.print_title_rows == "$1:$3"
    assert cap["D4"].hyperlink.location == f"IKU!{CAP_L}2"
    assert cap["F5"].hyperlink.target == "https://example.org/iku"
    assert cap["A1"].font.b is True
    # Bold-only fonts take the workbook's default font name and size.
    default = book._fonts[0]
    assert (cap["A1"].font.name, cap["A1"].font.sz) == (default.name, default.sz)
    assert cap["A3"].fill.fgColor.rgb == "FFDDEBF7"
    rules = cap.conditional_formatting
    assert [str(cf.sqref) for cf in rules] == [f"C4:C{3 + ROWS}"]
    dxf_font = next(iter(rules)).rules[0].dxf.font
    assert dxf_font.color.rgb == "FF9C0006"
    names = root_of(dst, "xl/workbook.xml").findall("x:definedNames/x:definedName", NS)
    assert [(n.get("name"), n.get("localSheetId"), n.text) for n in names] == [
        ("_xlnm.Print_Titles", "2", "'Capaian'!$1:$3")
    ]


def test_new_fonts_take_the_workbook_default_font(tmp_path: Path) -> None:
    src = rich_source(tmp_path)

    def arial_10(root: etree._Element) -> None:
        font = root.find("x:fonts/x:font", NS)
        assert font is not None
        for child in list(font):
            font.remove(child)
        etree.SubElement(font, xb.q("sz")).set("val", "10")
        etree.SubElement(font, xb.q("name")).set("val", "Arial")
        etree.SubElement(font, xb.q("family")).set("val", "2")

    xb.edit_xml(src, "xl/styles.xml", arial_10)
    dst = apply(src, full_plan())
    cap = openpyxl.load_workbook(dst)[CAPAIAN]
    assert (cap["A1"].font.name, cap["A1"].font.sz, cap["A1"].font.b) == ("Arial", 10, True)
    assert cap["A1"].font.color.rgb == "FF1F4E79"
    assert (cap["A4"].font.name, cap["A4"].font.sz) == ("Arial", 10)  # default style: xf 0


def test_number_formats_get_fresh_ids_and_dxfs_are_remapped(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    dst = apply(src, full_plan())
    styles = root_of(dst, "xl/styles.xml")
    formats = {
        n.get("formatCode"): int(n.get("numFmtId") or 0)
        for n in styles.iterfind("x:numFmts/x:numFmt", NS)
    }
    assert formats["0.000"] == 164  # the original's, untouched
    assert formats["0.0%"] >= 165  # the scratch's 164, moved off the taken id
    assert len(set(formats.values())) == len(formats)
    dxfs = styles.findall("x:dxfs/x:dxf", NS)
    assert len(dxfs) == 2  # the original's fill rule, then the scratch's font rule
    rule = root_of(dst, sheet_parts(dst)[CAPAIAN]).find(".//x:cfRule", NS)
    assert rule is not None and rule.get("dxfId") == "1"
    iku_rule = root_of(dst, xb.IKU_PART).find(".//x:cfRule", NS)
    assert iku_rule is not None and iku_rule.get("dxfId") == "0"


def test_text_starting_with_equals_stays_text(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    plan = full_plan(
        cell_writes={IKU: [CellWrite(2, CAP, "=SUM(A1:A3)"), CellWrite(3, CAP, "#N/A")]}
    )
    dst = apply(src, plan)
    book = openpyxl.load_workbook(dst)
    assert book[IKU].cell(2, CAP).data_type == "s"
    assert book[IKU].cell(2, CAP).value == "=SUM(A1:A3)"
    assert book[IKU].cell(3, CAP).value == "#N/A" and book[IKU].cell(3, CAP).data_type == "s"
    assert book[CAPAIAN]["F4"].value == "=bukan rumus" and book[CAPAIAN]["F4"].data_type == "s"
    cells = {c.get("r"): c for c in root_of(dst, xb.IKU_PART).iter(xb.q("c"))}
    assert cells[f"{CAP_L}2"].get("t") == "inlineStr" and cells[f"{CAP_L}2"].find(xb.q("f")) is None


def test_shared_strings_untouched_and_strings_written_inline(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    shared = f'<sst xmlns="{xb.MAIN}" count="1" uniqueCount="1"><si><t>lama</t></si></sst>'.encode()
    xb.rewrite(src, {"xl/sharedStrings.xml": shared})
    xb.add_relationship(
        src, "xl/_rels/workbook.xml.rels", "rIdSst", f"{xb.R}/sharedStrings", "sharedStrings.xml"
    )
    xb.add_override(
        src,
        "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    text = "baris 1\nbaris 2  _x0041_ \x01"
    dst = apply(src, full_plan(cell_writes={IKU: [CellWrite(2, CAP, text)]}))
    assert (
        xb.raw_members(dst)["xl/sharedStrings.xml"] == xb.raw_members(src)["xl/sharedStrings.xml"]
    )
    cell = next(c for c in root_of(dst, xb.IKU_PART).iter(xb.q("c")) if c.get("r") == f"{CAP_L}2")
    node = cell.find(f"{{{xb.MAIN}}}is/{{{xb.MAIN}}}t")
    assert node is not None
    assert node.text == "baris 1\nbaris 2  _x005F_x0041_ _x0001_"
    assert node.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_calc_chain_kept_when_only_plain_values_are_written(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    plan = PackagePlan(cell_writes={IKU: [CellWrite(2, xb.IKU_COL["note"], "catatan")]})
    dst = apply(src, plan)
    after = xb.raw_members(dst)
    assert after["xl/calcChain.xml"] == xb.raw_members(src)["xl/calcChain.xml"]
    assert after["xl/_rels/workbook.xml.rels"] == xb.raw_members(src)["xl/_rels/workbook.xml.rels"]


def test_refresh_is_idempotent(tmp_path: Path) -> None:
    src = rich_source(tmp_path)
    once = apply(src, full_plan(), "once.xlsx")
    twice = apply(once, full_plan(), "twice.xlsx")
    assert twice.read_bytes() == once.read_bytes()


def test_rows_and_cells_are_inserted_in_order(tmp_path: Path) -> None:
    book = xb.iku_workbook(3)
    path = xb.save(book, tmp_path / "iku.xlsx")

    def add_spans(root: etree._Element) -> None:
        for row in root.iter(xb.q("row")):
            row.set("spans", "1:4")

    xb.edit_xml(path, xb.IKU_PART, add_spans)
    writes = [
        CellWrite(3, 2, "B3 baru"),  # into an existing cell
        CellWrite(10, 3, 7),  # a new row after the last
        CellWrite(10, 1, 1.5),  # before it in the same new row
        CellWrite(3, 30, True),  # far right of an existing row
        CellWrite(1, 40, None, formula="=1+1"),  # cached value absent
    ]
    dst = apply(path, PackagePlan(cell_writes={IKU: writes}))
    root = root_of(dst, xb.IKU_PART)
    rows = root.findall("x:sheetData/x:row", NS)
    assert [r.get("r") for r in rows] == ["1", "2", "3", "4", "10"]
    refs = [[c.get("r") for c in r] for r in rows]
    assert refs[4] == ["A10", "C10"]
    assert refs[2][-1] == "AD3" and refs[0][-1] == "AN1"
    assert rows[2].get("spans") == "1:30" and rows[1].get("spans") == "1:4"
    dimension = root.find("x:dimension", NS)
    assert dimension is not None and dimension.get("ref") == "A1:AN10"
    values = openpyxl.load_workbook(dst)[IKU]
    assert (values["B3"].value, values["A10"].value, values["C10"].value, values["AD3"].value) == (
        "B3 baru",
        1.5,
        7,
        True,
    )
    assert values["AN1"].value == "=1+1"
    an1 = next(c for c in rows[0] if c.get("r") == "AN1")
    assert an1.find(xb.q("v")) is None


def test_cells_and_rows_without_r_attributes(tmp_path: Path) -> None:
    path = xb.save(xb.iku_workbook(1), tmp_path / "iku.xlsx")
    sheet_data = (
        '<sheetData><row><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
        '<row r="3"><c r="B3"><v>5</v></c><c><v>6</v></c></row></sheetData>'
    )

    def implicit(root: etree._Element) -> None:
        old = root.find(xb.q("sheetData"))
        assert old is not None
        old.addnext(
            etree.fromstring(sheet_data.replace("<sheetData>", f'<sheetData xmlns="{xb.MAIN}">'))
        )
        root.remove(old)

    xb.edit_xml(path, xb.IKU_PART, implicit)
    writes = [
        CellWrite(1, 3, "x"),
        CellWrite(3, 2, 50),
        CellWrite(2, 1, "baru"),
        CellWrite(3, 1, 1),
    ]
    dst = apply(path, PackagePlan(cell_writes={IKU: writes}))
    sheet = openpyxl.load_workbook(dst)[IKU]
    grid = [
        [cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=3, max_col=3)
    ]
    assert grid == [["a", 2, "x"], ["baru", None, None], [1, 50, 6]]


def test_full_calc_on_load_is_optional(tmp_path: Path) -> None:
    src = rich_source(tmp_path)

    def as_excel_saves_it(root: etree._Element) -> None:
        calc_pr = root.find(xb.q("calcPr"))
        assert calc_pr is not None
        del calc_pr.attrib["fullCalcOnLoad"]  # openpyxl sets it; Excel clears it on save

    xb.edit_xml(src, "xl/workbook.xml", as_excel_saves_it)
    calc = root_of(apply(src, full_plan()), "xl/workbook.xml").find("x:calcPr", NS)
    assert calc is None or calc.get("fullCalcOnLoad") is None
    calc = root_of(
        apply(src, full_plan(full_calc_on_load=True), "full.xlsx"), "xl/workbook.xml"
    ).find("x:calcPr", NS)
    assert calc is not None and calc.get("fullCalcOnLoad") == "1"


def test_new_cells_take_the_column_style_and_number_format_copies_it(tmp_path: Path) -> None:
    book = xb.iku_workbook(2)
    book[IKU].column_dimensions[CAP_L].font = Font(bold=True)
    path = xb.save(book, tmp_path / "iku.xlsx")
    dst = apply(
        path,
        PackagePlan(
            cell_writes={IKU: [CellWrite(20, CAP, 5), CellWrite(21, CAP, 6, number_format="0.0")]}
        ),
    )
    sheet = openpyxl.load_workbook(dst)[IKU]
    assert sheet.cell(20, CAP).font.b is True
    assert sheet.cell(21, CAP).font.b is True and sheet.cell(21, CAP).number_format == "0.0"


def test_dates_follow_the_workbook_date_system(tmp_path: Path) -> None:
    book = xb.iku_workbook(2)
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    path = xb.save(book, tmp_path / "iku.xlsx")
    day = dt.date(2024, 3, 31)
    dst = apply(
        path, PackagePlan(cell_writes={IKU: [CellWrite(2, CAP, day, number_format="yyyy-mm-dd")]})
    )
    sheet = openpyxl.load_workbook(dst)[IKU]
    assert sheet.cell(2, CAP).value == dt.datetime(2024, 3, 31)


# --- Replacing existing sheets --------------------------------------------------------------------


def source_with_old_capaian(tmp_path: Path) -> Path:
    """Petunjuk, an old Capaian (chart, legacy comment, print titles, code name), then IKU."""
    book = xb.iku_workbook()
    old = book.create_sheet(CAPAIAN, 1)
    old["A1"], old["A2"] = 1, 2
    old["Z99"] = "isi lama"
    old["B1"].comment = Comment("catatan lama", "operator")
    chart = BarChart()
    chart.add_data(Reference(old, min_col=1, min_row=1, max_row=2))
    old.add_chart(chart, "D2")
    old.sheet_properties.codeName = "Sheet9"
    old.print_title_rows = "1:1"
    old.print_area = "A1:D20"
    book[IKU].sheet_view.tabSelected = True
    book.active = 2
    return xb.save(book, tmp_path / "old.xlsx")


def test_replacing_a_sheet_keeps_position_and_drops_its_orphans(tmp_path: Path) -> None:
    src = source_with_old_capaian(tmp_path)
    parts = sheet_parts(src)
    old_entry = root_of(src, "xl/workbook.xml").findall("x:sheets/x:sheet", NS)[1]
    dst = apply(src, full_plan())
    assert sheet_parts(dst)[CAPAIAN] == parts[CAPAIAN]
    new_entry = root_of(dst, "xl/workbook.xml").findall("x:sheets/x:sheet", NS)[1]
    assert etree.tostring(new_entry) == etree.tostring(old_entry)  # name, sheetId, r:id kept
    members = set(xb.read_members(dst))
    for gone in ("xl/drawings/drawing1.xml", "xl/charts/chart1.xml", "xl/comments/comment1.xml"):
        assert gone in xb.read_members(src) and gone not in members
    assert not any("drawing" in name or "comment" in name for name in members)
    types = [o.get("PartName") or "" for o in root_of(dst, "[Content_Types].xml")]
    assert not any("drawing" in t or "chart" in t or "comment" in t for t in types)
    book = openpyxl.load_workbook(dst)
    assert book.sheetnames == [contract.SHEET_PETUNJUK, CAPAIAN, IKU, VALIDASI]
    assert (
        book[CAPAIAN]["Z99"].value is None and book[CAPAIAN]["A1"].value == "Capaian Kinerja 2024"
    )
    assert book[CAPAIAN].sheet_properties.codeName == "Sheet9"
    names = root_of(dst, "xl/workbook.xml").findall("x:definedNames/x:definedName", NS)
    assert sorted((n.get("name"), n.get("localSheetId"), n.text) for n in names) == [
        ("_xlnm.Print_Titles", "1", "'Capaian'!$1:$3")  # the old print area and titles are gone
    ]
    # The active tab stays where it was; the new sheets are not selected.
    view = root_of(dst, "xl/workbook.xml").find("x:bookViews/x:workbookView", NS)
    assert view is not None and view.get("activeTab") == "2"
    selected = [
        title
        for title, part in sheet_parts(dst).items()
        if root_of(dst, part).find("x:sheetViews/x:sheetView[@tabSelected='1']", NS) is not None
    ]
    assert selected == [IKU]
    assert apply(dst, full_plan(), "again.xlsx").read_bytes() == dst.read_bytes()


def test_activate_selects_only_that_tab(tmp_path: Path) -> None:
    src = source_with_old_capaian(tmp_path)
    dst = apply(src, full_plan(activate=VALIDASI))
    view = root_of(dst, "xl/workbook.xml").find("x:bookViews/x:workbookView", NS)
    assert view is not None and view.get("activeTab") == "3"
    selected = [
        title
        for title, part in sheet_parts(dst).items()
        if root_of(dst, part).find("x:sheetViews/x:sheetView[@tabSelected='1']", NS) is not None
    ]
    assert selected == [VALIDASI]
    assert openpyxl.load_workbook(dst).active.title == VALIDASI  # type: ignore[union-attr]


# --- .xlsm ----------------------------------------------------------------------------------------


def test_xlsm_keeps_vba_ribbon_and_macro_content_type(tmp_path: Path) -> None:
    src = rich_source(tmp_path, name="iku.xlsm")
    xb.make_xlsm(src)
    dst = apply(src, full_plan(), "out.xlsm")
    before, after = xb.raw_members(src), xb.raw_members(dst)
    for name in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels"):
        assert after[name] == before[name]
    assert xb.read_members(dst)["xl/vbaProject.bin"] == xb.VBA_BYTES
    types = root_of(dst, "[Content_Types].xml")
    main = [o.get("ContentType") for o in types if o.get("PartName") == "/xl/workbook.xml"]
    assert main == ["application/vnd.ms-excel.sheet.macroEnabled.main+xml"]
    assert any(d.get("Extension") == "bin" for d in types)
    rels = [r.get("Type") or "" for r in root_of(dst, "xl/_rels/workbook.xml.rels")]
    assert any(t.endswith("/vbaProject") for t in rels)
    assert openpyxl.load_workbook(dst, keep_vba=True)[IKU].cell(2, CAP).value is not None


# --- Refusals -------------------------------------------------------------------------------------


def assert_refused(src: Path, plan: PackagePlan, needle: str) -> None:
    dst = src.with_name("refused.xlsx")
    with pytest.raises(UnsafeWorkbookError) as caught:
        apply_plan(src, plan, dst)
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not dst.exists()


def test_refuses_a_merged_cell_that_is_not_its_top_left(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    book[IKU].merge_cells(f"{get_column_letter(CAP - 1)}3:{CAP_L}4")
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(src, PackagePlan(cell_writes={IKU: capaian_writes()}), f"{IKU}!{CAP_L}3")
    top_left = CellWrite(3, CAP - 1, 1)  # the anchor of the merge may be written
    apply(src, PackagePlan(cell_writes={IKU: [top_left]}))


def table_source(tmp_path: Path, calculated: bool) -> Path:
    book = xb.iku_workbook()
    last = get_column_letter(len(xb.IKU_HEADERS))
    book[IKU].add_table(Table(displayName="TabelIKU", ref=f"A1:{last}{ROWS + 1}"))
    src = xb.save(book, tmp_path / "iku.xlsx")
    if calculated:
        xb.add_calculated_column(src, "xl/tables/table1.xml", CAP - 1, "[@Realisasi]/[@Target]*100")
    return src


def test_refuses_a_table_header_and_a_calculated_column(tmp_path: Path) -> None:
    src = table_source(tmp_path, calculated=False)
    assert_refused(src, PackagePlan(cell_writes={IKU: [CellWrite(1, CAP, "Capaian")]}), "TabelIKU")
    apply(src, PackagePlan(cell_writes={IKU: capaian_writes()}))  # plain table columns are fine
    calculated = table_source(tmp_path, calculated=True)
    assert_refused(
        calculated, PackagePlan(cell_writes={IKU: capaian_writes()}), "calculated column"
    )


@pytest.mark.parametrize(
    ("written", "master", "ref"),
    [
        (range(2, 7), None, None),  # the whole filled-down group is rewritten
        (range(2, 5), 5, f"{CAP_L}5:{CAP_L}6"),  # the master goes: row 5 takes over
        (range(4, 5), 2, f"{CAP_L}2:{CAP_L}6"),  # a member goes: the master stays
    ],
    ids=["whole-group", "master-and-some", "one-member"],
)
def test_writes_over_a_shared_formula(
    tmp_path: Path, written: range, master: int | None, ref: str | None
) -> None:
    src = xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")
    xb.make_shared_formulas(src, CAP, 2, 6)  # how Excel saves a filled-down column
    writes = [CellWrite(row, CAP, 1.0, formula=f"={TARGET_L}{row}/100") for row in written]
    dst = apply(src, PackagePlan(cell_writes={IKU: writes}))
    shared = root_of(dst, xb.IKU_PART).findall(".//x:f[@t='shared']", NS)
    masters = [f for f in shared if f.get("ref")]
    if master is None:
        assert shared == []
    else:
        assert len(masters) == 1 and masters[0].get("ref") == ref
        assert masters[0].getparent().get("r") == f"{CAP_L}{master}"  # type: ignore[union-attr]
    sheet = openpyxl.load_workbook(dst)[IKU]
    for row in range(2, 7):
        expected = (
            f"={TARGET_L}{row}/100" if row in written else f"={REAL_L}{row}/{TARGET_L}{row}*100"
        )
        assert sheet.cell(row, CAP).value == expected


def test_refuses_an_array_formula_member(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    book[IKU][f"{CAP_L}2"] = ArrayFormula(f"{CAP_L}2:{CAP_L}5", f"={REAL_L}2:{REAL_L}5*2")
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(
        src, PackagePlan(cell_writes={IKU: [CellWrite(4, CAP, 1)]}), f"{CAP_L}2:{CAP_L}5"
    )


def test_refuses_chartsheets(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    chartsheet = book.create_chartsheet(CAPAIAN)
    chart = BarChart()
    chart.add_data(Reference(book[IKU], min_col=xb.IKU_COL["target"], min_row=1, max_row=3))
    chartsheet.add_chart(chart)
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(src, full_plan(cell_writes={}), "chartsheet")
    assert_refused(src, PackagePlan(cell_writes={CAPAIAN: [CellWrite(1, 1, 1)]}), "chartsheet")


def test_refuses_strict_ooxml(tmp_path: Path) -> None:
    src = xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")
    data = xb.read_members(src)["_rels/.rels"].replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
    )
    xb.rewrite(src, {"_rels/.rels": data})
    assert_refused(src, full_plan(), "Strict")


def test_refuses_protected_sheets(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    book[IKU].protection.sheet = True
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(src, PackagePlan(cell_writes={IKU: capaian_writes()}), "Unprotect")
    book = xb.iku_workbook()
    book.create_sheet(CAPAIAN).protection.sheet = True
    src = xb.save(book, tmp_path / "iku2.xlsx")
    assert_refused(src, full_plan(cell_writes={}), f"'{CAPAIAN}'")


def test_refuses_a_protected_workbook_structure(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    book.security = WorkbookProtection(lockStructure=True)
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(src, full_plan(), "Protect Workbook")
    apply(src, PackagePlan(cell_writes={IKU: capaian_writes()}))  # cell writes alone are fine


def test_refuses_a_table_totals_row(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    last = get_column_letter(len(xb.IKU_HEADERS))
    book[IKU].add_table(Table(displayName="TabelIKU", ref=f"A1:{last}{ROWS + 2}", totalsRowCount=1))
    src = xb.save(book, tmp_path / "iku.xlsx")
    plan = PackagePlan(cell_writes={IKU: [CellWrite(ROWS + 2, CAP, 1)]})
    assert_refused(src, plan, f"{IKU}!{CAP_L}{ROWS + 2}")


def test_refuses_a_legacy_shared_workbook(tmp_path: Path) -> None:
    src = xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")
    xb.rewrite(src, {"xl/revisions/revisionHeaders.xml": f'<headers xmlns="{xb.MAIN}"/>'.encode()})
    xb.add_relationship(
        src,
        "xl/_rels/workbook.xml.rels",
        "rIdRev",
        f"{xb.R}/revisionHeaders",
        "revisions/revisionHeaders.xml",
    )
    assert_refused(src, PackagePlan(cell_writes={IKU: capaian_writes()}), "Shared Workbook")


def test_refuses_to_replace_a_sheet_holding_a_table(tmp_path: Path) -> None:
    book = xb.iku_workbook()
    old = book.create_sheet(CAPAIAN)
    old.append(["a", "b"])
    old.append([1, 2])
    old.add_table(Table(displayName="Ringkasan", ref="A1:B2"))
    src = xb.save(book, tmp_path / "iku.xlsx")
    assert_refused(src, full_plan(), "tabel")


def test_plan_mistakes_are_value_errors(tmp_path: Path) -> None:
    src = xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")
    dst = tmp_path / "out.xlsx"
    with pytest.raises(ValueError, match="no sheet"):
        apply_plan(src, PackagePlan(cell_writes={"Tidak Ada": [CellWrite(1, 1, 1)]}), dst)
    with pytest.raises(ValueError, match="two writes"):
        apply_plan(
            src, PackagePlan(cell_writes={IKU: [CellWrite(2, 2, 1), CellWrite(2, 2, 2)]}), dst
        )
    book, cached = scratch_book()
    cached[CAPAIAN][(4, 1)] = 1  # A4 holds a plain value
    with pytest.raises(ValueError, match="non-formula"):
        apply_plan(src, PackagePlan(rendered=rendered_sheets(book, cached)), dst)
    with pytest.raises(ValueError, match="dst must differ"):
        apply_plan(src, PackagePlan(), src)
    assert not dst.exists()


# --- Scale and third-party readers ----------------------------------------------------------------


@pytest.mark.slow
def test_patches_a_20000_row_sheet(tmp_path: Path) -> None:
    rows = 20_000
    src = xb.save(xb.iku_workbook(rows), tmp_path / "big.xlsx")
    dst = apply(src, PackagePlan(cell_writes={IKU: capaian_writes(rows)}))
    sheet = openpyxl.load_workbook(dst, read_only=True, data_only=True)[IKU]
    column = [
        row[0] for row in sheet.iter_rows(min_row=2, min_col=CAP, max_col=CAP, values_only=True)
    ]
    assert column == [50 + i for i in range(rows)]


@pytest.mark.libreoffice
def test_libreoffice_recalculates_to_the_cached_values(tmp_path: Path) -> None:
    from tests.helpers import libreoffice

    if libreoffice.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    src = rich_source(tmp_path)
    xb.make_xlsm(src)
    dst = apply(src, full_plan(), "out.xlsm")
    values = libreoffice.recalculated_values(dst, [IKU, CAPAIAN, VALIDASI])
    assert [values[IKU][f"{CAP_L}{r}"] for r in range(2, ROWS + 2)] == [50 + i for i in range(ROWS)]
    assert values[CAPAIAN]["B4"] == "Indikator 1"
    assert values[CAPAIAN]["C4"] == pytest.approx(0.5)
    assert values[VALIDASI]["B2"] == ROWS
    assert values[VALIDASI]["B4"] == "#DIV/0!"
