"""Build the "no-loss" corpus: small IKU workbooks that each carry one real Excel feature.

``iku-excel refresh`` writes into a user's workbook and must lose nothing else in it. The files
built here are the judge: every one of them is a valid IKU workbook (sheets ``Pengaturan``,
``RPJMD`` and ``IKU`` with the contract headers and four indicators) plus one feature that naive
writers (openpyxl load+save among them) drop or damage: charts, pictures, shapes, notes, threaded
comments, cross-sheet data validation, 2010 data bars, sparklines, defined names, tables, a pivot
table, a table slicer, a custom XML part, VBA with a ribbon, hidden sheets, a protected sheet,
in-cell pictures, a calculation chain and rich-text shared strings. ``kitchen-sink.xlsm`` holds
them all at once.

How: openpyxl writes the base workbook (and the features it can write); then the package is
post-processed with lxml to add the parts openpyxl cannot write, following ECMA-376 and
[MS-XLSX]. Output is deterministic (fixed timestamps, fixed GUIDs), so rebuilding gives
byte-identical files and the committed copies can be checked against the generator.

Run from the repository root::

    python tests/corpus/build_corpus.py            # build into tests/corpus/ and validate
    python tests/corpus/build_corpus.py --out DIR  # build elsewhere
    python tests/corpus/build_corpus.py --no-validate

The VBA project is taken from xlwings' BSD-licensed ``quickstart.xlsm`` template (installed with
xlwings) and its standard module is rewritten with pyOpenVBA.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import posixpath
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from iku_excel import contract  # noqa: E402

CORPUS_DIR = Path(__file__).resolve().parent

# --- Namespaces, relationship types, content types -------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
NS_TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
NS_CUSTOMUI14 = "http://schemas.microsoft.com/office/2009/07/customui"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
NS_RD = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"
NS_RD2 = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata2"
NS_RVREL = "http://schemas.microsoft.com/office/spreadsheetml/2022/richvaluerel"
NS_XLRD = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"
NS_SLE = "http://schemas.microsoft.com/office/drawing/2010/slicer"
NS_SLE15 = "http://schemas.microsoft.com/office/drawing/2012/slicer"
NS_XR10 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision10"

OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_DRAWING = f"{OFFICE_REL}/drawing"
REL_IMAGE = f"{OFFICE_REL}/image"
REL_PIVOT_TABLE = f"{OFFICE_REL}/pivotTable"
REL_PIVOT_CACHE_DEF = f"{OFFICE_REL}/pivotCacheDefinition"
REL_PIVOT_CACHE_RECORDS = f"{OFFICE_REL}/pivotCacheRecords"
REL_CALC_CHAIN = f"{OFFICE_REL}/calcChain"
REL_CUSTOM_XML = f"{OFFICE_REL}/customXml"
REL_CUSTOM_XML_PROPS = f"{OFFICE_REL}/customXmlProps"
REL_SHEET_METADATA = f"{OFFICE_REL}/sheetMetadata"
REL_SHARED_STRINGS = f"{OFFICE_REL}/sharedStrings"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_UI = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
REL_PERSON = "http://schemas.microsoft.com/office/2017/10/relationships/person"
REL_SLICER = "http://schemas.microsoft.com/office/2007/relationships/slicer"
REL_SLICER_CACHE = "http://schemas.microsoft.com/office/2007/relationships/slicerCache"
REL_RD_VALUE = "http://schemas.microsoft.com/office/2017/06/relationships/rdRichValue"
REL_RD_STRUCT = "http://schemas.microsoft.com/office/2017/06/relationships/rdRichValueStructure"
REL_RD_TYPES = "http://schemas.microsoft.com/office/2017/06/relationships/rdRichValueTypes"
REL_RV_REL = "http://schemas.microsoft.com/office/2022/10/relationships/richValueRel"

CT_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_PIVOT_TABLE = f"{CT_SML}.pivotTable+xml"
CT_PIVOT_CACHE_DEF = f"{CT_SML}.pivotCacheDefinition+xml"
CT_PIVOT_CACHE_RECORDS = f"{CT_SML}.pivotCacheRecords+xml"
CT_CALC_CHAIN = f"{CT_SML}.calcChain+xml"
CT_SHEET_METADATA = f"{CT_SML}.sheetMetadata+xml"
CT_SHARED_STRINGS = f"{CT_SML}.sharedStrings+xml"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CT_XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_XLSX_MAIN = f"{CT_SML}.sheet.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_THREADED = "application/vnd.ms-excel.threadedcomments+xml"
CT_PERSON = "application/vnd.ms-excel.person+xml"
CT_SLICER = "application/vnd.ms-excel.slicer+xml"
CT_SLICER_CACHE = "application/vnd.ms-excel.slicerCache+xml"
CT_RD_VALUE = "application/vnd.ms-excel.rdrichvalue+xml"
CT_RD_STRUCT = "application/vnd.ms-excel.rdrichvaluestructure+xml"
CT_RD_TYPES = "application/vnd.ms-excel.rdrichvaluetypes+xml"
CT_RV_REL = "application/vnd.ms-excel.richvaluerel+xml"

# Extension URIs ([MS-XLSX] 2.2.4), in the order Excel writes them inside a worksheet extLst.
EXT_CONDITIONAL_FORMATTINGS = "{78C0D931-6437-407d-A8EE-F0AAD7539E65}"
EXT_DATA_VALIDATIONS = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
EXT_SPARKLINE_GROUPS = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
EXT_SLICER_LIST_X15 = "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}"
EXT_DATABAR_ID = "{B025F937-C7B1-47D3-B67F-A62EFF666E3E}"
EXT_TABLE_SLICER_CACHE = "{2F2917AC-EB37-4324-AD4E-5DD8C200BD13}"
EXT_WB_SLICER_CACHES_X15 = "{46BE6895-7355-4a93-B00E-2C351335B9C9}"
WORKSHEET_EXT_ORDER = (
    EXT_CONDITIONAL_FORMATTINGS,
    EXT_DATA_VALIDATIONS,
    EXT_SPARKLINE_GROUPS,
    EXT_SLICER_LIST_X15,
)

# Child order of CT_Worksheet and CT_Workbook (ECMA-376 Part 1, 18.3.1.99 and 18.2.27).
WORKSHEET_ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
WORKBOOK_ORDER = [
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "AlternateContent",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
]

FIXED_TIME = dt.datetime(2026, 1, 15, 8, 0, 0)
ZIP_TIME = (2026, 1, 15, 8, 0, 0)


def guid(name: str) -> str:
    """A stable ``{GUID}`` derived from ``name`` (so rebuilt files are byte-identical)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"iku-excel-corpus:{name}")).upper() + "}"


def esc(text: object) -> str:
    """``text`` escaped for XML content and double-quoted attributes."""
    return escape(str(text), {'"': "&quot;"})


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


# --- The IKU data shared by every file --------------------------------------------------------

YEAR = 2026
RPJMD_START, RPJMD_END = 2025, 2029
RPJMD_YEARS = tuple(range(RPJMD_START, RPJMD_END + 1))


@dataclass(frozen=True)
class Indicator:
    code: str
    sasaran: str
    name: str
    definition: str
    unit: str
    polarity: str
    quarterly_aggregation: str
    weight: float
    quarters: tuple[float, float, float, float]
    realisasi: float
    capaian_last_year: float
    data_source: str
    responsible: str
    baseline: float
    yearly_targets: tuple[float, ...]  # one per RPJMD year

    @property
    def target(self) -> float:
        return self.yearly_targets[RPJMD_YEARS.index(YEAR)]


MISI = "Mewujudkan masyarakat yang sejahtera dan berdaya"
TUJUAN = "Meningkatkan kesejahteraan sosial masyarakat"
SASARAN_1 = "Meningkatnya kualitas pelayanan kesejahteraan sosial"
SASARAN_2 = "Menurunnya angka kemiskinan"
INDICATORS = (
    Indicator(
        "1.1",
        SASARAN_1,
        "Persentase PPKS yang tertangani",
        "PPKS tertangani / PPKS terdata × 100",
        "%",
        "Positif",
        "Nilai Akhir",
        1,
        (40, 55, 70, 85),
        85,
        79.5,
        "Bidang Rehsos",
        "Kepala Bidang Rehsos",
        78,
        (80, 82, 84, 86, 88),
    ),
    Indicator(
        "1.2",
        SASARAN_1,
        "Jumlah PMKS yang mendapat bantuan sosial",
        "Jumlah penerima bantuan sosial",
        "Orang",
        "Positif",
        "Jumlah",
        1,
        (150, 180, 190, 210),
        730,
        96.2,
        "Bidang Linjamsos",
        "Kepala Bidang Linjamsos",
        650,
        (700, 720, 740, 760, 780),
    ),
    Indicator(
        "2.1",
        SASARAN_2,
        "Persentase penduduk miskin",
        "Penduduk miskin / jumlah penduduk × 100",
        "%",
        "Negatif",
        "Nilai Akhir",
        2,
        (10.2, 10.0, 9.9, 9.8),
        9.8,
        97.0,
        "BPS Kota",
        "Sekretaris Dinas",
        10.5,
        (10.0, 9.5, 9.0, 8.5, 8.0),
    ),
    Indicator(
        "2.2",
        SASARAN_2,
        "Indeks kepuasan masyarakat",
        "Hasil survei kepuasan masyarakat",
        "Indeks",
        "Positif",
        "Rata-rata",
        1,
        (81, 82, 83, 84),
        82.5,
        101.3,
        "Survei IKM",
        "Sekretaris Dinas",
        76,
        (78, 80, 82, 84, 85),
    ),
)

SETTING_VALUES: dict[str, object] = {
    "Nama Instansi": "Dinas Sosial Kota Contoh",
    "Pemerintah Daerah": "Pemerintah Kota Contoh",
    "Tahun": YEAR,
    "Tahun Awal RPJMD": RPJMD_START,
    "Tahun Akhir RPJMD": RPJMD_END,
    "Kota": "Contoh",
    "Tanggal Laporan": "Januari 2027",
    "Jabatan Penandatangan": "KEPALA DINAS SOSIAL KOTA CONTOH",
    "Nama Penandatangan": "NAMA PEJABAT, S.Sos, M.Si",
    "Pangkat/Golongan": "Pembina Utama Muda",
    "NIP": "197001012000031001",
}

IKU_KEYS = [col.key for col in contract.IKU_COLUMNS]
N_ROWS = len(INDICATORS)  # data rows 2..N_ROWS+1
LAST_ROW = N_ROWS + 1


def iku_col(key: str) -> str:
    """Column letter of an IKU column, by its contract key."""
    return get_column_letter(IKU_KEYS.index(key) + 1)


def iku_row_values(ind: Indicator) -> dict[str, object]:
    return {
        "code": ind.code,
        "sasaran": ind.sasaran,
        "indicator": ind.name,
        "definition": ind.definition,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "quarterly_aggregation": ind.quarterly_aggregation,
        "weight": ind.weight,
        "target": ind.target,
        "tw1": ind.quarters[0],
        "tw2": ind.quarters[1],
        "tw3": ind.quarters[2],
        "tw4": ind.quarters[3],
        "realisasi": ind.realisasi,
        "capaian": None,  # filled by ``iku-excel refresh``
        "capaian_last_year": ind.capaian_last_year,
        "reported_capaian": None,
        "data_source": ind.data_source,
        "responsible": ind.responsible,
        "note": None,
    }


def rpjmd_headers() -> list[str]:
    base = [col.header for col in contract.RPJMD_COLUMNS if col.key != "final_target"]
    years = [contract.RPJMD_YEAR_HEADER.format(year=y) for y in RPJMD_YEARS]
    final = next(col.header for col in contract.RPJMD_COLUMNS if col.key == "final_target")
    return [*base, *years, final]


def build_base() -> Workbook:
    """The plain IKU workbook every corpus file starts from."""
    wb = Workbook()
    wb.properties.creator = "iku-excel corpus"
    wb.properties.lastModifiedBy = "iku-excel corpus"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME

    ws = wb.active
    assert ws is not None
    ws.title = contract.SHEET_PENGATURAN
    ws.append(list(contract.SETTINGS_HEADER))
    for setting in contract.SETTINGS:
        value = SETTING_VALUES.get(setting.key, setting.default or setting.example)
        ws.append([setting.key, value if value != "" else None])
    nip_row = 2 + [s.key for s in contract.SETTINGS].index("NIP")
    ws.cell(nip_row, 2).number_format = "@"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40

    ws = wb.create_sheet(contract.SHEET_RPJMD)
    ws.append(rpjmd_headers())
    for ind in INDICATORS:
        ws.append(
            [
                ind.code,
                MISI,
                TUJUAN,
                ind.sasaran,
                ind.name,
                ind.unit,
                ind.polarity,
                ind.baseline,
                *ind.yearly_targets,
                ind.yearly_targets[-1],
            ]
        )

    ws = wb.create_sheet(contract.SHEET_IKU)
    ws.append([col.header for col in contract.IKU_COLUMNS])
    for ind in INDICATORS:
        values = iku_row_values(ind)
        ws.append([values[key] for key in IKU_KEYS])
    for i, col in enumerate(contract.IKU_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "D2"
    wb.active = wb.sheetnames.index(contract.SHEET_IKU)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other.title == contract.SHEET_IKU
    return wb


def sheet(wb: Workbook, title: str) -> Worksheet:
    """The sheet called ``title``, created (last) if missing."""
    if title in wb.sheetnames:
        ws = wb[title]
        assert isinstance(ws, Worksheet)
        return ws
    return wb.create_sheet(title)


def iku(wb: Workbook) -> Worksheet:
    return sheet(wb, contract.SHEET_IKU)


# --- The zip package, edited with lxml --------------------------------------------------------


class Package:
    """An OOXML package held in memory: members in order, XML members parsed on demand."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.members: dict[str, bytes] = {n: zf.read(n) for n in zf.namelist()}
        self._trees: dict[str, etree._Element] = {}

    # members
    def has(self, name: str) -> bool:
        return name in self.members or name in self._trees

    def xml(self, name: str) -> etree._Element:
        if name not in self._trees:
            self._trees[name] = etree.fromstring(self.members[name])
        return self._trees[name]

    def put(self, name: str, data: bytes | str | etree._Element) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, bytes):
            self._trees.pop(name, None)
            self.members[name] = data
        else:
            self.members.setdefault(name, b"")
            self._trees[name] = data

    def put_xml(self, name: str, text: str) -> etree._Element:
        root = etree.fromstring(text.encode("utf-8"))
        self.put(name, root)
        return root

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            names = sorted(self.members, key=lambda n: n != "[Content_Types].xml")
            for name in names:
                if name in self._trees:
                    data = etree.tostring(
                        self._trees[name], xml_declaration=True, encoding="UTF-8", standalone=True
                    )
                else:
                    data = self.members[name]
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                zf.writestr(info, data)
        return buf.getvalue()

    # relationships and content types
    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def rels(self, part: str) -> etree._Element:
        name = self.rels_name(part)
        if not self.has(name):
            self.put(name, etree.Element(q(NS_PKG_REL, "Relationships"), nsmap={None: NS_PKG_REL}))
        return self.xml(name)

    def add_rel(self, part: str, rel_type: str, target: str) -> str:
        rels = self.rels(part)
        used = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(rels, q(NS_PKG_REL, "Relationship"), Id=rid, Type=rel_type, Target=target)
        return rid

    def rel_target(self, part: str, rid: str) -> str:
        """The member a relationship of ``part`` points at."""
        for rel in self.rels(part):
            if rel.get("Id") == rid:
                target = rel.get("Target", "")
                if target.startswith("/"):
                    return target[1:]
                return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
        raise KeyError(f"{part}: no relationship {rid}")

    def add_override(self, name: str, content_type: str) -> None:
        types = self.xml("[Content_Types].xml")
        part_name = "/" + name
        for el in types:
            if el.get("PartName") == part_name:
                el.set("ContentType", content_type)
                return
        etree.SubElement(types, q(NS_CT, "Override"), PartName=part_name, ContentType=content_type)

    def add_default(self, ext: str, content_type: str) -> None:
        types = self.xml("[Content_Types].xml")
        if any(el.get("Extension") == ext for el in types):
            return
        types.insert(0, etree.Element(q(NS_CT, "Default"), Extension=ext, ContentType=content_type))

    def free_name(self, pattern: str) -> str:
        """First free member name for ``pattern`` (with ``{}`` for the number)."""
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # workbook
    def sheet_entries(self) -> list[etree._Element]:
        sheets = self.xml("xl/workbook.xml").find(q(NS_MAIN, "sheets"))
        return [] if sheets is None else list(sheets)

    def sheet_part(self, title: str) -> str:
        for entry in self.sheet_entries():
            if entry.get("name") == title:
                return self.rel_target("xl/workbook.xml", entry.get(q(NS_R, "id"), ""))
        raise KeyError(title)

    def sheet_id(self, title: str) -> int:
        for entry in self.sheet_entries():
            if entry.get("name") == title:
                return int(entry.get("sheetId", "0"))
        raise KeyError(title)


def insert_ordered(parent: etree._Element, child: etree._Element, order: list[str]) -> None:
    """Insert ``child`` into ``parent`` where the schema's child order puts it."""
    name = etree.QName(child).localname
    rank = order.index(name)
    for i, existing in enumerate(parent):
        other = etree.QName(existing).localname
        if other in order and order.index(other) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def get_or_add(parent: etree._Element, tag: str, order: list[str]) -> etree._Element:
    found = parent.find(q(NS_MAIN, tag))
    if found is None:
        found = etree.Element(q(NS_MAIN, tag))
        insert_ordered(parent, found, order)
    return found


def fragment(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def add_worksheet_ext(ws_root: etree._Element, ext_xml: str) -> None:
    """Add an ``<ext>`` to the worksheet's extLst, keeping Excel's URI order."""
    ext_lst = get_or_add(ws_root, "extLst", WORKSHEET_ORDER)
    ext = fragment(ext_xml)
    rank = WORKSHEET_EXT_ORDER.index(ext.get("uri", ""))
    for i, existing in enumerate(ext_lst):
        uri = existing.get("uri", "")
        if uri in WORKSHEET_EXT_ORDER and WORKSHEET_EXT_ORDER.index(uri) > rank:
            ext_lst.insert(i, ext)
            return
    ext_lst.append(ext)


def sheet_drawing(pkg: Package, title: str) -> str:
    """The drawing part of sheet ``title``, created (with its relationship) if missing."""
    part = pkg.sheet_part(title)
    ws_root = pkg.xml(part)
    drawing = ws_root.find(q(NS_MAIN, "drawing"))
    if drawing is not None:
        return pkg.rel_target(part, drawing.get(q(NS_R, "id"), ""))
    name = pkg.free_name("xl/drawings/drawing{}.xml")
    pkg.put_xml(name, f'<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}"/>')
    pkg.add_override(name, CT_DRAWING)
    rid = pkg.add_rel(part, REL_DRAWING, "../drawings/" + posixpath.basename(name))
    el = etree.Element(q(NS_MAIN, "drawing"), nsmap={"r": NS_R})
    el.set(q(NS_R, "id"), rid)
    insert_ordered(ws_root, el, WORKSHEET_ORDER)
    return name


def next_shape_id(drawing: etree._Element) -> int:
    ids = [int(el.get("id", "0")) for el in drawing.iter(q(NS_XDR, "cNvPr"))]
    return max([1, *ids]) + 1


def anchor(col1: int, row1: int, col2: int, row2: int, body: str, edit_as: str = "") -> str:
    """A ``twoCellAnchor`` between zero-based cells, around ``body``."""
    attr = f' editAs="{edit_as}"' if edit_as else ""
    return (
        f'<xdr:twoCellAnchor xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}" xmlns:r="{NS_R}"{attr}>'
        f"<xdr:from><xdr:col>{col1}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{row1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{col2}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{row2}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f"{body}<xdr:clientData/></xdr:twoCellAnchor>"
    )


def png(width: int, height: int, rgb: tuple[int, int, int], border: tuple[int, int, int]) -> bytes:
    """A small solid PNG with a border, made without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            edge = x in (0, width - 1) or y in (0, height - 1)
            row += bytes(border if edge else rgb)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def add_image_member(pkg: Package, data: bytes) -> str:
    name = pkg.free_name("xl/media/image{}.png")
    pkg.put(name, data)
    pkg.add_default("png", "image/png")
    return name


def set_cached_value(pkg: Package, title: str, ref: str, value: object) -> None:
    """Give the formula cell ``ref`` of sheet ``title`` a cached value of the right type."""
    ws_root = pkg.xml(pkg.sheet_part(title))
    for c in ws_root.iter(q(NS_MAIN, "c")):
        if c.get("r") == ref:
            for v in c.findall(q(NS_MAIN, "v")):
                c.remove(v)
            v = etree.SubElement(c, q(NS_MAIN, "v"))
            if isinstance(value, bool):
                c.set("t", "b")
                v.text = "1" if value else "0"
            elif isinstance(value, int | float):
                c.attrib.pop("t", None)
                v.text = repr(value) if isinstance(value, float) else str(value)
            elif isinstance(value, str) and value.startswith("#"):
                c.set("t", "e")
                v.text = value
            else:
                c.set("t", "str")
                v.text = str(value)
            return
    raise KeyError(f"{title}!{ref}")


# --- Features ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """A workbook feature: what openpyxl writes (``prepare``), then what lxml adds (``inject``)."""

    name: str
    description: str
    prepare: Callable[[Workbook], None] | None = None
    inject: Callable[[Package], None] | None = None


SHEET_REFERENSI = "Referensi"
SHEET_GRAFIK = "Grafik"
SHEET_CATATAN = "Catatan"
SHEET_TREN = "Tren"
SHEET_PIVOT = "Pivot"
SHEET_RINGKASAN = "Ringkasan"
SHEET_GAMBAR = "Gambar"
SHEET_HIDDEN = "Tersembunyi"
SHEET_VERY_HIDDEN = "Arsip2025"

PERSON_ANALIS = ("Analis Kinerja", guid("person:analis"))
PERSON_KABID = ("Kepala Bidang Rehsos", guid("person:kabid"))


def prepare_referensi(wb: Workbook) -> None:
    """Sheet ``Referensi``: a sasaran list (A:C) and the polaritas choices (E)."""
    if SHEET_REFERENSI in wb.sheetnames:
        return
    ws = wb.create_sheet(SHEET_REFERENSI)
    ws.append(["Kode Sasaran", "Sasaran", "Bidang"])
    ws.append(["S1", SASARAN_1, "Rehabilitasi Sosial"])
    ws.append(["S2", SASARAN_2, "Perlindungan dan Jaminan Sosial"])
    ws["E1"] = "Polaritas"
    for i, polarity in enumerate(contract.POLARITIES, start=2):
        ws.cell(i, 5, polarity)
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 32


# chart
def prepare_chart(wb: Workbook) -> None:
    src = iku(wb)
    ws = sheet(wb, SHEET_GRAFIK)
    ws["A1"] = "Grafik target dan realisasi IKU"
    chart = BarChart()
    chart.title = f"Target dan Realisasi {YEAR}"
    chart.y_axis.title = "Nilai"
    chart.x_axis.title = "Indikator"
    target_col = IKU_KEYS.index("target") + 1
    real_col = IKU_KEYS.index("realisasi") + 1
    code_col = IKU_KEYS.index("code") + 1
    for col in (target_col, real_col):
        data = Reference(src, min_col=col, min_row=1, max_row=LAST_ROW)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(src, min_col=code_col, min_row=2, max_row=LAST_ROW))
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, "A3")


# picture
def inject_picture(pkg: Package) -> None:
    drawing_name = sheet_drawing(pkg, contract.SHEET_PENGATURAN)
    drawing = pkg.xml(drawing_name)
    image = add_image_member(pkg, png(48, 48, (31, 78, 121), (255, 192, 0)))
    rid = pkg.add_rel(drawing_name, REL_IMAGE, "../media/" + posixpath.basename(image))
    sid = next_shape_id(drawing)
    body = (
        f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{sid}" name="Logo Instansi" '
        f'descr="Logo instansi"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr>'
        f'</xdr:nvPicPr><xdr:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/>'
        f'</a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="457200" cy="457200"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom></xdr:spPr></xdr:pic>"
    )
    drawing.append(fragment(anchor(3, 0, 4, 3, body, edit_as="oneCell")))


# shapes
def inject_shapes(pkg: Package) -> None:
    """A text box and a rounded rectangle on the IKU sheet, right of the data."""
    drawing_name = sheet_drawing(pkg, contract.SHEET_IKU)
    drawing = pkg.xml(drawing_name)
    first = len(IKU_KEYS) + 1  # zero-based column one to the right of the last IKU column
    sid = next_shape_id(drawing)
    textbox = (
        f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{sid}" name="Kotak Teks 1"/>'
        f'<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="2400000" cy="600000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f'</a:prstGeom><a:solidFill><a:srgbClr val="FFF2CC"/></a:solidFill><a:ln w="9525">'
        f'<a:solidFill><a:srgbClr val="BF9000"/></a:solidFill></a:ln></xdr:spPr>'
        f'<xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" wrap="square" '
        f'rtlCol="0" anchor="t"/><a:lstStyle/><a:p><a:r><a:rPr lang="id-ID" sz="1100"/>'
        f"<a:t>Data realisasi per 31 Desember {YEAR}.</a:t></a:r></a:p></xdr:txBody></xdr:sp>"
    )
    shape = (
        f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{sid + 1}" '
        f'name="Persegi Panjang Membulat 2"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="2400000" cy="400000"/></a:xfrm>'
        f'<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom><a:solidFill>'
        f'<a:srgbClr val="DDEBF7"/></a:solidFill></xdr:spPr><xdr:txBody><a:bodyPr '
        f'rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r>'
        f'<a:rPr lang="id-ID" sz="1000" b="1"/><a:t>Jangan ubah judul kolom</a:t></a:r></a:p>'
        f"</xdr:txBody></xdr:sp>"
    )
    drawing.append(fragment(anchor(first, 1, first + 3, 4, textbox)))
    drawing.append(fragment(anchor(first, 5, first + 3, 7, shape)))


# legacy notes
def prepare_notes(wb: Workbook) -> None:
    ws = iku(wb)
    ref = f"{iku_col('target')}2"
    note = Comment("Target sesuai RPJMD 2025–2029, tabel 5.1.", "Perencana")
    note.width, note.height = 200, 80
    ws[ref].comment = note
    notes = sheet(wb, SHEET_CATATAN)
    notes["A1"] = "Catatan verifikasi"
    notes["A2"] = "Data TW IV"
    notes["A2"].comment = Comment("Menunggu data BPS bulan Februari.", "Perencana")


# threaded comments
THREADS: tuple[tuple[str, str, tuple[tuple[tuple[str, str], str, str], ...]], ...] = (
    # (sheet, cell, ((person, date, text), ...)): the first entry opens the thread
    (
        contract.SHEET_IKU,
        f"{iku_col('realisasi')}3",
        (
            (PERSON_ANALIS, "2026-01-10T09:15:00.00", "Realisasi 730 sudah termasuk bantuan PKH?"),
            (PERSON_KABID, "2026-01-11T13:40:00.00", "Sudah, sesuai rekap Bidang Linjamsos."),
        ),
    ),
    (
        SHEET_CATATAN,
        "B4",
        ((PERSON_ANALIS, "2026-01-12T08:05:00.00", "Mohon lampirkan berita acara survei IKM."),),
    ),
)


def _thread_placeholder(entries: tuple[tuple[tuple[str, str], str, str], ...]) -> str:
    """The legacy-note text Excel writes beside a threaded comment for older versions."""
    lines = [
        "[Threaded comment]",
        "",
        "Your version of Excel allows you to read this threaded comment; however, any edits to "
        "it will get removed if the file is opened in a newer version of Excel. Learn more: "
        "https://go.microsoft.com/fwlink/?linkid=870924",
        "",
        "Comment:",
        "    " + entries[0][2],
    ]
    for _person, _date, text in entries[1:]:
        lines += ["Reply:", "    " + text]
    return "\n".join(lines)


def prepare_threaded_comments(wb: Workbook) -> None:
    notes = sheet(wb, SHEET_CATATAN)
    notes["A1"] = "Catatan verifikasi"
    notes["A4"] = "Survei IKM"
    notes["B4"] = "Lihat lampiran"
    for title, ref, entries in THREADS:
        thread_id = guid(f"thread:{title}!{ref}:0")
        comment = Comment(_thread_placeholder(entries), f"tc={thread_id}")
        comment.width, comment.height = 300, 150
        sheet(wb, title)[ref].comment = comment


def inject_threaded_comments(pkg: Package) -> None:
    persons = "xl/persons/person.xml"
    people = {p for _t, _r, entries in THREADS for p, _d, _x in entries}
    person_xml = "".join(
        f'<person displayName="{esc(name)}" id="{pid}" userId="{esc(name)}" providerId="None"/>'
        for name, pid in sorted(people, key=lambda p: p[1])
    )
    pkg.put_xml(
        persons, f'<personList xmlns="{NS_TC}" xmlns:x="{NS_MAIN}">{person_xml}</personList>'
    )
    pkg.add_override(persons, CT_PERSON)
    pkg.add_rel("xl/workbook.xml", REL_PERSON, "persons/person.xml")
    by_sheet: dict[str, list[str]] = {}
    for title, ref, entries in THREADS:
        parent = guid(f"thread:{title}!{ref}:0")
        for i, ((_name, pid), when, text) in enumerate(entries):
            tid = guid(f"thread:{title}!{ref}:{i}")
            parent_attr = f' parentId="{parent}"' if i else ""
            by_sheet.setdefault(title, []).append(
                f'<threadedComment ref="{ref}" dT="{when}" personId="{pid}" id="{tid}"'
                f"{parent_attr}><text>{esc(text)}</text></threadedComment>"
            )
    for title, items in by_sheet.items():
        name = pkg.free_name("xl/threadedComments/threadedComment{}.xml")
        pkg.put_xml(
            name,
            f'<ThreadedComments xmlns="{NS_TC}" xmlns:x="{NS_MAIN}">'
            f"{''.join(items)}</ThreadedComments>",
        )
        pkg.add_override(name, CT_THREADED)
        pkg.add_rel(
            pkg.sheet_part(title), REL_THREADED, "../threadedComments/" + posixpath.basename(name)
        )


# cross-sheet data validation (x14)
def prepare_validation(wb: Workbook) -> None:
    prepare_referensi(wb)
    ws = iku(wb)
    col = iku_col("quarterly_aggregation")
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(contract.QUARTERLY_AGGREGATIONS) + '"',
        allow_blank=True,
    )
    dv.add(f"{col}2:{col}50")
    ws.add_data_validation(dv)


def inject_validation(pkg: Package) -> None:
    ws_root = pkg.xml(pkg.sheet_part(contract.SHEET_IKU))
    col = iku_col("polarity")
    n = len(contract.POLARITIES)
    add_worksheet_ext(
        ws_root,
        (
            f'<ext xmlns="{NS_MAIN}" uri="{EXT_DATA_VALIDATIONS}" xmlns:x14="{NS_X14}">'
            f'<x14:dataValidations xmlns:xm="{NS_XM}" count="1">'
            f'<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1" errorTitle="Polaritas" error="Pilih Positif atau Negatif." '
            f'promptTitle="Polaritas" prompt="Pilih dari daftar.">'
            f"<x14:formula1><xm:f>{SHEET_REFERENSI}!$E$2:$E${n + 1}</xm:f></x14:formula1>"
            f"<xm:sqref>{col}2:{col}50</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
        ),
    )


# 2010 data bar (x14 conditional formatting)
def inject_data_bar(pkg: Package) -> None:
    ws_root = pkg.xml(pkg.sheet_part(contract.SHEET_IKU))
    col = iku_col("realisasi")
    sqref = f"{col}2:{col}{LAST_ROW}"
    rule_id = guid("databar:realisasi")
    priorities = [int(r.get("priority", "0")) for r in ws_root.iter(q(NS_MAIN, "cfRule"))]
    priority = max([0, *priorities]) + 1
    cf = fragment(
        f'<conditionalFormatting xmlns="{NS_MAIN}" sqref="{sqref}">'
        f'<cfRule type="dataBar" priority="{priority}"><dataBar><cfvo type="min"/>'
        f'<cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst>'
        f'<ext uri="{EXT_DATABAR_ID}" xmlns:x14="{NS_X14}"><x14:id>{rule_id}</x14:id></ext>'
        f"</extLst></cfRule></conditionalFormatting>"
    )
    insert_ordered(ws_root, cf, WORKSHEET_ORDER)
    add_worksheet_ext(
        ws_root,
        (
            f'<ext xmlns="{NS_MAIN}" uri="{EXT_CONDITIONAL_FORMATTINGS}" xmlns:x14="{NS_X14}">'
            f'<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="{NS_XM}">'
            f'<x14:cfRule type="dataBar" id="{rule_id}"><x14:dataBar minLength="0" '
            f'maxLength="100" border="1" negativeBarBorderColorSameAsPositive="0">'
            f'<x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
            f'<x14:borderColor rgb="FF638EC6"/><x14:negativeFillColor rgb="FFFF0000"/>'
            f'<x14:negativeBorderColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/>'
            f"</x14:dataBar></x14:cfRule><xm:sqref>{sqref}</xm:sqref>"
            f"</x14:conditionalFormatting></x14:conditionalFormattings></ext>"
        ),
    )


# sparklines
def prepare_sparklines(wb: Workbook) -> None:
    ws = sheet(wb, SHEET_TREN)
    ws.append(["Kode", "Indikator", "Tren TW I–IV"])
    for ind in INDICATORS:
        ws.append([ind.code, ind.name])
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 18


def inject_sparklines(pkg: Package) -> None:
    ws_root = pkg.xml(pkg.sheet_part(SHEET_TREN))
    first, last = iku_col("tw1"), iku_col("tw4")
    lines = "".join(
        f"<x14:sparkline><xm:f>{contract.SHEET_IKU}!{first}{r}:{last}{r}</xm:f>"
        f"<xm:sqref>C{r}</xm:sqref></x14:sparkline>"
        for r in range(2, LAST_ROW + 1)
    )
    add_worksheet_ext(
        ws_root,
        (
            f'<ext xmlns="{NS_MAIN}" uri="{EXT_SPARKLINE_GROUPS}" xmlns:x14="{NS_X14}">'
            f'<x14:sparklineGroups xmlns:xm="{NS_XM}"><x14:sparklineGroup '
            f'displayEmptyCellsAs="gap" markers="1"><x14:colorSeries rgb="FF376092"/>'
            f'<x14:colorNegative rgb="FFD00000"/><x14:colorAxis rgb="FF000000"/>'
            f'<x14:colorMarkers rgb="FFD00000"/><x14:colorFirst rgb="FFD00000"/>'
            f'<x14:colorLast rgb="FFD00000"/><x14:colorHigh rgb="FFD00000"/>'
            f'<x14:colorLow rgb="FFD00000"/><x14:sparklines>{lines}</x14:sparklines>'
            f"</x14:sparklineGroup></x14:sparklineGroups></ext>"
        ),
    )


# defined names
def prepare_defined_names(wb: Workbook) -> None:
    ws = iku(wb)
    iku_sheet = contract.SHEET_IKU
    target, real = iku_col("target"), iku_col("realisasi")
    year_row = 2 + [s.key for s in contract.SETTINGS].index("Tahun")
    for name, ref in (
        ("TargetIKU", f"{iku_sheet}!${target}$2:${target}${LAST_ROW}"),
        ("TahunLaporan", f"{contract.SHEET_PENGATURAN}!$B${year_row}"),
        ("NamaInstansi", f"{contract.SHEET_PENGATURAN}!$B$2"),
    ):
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.defined_names["RealisasiLokal"] = DefinedName(
        "RealisasiLokal", attr_text=f"{iku_sheet}!${real}$2:${real}${LAST_ROW}"
    )
    rpjmd = sheet(wb, contract.SHEET_RPJMD)
    last_col = get_column_letter(len(rpjmd_headers()))
    rpjmd.defined_names["TargetAkhir"] = DefinedName(
        "TargetAkhir", attr_text=f"{contract.SHEET_RPJMD}!${last_col}$2:${last_col}${LAST_ROW}"
    )
    ws.print_area = f"A1:{get_column_letter(len(IKU_KEYS))}{LAST_ROW}"
    ws.print_title_rows = "1:1"


# tables
def prepare_tables(wb: Workbook) -> None:
    prepare_referensi(wb)
    ref = sheet(wb, SHEET_REFERENSI)
    table = Table(displayName="TabelSasaran", ref="A1:C3")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ref.add_table(table)
    # A small legend table on the IKU sheet, one empty column right of the IKU columns.
    ws = iku(wb)
    first = len(IKU_KEYS) + 2
    a, b = get_column_letter(first), get_column_letter(first + 1)
    ws[f"{a}1"], ws[f"{b}1"] = "Singkatan", "Arti"
    ws[f"{a}2"], ws[f"{b}2"] = "PPKS", "Pemerlu Pelayanan Kesejahteraan Sosial"
    ws[f"{a}3"], ws[f"{b}3"] = "PMKS", "Penyandang Masalah Kesejahteraan Sosial"
    legend = Table(displayName="TabelSingkatan", ref=f"{a}1:{b}3")
    legend.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(legend)


# pivot table
PIVOT_ROW_KEY = "sasaran"
PIVOT_DATA_KEY = "target"


def prepare_pivot(wb: Workbook) -> None:
    ws = sheet(wb, SHEET_PIVOT)
    ws["A1"] = "Ringkasan target per sasaran"
    ws["A3"], ws["B3"] = "Label Baris", "Jumlah dari Target"
    sums: dict[str, float] = {}
    for ind in INDICATORS:
        sums[ind.sasaran] = sums.get(ind.sasaran, 0) + ind.target
    row = 4
    for sasaran in sorted(sums):
        ws.cell(row, 1, sasaran)
        ws.cell(row, 2, sums[sasaran])
        row += 1
    ws.cell(row, 1, "Total Keseluruhan")
    ws.cell(row, 2, sum(sums.values()))
    ws.column_dimensions["A"].width = 52


def _cache_field(header: str, values: list[object], axis: bool) -> tuple[str, list[str]]:
    """``<cacheField>`` and one record entry per row for one IKU column."""
    nums = [v for v in values if isinstance(v, int | float)]
    texts = [str(v) for v in values if isinstance(v, str)]
    blanks = sum(v is None for v in values)
    if axis:
        items = sorted(set(texts))
        shared = "".join(f'<s v="{esc(t)}"/>' for t in items)
        xml = (
            f'<cacheField name="{esc(header)}" numFmtId="0"><sharedItems count="{len(items)}">'
            f"{shared}</sharedItems></cacheField>"
        )
        return xml, [f'<x v="{items.index(str(v))}"/>' for v in values]
    if nums and not texts:
        ints = all(float(v).is_integer() for v in nums)
        attrs = 'containsSemiMixedTypes="0" containsString="0" containsNumber="1"'
        if ints:
            attrs += ' containsInteger="1"'
        if blanks:
            attrs += ' containsBlank="1"'
        lo, hi = min(nums), max(nums)
        attrs += f' minValue="{lo:g}" maxValue="{hi:g}"'
        xml = f'<cacheField name="{esc(header)}" numFmtId="0"><sharedItems {attrs}/></cacheField>'
    elif texts and not nums:
        attrs = ' containsBlank="1"' if blanks else ""
        xml = f'<cacheField name="{esc(header)}" numFmtId="0"><sharedItems{attrs}/></cacheField>'
    else:  # all blank
        xml = (
            f'<cacheField name="{esc(header)}" numFmtId="0"><sharedItems containsNonDate="0" '
            'containsString="0" containsBlank="1"/></cacheField>'
        )
    records = []
    for v in values:
        if v is None:
            records.append("<m/>")
        elif isinstance(v, str):
            records.append(f'<s v="{esc(v)}"/>')
        elif isinstance(v, int | float):
            records.append(f'<n v="{float(v):g}"/>')
        else:
            raise TypeError(f"{header}: unexpected value {v!r}")
    return xml, records


def sheet_values(pkg: Package, title: str) -> dict[str, object]:
    """Cell values of a sheet as stored (numbers, shared or inline strings), by reference."""
    strings = []
    if pkg.has("xl/sharedStrings.xml"):
        strings = ["".join(si.itertext()) for si in pkg.xml("xl/sharedStrings.xml")]
    values: dict[str, object] = {}
    for c in pkg.xml(pkg.sheet_part(title)).iter(q(NS_MAIN, "c")):
        v = c.find(q(NS_MAIN, "v"))
        kind = c.get("t", "n")
        inline = c.find(q(NS_MAIN, "is"))
        if kind == "inlineStr" and inline is not None:
            values[c.get("r", "")] = "".join(inline.itertext())
        elif v is not None and v.text is not None:
            values[c.get("r", "")] = (
                strings[int(v.text)]
                if kind == "s"
                else (v.text if kind in ("str", "e") else float(v.text))
            )
    return values


def inject_pivot(pkg: Package) -> None:
    cells = sheet_values(pkg, contract.SHEET_IKU)
    rows = [
        {key: cells.get(f"{iku_col(key)}{r}") for key in IKU_KEYS} for r in range(2, LAST_ROW + 1)
    ]
    fields: list[str] = []
    records: list[list[str]] = [[] for _ in rows]
    for col in contract.IKU_COLUMNS:
        xml, recs = _cache_field(
            col.header, [r[col.key] for r in rows], axis=col.key == PIVOT_ROW_KEY
        )
        fields.append(xml)
        for rec, entry in zip(records, recs, strict=True):
            rec.append(entry)
    last_col = get_column_letter(len(IKU_KEYS))
    cache_def = pkg.free_name("xl/pivotCache/pivotCacheDefinition{}.xml")
    cache_rec = cache_def.replace("Definition", "Records")
    rec_xml = "".join(f"<r>{''.join(rec)}</r>" for rec in records)
    pkg.put_xml(
        cache_rec,
        f'<pivotCacheRecords xmlns="{NS_MAIN}" xmlns:r="{NS_R}" '
        f'count="{len(records)}">{rec_xml}</pivotCacheRecords>',
    )
    rec_rid = pkg.add_rel(cache_def, REL_PIVOT_CACHE_RECORDS, posixpath.basename(cache_rec))
    pkg.put_xml(
        cache_def,
        (
            f'<pivotCacheDefinition xmlns="{NS_MAIN}" xmlns:r="{NS_R}" r:id="{rec_rid}" '
            f'refreshedBy="iku-excel corpus" refreshedDate="46037.333333333336" createdVersion="6" '
            f'refreshedVersion="6" minRefreshableVersion="3" recordCount="{len(records)}">'
            f'<cacheSource type="worksheet"><worksheetSource ref="A1:{last_col}{LAST_ROW}" '
            f'sheet="{contract.SHEET_IKU}"/></cacheSource>'
            f'<cacheFields count="{len(fields)}">{"".join(fields)}</cacheFields>'
            f"</pivotCacheDefinition>"
        ),
    )
    pkg.add_override(cache_def, CT_PIVOT_CACHE_DEF)
    pkg.add_override(cache_rec, CT_PIVOT_CACHE_RECORDS)
    wb_rid = pkg.add_rel(
        "xl/workbook.xml", REL_PIVOT_CACHE_DEF, "pivotCache/" + posixpath.basename(cache_def)
    )
    wb_root = pkg.xml("xl/workbook.xml")
    caches = get_or_add(wb_root, "pivotCaches", WORKBOOK_ORDER)
    cache_id = 10 + len(caches)
    cache_el = etree.SubElement(caches, q(NS_MAIN, "pivotCache"), nsmap={"r": NS_R})
    cache_el.set("cacheId", str(cache_id))
    cache_el.set(q(NS_R, "id"), wb_rid)

    row_idx = IKU_KEYS.index(PIVOT_ROW_KEY)
    data_idx = IKU_KEYS.index(PIVOT_DATA_KEY)
    n_items = len({row[PIVOT_ROW_KEY] for row in rows})
    pivot_fields = []
    for i in range(len(IKU_KEYS)):
        if i == row_idx:
            items = "".join(f'<item x="{k}"/>' for k in range(n_items))
            pivot_fields.append(
                f'<pivotField axis="axisRow" showAll="0"><items '
                f'count="{n_items + 1}">{items}<item t="default"/></items>'
                "</pivotField>"
            )
        elif i == data_idx:
            pivot_fields.append('<pivotField dataField="1" showAll="0"/>')
        else:
            pivot_fields.append('<pivotField showAll="0"/>')
    row_items = "<i><x/></i>" + "".join(f'<i><x v="{k}"/></i>' for k in range(1, n_items))
    table_name = pkg.free_name("xl/pivotTables/pivotTable{}.xml")
    pkg.put_xml(
        table_name,
        (
            f'<pivotTableDefinition xmlns="{NS_MAIN}" name="PivotTargetSasaran" '
            f'cacheId="{cache_id}" applyNumberFormats="0" applyBorderFormats="0" '
            f'applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" '
            f'applyWidthHeightFormats="1" dataCaption="Nilai" updatedVersion="6" '
            f'minRefreshableVersion="3" useAutoFormatting="1" itemPrintTitles="1" '
            f'createdVersion="6" indent="0" outline="1" outlineData="1" multipleFieldFilters="0" '
            f'rowHeaderCaption="Sasaran">'
            f'<location ref="A3:B{4 + n_items}" firstHeaderRow="1" firstDataRow="1" '
            f'firstDataCol="1"/><pivotFields count="{len(pivot_fields)}">{"".join(pivot_fields)}'
            f'</pivotFields><rowFields count="1"><field x="{row_idx}"/></rowFields>'
            f'<rowItems count="{n_items + 1}">{row_items}<i t="grand"><x/></i></rowItems>'
            f'<colItems count="1"><i/></colItems><dataFields count="1">'
            f'<dataField name="Jumlah dari Target" fld="{data_idx}" baseField="0" baseItem="0"/>'
            f'</dataFields><pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" '
            f'showColHeaders="1" showRowStripes="0" showColStripes="0" showLastColumn="1"/>'
            f"</pivotTableDefinition>"
        ),
    )
    pkg.add_override(table_name, CT_PIVOT_TABLE)
    pkg.add_rel(table_name, REL_PIVOT_CACHE_DEF, "../pivotCache/" + posixpath.basename(cache_def))
    pkg.add_rel(
        pkg.sheet_part(SHEET_PIVOT),
        REL_PIVOT_TABLE,
        "../pivotTables/" + posixpath.basename(table_name),
    )


# table slicer (Excel 2013+, x15)
SLICER_CACHE_NAME = "Slicer_Bidang"


def inject_slicer(pkg: Package) -> None:
    part = pkg.sheet_part(SHEET_REFERENSI)
    table_id = None
    for rel in pkg.rels(part):
        if rel.get("Type", "").endswith("/table"):
            table_part = pkg.rel_target(part, rel.get("Id", ""))
            table_root = pkg.xml(table_part)
            if table_root.get("displayName") == "TabelSasaran":
                table_id = table_root.get("id")
    if table_id is None:
        raise RuntimeError("the slicer needs the TabelSasaran table (feature 'table')")
    column = 3  # "Bidang"
    cache = pkg.free_name("xl/slicerCaches/slicerCache{}.xml")
    pkg.put_xml(
        cache,
        (
            f'<slicerCacheDefinition xmlns="{NS_X14}" xmlns:mc="{NS_MC}" mc:Ignorable="x xr10" '
            f'xmlns:x="{NS_MAIN}" xmlns:x15="{NS_X15}" xmlns:xr10="{NS_XR10}" '
            f'name="{SLICER_CACHE_NAME}" xr10:uid="{guid("slicercache")}" sourceName="Bidang">'
            f'<extLst><x:ext uri="{EXT_TABLE_SLICER_CACHE}"><x15:tableSlicerCache '
            f'tableId="{table_id}" column="{column}"/></x:ext></extLst></slicerCacheDefinition>'
        ),
    )
    pkg.add_override(cache, CT_SLICER_CACHE)
    wb_rid = pkg.add_rel(
        "xl/workbook.xml", REL_SLICER_CACHE, "slicerCaches/" + posixpath.basename(cache)
    )
    wb_root = pkg.xml("xl/workbook.xml")
    names = get_or_add(wb_root, "definedNames", WORKBOOK_ORDER)
    dn = etree.SubElement(names, q(NS_MAIN, "definedName"), name=SLICER_CACHE_NAME)
    dn.text = "#N/A"
    ext_lst = get_or_add(wb_root, "extLst", WORKBOOK_ORDER)
    ext_lst.append(
        fragment(
            f'<ext xmlns="{NS_MAIN}" uri="{EXT_WB_SLICER_CACHES_X15}" xmlns:x15="{NS_X15}">'
            f'<x15:slicerCaches xmlns:x14="{NS_X14}" xmlns:r="{NS_R}">'
            f'<x14:slicerCache r:id="{wb_rid}"/></x15:slicerCaches></ext>'
        )
    )

    slicer = pkg.free_name("xl/slicers/slicer{}.xml")
    pkg.put_xml(
        slicer,
        (
            f'<slicers xmlns="{NS_X14}" xmlns:mc="{NS_MC}" mc:Ignorable="x xr10" '
            f'xmlns:x="{NS_MAIN}" xmlns:xr10="{NS_XR10}"><slicer name="Bidang" '
            f'xr10:uid="{guid("slicer")}" cache="{SLICER_CACHE_NAME}" caption="Bidang" '
            f'rowHeight="241300"/></slicers>'
        ),
    )
    pkg.add_override(slicer, CT_SLICER)
    ws_rid = pkg.add_rel(part, REL_SLICER, "../slicers/" + posixpath.basename(slicer))
    add_worksheet_ext(
        pkg.xml(part),
        (
            f'<ext xmlns="{NS_MAIN}" uri="{EXT_SLICER_LIST_X15}" xmlns:x15="{NS_X15}">'
            f'<x14:slicerList xmlns:x14="{NS_X14}" xmlns:r="{NS_R}"><x14:slicer r:id="{ws_rid}"/>'
            f"</x14:slicerList></ext>"
        ),
    )
    drawing_name = sheet_drawing(pkg, SHEET_REFERENSI)
    drawing = pkg.xml(drawing_name)
    sid = next_shape_id(drawing)
    body = (
        f'<mc:AlternateContent xmlns:mc="{NS_MC}"><mc:Choice xmlns:sle15="{NS_SLE15}" '
        f'Requires="sle15"><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        f'<xdr:cNvPr id="{sid}" name="Bidang"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        f'<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        f'<a:graphicData uri="{NS_SLE}"><sle:slicer xmlns:sle="{NS_SLE}" name="Bidang"/>'
        f"</a:graphicData></a:graphic></xdr:graphicFrame></mc:Choice><mc:Fallback>"
        f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="0" name=""/>'
        f'<xdr:cNvSpPr><a:spLocks noTextEdit="1"/></xdr:cNvSpPr></xdr:nvSpPr><xdr:spPr>'
        f'<a:xfrm><a:off x="4000000" y="1000000"/><a:ext cx="1828800" cy="2000000"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:prstClr val="white"/>'
        f'</a:solidFill><a:ln w="1"><a:solidFill><a:prstClr val="green"/></a:solidFill></a:ln>'
        f'</xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip"/>'
        f'<a:lstStyle/><a:p><a:r><a:rPr lang="en-US" sz="1100"/><a:t>This shape represents '
        f"a table slicer. Table slicers are supported in Excel or later.</a:t></a:r></a:p>"
        f"</xdr:txBody></xdr:sp></mc:Fallback></mc:AlternateContent>"
    )
    drawing.append(fragment(anchor(6, 5, 9, 16, body, edit_as="oneCell")))


# custom XML part
def inject_custom_xml(pkg: Package) -> None:
    item = pkg.free_name("customXml/item{}.xml")
    props = item.replace("item", "itemProps")
    pkg.put_xml(
        item,
        (
            '<ikuMetadata xmlns="urn:iku-excel:contoh:metadata"><instansi>Dinas Sosial Kota Contoh'
            f"</instansi><tahun>{YEAR}</tahun><status>Draf</status></ikuMetadata>"
        ),
    )
    pkg.put_xml(
        props,
        (
            f'<ds:datastoreItem xmlns:ds="{NS_DS}" ds:itemID="{guid("customxml")}"><ds:schemaRefs>'
            '<ds:schemaRef ds:uri="urn:iku-excel:contoh:metadata"/></ds:schemaRefs>'
            "</ds:datastoreItem>"
        ),
    )
    pkg.add_override(props, CT_CUSTOM_XML_PROPS)
    pkg.add_rel(item, REL_CUSTOM_XML_PROPS, posixpath.basename(props))
    pkg.add_rel("xl/workbook.xml", REL_CUSTOM_XML, "../" + item)


# VBA project and ribbon
VBA_MODULE = """Attribute VB_Name = "Module1"
Option Explicit

' Tombol "Hitung Capaian" pada tab IKU (customUI14.xml, onAction="IkuRefresh").
Public Sub IkuRefresh(control As IRibbonControl)
    MsgBox "Simpan dan tutup buku kerja ini, lalu jalankan:" & vbCrLf & _
        "iku-excel refresh " & Chr(34) & ThisWorkbook.FullName & Chr(34), vbInformation, "IKU"
End Sub
"""
RIBBON_XML = (
    f'<customUI xmlns="{NS_CUSTOMUI14}"><ribbon><tabs><tab id="tabIku" label="IKU">'
    '<group id="grpIku" label="Capaian"><button id="btnIkuRefresh" label="Hitung Capaian" '
    'size="large" imageMso="CalculateNow" onAction="IkuRefresh"/></group></tab></tabs>'
    "</ribbon></customUI>"
)
_VBA_CACHE: dict[str, bytes] = {}


def vba_project() -> bytes:
    """xlwings' template VBA project with Module1 replaced by the ribbon callback."""
    if "bin" not in _VBA_CACHE:
        import pyopenvba
        import xlwings

        template = Path(xlwings.__file__).parent / "quickstart.xlsm"
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "vba.xlsm"
            with pyopenvba.ExcelFile(str(template)) as book:
                book.set_module("Module1", VBA_MODULE)
                book.save(str(out))
            with zipfile.ZipFile(out) as zf:
                _VBA_CACHE["bin"] = zf.read("xl/vbaProject.bin")
    return _VBA_CACHE["bin"]


def prepare_vba(wb: Workbook) -> None:
    # The template project has document modules ThisWorkbook, Sheet1 and Sheet2.
    wb.code_name = "ThisWorkbook"
    for ws, code_name in zip(wb.worksheets[:2], ("Sheet1", "Sheet2"), strict=True):
        ws.sheet_properties.codeName = code_name


def inject_vba(pkg: Package) -> None:
    pkg.put("xl/vbaProject.bin", vba_project())
    pkg.add_default("bin", CT_VBA)
    pkg.add_override("xl/workbook.xml", CT_XLSM_MAIN)
    pkg.add_rel("xl/workbook.xml", REL_VBA, "vbaProject.bin")
    pkg.put_xml("customUI/customUI14.xml", RIBBON_XML)
    pkg.add_rel("", REL_UI, "customUI/customUI14.xml")


# hidden and very hidden sheets
def prepare_hidden(wb: Workbook) -> None:
    hidden = sheet(wb, SHEET_HIDDEN)
    hidden.append(["Kode", "Faktor Pengali"])
    for ind in INDICATORS:
        hidden.append([ind.code, 1])
    hidden.sheet_state = "hidden"
    archive = sheet(wb, SHEET_VERY_HIDDEN)
    archive.append(["Kode", "Capaian 2025 (%)"])
    for ind in INDICATORS:
        archive.append([ind.code, ind.capaian_last_year])
    archive.sheet_state = "veryHidden"


# protected sheet
def prepare_protected(wb: Workbook) -> None:
    prepare_referensi(wb)
    ws = sheet(wb, SHEET_REFERENSI)
    ws.protection.sheet = True
    ws.protection.password = "iku2026"
    ws.protection.autoFilter = False


# calculation chain (formulas with cached values)
def _formulas() -> list[tuple[str, str, str, object]]:
    code, target, capaian = iku_col("code"), iku_col("target"), iku_col("capaian")
    year_row = 2 + [s.key for s in contract.SETTINGS].index("Tahun")
    total = sum(ind.target for ind in INDICATORS)
    return [
        (
            "B2",
            "Jumlah indikator",
            f"COUNTA({contract.SHEET_IKU}!{code}2:{code}{LAST_ROW})",
            N_ROWS,
        ),
        ("B3", "Jumlah target", f"SUM({contract.SHEET_IKU}!{target}2:{target}{LAST_ROW})", total),
        (
            "B4",
            "Rata-rata capaian (%)",
            f'IFERROR(AVERAGE({contract.SHEET_IKU}!{capaian}2:{capaian}{LAST_ROW}),"")',
            "",
        ),
        ("B5", "Tahun", f"{contract.SHEET_PENGATURAN}!B{year_row}", YEAR),
        (
            "B6",
            "Ada target nol",
            f"COUNTIF({contract.SHEET_IKU}!{target}2:{target}{LAST_ROW},0)>0",
            False,
        ),
    ]


def prepare_calc_chain(wb: Workbook) -> None:
    ws = sheet(wb, SHEET_RINGKASAN)
    ws["A1"] = "Ringkasan"
    for ref, label, formula, _value in _formulas():
        ws[f"A{ref[1:]}"] = label
        ws[ref] = "=" + formula
    ws.column_dimensions["A"].width = 24


def inject_calc_chain(pkg: Package) -> None:
    sheet_id = pkg.sheet_id(SHEET_RINGKASAN)
    cells = []
    for ref, _label, _formula, value in _formulas():
        set_cached_value(pkg, SHEET_RINGKASAN, ref, value)
        cells.append(f'<c r="{ref}" i="{sheet_id}"/>')
    pkg.put_xml("xl/calcChain.xml", f'<calcChain xmlns="{NS_MAIN}">{"".join(cells)}</calcChain>')
    pkg.add_override("xl/calcChain.xml", CT_CALC_CHAIN)
    pkg.add_rel("xl/workbook.xml", REL_CALC_CHAIN, "calcChain.xml")


# shared strings with rich text
def prepare_rich_text(wb: Workbook) -> None:
    ws = iku(wb)
    col = IKU_KEYS.index("note") + 1
    ws.cell(2, col).value = CellRichText(
        "Sumber: ",
        TextBlock(InlineFont(b=True), "BPS"),
        " dan ",
        TextBlock(InlineFont(i=True, color=Color("FFC00000")), "data Bidang Rehsos"),
    )
    notes = sheet(wb, SHEET_CATATAN)
    notes["A1"] = "Catatan verifikasi"
    notes["A6"] = CellRichText(
        TextBlock(InlineFont(b=True, sz=12), "Penting: "), "cek ulang realisasi TW IV."
    )


# in-cell picture (Place in Cell, rich data)
def prepare_in_cell_picture(wb: Workbook) -> None:
    ws = sheet(wb, SHEET_GAMBAR)
    ws["A1"], ws["B1"] = "Dokumen", "Foto"
    ws["A2"] = "Foto kegiatan penyaluran bantuan"
    ws["B2"] = "#VALUE!"  # openpyxl stores this as an error value: Excel's in-cell picture cell
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 14
    ws.row_dimensions[2].height = 60


def inject_in_cell_picture(pkg: Package) -> None:
    image = add_image_member(pkg, png(64, 48, (112, 173, 71), (55, 86, 35)))
    rv_rel = "xl/richData/richValueRel.xml"
    pkg.put_xml(
        rv_rel,
        f'<richValueRels xmlns="{NS_RVREL}" xmlns:r="{NS_R}"><rel r:id="rId1"/></richValueRels>',
    )
    rid = pkg.add_rel(rv_rel, REL_IMAGE, "../media/" + posixpath.basename(image))
    assert rid == "rId1"
    pkg.put_xml(
        "xl/richData/rdrichvalue.xml",
        (f'<rvData xmlns="{NS_RD}" count="1"><rv s="0"><v>0</v><v>5</v></rv></rvData>'),
    )
    pkg.put_xml(
        "xl/richData/rdrichvaluestructure.xml",
        (
            f'<rvStructures xmlns="{NS_RD}" count="1"><s t="_localImage">'
            '<k n="_rvRel:LocalImageIdentifier" t="i"/><k n="CalcOrigin" t="i"/></s></rvStructures>'
        ),
    )
    # Key flags as Excel writes them: _Self is never stored, the others are not compared.
    keys = ["_DisplayString", "_Flags", "_Format", "_SubLabel", "_Attribution", "_Icon"]
    keys += ["_Display", "_CanonicalPropertyNames", "_ClassificationId"]
    flags = '<key name="_Self"><flag name="ExcludeFromFile" value="1"/>'
    flags += '<flag name="ExcludeFromCalcComparison" value="1"/></key>'
    flags += "".join(
        f'<key name="{name}"><flag name="ExcludeFromCalcComparison" value="1"/></key>'
        for name in keys
    )
    pkg.put_xml(
        "xl/richData/rdRichValueTypes.xml",
        (
            f'<rvTypesInfo xmlns="{NS_RD2}" xmlns:mc="{NS_MC}" mc:Ignorable="x" '
            f'xmlns:x="{NS_MAIN}"><global><keyFlags>{flags}</keyFlags></global></rvTypesInfo>'
        ),
    )
    pkg.put_xml(
        "xl/metadata.xml",
        (
            f'<metadata xmlns="{NS_MAIN}" xmlns:xlrd="{NS_XLRD}"><metadataTypes count="1">'
            '<metadataType name="XLRICHVALUE" minSupportedVersion="120000" copy="1" pasteAll="1" '
            'pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
            'clearComments="1" assign="1" coerce="1"/></metadataTypes>'
            '<futureMetadata name="XLRICHVALUE" count="1"><bk><extLst>'
            '<ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="0"/></ext></extLst>'
            '</bk></futureMetadata><valueMetadata count="1"><bk><rc t="1" v="0"/></bk>'
            "</valueMetadata></metadata>"
        ),
    )
    for name, ctype, rel_type in (
        ("xl/metadata.xml", CT_SHEET_METADATA, REL_SHEET_METADATA),
        ("xl/richData/rdrichvalue.xml", CT_RD_VALUE, REL_RD_VALUE),
        ("xl/richData/rdrichvaluestructure.xml", CT_RD_STRUCT, REL_RD_STRUCT),
        ("xl/richData/rdRichValueTypes.xml", CT_RD_TYPES, REL_RD_TYPES),
        (rv_rel, CT_RV_REL, REL_RV_REL),
    ):
        pkg.add_override(name, ctype)
        pkg.add_rel("xl/workbook.xml", rel_type, name.removeprefix("xl/"))
    ws_root = pkg.xml(pkg.sheet_part(SHEET_GAMBAR))
    for c in ws_root.iter(q(NS_MAIN, "c")):
        if c.get("r") == "B2":
            c.set("t", "e")
            c.set("vm", "1")
            break
    else:
        raise RuntimeError("in-cell picture cell not written")


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature(
            "chart", "Bar chart of IKU target and realisasi on sheet Grafik", prepare=prepare_chart
        ),
        Feature(
            "picture", "PNG logo (drawing + xl/media) on sheet Pengaturan", inject=inject_picture
        ),
        Feature(
            "shapes",
            "Text box and rounded rectangle (xdr:sp) on sheet IKU, right of the data",
            inject=inject_shapes,
        ),
        Feature(
            "legacy-notes",
            "Legacy notes (comments + VML) on the IKU target cell and on sheet Catatan",
            prepare=prepare_notes,
        ),
        Feature(
            "threaded-comments",
            "Threaded comments with a reply (threadedComments + "
            "persons part + legacy placeholders) on IKU realisasi and sheet Catatan",
            prepare=prepare_threaded_comments,
            inject=inject_threaded_comments,
        ),
        Feature(
            "cross-sheet-validation",
            "x14 list validation on IKU Polaritas pointing at "
            "Referensi!E2:E3, plus a classic list validation on Agregasi Triwulan",
            prepare=prepare_validation,
            inject=inject_validation,
        ),
        Feature(
            "data-bar",
            "2010 data bar (x14 conditional formatting) on IKU Realisasi",
            inject=inject_data_bar,
        ),
        Feature(
            "sparklines",
            "x14 sparkline group on sheet Tren over IKU TW I–IV",
            prepare=prepare_sparklines,
            inject=inject_sparklines,
        ),
        Feature(
            "defined-names",
            "Global names, sheet-local names (IKU, RPJMD), Print_Area and Print_Titles on IKU",
            prepare=prepare_defined_names,
        ),
        Feature(
            "table",
            "Tables TabelSasaran (sheet Referensi) and TabelSingkatan (sheet IKU, "
            "right of the IKU columns)",
            prepare=prepare_tables,
        ),
        Feature(
            "pivot-table",
            "Pivot table on sheet Pivot (sum of Target by Sasaran) with its "
            "cache definition and records over IKU",
            prepare=prepare_pivot,
            inject=inject_pivot,
        ),
        Feature(
            "slicer",
            "Table slicer (x15) on column Bidang of TabelSasaran, sheet Referensi",
            inject=inject_slicer,
        ),
        Feature(
            "custom-xml",
            "Custom XML part customXml/item1.xml with its properties",
            inject=inject_custom_xml,
        ),
        Feature(
            "vba-ribbon",
            "VBA project (xl/vbaProject.bin) and ribbon customUI/customUI14.xml "
            "calling a VBA callback",
            prepare=prepare_vba,
            inject=inject_vba,
        ),
        Feature(
            "hidden-sheets",
            "Sheet Tersembunyi hidden, sheet Arsip2025 very hidden",
            prepare=prepare_hidden,
        ),
        Feature(
            "protected-sheet",
            "Sheet Referensi protected with a password",
            prepare=prepare_protected,
        ),
        Feature(
            "calc-chain",
            "Formulas with cached values on sheet Ringkasan and xl/calcChain.xml",
            prepare=prepare_calc_chain,
            inject=inject_calc_chain,
        ),
        Feature(
            "shared-strings",
            "Rich-text runs in xl/sharedStrings.xml (IKU Keterangan, sheet "
            "Catatan); every corpus file stores its text as shared strings, as Excel does",
            prepare=prepare_rich_text,
        ),
        Feature(
            "in-cell-picture",
            "Picture placed in cell Gambar!B2 (metadata.xml + richData)",
            prepare=prepare_in_cell_picture,
            inject=inject_in_cell_picture,
        ),
    )
}

#: File name -> features it holds (in application order).
CORPUS: dict[str, tuple[str, ...]] = {
    "chart.xlsx": ("chart",),
    "picture.xlsx": ("picture",),
    "shapes.xlsx": ("shapes",),
    "legacy-notes.xlsx": ("legacy-notes",),
    "threaded-comments.xlsx": ("threaded-comments",),
    "cross-sheet-validation.xlsx": ("cross-sheet-validation",),
    "data-bar.xlsx": ("data-bar",),
    "sparklines.xlsx": ("sparklines",),
    "defined-names.xlsx": ("defined-names",),
    "table.xlsx": ("table",),
    "pivot-table.xlsx": ("pivot-table",),
    "slicer.xlsx": ("table", "slicer"),
    "custom-xml.xlsx": ("custom-xml",),
    "xlsm-vba-ribbon.xlsm": ("vba-ribbon",),
    "hidden-sheets.xlsx": ("hidden-sheets",),
    "protected-sheet.xlsx": ("protected-sheet",),
    "calc-chain.xlsx": ("calc-chain",),
    "shared-strings.xlsx": ("shared-strings",),
    "in-cell-picture.xlsx": ("in-cell-picture",),
    "kitchen-sink.xlsm": tuple(FEATURES),
}


def use_shared_strings(pkg: Package) -> None:
    """Move openpyxl's inline strings into ``xl/sharedStrings.xml``, as Excel stores them."""
    table: dict[bytes, int] = {}
    items: list[etree._Element] = []
    total = 0
    for entry in pkg.sheet_entries():
        ws_root = pkg.xml(pkg.rel_target("xl/workbook.xml", entry.get(q(NS_R, "id"), "")))
        for c in ws_root.iter(q(NS_MAIN, "c")):
            if c.get("t") != "inlineStr":
                continue
            inline = c.find(q(NS_MAIN, "is"))
            assert inline is not None
            si = etree.Element(q(NS_MAIN, "si"))
            si.extend(list(inline))
            key = etree.tostring(si)
            if key not in table:
                table[key] = len(items)
                items.append(si)
            c.remove(inline)
            c.set("t", "s")
            etree.SubElement(c, q(NS_MAIN, "v")).text = str(table[key])
            total += 1
    sst = etree.Element(q(NS_MAIN, "sst"), nsmap={None: NS_MAIN})
    sst.set("count", str(total))
    sst.set("uniqueCount", str(len(items)))
    sst.extend(items)
    pkg.put("xl/sharedStrings.xml", sst)
    pkg.add_override("xl/sharedStrings.xml", CT_SHARED_STRINGS)
    pkg.add_rel("xl/workbook.xml", REL_SHARED_STRINGS, "sharedStrings.xml")


def excel_calc_properties(pkg: Package) -> None:
    """Replace openpyxl's ``fullCalcOnLoad`` with the plain ``calcPr`` of a file Excel saved."""
    calc = pkg.xml("xl/workbook.xml").find(q(NS_MAIN, "calcPr"))
    if calc is not None:
        calc.attrib.clear()
        calc.set("calcId", "191029")


def fix_core_properties(pkg: Package) -> None:
    """openpyxl stamps the save time into docProps/core.xml; pin it for reproducible builds."""
    core = pkg.xml("docProps/core.xml")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    for el in core:
        if etree.QName(el).localname in ("created", "modified"):
            el.text = stamp


def build_file(features: Iterable[str]) -> bytes:
    """The bytes of one corpus workbook holding ``features``."""
    chosen = [FEATURES[name] for name in features]
    wb = build_base()
    for feature in chosen:
        if feature.prepare:
            feature.prepare(wb)
    buf = io.BytesIO()
    wb.save(buf)
    pkg = Package(buf.getvalue())
    use_shared_strings(pkg)
    for feature in chosen:
        if feature.inject:
            feature.inject(pkg)
    excel_calc_properties(pkg)
    fix_core_properties(pkg)
    return pkg.to_bytes()


def build_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, features in CORPUS.items():
        path = out_dir / name
        path.write_bytes(build_file(features))
        written.append(path)
    return written


# --- Validation -------------------------------------------------------------------------------


def validate(paths: list[Path]) -> list[str]:
    """Problems found opening the files with lxml, openpyxl, python-calamine and LibreOffice."""
    problems: list[str] = []
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.endswith((".xml", ".rels", ".vml")):
                    try:
                        etree.fromstring(zf.read(name))
                    except etree.XMLSyntaxError as exc:
                        problems.append(f"{path.name}: {name}: {exc}")
        try:
            wb = load_workbook(path, keep_vba=path.suffix == ".xlsm")
            headers = [c.value for c in wb[contract.SHEET_IKU][1]][: len(IKU_KEYS)]
            if headers != [col.header for col in contract.IKU_COLUMNS]:
                problems.append(f"{path.name}: openpyxl reads other IKU headers: {headers}")
        except Exception as exc:  # any failure to open is the finding
            problems.append(f"{path.name}: openpyxl: {exc!r}")
        try:
            from python_calamine import CalamineWorkbook

            rows = (
                CalamineWorkbook.from_path(str(path))
                .get_sheet_by_name(contract.SHEET_IKU)
                .to_python()
            )
            if len(rows) < LAST_ROW:
                problems.append(f"{path.name}: calamine reads {len(rows)} IKU rows")
        except Exception as exc:
            problems.append(f"{path.name}: python-calamine: {exc!r}")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        problems.append("LibreOffice (soffice) not found: conversion not checked")
        return problems
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--calc",
                "--convert-to",
                "csv",
                "--outdir",
                str(out),
                *map(str, paths),
            ],
            check=False,
            capture_output=True,
            timeout=600,
        )
        for path in paths:
            csv = out / (path.stem + ".csv")
            if not csv.exists() or not csv.read_bytes().strip():
                problems.append(f"{path.name}: LibreOffice could not convert it")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="output folder")
    parser.add_argument("--no-validate", action="store_true", help="skip the validation")
    args = parser.parse_args(argv)
    paths = build_all(args.out)
    for path in paths:
        print(f"{path.name:32} {path.stat().st_size:8} bytes")
    if args.no_validate:
        return 0
    problems = validate(paths)
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{len(paths)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
