"""Workbooks we ship and write pass the Open XML SDK's validation (via openxml-audit)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from iku_excel.api import refresh_file

pytest.importorskip("openxml_audit")

from tests.helpers.ooxml_audit import problems

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "iku_excel" / "data"
CORPUS = REPO / "tests" / "corpus"


def refreshed(source: Path, folder: Path) -> Path:
    copy = folder / source.name
    shutil.copy(source, copy)
    assert refresh_file(copy).written
    return copy


def test_the_shipped_example_and_template(tmp_path: Path) -> None:
    for name in ("IKU_Dinsos_Kota_Jambi_2023.xlsx", "IKU_template.xlsx"):
        assert [str(p) for p in problems(DATA / name)] == [], name


def test_the_refreshed_example(tmp_path: Path) -> None:
    path = refreshed(DATA / "IKU_Dinsos_Kota_Jambi_2023.xlsx", tmp_path)
    assert [str(p) for p in problems(path)] == []


def test_a_new_workbook(tmp_path: Path) -> None:
    from iku_excel.cli import main

    path = tmp_path / "IKU_baru.xlsx"
    assert main(["new", str(path), "--year", "2024", "--agency", "Dinas Contoh"]) == 0
    assert [str(p) for p in problems(path)] == []


@pytest.mark.parametrize(
    "name",
    ["kitchen-sink.xlsm", "pivot-table.xlsx", "shared-strings.xlsx", "table.xlsx", "slicer.xlsx"],
)
def test_refreshed_corpus_files(tmp_path: Path, name: str) -> None:
    path = refreshed(CORPUS / name, tmp_path)
    assert [str(p) for p in problems(path)] == []


def test_the_audit_sees_damage(tmp_path: Path) -> None:
    """The helper is not a no-op: a worksheet with a foreign element is reported."""
    source = DATA / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
    broken = tmp_path / "rusak.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet4.xml":
                data = data.replace(b"<sheetData>", b"<bogus/><sheetData>", 1)
            dst.writestr(info, data)
    found = problems(broken)
    assert any(p.part == "/xl/worksheets/sheet4.xml" and "bogus" in p.description for p in found)
