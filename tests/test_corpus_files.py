"""The no-loss corpus (tests/corpus) and the package comparator (tests/helpers/package_compare.py).

Each corpus file must hold the feature it is named for and be a valid IKU workbook; the committed
files must be what the generator builds; the comparator must report what a writer loses.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import io
import posixpath
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.helpers.package_compare import compare_packages, members_changed

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS_DIR / "build_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_corpus"] = module
    spec.loader.exec_module(module)
    return module


build = _load_builder()
contract = build.contract
CORPUS: dict[str, tuple[str, ...]] = build.CORPUS

NS = {
    "m": build.NS_MAIN,
    "x14": build.NS_X14,
    "x15": build.NS_X15,
    "xm": build.NS_XM,
    "xdr": build.NS_XDR,
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "tc": build.NS_TC,
    "ui": build.NS_CUSTOMUI14,
    "ds": build.NS_DS,
    "rd": build.NS_RD,
    "rel": build.NS_PKG_REL,
}

#: feature -> (member glob, XPath that must match in one such member; "" = member must exist)
FEATURE_CHECKS: dict[str, list[tuple[str, str]]] = {
    "chart": [("xl/charts/chart*.xml", "//c:barChart/c:ser")],
    "picture": [
        ("xl/drawings/drawing*.xml", "//xdr:pic/xdr:blipFill"),
        ("xl/media/image*.png", ""),
    ],
    "shapes": [
        ("xl/drawings/drawing*.xml", "//xdr:sp/xdr:nvSpPr/xdr:cNvSpPr[@txBox='1']"),
        ("xl/drawings/drawing*.xml", "//xdr:sp//a:prstGeom[@prst='roundRect']"),
    ],
    "legacy-notes": [
        ("xl/comments/comment*.xml", "//m:authors/m:author[not(starts-with(., 'tc='))]"),
        ("xl/drawings/*.vml", ""),
    ],
    "threaded-comments": [
        ("xl/threadedComments/threadedComment*.xml", "//tc:threadedComment[@parentId]"),
        ("xl/persons/person.xml", "//tc:person[@displayName]"),
        ("xl/_rels/workbook.xml.rels", f"//rel:Relationship[@Type='{build.REL_PERSON}']"),
        ("xl/comments/comment*.xml", "//m:author[starts-with(., 'tc={')]"),
    ],
    "cross-sheet-validation": [
        (
            "xl/worksheets/sheet*.xml",
            f"//x14:dataValidation/x14:formula1/xm:f[starts-with(., '{build.SHEET_REFERENSI}!')]",
        ),
    ],
    "data-bar": [
        ("xl/worksheets/sheet*.xml", "//m:cfRule[@type='dataBar']//x14:id"),
        ("xl/worksheets/sheet*.xml", "//x14:cfRule[@type='dataBar']/x14:dataBar"),
    ],
    "sparklines": [
        ("xl/worksheets/sheet*.xml", "//x14:sparklineGroup/x14:sparklines/x14:sparkline")
    ],
    "defined-names": [
        ("xl/workbook.xml", "//m:definedName[@name='TargetIKU' and not(@localSheetId)]"),
        ("xl/workbook.xml", "//m:definedName[@name='RealisasiLokal' and @localSheetId]"),
        ("xl/workbook.xml", "//m:definedName[@name='_xlnm.Print_Area']"),
    ],
    "table": [
        ("xl/tables/table*.xml", "/m:table[@displayName='TabelSasaran']"),
        ("xl/tables/table*.xml", "/m:table[@displayName='TabelSingkatan']"),
    ],
    "pivot-table": [
        ("xl/pivotTables/pivotTable*.xml", "/m:pivotTableDefinition/m:dataFields/m:dataField"),
        ("xl/pivotCache/pivotCacheDefinition*.xml", "//m:worksheetSource[@sheet='IKU']"),
        ("xl/pivotCache/pivotCacheRecords*.xml", "/m:pivotCacheRecords/m:r"),
        ("xl/workbook.xml", "//m:pivotCaches/m:pivotCache"),
    ],
    "slicer": [
        ("xl/slicers/slicer*.xml", "/x14:slicers/x14:slicer[@cache='Slicer_Bidang']"),
        ("xl/slicerCaches/slicerCache*.xml", "//x15:tableSlicerCache"),
        ("xl/workbook.xml", "//x15:slicerCaches/x14:slicerCache"),
        ("xl/worksheets/sheet*.xml", "//x14:slicerList/x14:slicer"),
    ],
    "custom-xml": [
        ("customXml/item*.xml", ""),
        ("customXml/itemProps*.xml", "/ds:datastoreItem/ds:schemaRefs"),
    ],
    "vba-ribbon": [
        ("xl/vbaProject.bin", ""),
        ("customUI/customUI14.xml", "//ui:button[@onAction='IkuRefresh']"),
        ("_rels/.rels", f"//rel:Relationship[@Type='{build.REL_UI}']"),
        ("xl/_rels/workbook.xml.rels", f"//rel:Relationship[@Type='{build.REL_VBA}']"),
    ],
    "hidden-sheets": [
        ("xl/workbook.xml", "//m:sheet[@state='hidden']"),
        ("xl/workbook.xml", "//m:sheet[@state='veryHidden']"),
    ],
    "protected-sheet": [("xl/worksheets/sheet*.xml", "//m:sheetProtection[@sheet='1'][@password]")],
    "calc-chain": [
        ("xl/calcChain.xml", "/m:calcChain/m:c"),
        ("xl/worksheets/sheet*.xml", "//m:c[m:f][m:v]"),
    ],
    "shared-strings": [("xl/sharedStrings.xml", "//m:si/m:r/m:rPr/m:b")],
    "in-cell-picture": [
        ("xl/metadata.xml", "//m:futureMetadata[@name='XLRICHVALUE']"),
        ("xl/richData/rdrichvalue.xml", "/rd:rvData/rd:rv"),
        ("xl/richData/richValueRel.xml", ""),
        ("xl/worksheets/sheet*.xml", "//m:c[@vm='1'][@t='e']"),
    ],
}
NS["a"] = build.NS_A


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _has(members: dict[str, bytes], pattern: str, xpath: str) -> bool:
    for name in fnmatch.filter(members, pattern):
        if not xpath or etree.fromstring(members[name]).xpath(xpath, namespaces=NS):
            return True
    return False


def test_every_feature_is_checked_and_in_a_file_of_its_own() -> None:
    assert set(FEATURE_CHECKS) == set(build.FEATURES)
    alone = {features[-1] for features in CORPUS.values() if len(features) <= 2}
    assert alone == set(build.FEATURES)
    assert CORPUS["kitchen-sink.xlsm"] == tuple(build.FEATURES)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_file_holds_its_features(name: str) -> None:
    members = _members(CORPUS_DIR / name)
    missing = [
        f"{feature}: {pattern} {xpath}"
        for feature in CORPUS[name]
        for pattern, xpath in FEATURE_CHECKS[feature]
        if not _has(members, pattern, xpath)
    ]
    assert missing == []


def test_single_feature_files_hold_no_other_feature() -> None:
    # Each check's member pattern + XPath is specific to its feature; a file must not match the
    # checks of features it was not built with (except shared-strings, present in every file).
    for name, features in CORPUS.items():
        members = _members(CORPUS_DIR / name)
        for feature, checks in FEATURE_CHECKS.items():
            if feature in features or (feature == "table" and "slicer" in features):
                continue
            pattern, xpath = checks[0]
            assert not _has(members, pattern, xpath), (name, feature)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_package_is_consistent(name: str) -> None:
    """Every relationship target exists, every part has a content type, all XML parses."""
    members = _members(CORPUS_DIR / name)
    types = etree.fromstring(members["[Content_Types].xml"])
    defaults = {el.get("Extension", "") for el in types if el.get("Extension")}
    overrides = {el.get("PartName", "") for el in types if el.get("PartName")}
    problems = []
    for member, data in members.items():
        if member.endswith((".xml", ".rels", ".vml")):
            root = etree.fromstring(data)
        if member == "[Content_Types].xml" or member.endswith("/"):
            continue
        if "/" + member not in overrides and member.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"no content type: {member}")
        if not member.endswith(".rels"):
            continue
        source_dir = posixpath.dirname(posixpath.dirname(member))
        for rel in root:
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            path = (
                target[1:]
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(source_dir, target))
            )
            if path not in members:
                problems.append(f"{member}: {rel.get('Id')} -> missing {path}")
    for override in overrides:
        if override[1:] not in members:
            problems.append(f"content type for a missing part: {override}")
    assert problems == []


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_file_is_a_valid_iku_workbook(name: str) -> None:
    path = CORPUS_DIR / name
    wb = load_workbook(path, keep_vba=path.suffix == ".xlsm")
    for title in (contract.SHEET_PENGATURAN, contract.SHEET_RPJMD, contract.SHEET_IKU):
        assert title in wb.sheetnames

    iku = wb[contract.SHEET_IKU]
    headers = [c.value for c in iku[1]][: len(contract.IKU_COLUMNS)]
    assert headers == [col.header for col in contract.IKU_COLUMNS]
    rows = [[c.value for c in row] for row in iku.iter_rows(min_row=2, max_row=build.LAST_ROW)]
    col = {key: i for i, key in enumerate(build.IKU_KEYS)}
    assert [r[col["code"]] for r in rows] == [ind.code for ind in build.INDICATORS]
    assert len({r[col["sasaran"]] for r in rows}) == 2
    assert all(r[col["capaian"]] is None for r in rows)
    assert all(isinstance(r[col["target"]], int | float) for r in rows)
    assert all(isinstance(r[col["realisasi"]], int | float) for r in rows)

    rpjmd = wb[contract.SHEET_RPJMD]
    rpjmd_headers = [c.value for c in rpjmd[1]]
    years = [contract.RPJMD_YEAR_HEADER.format(year=y) for y in range(2025, 2030)]
    assert rpjmd_headers[-6:] == [*years, "Target Akhir"]
    for col_def in contract.RPJMD_COLUMNS:
        assert col_def.header in rpjmd_headers
    target_2026 = rpjmd_headers.index("Target 2026")
    rpjmd_targets = {
        r[0].value: r[target_2026].value for r in rpjmd.iter_rows(min_row=2, max_row=build.LAST_ROW)
    }
    assert {r[col["code"]]: r[col["target"]] for r in rows} == rpjmd_targets

    settings = wb[contract.SHEET_PENGATURAN]
    assert [c.value for c in settings[1]][:2] == list(contract.SETTINGS_HEADER)
    values = {r[0].value: r[1].value for r in settings.iter_rows(min_row=2)}
    assert [s.key for s in contract.SETTINGS] == list(values)
    assert (values["Tahun"], values["Tahun Awal RPJMD"], values["Tahun Akhir RPJMD"]) == (
        2026,
        2025,
        2029,
    )


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_python_calamine_reads_the_iku_sheet(name: str) -> None:
    book = CalamineWorkbook.from_path(str(CORPUS_DIR / name))
    rows = book.get_sheet_by_name(contract.SHEET_IKU).to_python()
    assert rows[0][: len(contract.IKU_COLUMNS)] == [col.header for col in contract.IKU_COLUMNS]
    assert [str(r[0]) for r in rows[1 : build.LAST_ROW]] == [i.code for i in build.INDICATORS]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_committed_file_is_what_the_generator_builds(name: str) -> None:
    assert build.build_file(CORPUS[name]) == (CORPUS_DIR / name).read_bytes(), (
        "stale corpus file: run python tests/corpus/build_corpus.py"
    )


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_every_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--calc",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            *(str(CORPUS_DIR / name) for name in sorted(CORPUS)),
        ],
        check=False,
        capture_output=True,
        timeout=600,
    )
    converted = {p.stem for p in out.glob("*.csv") if p.stat().st_size > 0}
    assert converted == {Path(name).stem for name in CORPUS}


def test_readme_lists_every_file() -> None:
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    for name in CORPUS:
        assert f"`{name}`" in readme


# --- The comparator ---------------------------------------------------------------------------

MAIN = build.NS_MAIN
SHEET = (
    f'<worksheet xmlns="{MAIN}" xmlns:mc="{build.NS_MC}" xmlns:x14ac="urn:x14ac" '
    'mc:Ignorable="x14ac"><dimension ref="A1:B2"/><sheetData>'
    '<row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>5</v></c></row>'
    '<row r="2" spans="1:2"><c r="A2" t="s"><v>1</v></c></row></sheetData>'
    '<mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells></worksheet>'
)
RELS = (
    f'<Relationships xmlns="{build.NS_PKG_REL}">'
    '<Relationship Id="rId1" Type="urn:worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{build.REL_CALC_CHAIN}" Target="calcChain.xml"/>'
    "</Relationships>"
)
TYPES = (
    f'<Types xmlns="{build.NS_CT}"><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/calcChain.xml" ContentType="urn:calcChain"/></Types>'
)
BASE = {
    "[Content_Types].xml": TYPES,
    "xl/_rels/workbook.xml.rels": RELS,
    "xl/worksheets/sheet1.xml": SHEET,
    "xl/calcChain.xml": f'<calcChain xmlns="{MAIN}"><c r="B1" i="1"/></calcChain>',
    "xl/media/image1.png": "not really a png",
}


def _zip(path: Path, members: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    path.write_bytes(buf.getvalue())
    return path


def _pair(tmp_path: Path, **changes: str | None) -> tuple[Path, Path]:
    after = dict(BASE)
    for key, value in changes.items():
        name = {
            "sheet": "xl/worksheets/sheet1.xml",
            "rels": "xl/_rels/workbook.xml.rels",
            "types": "[Content_Types].xml",
            "calc": "xl/calcChain.xml",
            "image": "xl/media/image1.png",
            "new": "xl/worksheets/sheet2.xml",
        }[key]
        if value is None:
            del after[name]
        else:
            after[name] = value
    return _zip(tmp_path / "before.xlsx", BASE), _zip(tmp_path / "after.xlsx", after)


def test_identical_packages_have_no_problems(tmp_path: Path) -> None:
    before, after = _pair(tmp_path)
    assert compare_packages(before, after) == []
    assert members_changed(before, after) == set()


def test_dropped_element_is_reported(tmp_path: Path) -> None:
    sheet = SHEET.replace('<mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>', "")
    before, after = _pair(tmp_path, sheet=sheet)
    problems = compare_packages(before, after)
    assert len(problems) == 2
    assert all(p.startswith("xl/worksheets/sheet1.xml: element missing") for p in problems)
    assert any('mergeCell ref="A2:B2"' in p for p in problems)


def test_changed_attribute_is_reported(tmp_path: Path) -> None:
    before, after = _pair(tmp_path, sheet=SHEET.replace('ref="A2:B2"', 'ref="A2:C2"'))
    problems = compare_packages(before, after)
    assert len(problems) == 1
    assert 'ref="A2:B2"' in problems[0]


def test_duplicates_count(tmp_path: Path) -> None:
    two = SHEET.replace("</sheetData>", '<row r="3"/><row r="3"/></sheetData>')
    one = SHEET.replace("</sheetData>", '<row r="3"/></sheetData>')
    before = _zip(tmp_path / "b.xlsx", {**BASE, "xl/worksheets/sheet1.xml": two})
    after = _zip(tmp_path / "a.xlsx", {**BASE, "xl/worksheets/sheet1.xml": one})
    problems = compare_packages(before, after)
    assert len(problems) == 1 and 'row r="3"' in problems[0]


def test_ignored_attributes_and_new_cells_are_allowed(tmp_path: Path) -> None:
    sheet = (
        SHEET.replace('<dimension ref="A1:B2"/>', '<dimension ref="A1:C2"/>')
        .replace('<row r="1" spans="1:2">', '<row r="1" spans="1:3">')
        .replace(
            '<c r="B1" s="1"><v>5</v></c>',
            '<c r="B1" s="7" t="str"><f>X</f><v>6</v></c><c r="C1" s="7"><v>1</v></c>',
        )
    )
    before, after = _pair(tmp_path, sheet=sheet)
    assert compare_packages(before, after) == []
    assert members_changed(before, after) == {"xl/worksheets/sheet1.xml"}


def test_byte_change_outside_touched_is_reported(tmp_path: Path) -> None:
    sheet = SHEET.replace("</sheetData>", '<row r="9"/></sheetData>')
    before, after = _pair(tmp_path, sheet=sheet, image="another picture")
    assert compare_packages(before, after) == []  # default: every changed member is checked
    problems = compare_packages(before, after, touched={"xl/worksheets/sheet1.xml"})
    assert problems == ["xl/media/image1.png: member changed but not allowed to change"]


def test_new_member_must_be_touched_when_touched_is_given(tmp_path: Path) -> None:
    before, after = _pair(tmp_path, new=SHEET)
    assert compare_packages(before, after) == []
    problems = compare_packages(before, after, touched=set())
    assert problems == ["xl/worksheets/sheet2.xml: new member but not allowed to change"]
    assert members_changed(before, after) == {"xl/worksheets/sheet2.xml"}


def test_missing_member_is_reported_but_calc_chain_may_go(tmp_path: Path) -> None:
    before, after = _pair(tmp_path, image=None)
    assert compare_packages(before, after) == ["xl/media/image1.png: member missing"]

    rels = RELS.replace(
        f'<Relationship Id="rId2" Type="{build.REL_CALC_CHAIN}" Target="calcChain.xml"/>', ""
    )
    types = TYPES.replace(
        '<Override PartName="/xl/calcChain.xml" ContentType="urn:calcChain"/>', ""
    )
    before, after = _pair(tmp_path, calc=None, rels=rels, types=types)
    assert compare_packages(before, after) == []

    # ... but its relationship alone may not go while the part stays
    before, after = _pair(tmp_path, rels=rels)
    assert len(compare_packages(before, after)) == 1


def test_renamed_prefix_and_lost_ignorable_are_reported(tmp_path: Path) -> None:
    renamed = SHEET.replace("xmlns:x14ac=", "xmlns:ns0=").replace(
        'mc:Ignorable="x14ac"', 'mc:Ignorable="ns0"'
    )
    before, after = _pair(tmp_path, sheet=renamed)
    problems = compare_packages(before, after)
    assert any("root namespace declarations" in p for p in problems)
    assert any("root attributes changed" in p for p in problems)

    no_ignorable = SHEET.replace(' mc:Ignorable="x14ac"', "")
    before, after = _pair(tmp_path, sheet=no_ignorable)
    assert [p for p in compare_packages(before, after) if "root attributes changed" in p]


def test_openpyxl_round_trip_of_the_kitchen_sink_is_caught(tmp_path: Path) -> None:
    """The comparator reports what a real lossy writer drops."""
    before = CORPUS_DIR / "kitchen-sink.xlsm"
    after = tmp_path / "kitchen-sink.xlsm"
    with pytest.warns(UserWarning):
        load_workbook(before, keep_vba=True).save(after)
    text = "\n".join(compare_packages(before, after))
    for lost in (
        "xl/threadedComments/threadedComment1.xml: member missing",
        "xl/slicers/slicer1.xml: member missing",
        "xl/persons/person.xml: member missing",
        "customXml/item1.xml: member missing",
        f'Target="customUI/customUI14.xml" Type="{build.REL_UI}"',  # the ribbon's relationship
        "xl/worksheets/sheet3.xml: element missing: <worksheet/extLst>",
    ):
        assert lost in text
