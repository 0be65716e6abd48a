"""The Capaian sheet's chart in the file engine's package: valid, readable, replaced cleanly."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from iku_excel.api import check_file, refresh_file
from iku_excel.backends.xlsx.sheet_writer import make_plan
from iku_excel.backends.xlsx.splice import apply_plan
from iku_excel.sheets import build_outputs
from iku_excel.sheets.capaian_tw import SHEET_CAPAIAN_TW

REPO = Path(__file__).resolve().parents[1]
PK = REPO / "tests" / "fixtures" / "pk-tw-targets-tw2.xlsx"


def _refreshed(tmp_path: Path, source: Path = PK) -> Path:
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    assert refresh_file(path).written
    return path


def _members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_chart_and_capaian_tw_pass_the_audit_and_read_back(tmp_path: Path) -> None:
    pytest.importorskip("openxml_audit")
    from tests.helpers.ooxml_audit import problems

    path = _refreshed(tmp_path)
    assert problems(path) == []
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-3:] == ["Capaian", "Validasi", SHEET_CAPAIAN_TW]
    (chart,) = book["Capaian"]._charts
    assert [type(c).__name__ for c in (chart, *chart._charts[1:])] == ["BarChart", "LineChart"]
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET_CAPAIAN_TW).to_python()


def test_refreshing_again_reuses_the_chart_parts(tmp_path: Path) -> None:
    path = _refreshed(tmp_path)
    first = path.read_bytes()
    assert refresh_file(path).written
    assert path.read_bytes() == first
    charts = [m for m in _members(path) if m.startswith(("xl/charts/", "xl/drawings/drawing"))]
    assert charts == ["xl/drawings/drawing1.xml", "xl/charts/chart1.xml"]


def test_a_capaian_sheet_without_chart_drops_the_old_chart_parts(tmp_path: Path) -> None:
    path = _refreshed(tmp_path)
    outputs = build_outputs(check_file(path))
    outputs.capaian.charts = ()
    out = tmp_path / "nochart.xlsx"
    apply_plan(path, make_plan(outputs), out)
    members = _members(out)
    assert not [m for m in members if "chart" in m or "drawings/drawing" in m]
    with zipfile.ZipFile(out) as zf:
        types = zf.read("[Content_Types].xml").decode()
    assert "chart" not in types and "drawing+xml" not in types
