"""Tests of the template builder: committed files, reproducibility, layout, example values."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from iku_excel import contract as c
from iku_excel import template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_FILES = (
    ROOT / "workbook" / "IKU_template.xlsx",
    ROOT / "iku_excel" / "data" / "IKU_template.xlsx",
)
EXAMPLE_FILES = (
    ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx",
    ROOT / "iku_excel" / "data" / "IKU_Dinsos_Kota_Jambi_2023.xlsx",
)


def _load(path: Path) -> Workbook:
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def template_wb(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    return _load(template.build_template(tmp_path_factory.mktemp("t") / "t.xlsx"))


@pytest.fixture(scope="module")
def example_wb(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    return _load(template.build_example(tmp_path_factory.mktemp("e") / "e.xlsx"))


def _header(ws: Worksheet) -> list[object]:
    return [cell.value for cell in ws[1]]


def _rows_by_header(ws: Worksheet) -> list[dict[str, object]]:
    headers = [str(h) for h in _header(ws)]
    return [
        dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)
    ]


def _column_letter(headers: list[object], header: str) -> str:
    return openpyxl.utils.get_column_letter(1 + headers.index(header))


def _validations(ws: Worksheet) -> dict[str, str]:
    """Map each validated range to its list formula."""
    return {str(dv.sqref): str(dv.formula1) for dv in ws.data_validations.dataValidation}


def _list_formula(choices: tuple[str, ...]) -> str:
    return '"' + ",".join(choices) + '"'


# --- Committed files and reproducibility ----------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "committed"),
    [
        *[(template.build_template, path) for path in TEMPLATE_FILES],
        *[(template.build_example, path) for path in EXAMPLE_FILES],
    ],
    ids=["template", "template-packaged", "example", "example-packaged"],
)
def test_committed_file_equals_fresh_build(
    build: Callable[[Path], Path], committed: Path, tmp_path: Path
) -> None:
    fresh = build(tmp_path / committed.name)
    assert committed.read_bytes() == fresh.read_bytes(), (
        f"{committed} is stale: run `python -m iku_excel.template`"
    )


@pytest.mark.parametrize("build", [template.build_template, template.build_example])
def test_two_builds_are_identical(build: Callable[[Path], Path], tmp_path: Path) -> None:
    first = build(tmp_path / "a.xlsx").read_bytes()
    second = build(tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_package_has_fixed_dates_and_stable_order(tmp_path: Path) -> None:
    path = template.build_template(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        core = zf.read("docProps/core.xml").decode()
    names = [i.filename for i in infos]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert names[2:] == sorted(names[2:])
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert core.count("2024-01-01T00:00:00Z") == 2


# --- Layout ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("wb_name", ["template_wb", "example_wb"])
def test_sheet_names_and_order(wb_name: str, request: pytest.FixtureRequest) -> None:
    wb: Workbook = request.getfixturevalue(wb_name)
    assert wb.sheetnames == [c.SHEET_PETUNJUK, c.SHEET_PENGATURAN, c.SHEET_RPJMD, c.SHEET_IKU]


def test_iku_headers_widths_and_freeze(template_wb: Workbook) -> None:
    ws = template_wb[c.SHEET_IKU]
    assert _header(ws) == [col.header for col in c.IKU_COLUMNS]
    for index, col in enumerate(c.IKU_COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        assert ws.column_dimensions[letter].width == col.width, col.header
        assert ws.cell(row=1, column=index).font.bold
    indicator = _column_letter(_header(ws), "Indikator Kinerja")
    assert ws.freeze_panes == f"{chr(ord(indicator) + 1)}2"


def test_template_has_no_data_rows(template_wb: Workbook) -> None:
    for name in (c.SHEET_IKU, c.SHEET_RPJMD):
        ws = template_wb[name]
        assert list(ws.iter_rows(min_row=2, values_only=True)) == [], name


def test_rpjmd_headers_default_period(template_wb: Workbook) -> None:
    fixed = [col.header for col in c.RPJMD_COLUMNS]
    expected = [
        *fixed[: fixed.index("Kondisi Awal") + 1],
        *(c.RPJMD_YEAR_HEADER.format(year=y) for y in range(2025, 2030)),
        "Target Akhir",
    ]
    assert _header(template_wb[c.SHEET_RPJMD]) == expected
    assert expected[-6:-1] == [
        "Target 2025",
        "Target 2026",
        "Target 2027",
        "Target 2028",
        "Target 2029",
    ]


def test_rpjmd_year_columns_follow_period(tmp_path: Path) -> None:
    wb = _load(template.build_template(tmp_path / "t.xlsx", rpjmd_start=2019, rpjmd_end=2021))
    headers = _header(wb[c.SHEET_RPJMD])
    assert headers[-4:] == ["Target 2019", "Target 2020", "Target 2021", "Target Akhir"]
    assert all(c.RPJMD_YEAR_PATTERN.match(c.normalise_header(h)) for h in headers[-4:-1])


def test_rpjmd_period_must_not_be_reversed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rpjmd_end"):
        template.build_template(tmp_path / "t.xlsx", rpjmd_start=2029, rpjmd_end=2025)


def test_pengaturan_keys_defaults_and_scale(template_wb: Workbook) -> None:
    ws = template_wb[c.SHEET_PENGATURAN]
    assert [ws["A1"].value, ws["B1"].value, ws["C1"].value] == [*c.SETTINGS_HEADER, "Keterangan"]
    keys = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(c.SETTINGS))]
    assert keys == [s.key for s in c.SETTINGS]
    assert ws.cell(row=2 + len(c.SETTINGS), column=1).value is None
    values = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
        for r in range(2, 2 + len(c.SETTINGS))
    }
    assert values["Rumus Polaritas Negatif"] == "A"
    assert values["Skala Predikat"] == "Permendagri 86/2017"
    assert values["Agregasi Sasaran"] == "Rata-rata"
    assert values["Tahun Awal RPJMD"] == 2025
    assert values["Tahun Akhir RPJMD"] == 2029
    assert values["Tahun"] is None
    assert values["Nama Instansi"] is None
    assert values["Batas Atas Capaian (%)"] is None
    descriptions = [ws.cell(row=r, column=3).value for r in range(2, 2 + len(c.SETTINGS))]
    assert all(
        str(d).startswith(s.description) for d, s in zip(descriptions, c.SETTINGS, strict=True)
    )
    assert (ws["E1"].value, ws["F1"].value) == c.PREDICATE_SCALE_HEADER
    scale = [(ws.cell(row=r, column=5).value, ws.cell(row=r, column=6).value) for r in range(2, 8)]
    assert scale == [
        ("Sangat Tinggi", 91),
        ("Tinggi", 76),
        ("Sedang", 66),
        ("Rendah", 51),
        ("Sangat Rendah", None),
        (None, None),
    ]
    nip_row = 2 + [s.attr for s in c.SETTINGS].index("signer_nip")
    assert ws.cell(row=nip_row, column=1).value == "NIP"
    assert ws.cell(row=nip_row, column=2).number_format == "@"


def test_pengaturan_year_and_agency(tmp_path: Path) -> None:
    path = template.build_template(
        tmp_path / "t.xlsx",
        year=2026,
        agency="Dinas Sosial Kota X",
        rpjmd_start=2025,
        rpjmd_end=2029,
    )
    ws = _load(path)[c.SHEET_PENGATURAN]
    values = {row[0]: row[1] for row in ws.iter_rows(min_row=2, max_col=2, values_only=True)}
    assert values["Tahun"] == 2026
    assert values["Nama Instansi"] == "Dinas Sosial Kota X"


def test_dropdowns(template_wb: Workbook) -> None:
    iku = template_wb[c.SHEET_IKU]
    headers = _header(iku)
    polarity = _column_letter(headers, "Polaritas")
    aggregation = _column_letter(headers, "Agregasi Triwulan")
    assert (polarity, aggregation) == ("F", "G")
    assert _validations(iku) == {
        f"{polarity}2:{polarity}500": _list_formula(c.POLARITIES),
        f"{aggregation}2:{aggregation}500": _list_formula(c.QUARTERLY_AGGREGATIONS),
    }
    rpjmd = template_wb[c.SHEET_RPJMD]
    letter = _column_letter(_header(rpjmd), "Polaritas")
    assert _validations(rpjmd) == {f"{letter}2:{letter}500": _list_formula(c.POLARITIES)}
    settings = template_wb[c.SHEET_PENGATURAN]
    expected = {
        f"B{row}": _list_formula(s.choices)
        for row, s in enumerate(c.SETTINGS, start=2)
        if s.choices
    }
    assert len(expected) == 3
    assert _validations(settings) == expected


def test_capaian_column_is_marked_tool_filled(template_wb: Workbook) -> None:
    ws = template_wb[c.SHEET_IKU]
    headers = _header(ws)
    capaian = ws[f"{_column_letter(headers, 'Capaian (%)')}1"]
    target = ws[f"{_column_letter(headers, 'Target')}1"]
    assert capaian.comment is not None
    assert "iku-excel" in capaian.comment.text
    assert capaian.fill.fgColor.rgb != target.fill.fgColor.rgb
    assert target.comment is None


def test_petunjuk_lists_every_setting(template_wb: Workbook) -> None:
    ws = template_wb[c.SHEET_PETUNJUK]
    terms = [row[0] for row in ws.iter_rows(min_row=1, max_col=1, values_only=True)]
    for setting in c.SETTINGS:
        assert setting.key in terms
    for sheet in (c.SHEET_PENGATURAN, c.SHEET_RPJMD, c.SHEET_IKU):
        assert sheet in terms


# --- Example --------------------------------------------------------------------------------------


def test_example_settings(example_wb: Workbook) -> None:
    ws = example_wb[c.SHEET_PENGATURAN]
    values = {
        row[0]: row[1]
        for row in ws.iter_rows(min_row=2, max_col=2, values_only=True)
        if row[0] is not None
    }
    assert values == {
        "Nama Instansi": "Dinas Sosial Kota Jambi",
        "Pemerintah Daerah": "Pemerintah Kota Jambi",
        "Tahun": 2023,
        "Tahun Awal RPJMD": 2018,
        "Tahun Akhir RPJMD": 2023,
        "Rumus Polaritas Negatif": "A",
        "Batas Atas Capaian (%)": None,
        "Skala Predikat": "Permendagri 86/2017",
        "Agregasi Sasaran": "Rata-rata",
        "Kota": "Jambi",
        "Tanggal Laporan": "Januari 2024",
        "Jabatan Penandatangan": "KEPALA DINAS SOSIAL KOTA JAMBI",
        "Nama Penandatangan": "YUNITA INDRAWATI, AP, MP, CGCAE",
        "Pangkat/Golongan": "Pembina Utama Muda",
        "NIP": "196611201986031002",
    }
    assert isinstance(values["NIP"], str)


def test_example_rpjmd(example_wb: Workbook) -> None:
    ws = example_wb[c.SHEET_RPJMD]
    assert _header(ws)[-7:] == [*(f"Target {y}" for y in range(2018, 2024)), "Target Akhir"]
    rows = _rows_by_header(ws)
    assert len(rows) == 3
    assert [r["Kode"] for r in rows] == ["1.1", "2.1", "3.1"]
    assert [r["Kondisi Awal"] for r in rows] == [100, 146, None]
    assert [r["Target 2023"] for r in rows] == [100, 80, 80]
    assert [r["Target Akhir"] for r in rows] == [100, 80, 80]
    for row in rows:
        assert all(row[f"Target {y}"] is None for y in range(2018, 2023))
        assert row["Satuan"] == "%"
        assert row["Polaritas"] == "Positif"
    assert [r["Misi"] for r in rows] == [
        None,
        None,
        "Peningkatan Kualitas Kehidupan Masyarakat Perkotaan",
    ]
    assert rows[2]["Tujuan"] == "Terwujudnya Sumber Daya Manusia Yang Berdaya Saing"
    assert rows[2]["Sasaran"] == "Menurunkan angka PMKS"
    assert rows[1]["Indikator"] == "Persentase PMKS terlantar diluar panti yang tertangani"


def test_example_iku(example_wb: Workbook) -> None:
    rows = _rows_by_header(example_wb[c.SHEET_IKU])
    assert len(rows) == 3
    picked = [
        (
            r["Kode"],
            r["Satuan"],
            r["Polaritas"],
            r["Target"],
            r["Realisasi"],
            r["Capaian Tahun Lalu (%)"],
            r["Capaian Dilaporkan (%)"],
        )
        for r in rows
    ]
    assert picked == [
        ("1.1", "%", "Positif", 100, 100, 100, 100),
        ("2.1", "%", "Positif", 80, 100, 146, 100),
        ("3.1", "Orang", "Positif", 706, 706, None, 100),
    ]
    for row in rows:
        assert isinstance(row["Target"], int)
        assert isinstance(row["Realisasi"], int)
        assert row["Capaian (%)"] is None
        assert row["Sumber Data"] is None
    assert rows[0]["Sasaran Strategis"] == (
        "Terpenuhinya Kebutuhan Dasar Korban Bencana Alam dan Sosial"
    )
    assert rows[2]["Indikator Kinerja"] == "Persentase PMKS yang tertangani"
    assert "125%" in str(rows[1]["Keterangan"])
    assert rows[0]["Keterangan"] is None


def test_example_readable_by_calamine() -> None:
    calamine = pytest.importorskip("python_calamine")
    book = calamine.CalamineWorkbook.from_path(str(EXAMPLE_FILES[0]))
    assert book.sheet_names == list(c.INPUT_SHEETS)
    rows = book.get_sheet_by_name(c.SHEET_IKU).to_python()
    assert [str(h) for h in rows[0]] == [col.header for col in c.IKU_COLUMNS]
    assert len(rows) == 4


@pytest.mark.libreoffice
@pytest.mark.slow
def test_template_opens_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(TEMPLATE_FILES[0]),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "IKU_template.csv"
    assert out.is_file()  # the first sheet (Petunjuk) as CSV
    assert "Petunjuk" in out.read_text(encoding="utf-8", errors="replace")
