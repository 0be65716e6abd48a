"""An adopted workbook on disk: nothing of the planner's table lost, adopt idempotent, the
Pemetaan sheet the source of truth (a hand edit is used), refresh's column right of the table."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from iku_excel.adopt.mapping import SHEET_PEMETAAN
from iku_excel.api import adopt_file, check_file, refresh_file
from iku_excel.errors import ContractError
from tests.adopt.build_corpus import CASES, write_case
from tests.helpers.package_compare import compare_packages, members_changed


def _case(prefix: str) -> dict[str, Any]:
    return next(c for c in CASES if c["file"].startswith(prefix))


def _cells(path: Path, sheet: str) -> dict[tuple[int, int], object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {
        (c.row, c.column): c.value for line in ws.iter_rows() for c in line if c.value is not None
    }


def _sheet_member(path: Path, title: str) -> str:
    book = openpyxl.load_workbook(path)
    index = book.sheetnames.index(title)
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[index]


@pytest.mark.parametrize("prefix", ["manggarai", "pppomn", "pemberdayaan", "sampang"])
def test_adopt_and_refresh_lose_nothing_and_adopt_is_idempotent(
    prefix: str, tmp_path: Path
) -> None:
    case = _case(prefix)
    original = write_case(case, tmp_path)
    before = tmp_path / "before.xlsx"
    shutil.copy(original, before)
    member = _sheet_member(before, case["sheet"])

    first = adopt_file(original)
    assert first.written and first.result.mapping is not None
    assert compare_packages(before, original) == []
    assert member not in members_changed(before, original)  # the table: byte-identical
    adopted = tmp_path / "adopted.xlsx"
    shutil.copy(original, adopted)
    adopt_file(original)
    assert original.read_bytes() == adopted.read_bytes()  # adopt twice -> same bytes

    result = refresh_file(original)
    assert {"Capaian", "Validasi"} <= set(result.sheets_created)
    assert compare_packages(before, original) == []
    old, new = _cells(before, case["sheet"]), _cells(original, case["sheet"])
    col = first.result_col
    assert col is not None
    assert {k: v for k, v in new.items() if k[1] != col} == old  # only the added column
    assert not [k for k in old if k[1] == col]
    mapping = first.result.mapping
    added_rows = {k[0] for k in new if k[1] == col}
    assert added_rows <= {mapping.header_rows[0], *(i.row for i in mapping.indicators)}
    assert new[(mapping.header_rows[0], col)] == "Capaian (%)"

    refreshed = original.read_bytes()
    again = adopt_file(original)  # after a refresh: the same mapping, the same column
    assert again.result_col == col and original.read_bytes() == refreshed
    assert [r.capaian for r in check_file(original).indicators] == [
        i.capaian for i in mapping.indicators
    ]


def test_refresh_writes_live_formulas_on_planner_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Pengukuran"
    ws.append(["Tabel 3.1 Pengukuran Kinerja Tahun 2023"])
    ws.append(["No", "Sasaran", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian"])
    ws.append([1, "Meningkatnya layanan", "Persentase PMKS tertangani", "%", 80, 72, 90])
    ws.append([2, None, "Angka kemiskinan", "%", 10, 9, 110])
    path = tmp_path / "angka.xlsx"
    book.save(path)
    adopted = adopt_file(path)
    assert adopted.result_col == 8  # right of the planner's own Capaian column (G)
    refresh_file(path)
    ws = openpyxl.load_workbook(path)["Pengukuran"]
    assert ws.cell(2, 8).value == "Capaian (%)"
    assert ws.cell(3, 7).value == 90 and ws.cell(4, 7).value == 110  # theirs, untouched
    for row in (3, 4):
        formula = ws.cell(row, 8).value
        assert isinstance(formula, str) and formula.startswith("=")
        assert f"E{row}" in formula.replace("$", "") and f"F{row}" in formula.replace("$", "")
    ev = check_file(path)
    assert [r.capaian for r in ev.indicators] == [pytest.approx(90.0), pytest.approx(110.0)]
    assert ev.indicators[1].indicator.polarity == "Negatif"  # inferred from "Angka kemiskinan"
    assert not [f for f in ev.findings if f.severity == "error"]


def _edit_pemetaan(path: Path, key: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[SHEET_PEMETAAN]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == key:
            row[1].value = value
            break
    else:
        ws.append([key, value])
    book.save(path)


def test_hand_edit_of_pemetaan_is_used(tmp_path: Path) -> None:
    path = write_case(_case("manggarai"), tmp_path)
    adopt_file(path)
    assert check_file(path).indicators[0].capaian == pytest.approx(81.25)
    _edit_pemetaan(path, "Polaritas Baris 6", "Positif")
    ev = check_file(path)
    assert ev.indicators[0].indicator.polarity == "Positif"
    assert ev.indicators[0].capaian == pytest.approx(0.19 / 0.16 * 100)
    _edit_pemetaan(path, "Kolom H", "tidak-ada")
    with pytest.raises(ContractError, match="Kolom H"):
        check_file(path)


def test_pemetaan_naming_a_missing_sheet_is_one_clear_error(tmp_path: Path) -> None:
    path = write_case(_case("lampung"), tmp_path)
    adopt_file(path)
    _edit_pemetaan(path, "Sheet", "Hilang")
    with pytest.raises(ContractError, match="Hilang"):
        check_file(path)


def test_adopt_refuses_a_template_workbook(tmp_path: Path) -> None:
    example = (
        Path(__file__).resolve().parents[1] / "workbook/contoh/IKU_Dinsos_Kota_Jambi_2023.xlsx"
    )
    copy = tmp_path / "c.xlsx"
    shutil.copy(example, copy)
    with pytest.raises(ContractError, match="IKU"):
        adopt_file(copy)


def test_undecided_quarters_are_left_to_the_planner_in_pemetaan(tmp_path: Path) -> None:
    path = write_case(_case("pppomn"), tmp_path)
    adopt_file(path)
    ws = openpyxl.load_workbook(path)[SHEET_PEMETAAN]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_col=1, max_col=2)}
    assert "Agregasi Baris 6" in rows and rows["Agregasi Baris 6"] in (None, "")
    assert check_file(path).indicators[2].capaian is None
    _edit_pemetaan(path, "Agregasi Baris 6", "Jumlah")  # TW realisasi 0 + 0: capaian 0
    assert check_file(path).indicators[2].realisasi == 0.0
