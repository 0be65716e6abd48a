"""Tests of the LibreOffice oracle (tests/helpers/libreoffice.py) and of scripts/render_sheet.py.

The oracle must recompute formulas, not echo cached values: the workbooks here carry deliberately
wrong cached values (999) in every formula cell.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.utils import get_column_letter

from iku_excel.contract import SHEET_CAPAIAN, SHEET_IKU
from tests.helpers import libreoffice
from tests.helpers.libreoffice import LibreOfficeError, formulas, recalculated_values

pytestmark = pytest.mark.libreoffice

needs_soffice = pytest.mark.skipif(
    libreoffice.soffice_path() is None, reason="LibreOffice (soffice) is not installed"
)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_sheet.py"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WRONG = "999"


def _uno_available() -> bool:
    if importlib.util.find_spec("uno") is not None:
        return True
    python = os.environ.get("IKU_UNO_PYTHON", "/usr/bin/python3")
    if not os.path.isfile(python):
        return False
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
    return probe.returncode == 0


needs_renderer = pytest.mark.skipif(
    libreoffice.soffice_path() is None
    or shutil.which("pdftoppm") is None
    or shutil.which("pdftotext") is None
    or not _uno_available(),
    reason="needs soffice, poppler-utils (pdftoppm, pdftotext) and a Python with uno",
)


# --- workbook builders ---------------------------------------------------------------------------


def _poison_cached_values(path: Path) -> None:
    """Give every formula cell of every sheet the cached value 999 (rewrites ``path``)."""
    patched = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                root = etree.fromstring(data)
                for cell in root.iter(f"{{{MAIN_NS}}}c"):
                    if cell.find(f"{{{MAIN_NS}}}f") is None:
                        continue
                    cell.attrib.pop("t", None)  # a plain number
                    value = cell.find(f"{{{MAIN_NS}}}v")
                    if value is None:
                        value = etree.SubElement(cell, f"{{{MAIN_NS}}}v")
                    value.text = WRONG
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    patched.replace(path)


#: Capaian cell -> (formula, value LibreOffice must compute).
EXPECTED: dict[str, tuple[str, object]] = {
    "A2": (f"={SHEET_IKU}!I2*100/{SHEET_IKU}!H2", 75),
    # Blanks B3 and B5 are ignored: (10 + 20 + 60) / 3, not / 5.
    "B2": (f"=AVERAGE({SHEET_IKU}!B2:B6)", 30),
    "C2": (f'=IF(ISNUMBER({SHEET_IKU}!B2),ROUND({SHEET_IKU}!B2/3,2),"kosong")', 3.33),
    "D2": (f'=IF(ISNUMBER({SHEET_IKU}!B3),ROUND({SHEET_IKU}!B2/3,2),"kosong")', "kosong"),
    "E2": (f'=IFERROR({SHEET_IKU}!B2/{SHEET_IKU}!B3,"-")', "-"),
    "F2": (f'=IFERROR({SHEET_IKU}!B2/4,"-")', 2.5),
    "G2": (f'={SHEET_IKU}!A2&" - "&"Baik"', "K-01 - Baik"),
    "H2": (f'=IF({SHEET_IKU}!B3="","",1)', ""),
    "I2": (f"={SHEET_IKU}!B2/0", "#DIV/0!"),
    "J2": (f"={SHEET_IKU}!B2>5", True),
}


def _build_poisoned_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    iku = wb.active
    assert iku is not None
    iku.title = SHEET_IKU
    iku["A2"] = "K-01"
    for row, value in ((2, 10), (4, 20), (6, 60)):  # B3 and B5 stay blank
        iku.cell(row=row, column=2, value=value)
    iku["H2"] = 80
    iku["I2"] = 60
    capaian = wb.create_sheet(SHEET_CAPAIAN)
    capaian["A1"] = "Judul"
    for coordinate, (formula, _) in EXPECTED.items():
        capaian[coordinate] = formula
    wb.save(path)
    _poison_cached_values(path)
    return path


# --- oracle --------------------------------------------------------------------------------------


@needs_soffice
def test_oracle_recomputes_instead_of_reading_cached_values(tmp_path: Path) -> None:
    book = _build_poisoned_workbook(tmp_path / "poisoned.xlsx")
    cached = openpyxl.load_workbook(book, data_only=True)[SHEET_CAPAIAN]
    assert {coordinate: cached[coordinate].value for coordinate in EXPECTED} == dict.fromkeys(
        EXPECTED, 999
    )

    values = recalculated_values(book)

    capaian = values[SHEET_CAPAIAN]
    expected = {coordinate: value for coordinate, (_, value) in EXPECTED.items()}
    assert {coordinate: capaian.get(coordinate) for coordinate in EXPECTED} == pytest.approx(
        expected
    )
    assert capaian["A1"] == "Judul"
    # A formula returning "" is reported as "", a blank cell not at all.
    assert capaian["H2"] == ""
    assert "B3" not in values[SHEET_IKU]
    assert values[SHEET_IKU] == {"A2": "K-01", "B2": 10, "B4": 20, "B6": 60, "H2": 80, "I2": 60}


@needs_soffice
def test_oracle_reads_only_the_requested_sheets(tmp_path: Path) -> None:
    book = _build_poisoned_workbook(tmp_path / "poisoned.xlsx")

    values = recalculated_values(book, sheets=[SHEET_CAPAIAN])

    assert list(values) == [SHEET_CAPAIAN]
    assert values[SHEET_CAPAIAN]["A2"] == 75
    with pytest.raises(KeyError):
        recalculated_values(book, sheets=["TidakAda"])


@needs_soffice
def test_oracle_leaves_the_input_untouched(tmp_path: Path) -> None:
    book = _build_poisoned_workbook(tmp_path / "poisoned.xlsx")
    before = book.read_bytes()

    recalculated_values(book)

    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poisoned.xlsx"]


@needs_soffice
def test_oracle_raises_when_soffice_cannot_load_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")

    with pytest.raises(LibreOfficeError):
        recalculated_values(junk)


@needs_soffice
def test_oracle_times_out(tmp_path: Path) -> None:
    book = _build_poisoned_workbook(tmp_path / "poisoned.xlsx")

    with pytest.raises(LibreOfficeError):
        recalculated_values(book, timeout=0.01)


def test_oracle_raises_when_soffice_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: None)

    assert libreoffice.soffice_path() is None
    with pytest.raises(LibreOfficeError):
        recalculated_values(tmp_path / "any.xlsx")


def test_formulas_returns_formula_text(tmp_path: Path) -> None:
    book = _build_poisoned_workbook(tmp_path / "poisoned.xlsx")

    assert formulas(book, SHEET_CAPAIAN) == {
        coordinate: formula for coordinate, (formula, _) in EXPECTED.items()
    }
    assert formulas(book, SHEET_IKU) == {}


# --- renderer ------------------------------------------------------------------------------------


def _pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        ["pdftotext", *pages, "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _render(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _build_report_workbook(path: Path, rows: int) -> Path:
    """IKU sheet (marker text) and a Capaian sheet set up to print: A4 landscape, fit to width,
    row 1 repeated; its 12 wide columns need about two A4 widths unless scaled to fit."""
    wb = openpyxl.Workbook()
    iku = wb.active
    assert iku is not None
    iku.title = SHEET_IKU
    iku.append(["Kode", "PenandaSheetIKU"])
    for i in range(1, rows + 1):
        iku.append([f"K{i:03d}", 40 + i])
    capaian = wb.create_sheet(SHEET_CAPAIAN)
    headers = ["Kode", "PenandaCapaian", *(f"Kolom{n}" for n in range(3, 12)), "KolomTerakhir"]
    capaian.append(headers)
    for i in range(2, rows + 2):
        capaian.append([f"={SHEET_IKU}!A{i}", f"={SHEET_IKU}!B{i}*2", *range(3, 13)])
    for column in range(1, len(headers) + 1):
        capaian.column_dimensions[get_column_letter(column)].width = 24
    capaian.page_setup.orientation = "landscape"
    capaian.page_setup.paperSize = capaian.PAPERSIZE_A4
    capaian.sheet_properties.pageSetUpPr.fitToPage = True
    capaian.page_setup.fitToWidth = 1
    capaian.page_setup.fitToHeight = 0
    capaian.print_title_rows = "1:1"
    wb.save(path)
    return path


@needs_renderer
def test_render_writes_only_the_chosen_sheet(tmp_path: Path) -> None:
    book = _build_report_workbook(tmp_path / "laporan.xlsx", rows=5)
    out = tmp_path / "png" / "capaian.png"
    pdf = tmp_path / "capaian.pdf"

    result = _render(book, SHEET_CAPAIAN, out, "--dpi", "60", "--pdf", pdf)

    assert result.returncode == 0, result.stderr
    width, height = _png_size(out)
    assert width > height  # A4 landscape
    text = _pdf_text(pdf)
    assert "PenandaCapaian" in text
    assert "KolomTerakhir" in text
    assert "K005" in text  # cross-sheet formula computed
    assert "90" in text.split()  # =IKU!B6*2 with B6 = 45
    assert "PenandaSheetIKU" not in text
    assert not list(out.parent.glob("capaian-*.png"))  # one page, no numbered copies


@needs_renderer
def test_render_honours_print_setup_over_several_pages(tmp_path: Path) -> None:
    book = _build_report_workbook(tmp_path / "laporan.xlsx", rows=120)
    out = tmp_path / "capaian.png"
    pdf = tmp_path / "capaian.pdf"

    result = _render(book, SHEET_CAPAIAN, out, "--dpi", "40", "--pdf", pdf)

    assert result.returncode == 0, result.stderr
    pages = sorted(tmp_path.glob("capaian-*.png"))
    assert len(pages) >= 2
    assert [p.name for p in pages] == [f"capaian-{n}.png" for n in range(1, len(pages) + 1)]
    assert out.read_bytes() == pages[0].read_bytes()
    for number in range(1, len(pages) + 1):
        page_text = _pdf_text(pdf, number)
        assert "PenandaCapaian" in page_text  # header row repeated on every page
        assert "KolomTerakhir" in page_text  # fitted to the page width
    assert "K120" in _pdf_text(pdf, len(pages))


@needs_renderer
def test_render_fails_for_an_unknown_sheet(tmp_path: Path) -> None:
    book = _build_report_workbook(tmp_path / "laporan.xlsx", rows=2)
    out = tmp_path / "x.png"

    result = _render(book, "TidakAda", out)

    assert result.returncode == 1
    assert not out.exists()
