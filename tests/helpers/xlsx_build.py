"""Small workbooks for the splice and safe-IO tests, with features openpyxl cannot make.

:func:`iku_workbook` builds an openpyxl workbook with the contract's IKU headers; the ``add_*``
functions then hand-edit members of the saved package (threaded comments, an x14 data validation
in ``extLst`` with ``mc:Ignorable`` prefixes, a calc chain, shared formulas, a calculated table
column, an .xlsm's ``vbaProject.bin`` and ribbon) the way Excel would store them.
:func:`ole_file` writes a minimal OLE compound file (a stand-in for an old ``.xls``).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl
from lxml import etree

from iku_excel import contract

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"

IKU_HEADERS = [column.header for column in contract.IKU_COLUMNS]
#: 1-based column of each IKU key.
IKU_COL = {column.key: index for index, column in enumerate(contract.IKU_COLUMNS, start=1)}
#: Where :func:`iku_workbook` puts the IKU sheet's part.
IKU_PART = "xl/worksheets/sheet2.xml"


def iku_workbook(rows: int = 8) -> openpyxl.Workbook:
    """Sheets Petunjuk and IKU (contract headers in row 1, ``rows`` indicators below)."""
    book = openpyxl.Workbook()
    guide = book.active
    assert guide is not None
    guide.title = contract.SHEET_PETUNJUK
    guide["A1"] = "Petunjuk pengisian"
    guide["A2"] = "Positif"
    guide["A3"] = "Negatif"
    sheet = book.create_sheet(contract.SHEET_IKU)
    sheet.append(IKU_HEADERS)
    for index in range(rows):
        values: dict[str, object] = {
            "code": f"1.{index + 1}",
            "sasaran": "Meningkatnya pelayanan publik",
            "indicator": f"Indikator {index + 1}",
            "unit": "%",
            "polarity": "Positif",
            "target": 100,
            "realisasi": 50 + index,
        }
        sheet.append([values.get(column.key) for column in contract.IKU_COLUMNS])
    return book


def save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def raw_members(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Member -> (compression method, CRC, compressed bytes exactly as stored)."""
    result: dict[str, tuple[int, int, bytes]] = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", handle.read(4))
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            stored = handle.read(info.compress_size)
            result[info.filename] = (info.compress_type, info.CRC, stored)
    return result


def rewrite(path: Path, changes: Mapping[str, bytes | None]) -> Path:
    """Replace (bytes), add (new name) or delete (None) members of the package, in place."""
    members = read_members(path)
    for name, data in changes.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def edit_xml(path: Path, member: str, edit: Callable[[etree._Element], None]) -> Path:
    """Parse ``member`` with lxml, let ``edit`` change it in place, store it back."""
    root = etree.fromstring(read_members(path)[member])
    edit(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rewrite(path, {member: data})


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def add_relationship(path: Path, source_rels: str, rel_id: str, rel_type: str, target: str) -> None:
    def edit(root: etree._Element) -> None:
        rel = etree.SubElement(root, q("Relationship", PKG_REL))
        rel.set("Id", rel_id)
        rel.set("Type", rel_type)
        rel.set("Target", target)

    members = read_members(path)
    if source_rels not in members:
        rewrite(path, {source_rels: f'<Relationships xmlns="{PKG_REL}"/>'.encode()})
    edit_xml(path, source_rels, edit)


def add_override(path: Path, part: str, content_type: str) -> None:
    def edit(root: etree._Element) -> None:
        override = etree.SubElement(root, q("Override", CT))
        override.set("PartName", "/" + part)
        override.set("ContentType", content_type)

    edit_xml(path, "[Content_Types].xml", edit)


def add_default(path: Path, extension: str, content_type: str) -> None:
    def edit(root: etree._Element) -> None:
        default = etree.Element(q("Default", CT))
        default.set("Extension", extension)
        default.set("ContentType", content_type)
        root.insert(0, default)

    edit_xml(path, "[Content_Types].xml", edit)


# --- Excel features openpyxl cannot write ---------------------------------------------------------

EXCEL_SHEET_ROOT = (
    f'<worksheet xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr" '
    f'xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" xr:uid="{{00000000-0001-0000-0000-000000000000}}">'
)


def make_excel_like_iku(path: Path) -> None:
    """Give the IKU sheet Excel's root namespaces, ``x14ac:dyDescent`` on rows and an x14
    data validation (a list pointing at another sheet) in ``extLst``."""
    data = read_members(path)[IKU_PART].decode()
    start = data.index("<worksheet")
    end = data.index(">", start) + 1
    data = data[:start] + EXCEL_SHEET_ROOT + data[end:]
    data = data.replace("<row ", '<row x14ac:dyDescent="0.25" ')
    ext = (
        f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
        f'<x14:dataValidations count="1" xmlns:xm="{XM}">'
        '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
        "<x14:formula1><xm:f>Petunjuk!$A$2:$A$3</xm:f></x14:formula1>"
        f"<xm:sqref>F2:F{200}</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    data = data.replace("</worksheet>", ext + "</worksheet>")
    rewrite(path, {IKU_PART: data.encode()})


def add_threaded_comment(path: Path, sheet_part: str = IKU_PART, cell: str = "B2") -> None:
    """A threaded comment (Excel 365) on ``cell`` with its persons part."""
    persons = (
        '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        '<person displayName="Operator" id="{11111111-1111-1111-1111-111111111111}" '
        'userId="operator" providerId="None"/></personList>'
    )
    comment = (
        '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
        f'threadedcomments"><threadedComment ref="{cell}" dT="2024-01-05T10:00:00.00" '
        'personId="{11111111-1111-1111-1111-111111111111}" '
        'id="{22222222-2222-2222-2222-222222222222}"><text>Cek sumber data</text>'
        "</threadedComment></ThreadedComments>"
    )
    base = sheet_part.rpartition("/")[2]
    rels = f"xl/worksheets/_rels/{base}.rels"
    rewrite(
        path,
        {
            "xl/threadedComments/threadedComment1.xml": comment.encode(),
            "xl/persons/person.xml": persons.encode(),
        },
    )
    add_relationship(
        path,
        rels,
        "rIdTc1",
        "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
        "../threadedComments/threadedComment1.xml",
    )
    add_relationship(
        path,
        "xl/_rels/workbook.xml.rels",
        "rIdPersons",
        "http://schemas.microsoft.com/office/2017/10/relationships/person",
        "persons/person.xml",
    )
    add_override(
        path,
        "xl/threadedComments/threadedComment1.xml",
        "application/vnd.ms-excel.threadedcomments+xml",
    )
    add_override(path, "xl/persons/person.xml", "application/vnd.ms-excel.person+xml")


def add_calc_chain(path: Path, cells: list[tuple[str, int]]) -> None:
    """``xl/calcChain.xml`` listing ``cells`` (reference, sheetId)."""
    entries = "".join(f'<c r="{ref}" i="{sheet_id}"/>' for ref, sheet_id in cells)
    rewrite(path, {"xl/calcChain.xml": f'<calcChain xmlns="{MAIN}">{entries}</calcChain>'.encode()})
    add_relationship(
        path, "xl/_rels/workbook.xml.rels", "rIdCalc", f"{R}/calcChain", "calcChain.xml"
    )
    add_override(
        path,
        "xl/calcChain.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
    )


VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 fake vba project for splice tests"
CUSTOM_UI = (
    b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
    b'<tab id="iku" label="IKU"><group id="g" label="IKU"><button id="refresh" label="Refresh" '
    b'onAction="RunRefresh"/></group></tab></tabs></ribbon></customUI>'
)


def make_xlsm(path: Path) -> None:
    """Turn the package into an .xlsm with a ``vbaProject.bin`` and a ribbon (customUI14)."""

    def main_type(root: etree._Element) -> None:
        for override in root.iter(q("Override", CT)):
            if override.get("PartName") == "/xl/workbook.xml":
                override.set("ContentType", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")

    edit_xml(path, "[Content_Types].xml", main_type)
    rewrite(path, {"xl/vbaProject.bin": VBA_BYTES, "customUI/customUI14.xml": CUSTOM_UI})
    add_default(path, "bin", "application/vnd.ms-office.vbaProject")
    add_relationship(
        path,
        "xl/_rels/workbook.xml.rels",
        "rIdVba",
        "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
        "vbaProject.bin",
    )
    add_relationship(
        path,
        "_rels/.rels",
        "rIdUi",
        "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
        "customUI/customUI14.xml",
    )


def make_shared_formulas(path: Path, col: int, first_row: int, last_row: int) -> None:
    """Column ``col`` rows ``first_row``..``last_row`` become one shared formula (fill-down)."""
    letter = openpyxl.utils.get_column_letter(col)
    target = openpyxl.utils.get_column_letter(IKU_COL["target"])
    realisasi = openpyxl.utils.get_column_letter(IKU_COL["realisasi"])

    def edit(root: etree._Element) -> None:
        for row in root.iter(q("row")):
            number = int(row.get("r") or 0)
            if not first_row <= number <= last_row:
                continue
            cell = etree.SubElement(row, q("c"))
            cell.set("r", f"{letter}{number}")
            formula = etree.SubElement(cell, q("f"))
            formula.set("t", "shared")
            formula.set("si", "0")
            if number == first_row:
                formula.set("ref", f"{letter}{first_row}:{letter}{last_row}")
                formula.text = f"{realisasi}{number}/{target}{number}*100"
            etree.SubElement(cell, q("v")).text = "50"
            _sort_cells(row)

    edit_xml(path, IKU_PART, edit)


def _sort_cells(row: etree._Element) -> None:
    cells = sorted(
        row.findall(q("c")),
        key=lambda c: openpyxl.utils.cell.column_index_from_string(
            "".join(ch for ch in c.get("r") or "" if ch.isalpha())
        ),
    )
    for cell in cells:
        row.remove(cell)
        row.append(cell)


def add_calculated_column(path: Path, table_part: str, column_index: int, formula: str) -> None:
    """Give the table's ``column_index``-th (0-based) column a calculated-column formula."""

    def edit(root: etree._Element) -> None:
        column = root.find(q("tableColumns"))[column_index]  # type: ignore[index]
        etree.SubElement(column, q("calculatedColumnFormula")).text = formula

    edit_xml(path, table_part, edit)


# --- OLE compound files ---------------------------------------------------------------------------


def ole_file(streams: Mapping[str, bytes]) -> bytes:
    """A minimal valid OLE compound file (v3, 512-byte sectors) holding ``streams``.

    Each stream is padded to 4096 bytes so it lives in regular sectors (no mini stream). Good
    enough for olefile and for the safe-IO sniffing; at most 3 streams.
    """
    assert 1 <= len(streams) <= 3
    sector = 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    datas = [data.ljust(4096, b"\0") for data in streams.values()]
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for data in datas:
        count = len(data) // sector
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end)
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, end, 0, 0xFFFFFFFF, 1)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else 0xFFFFFFFF
        # Sizes below 4096 would belong in the mini stream: declare the padded size.
        directory += entry(name, 2, starts[index], len(datas[index]), right, 0xFFFFFFFF)
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == sector
    return header + struct.pack("<128I", *fat) + directory + b"".join(datas)
