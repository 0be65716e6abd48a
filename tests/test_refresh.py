"""``refresh_file`` on single workbooks: what it writes, what it keeps, what it refuses.

The workbooks are built here from :func:`iku_excel.template.build_template` plus openpyxl edits
into the IKU, RPJMD and Pengaturan sheets (:func:`build_workbook`); the builders and the case
definitions are shared with ``test_refresh_oracle.py`` and ``test_cli_refresh.py``.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import stat
import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.worksheet.worksheet import Worksheet

from iku_excel import contract as c
from iku_excel.a1 import quote_sheet
from iku_excel.api import RefreshResult, refresh_file
from iku_excel.backends.safe_io import temp_path_for
from iku_excel.backends.xlsx.plan import CellWrite, PackagePlan
from iku_excel.backends.xlsx.splice import apply_plan
from iku_excel.errors import (
    CannotProceed,
    EncryptedWorkbook,
    NotAnXlsx,
    ReadOnlyFile,
    UnsafeWorkbookError,
    WorkbookLocked,
)
from iku_excel.model import SEVERITY_ORDER, Evaluation
from iku_excel.sheets.capaian import COL_CODE, COL_NOTE
from iku_excel.sheets.validasi import SEVERITY_LABEL
from iku_excel.template import (
    DEFAULT_CUSTOM_SCALE,
    EXAMPLE_FILENAME,
    SCALE_BOUND_COLUMN,
    SCALE_LABEL_COLUMN,
    build_template,
    iku_layout,
    rpjmd_layout,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "workbook" / "contoh" / EXAMPLE_FILENAME
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"m": MAIN_NS}

# --- Building workbooks ---------------------------------------------------------------------------

YEAR = 2026
RPJMD_START, RPJMD_END = 2025, 2029
AGENCY = "Dinas Sosial Kota Contoh"
#: Pengaturan values every generated workbook gets (by contract attr); cases add their settings.
BASE_SETTINGS: dict[str, object] = {
    "government": "Pemerintah Kota Contoh",
    "city": "Jambi",
    "report_date": "Januari 2027",
    "signer_title": "KEPALA DINAS SOSIAL KOTA CONTOH",
    "signer_name": "NAMA PENANDATANGAN, S.Sos",
    "signer_rank": "Pembina Utama Muda",
    "signer_nip": "196611201986031002",
}
IKU_COL = {col.key: i for i, col in enumerate(iku_layout(), start=1)}
RPJMD_COL = {col.key: i for i, col in enumerate(rpjmd_layout(RPJMD_START, RPJMD_END), start=1)}
SETTING_ROW = {s.attr: row for row, s in enumerate(c.SETTINGS, start=2)}

Row = dict[str, object]


@dataclass(frozen=True)
class Fmt:
    """A cell value with a number format, e.g. ``Fmt(0.8, "0%")``."""

    value: object
    number_format: str


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Fmt):
        cell.value = value.value
        cell.number_format = value.number_format
    else:
        cell.value = value
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"


def rpjmd_for(iku_rows: Sequence[Mapping[str, object]]) -> list[Row]:
    """One RPJMD row per IKU row: same code, names, unit and polarity; the IKU target every
    year of the period (``rpjmd_baseline`` / ``rpjmd_final`` in the IKU row set the baseline and
    the final target)."""
    rows: list[Row] = []
    for r in iku_rows:
        target = r.get("target")
        row: Row = {
            key: r[key] for key in ("code", "sasaran", "indicator", "unit", "polarity") if key in r
        }
        row.update({f"target_{y}": target for y in range(RPJMD_START, RPJMD_END + 1)})
        row["baseline"] = r.get("rpjmd_baseline")
        row["final_target"] = r.get("rpjmd_final", target)
        rows.append(row)
    return rows


def build_workbook(
    path: Path,
    iku_rows: Sequence[Mapping[str, object]],
    *,
    rpjmd_rows: Sequence[Mapping[str, object]] | None = None,
    settings: Mapping[str, object] | None = None,
    custom_scale: Sequence[tuple[str, float | None]] | None = None,
    protect_iku: bool = False,
) -> Path:
    """A workbook for year :data:`YEAR` from the template, with these rows and settings.

    IKU row keys are contract column keys (``rpjmd_*`` keys only feed :func:`rpjmd_for`);
    ``settings`` are keyed by contract setting attr; ``custom_scale`` replaces the Kustom table.
    """
    path = Path(path)
    build_template(path, year=YEAR, agency=AGENCY, rpjmd_start=RPJMD_START, rpjmd_end=RPJMD_END)
    wb = openpyxl.load_workbook(path)
    ws = wb[c.SHEET_PENGATURAN]
    for attr, value in {**BASE_SETTINGS, **(settings or {})}.items():
        _put(ws, SETTING_ROW[attr], 2, value)
    if custom_scale is not None:
        for i in range(len(DEFAULT_CUSTOM_SCALE)):
            ws.cell(row=2 + i, column=SCALE_LABEL_COLUMN).value = None
            ws.cell(row=2 + i, column=SCALE_BOUND_COLUMN).value = None
        for i, (label, bound) in enumerate(custom_scale):
            _put(ws, 2 + i, SCALE_LABEL_COLUMN, label)
            _put(ws, 2 + i, SCALE_BOUND_COLUMN, bound)
    if rpjmd_rows is None:
        rpjmd_rows = rpjmd_for(iku_rows)
    for sheet, rows, cols in (
        (c.SHEET_IKU, iku_rows, IKU_COL),
        (c.SHEET_RPJMD, rpjmd_rows, RPJMD_COL),
    ):
        ws = wb[sheet]
        for r, row in enumerate(rows, start=2):
            for key, value in row.items():
                if value is not None and not key.startswith("rpjmd_"):
                    _put(ws, r, cols[key], value)
    if protect_iku:
        wb[c.SHEET_IKU].protection.sheet = True
    wb.save(path)
    wb.close()
    return path


S1 = "Meningkatnya pelayanan sosial dasar"
S2 = "Menurunnya angka PMKS"
S3 = "Meningkatnya kualitas data kesejahteraan sosial"

#: No finding at all; three indicators in two sasaran (the first has two: a merged cell).
CLEAN_ROWS: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Persentase korban bencana yang tertangani",
     "unit": "%", "polarity": "Positif", "target": 100, "realisasi": 90, "rpjmd_baseline": 70},
    {"code": "1.2", "sasaran": S1, "indicator": "Jumlah penerima bantuan sosial",
     "unit": "Orang", "polarity": "Positif", "quarterly_aggregation": "Jumlah", "target": 120,
     "tw1": 10, "tw2": 20, "tw3": 30, "tw4": 40, "note": "Data dari aplikasi SIKS-NG"},
    {"code": "2.1", "sasaran": S2, "indicator": "Jumlah kasus keterlantaran anak",
     "unit": "Kasus", "polarity": "Negatif", "target": 10, "realisasi": 12},
]  # fmt: skip

#: Formula A, no cap, Rata-rata, Permendagri: every kind of input of one indicator.
RICH_A: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Persentase A (bersih)", "unit": "%",
     "polarity": "Positif", "target": 100, "realisasi": 90, "capaian_last_year": 88.5,
     "rpjmd_baseline": 70},
    {"code": "1.2", "sasaran": S1, "indicator": "Jumlah B (triwulan, Jumlah)", "unit": "Orang",
     "polarity": "Positif", "quarterly_aggregation": "Jumlah", "target": 120, "tw1": 10,
     "tw2": 20, "tw3": 30, "tw4": 40, "rpjmd_final": 200},
    {"code": "1.3", "sasaran": S1, "indicator": "Persentase C (triwulan, Nilai Akhir)",
     "unit": "%", "polarity": "Positif", "quarterly_aggregation": "Nilai Akhir", "target": 80,
     "tw1": 50, "tw2": 60, "tw3": 70, "tw4": 75},
    {"code": "1.4", "sasaran": S1, "indicator": "Indeks D (triwulan, Rata-rata)",
     "unit": "Indeks", "polarity": "Positif", "quarterly_aggregation": "Rata-rata",
     "target": 100, "tw1": 80, "tw2": 90, "tw3": 100, "tw4": 110},
    {"code": "2.1", "sasaran": S2, "indicator": "Angka E (negatif, rumus A)", "unit": "Kasus",
     "polarity": "Negatif", "target": 10, "realisasi": 12},
    {"code": "2.2", "sasaran": S2, "indicator": "Lama F (negatif, target rentang)",
     "unit": "Bulan", "polarity": "Negatif", "target": "7–8", "realisasi": 9},
    {"code": "2.3", "sasaran": S2, "indicator": "Persentase G (target rentang)", "unit": "%",
     "polarity": "Positif", "target": "80–90", "realisasi": 70},
    {"code": "3.1", "sasaran": S3, "indicator": "Persentase H (angka sebagai teks)",
     "unit": "%", "polarity": "Positif", "target": "80 %", "realisasi": "72 %"},
    {"code": "3.3", "sasaran": S3, "indicator": "Jumlah J (realisasi kosong)",
     "unit": "Dokumen", "polarity": "Positif", "target": 50},
    {"code": "3.4", "sasaran": S3, "indicator": "Jumlah K (target nol)", "unit": "Kasus",
     "polarity": "Positif", "target": 0, "realisasi": 5},
]  # fmt: skip

#: Percentages typed as fractions in cells formatted as percent (0.8 shown as "80%").
PERCENT_FORMAT: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Persentase A (format 0%)", "unit": "%",
     "polarity": "Positif", "target": Fmt(0.8, "0%"), "realisasi": Fmt(0.6, "0%")},
    {"code": "1.2", "sasaran": S1, "indicator": "Persentase B (format 0.0%)", "unit": "%",
     "polarity": "Positif", "target": Fmt(0.9, "0.0%"), "realisasi": Fmt(0.945, "0.0%")},
]  # fmt: skip

#: Formula B, cap 100, Rata-rata Tertimbang with weights, PermenPANRB 8/2021.
RICH_B: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Persentase A (di atas target)", "unit": "%",
     "polarity": "Positif", "weight": 2, "target": 100, "realisasi": 130},
    {"code": "1.2", "sasaran": S1, "indicator": "Angka B (negatif, rumus B)", "unit": "Kasus",
     "polarity": "Negatif", "weight": 1, "target": 10, "realisasi": 8},
    {"code": "1.3", "sasaran": S1, "indicator": "Persentase C", "unit": "%",
     "polarity": "Positif", "weight": 3, "target": 100, "realisasi": 85},
    {"code": "2.1", "sasaran": S2, "indicator": "Angka D (negatif, rumus B)", "unit": "Kasus",
     "polarity": "Negatif", "weight": 1, "target": 20, "realisasi": 25},
    {"code": "2.2", "sasaran": S2, "indicator": "Jumlah E", "unit": "Orang",
     "polarity": "Positif", "weight": 2, "target": 50, "realisasi": 20},
    {"code": "3.1", "sasaran": S3, "indicator": "Jumlah F (tepat target)", "unit": "Orang",
     "polarity": "Positif", "weight": 1, "target": 10, "realisasi": 10},
]  # fmt: skip

#: Formula B with realisasi 0 (no ratio: an empty capaian), Rata-rata.
RICH_B_ZERO: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Angka A (negatif, realisasi nol)",
     "unit": "Kasus", "polarity": "Negatif", "target": 5, "realisasi": 0},
    {"code": "1.2", "sasaran": S1, "indicator": "Angka B (negatif)", "unit": "Kasus",
     "polarity": "Negatif", "target": 10, "realisasi": 8},
]  # fmt: skip

#: Formula C, cap 120 (and floor 0), Rasio Jumlah (one unit), a custom predikat scale.
RICH_C: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Jumlah A (di atas batas)", "unit": "Orang",
     "polarity": "Positif", "target": 100, "realisasi": 150},
    {"code": "1.2", "sasaran": S1, "indicator": "Jumlah B (negatif, rumus C)", "unit": "Orang",
     "polarity": "Negatif", "target": 10, "realisasi": 8},
    {"code": "2.1", "sasaran": S2, "indicator": "Jumlah C", "unit": "Orang",
     "polarity": "Positif", "target": 200, "realisasi": 150},
    {"code": "2.2", "sasaran": S2, "indicator": "Jumlah D (tepat batas)", "unit": "Orang",
     "polarity": "Positif", "target": 50, "realisasi": 60},
    {"code": "2.3", "sasaran": S2, "indicator": "Jumlah E (negatif, di bawah nol)",
     "unit": "Orang", "polarity": "Negatif", "target": 10, "realisasi": 15},
]  # fmt: skip
CUSTOM_SCALE: list[tuple[str, float | None]] = [
    ("Istimewa", 110),
    ("Baik", 90),
    ("Cukup", 60),
    ("Kurang", None),
]

#: Nilai Akhir with the last quarter still empty (the usual state in the third quarter).
NILAI_AKHIR_PARTIAL: list[Row] = [
    {"code": "1.1", "sasaran": S1, "indicator": "Persentase A (Nilai Akhir, TW IV kosong)",
     "unit": "%", "polarity": "Positif", "quarterly_aggregation": "Nilai Akhir", "target": 80,
     "tw1": 50, "tw2": 60, "tw3": 70},
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    rows: list[Row]
    settings: dict[str, object]
    custom_scale: list[tuple[str, float | None]] | None = None


CASES: dict[str, Case] = {
    "clean": Case(CLEAN_ROWS, {}),
    "rich_a": Case(RICH_A, {"negative_formula": "A"}),
    "rich_b": Case(
        RICH_B,
        {
            "negative_formula": "B",
            "cap": 100,
            "sasaran_aggregation": "Rata-rata Tertimbang",
            "predicate_scale": "PermenPANRB 8/2021",
        },
    ),
    "rich_b_zero": Case(RICH_B_ZERO, {"negative_formula": "B"}),
    "rich_c": Case(
        RICH_C,
        {
            "negative_formula": "C",
            "cap": 120,
            "sasaran_aggregation": "Rasio Jumlah",
            "predicate_scale": "Kustom",
        },
        CUSTOM_SCALE,
    ),
    "percent_format": Case(PERCENT_FORMAT, {}),
    "nilai_akhir_partial": Case(NILAI_AKHIR_PARTIAL, {}),
}


def build_case(name: str, path: Path) -> Path:
    """Write the workbook of ``CASES[name]`` to ``path``."""
    case = CASES[name]
    return build_workbook(
        path, copy.deepcopy(case.rows), settings=case.settings, custom_scale=case.custom_scale
    )


# --- Reading results ------------------------------------------------------------------------------


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet title -> zip member of its worksheet part."""
    with zipfile.ZipFile(path) as zf:
        rels = etree.fromstring(zf.read("_rels/.rels"))
        main = next(
            r.get("Target", "").lstrip("/")
            for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")
            if r.get("Type", "").endswith("/officeDocument")
        )
        folder = main.rsplit("/", 1)[0]
        book = etree.fromstring(zf.read(main))
        book_rels = etree.fromstring(zf.read(f"{folder}/_rels/{main.rsplit('/', 1)[1]}.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in book_rels}
    out: dict[str, str] = {}
    for sheet in book.iterfind("m:sheets/m:sheet", NS):
        target = targets[sheet.get(f"{{{REL_NS}}}id")]
        out[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
        )
    return out


def sheet_xml(path: Path, title: str) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(sheet_parts(path)[title]))


def cell_elements(root: etree._Element) -> dict[str, etree._Element]:
    return {el.get("r", ""): el for el in root.iterfind("m:sheetData/m:row/m:c", NS)}


def capaian_row_of(ws: Worksheet) -> dict[str, int]:
    """Indicator code -> its row on the Capaian sheet (read from the hidden code column)."""
    rows: dict[str, int] = {}
    for row in range(7, ws.max_row + 1):
        code = ws.cell(row=row, column=COL_CODE).value
        if code is not None:
            rows[str(code)] = row
    return rows


def load(path: Path, *, data_only: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=data_only)


# --- Fixtures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    original: Path
    path: Path
    result: RefreshResult

    @property
    def ev(self) -> Evaluation:
        return self.result.evaluation


def _refresh_copy(original: Path, folder: Path) -> Refreshed:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / original.name
    shutil.copyfile(original, target)
    return Refreshed(original, target, refresh_file(target))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Refreshed]:
    """Every case of :data:`CASES` and the example, built once and refreshed once."""
    base = tmp_path_factory.mktemp("refresh")
    out: dict[str, Refreshed] = {}
    for name in ("clean", "rich_a", "rich_b", "rich_c"):
        original = build_case(name, base / "orig" / f"{name}.xlsx")
        out[name] = _refresh_copy(original, base / name)
    out["example"] = _refresh_copy(EXAMPLE, base / "example")
    return out


# --- Idempotence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "clean", "rich_a", "rich_c"])
def test_refreshing_twice_gives_the_same_bytes_as_once(
    made: dict[str, Refreshed], name: str, tmp_path: Path
) -> None:
    once = made[name].path
    twice = tmp_path / once.name
    shutil.copyfile(once, twice)
    result = refresh_file(twice)
    assert twice.read_bytes() == once.read_bytes()
    assert result.changed_cells == ()
    assert result.sheets_created == ()
    assert result.sheets_replaced == (c.SHEET_CAPAIAN, c.SHEET_VALIDASI)
    assert made[name].result.sheets_created == (c.SHEET_CAPAIAN, c.SHEET_VALIDASI)


# --- KETERANGAN -----------------------------------------------------------------------------------


def test_first_build_takes_notes_from_the_iku_keterangan(made: dict[str, Refreshed]) -> None:
    for name, rows in (("clean", CLEAN_ROWS), ("example", None)):
        ev = made[name].ev
        ws = load(made[name].path)[c.SHEET_CAPAIAN]
        where = capaian_row_of(ws)
        notes = {r.indicator.code: r.indicator.note for r in ev.indicators}
        if rows is not None:
            assert notes == {r["code"]: r.get("note", "") for r in rows}
        assert any(notes.values())
        for code, row in where.items():
            assert (ws.cell(row=row, column=COL_NOTE).value or "") == notes[code]


def _write_cells(path: Path, sheet: str, writes: list[CellWrite]) -> None:
    """Set cells in place by splicing (no openpyxl round trip)."""
    out = path.with_name("spliced-" + path.name)
    apply_plan(path, PackagePlan(cell_writes={sheet: writes}), out)
    out.replace(path)


def test_keterangan_typed_in_capaian_survives_refresh_matched_by_code(
    made: dict[str, Refreshed], tmp_path: Path
) -> None:
    path = tmp_path / "notes.xlsx"
    shutil.copyfile(made["clean"].path, path)
    where = capaian_row_of(load(path)[c.SHEET_CAPAIAN])
    typed = {"1.1": "Catatan diketik di sheet Capaian", "2.1": "Turun karena pendataan ulang"}
    _write_cells(
        path,
        c.SHEET_CAPAIAN,
        [CellWrite(where[code], COL_NOTE, text) for code, text in typed.items()],
    )
    # Reorder the IKU rows: 2.1 first, then 1.2, then 1.1 (renamed: matching is by code).
    iku = load(path)[c.SHEET_IKU]
    n_cols = len(IKU_COL)
    rows = {
        r: [iku.cell(row=r, column=col).value for col in range(1, n_cols + 1)] for r in (2, 3, 4)
    }
    rows[2][IKU_COL["indicator"] - 1] = "Persentase korban bencana yang tertangani (ganti nama)"
    writes = [
        CellWrite(new_row, col, value)
        for new_row, old_row in ((2, 4), (3, 3), (4, 2))
        for col, value in enumerate(rows[old_row], start=1)
        if col != IKU_COL["capaian"]
    ]
    _write_cells(path, c.SHEET_IKU, writes)
    result = refresh_file(path)
    assert [r.indicator.code for r in result.evaluation.indicators] == ["2.1", "1.2", "1.1"]
    ws = load(path)[c.SHEET_CAPAIAN]
    where = capaian_row_of(ws)
    got = {code: ws.cell(row=row, column=COL_NOTE).value for code, row in where.items()}
    # 1.2 keeps the note taken from the IKU Keterangan at the first build.
    assert got == {**typed, "1.2": CLEAN_ROWS[1]["note"]}
    # and a further refresh changes nothing
    before = path.read_bytes()
    refresh_file(path)
    assert path.read_bytes() == before


# --- Text never becomes a formula -----------------------------------------------------------------

INJECTED_INDICATOR = '=HYPERLINK("http://x","y")'
INJECTED_SASARAN = ["=1+1 sasaran satu", "+2 sasaran dua", "-3 sasaran tiga", "@SUM(A1) empat"]
INJECTED_AGENCY = "=cmd|' /C calc'!A0"


def test_formula_like_text_stays_text_in_every_output_sheet(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"code": f"{i}.1", "sasaran": sasaran, "unit": "Orang", "polarity": "Positif",
         "indicator": INJECTED_INDICATOR if i == 1 else f"=Indikator {i}",
         "target": 10, "realisasi": 8, "note": f"=Catatan {i}"}
        for i, sasaran in enumerate(INJECTED_SASARAN, start=1)
    ]  # fmt: skip
    path = build_workbook(tmp_path / "inject.xlsx", rows, settings={"agency": INJECTED_AGENCY})
    result = refresh_file(path)
    texts = {INJECTED_INDICATOR, *INJECTED_SASARAN, INJECTED_AGENCY.upper()}
    texts |= {f"=Indikator {i}" for i in range(2, 5)} | {f"=Catatan {i}" for i in range(1, 5)}
    found: set[str] = set()
    for title in (c.SHEET_CAPAIAN, c.SHEET_VALIDASI, c.SHEET_IKU):
        for ref, cell in cell_elements(sheet_xml(path, title)).items():
            formula = cell.find("m:f", NS)
            if formula is not None:
                assert not any(
                    marker in (formula.text or "")
                    for marker in ("HYPERLINK", "http", "cmd", "1+1", "SUM(A1)", "Indikator")
                ), (title, ref, formula.text)
                continue
            if cell.get("t") == "inlineStr":
                value = "".join(cell.itertext())
                found |= {value} & texts
    # every injected text shows up as text in the output sheets (the IKU inputs are shared strings)
    assert found == texts
    wb = load(path)
    ws = wb[c.SHEET_CAPAIAN]
    where = capaian_row_of(ws)
    assert ws.cell(row=where["1.1"], column=3).value == INJECTED_INDICATOR
    assert ws.cell(row=where["1.1"], column=3).data_type == "s"
    assert [ws.cell(row=where[f"{i}.1"], column=2).value for i in range(1, 5)] == INJECTED_SASARAN
    assert ws["A2"].value == INJECTED_AGENCY.upper()
    assert len(result.evaluation.indicators) == 4


# --- Validasi -------------------------------------------------------------------------------------


def _validasi_rows(ws: Worksheet) -> list[tuple[object, ...]]:
    out = []
    for row in range(6, ws.max_row + 1):
        values = tuple(ws.cell(row=row, column=col).value for col in range(1, 8))
        if values[2] is None:  # no rule: not a finding row
            continue
        out.append(values)
    return out


@pytest.mark.parametrize("name", ["example", "rich_a"])
def test_validasi_lists_every_finding_most_severe_first(
    made: dict[str, Refreshed], name: str
) -> None:
    ev = made[name].ev
    ws = load(made[name].path, data_only=True)[c.SHEET_VALIDASI]  # SEL: a link's cached text
    rows = _validasi_rows(ws)
    assert len({f.severity for f in ev.findings}) >= 2, "the case must mix severities"
    expected = [
        (n, SEVERITY_LABEL[f.severity], f.rule, f.sheet, f.cell or None, f.code or None, f.message)
        for n, f in enumerate(ev.findings, start=1)
    ]
    assert rows == expected
    ranks = [SEVERITY_ORDER[f.severity] for f in ev.findings]
    assert ranks == sorted(ranks)
    # the summary line counts errors, warnings and infos
    n_info = len(ev.findings) - ev.n_errors - ev.n_warnings
    numbers = [int(x) for x in re.findall(r"\d+", str(ws["A3"].value))[:3]]
    assert numbers == [ev.n_errors, ev.n_warnings, n_info]


#: The SEL cell of a finding: a link inside the workbook, showing the cell's address.
HYPERLINK = re.compile(r'^=HYPERLINK\("#(?P<location>[^"]*)","(?P<text>[^"]*)"\)$')


@pytest.mark.parametrize("name", ["example", "rich_a"])
def test_validasi_cells_link_to_the_finding(made: dict[str, Refreshed], name: str) -> None:
    """Each SEL cell is a HYPERLINK formula to the finding's sheet and cell, its cached value
    the address (a formula: both engines write it with the other values, in one block)."""
    path = made[name].path
    wb = load(path)
    ws = wb[c.SHEET_VALIDASI]
    cached = load(path, data_only=True)[c.SHEET_VALIDASI]
    linked = 0
    for row in range(6, ws.max_row + 1):
        sheet, cell = ws.cell(row=row, column=4).value, cached.cell(row=row, column=5).value
        formula = ws.cell(row=row, column=5).value
        if sheet in wb.sheetnames and cell:
            found = HYPERLINK.match(str(formula))
            assert found is not None, formula
            assert found["location"] == f"{quote_sheet(str(sheet))}!{cell}"
            assert found["text"] == cell
            wb[str(sheet)][str(cell)]  # an address that exists
            linked += 1
        else:
            assert not str(formula or "").startswith("=")
    assert linked == sum(1 for f in made[name].ev.findings if f.cell)
    # no hyperlink objects (and so no hyperlink relationships) in the Validasi part
    assert sheet_xml(path, c.SHEET_VALIDASI).findall("m:hyperlinks/m:hyperlink", NS) == []


def test_validasi_of_a_clean_workbook_is_a_friendly_empty_sheet(
    made: dict[str, Refreshed],
) -> None:
    assert made["clean"].ev.findings == ()
    ws = load(made["clean"].path)[c.SHEET_VALIDASI]
    assert _validasi_rows(ws) == []
    assert isinstance(ws["A1"].value, str) and ws["A1"].value
    assert isinstance(ws["A3"].value, str) and ws["A3"].value  # the "nothing to fix" line
    assert [ws.cell(row=5, column=col).value for col in range(1, 8)][2] is not None  # headers
    assert isinstance(ws["G6"].value, str) and ws["G6"].value  # a row saying so in the table
    assert ws.max_row == 6


# --- Capaian sheet structure ----------------------------------------------------------------------

#: The columns as the issue lists them (``<Y>`` is the year).
ISSUE_HEADERS = (
    "NO | SASARAN STRATEGIS | INDIKATOR KINERJA | SATUAN | KONDISI AWAL | % CAPAIAN <Y-1> | "
    "TARGET <Y> | REALISASI <Y> | % CAPAIAN <Y> | PREDIKAT | TARGET AKHIR | % CAPAIAN TERHADAP "
    "TARGET AKHIR | KETERANGAN"
)
ISSUE_TITLE = "LAPORAN CAPAIAN INDIKATOR KINERJA UTAMA (IKU)"


def _merged(ws: Worksheet) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


@pytest.mark.parametrize("name", ["rich_b", "example"])
def test_capaian_sheet_layout(made: dict[str, Refreshed], name: str) -> None:
    ev = made[name].ev
    settings = ev.workbook.settings
    year = settings.year
    assert year is not None
    ws = load(made[name].path)[c.SHEET_CAPAIAN]
    n_cols = len(ISSUE_HEADERS.split(" | "))
    last = openpyxl.utils.get_column_letter(n_cols)
    # title block
    assert ws["A1"].value == ISSUE_TITLE
    assert ws["A2"].value == settings.agency.upper()
    assert str(year) in str(ws["A3"].value)
    assert {f"A{r}:{last}{r}" for r in (1, 2, 3)} <= _merged(ws)
    # header row and the row of column numbers under it
    headers = ISSUE_HEADERS.replace("<Y-1>", str(year - 1)).replace("<Y>", str(year)).split(" | ")
    assert [ws.cell(row=5, column=col).value for col in range(1, n_cols + 1)] == headers
    assert [ws.cell(row=6, column=col).value for col in range(1, n_cols + 1)] == list(
        range(1, n_cols + 1)
    )
    # indicator rows grouped by sasaran, a rata-rata row after each group, then the overall row
    where = capaian_row_of(ws)
    row = 7
    for group in ev.sasaran:
        rows = [where[r.indicator.code] for r in group.indicators]
        assert rows == list(range(row, row + len(rows)))
        assert ws.cell(row=row, column=2).value == group.name
        if len(rows) > 1:
            assert f"B{row}:B{rows[-1]}" in _merged(ws)
        avg_row = rows[-1] + 1
        assert f"B{avg_row}:C{avg_row}" in _merged(ws)
        assert ws.cell(row=avg_row, column=COL_CODE).value is None
        assert ws.cell(row=avg_row, column=9).value is not None  # a formula or the value
        row = avg_row + 1
    overall = row
    assert f"B{overall}:C{overall}" in _merged(ws)
    assert isinstance(ws.cell(row=overall, column=2).value, str)
    assert ws.cell(row=overall, column=10).value is not None  # predikat
    # predikat colours: one conditional format per band over the whole PREDIKAT column (they
    # follow the predikat when a realisasi is edited); the cells have no fill of their own
    scale = settings.predicate_scale
    assert scale is not None
    rules = {
        (str(cf.sqref), rule.formula[0]): rule
        for cf in ws.conditional_formatting
        for rule in cf.rules
    }
    assert set(rules) == {(f"J7:J{overall}", f'"{band.label}"') for band in scale.bands}
    colours = set()
    for band in scale.bands:
        rule = rules[(f"J7:J{overall}", f'"{band.label}"')]
        assert (rule.type, rule.operator) == ("cellIs", "equal")
        assert rule.dxf.fill.bgColor.rgb[-6:] == rule.dxf.fill.fgColor.rgb[-6:] == band.colour
        colours.add(band.colour)
    assert len(colours) == len(scale.bands)
    assert all(ws.cell(row=r, column=10).fill.fill_type is None for r in range(7, overall + 1))
    # footnote: the settings used
    footnote = " ".join(
        str(ws.cell(row=r, column=1).value)
        for r in range(overall + 1, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    )
    assert scale.name in footnote
    assert settings.sasaran_aggregation in footnote
    assert f"rumus {settings.negative_formula}" in footnote
    if settings.cap is not None:
        assert f"{settings.cap:g} %" in footnote
    # signature block from Pengaturan
    signature = [
        ws.cell(row=r, column=10).value
        for r in range(overall + 1, ws.max_row + 1)
        if ws.cell(row=r, column=10).value
    ]
    assert signature == [
        f"{settings.city}, {settings.report_date}",
        settings.signer_title,
        settings.signer_name,
        settings.signer_rank,
        f"NIP. {settings.signer_nip}",
    ]
    # number formats, borders, widths
    for r in where.values():
        for col in (9, 12):
            assert ws.cell(row=r, column=col).number_format == "#,##0.00"
        assert ws.cell(row=r, column=3).border.left.style == "thin"
    assert ws.cell(row=5, column=1).border.bottom.style == "thin"
    for col in range(1, n_cols + 1):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
        assert width is not None and width >= 5
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(COL_CODE)].hidden
    # frozen header, print setup
    assert ws.freeze_panes is not None
    assert openpyxl.utils.cell.coordinate_from_string(ws.freeze_panes)[1] == 7
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4 (ECMA-376 18.3.1.63)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$5:$6"
    last_row = max(
        r for r in range(1, ws.max_row + 1) if any(cell.value for cell in ws[r][:n_cols])
    )
    # the chart under the signature block prints too (about 20 rows of 15 points)
    (chart,) = ws._charts
    chart_row = chart.anchor._from.row + 1
    assert chart_row == last_row + 2
    last_row = chart_row + 20
    assert ws.print_area == f"'{c.SHEET_CAPAIAN}'!$A$1:${last}${last_row}"


# --- The IKU sheet --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "clean", "rich_a"])
def test_iku_capaian_column_holds_formulas_with_cached_values(
    made: dict[str, Refreshed], name: str
) -> None:
    item = made[name]
    col = item.ev.workbook.iku_layout.columns["capaian"]
    letter = openpyxl.utils.get_column_letter(col)
    formulas = load(item.path)[c.SHEET_IKU]
    cached = load(item.path, data_only=True)[c.SHEET_IKU]
    n_formulas = 0
    for r in item.ev.indicators:
        ref = f"{letter}{r.indicator.row}"
        value = cached[ref].value
        if r.capaian_raw is None:
            assert value in (None, "")
        else:
            assert value == pytest.approx(r.capaian_raw, rel=1e-12)
        if formulas[ref].data_type == "f":
            n_formulas += 1
            assert str(formulas[ref].value).startswith("=")
    # text inputs ("80 %", a range) get the value; every clean indicator gets a formula
    clean = [
        r
        for r in item.ev.indicators
        if all(
            v.is_blank or (v.parsed.kind == "number" and not v.parsed.from_text)
            for v in (r.indicator.target, r.indicator.realisasi, *r.indicator.quarters)
        )
        and not r.indicator.target.is_blank
    ]
    assert n_formulas >= len(clean) > 0
    # the column was empty: every cell that gets a formula or a value changes
    assert item.result.changed_cells == tuple(
        f"{letter}{r.indicator.row}"
        for r in item.ev.indicators
        if r.capaian_raw is not None or formulas[f"{letter}{r.indicator.row}"].data_type == "f"
    )


def test_changed_cells_include_cells_that_only_get_a_formula(made: dict[str, Refreshed]) -> None:
    """A formula whose value is still empty is a change too (a dry run must report it)."""
    item = made["rich_a"]
    letter = openpyxl.utils.get_column_letter(item.ev.workbook.iku_layout.columns["capaian"])
    formulas = load(item.path)[c.SHEET_IKU]
    refs = {f"{letter}{r.indicator.row}": r for r in item.ev.indicators}
    with_formula = {ref for ref in refs if formulas[ref].data_type == "f"}
    # 3.3 (no realisasi yet) gets a live formula whose value is still empty
    assert any(refs[ref].capaian_raw is None for ref in with_formula)
    assert with_formula <= set(item.result.changed_cells)


@pytest.mark.parametrize("name", ["example", "rich_a"])
def test_untouched_iku_cells_are_unchanged(made: dict[str, Refreshed], name: str) -> None:
    item = made[name]
    col = item.ev.workbook.iku_layout.columns["capaian"]
    letter = openpyxl.utils.get_column_letter(col)
    written = {f"{letter}{r.indicator.row}" for r in item.ev.indicators}
    before = cell_elements(sheet_xml(item.original, c.SHEET_IKU))
    after = cell_elements(sheet_xml(item.path, c.SHEET_IKU))
    assert set(after) - set(before) <= written
    for ref, element in before.items():
        if ref not in written:
            assert etree.tostring(after[ref]) == etree.tostring(element), ref
    # and as openpyxl sees them: values and number formats
    old, new = load(item.original)[c.SHEET_IKU], load(item.path)[c.SHEET_IKU]
    for row in old.iter_rows():
        for cell in row:
            if cell.coordinate not in written:
                assert new[cell.coordinate].value == cell.value
                assert new[cell.coordinate].number_format == cell.number_format


# --- Dry run --------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_what_would_change(
    made: dict[str, Refreshed], tmp_path: Path
) -> None:
    path = tmp_path / EXAMPLE.name
    shutil.copyfile(EXAMPLE, path)
    before = path.read_bytes()
    listing = sorted(os.listdir(tmp_path))
    result = refresh_file(path, dry_run=True)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == listing
    assert result.written is False
    assert result.changed_cells == made["example"].result.changed_cells
    assert result.changed_cells  # the Capaian (%) column is empty in the example
    assert result.sheets_created == (c.SHEET_CAPAIAN, c.SHEET_VALIDASI)
    # on an already refreshed file nothing would change in IKU; both sheets would be replaced
    shutil.copyfile(made["example"].path, path)
    refreshed = path.read_bytes()
    again = refresh_file(path, dry_run=True)
    assert path.read_bytes() == refreshed
    assert again.changed_cells == ()
    assert again.sheets_replaced == (c.SHEET_CAPAIAN, c.SHEET_VALIDASI)


# --- Refusals -------------------------------------------------------------------------------------


def _ole_file(stream: str, size: int = 4096) -> bytes:
    """A minimal, well-formed OLE compound file (MS-CFB v3) holding one stream ``stream``.

    Enough for the format check of an old ``.xls`` (whose workbook stream is called
    ``Workbook``); the stream's content is zeros.
    """
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    n_data = size // 512
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0, 0)
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    fat = [fat_sector, end] + [3 + i for i in range(n_data - 1)] + [end]
    fat += [free] * (128 - len(fat))
    directory = bytearray(512)

    def entry(index: int, name: str, kind: int, child: int, start: int, length: int) -> None:
        raw = name.encode("utf-16-le") + b"\0\0"
        offset = index * 128
        directory[offset : offset + len(raw)] = raw
        struct.pack_into("<HBB", directory, offset + 0x40, len(raw), kind, 1)
        struct.pack_into("<III", directory, offset + 0x44, no_stream, no_stream, child)
        struct.pack_into("<IQ", directory, offset + 0x74, start, length)

    entry(0, "Root Entry", 5, 1, end, 0)
    entry(1, stream, 2, no_stream, 2, size)
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + bytes(n_data * 512)


def _ole_streams(path: Path) -> list[list[str]]:
    olefile = pytest.importorskip("olefile")
    with olefile.OleFileIO(str(path)) as ole:
        return sorted(ole.listdir())


def _encrypted(path: Path) -> None:
    pytest.importorskip("msoffcrypto")  # msoffcrypto-tool, installed with oletools
    from msoffcrypto.format.ooxml import OOXMLFile

    with EXAMPLE.open("rb") as handle, path.open("wb") as out:
        OOXMLFile(handle).encrypt("rahasia", out)
    assert ["EncryptedPackage"] in _ole_streams(path)


def _setup_refusal(kind: str, folder: Path) -> tuple[Path, type[CannotProceed]]:
    path = folder / ("IKU_2026.xls" if kind == "xls" else "IKU_2026.xlsx")
    if kind == "xls":
        path.write_bytes(_ole_file("Workbook"))
        assert _ole_streams(path) == [["Workbook"]]  # a well-formed compound file
        return path, NotAnXlsx
    if kind == "encrypted":
        _encrypted(path)
        return path, EncryptedWorkbook
    if kind == "not-a-zip":
        path.write_bytes(os.urandom(3000))
        return path, NotAnXlsx
    if kind == "protected-iku":
        build_workbook(path, CLEAN_ROWS, protect_iku=True)
        return path, UnsafeWorkbookError
    shutil.copyfile(EXAMPLE, path)
    if kind == "excel-lock":
        (folder / f"~${path.name}").write_bytes(b"\x0bplanner" + bytes(150))
        return path, WorkbookLocked
    if kind == "libreoffice-lock":
        (folder / f".~lock.{path.name}#").write_text("planner,host,01.01.2026 10:00;\n")
        return path, WorkbookLocked
    if kind == "read-only":
        path.chmod(0o444)
        return path, ReadOnlyFile
    raise AssertionError(kind)


REFUSALS = [
    "excel-lock",
    "libreoffice-lock",
    "read-only",
    "encrypted",
    "xls",
    "not-a-zip",
    "protected-iku",
]


@pytest.mark.parametrize("kind", REFUSALS)
@pytest.mark.parametrize("backup", [False, True])
def test_refusal_leaves_the_file_untouched(kind: str, backup: bool, tmp_path: Path) -> None:
    path, error = _setup_refusal(kind, tmp_path)
    before = path.read_bytes()
    mode = path.stat().st_mode
    listing = sorted(os.listdir(tmp_path))
    try:
        with pytest.raises(error) as excinfo:
            refresh_file(path, backup=backup)
        # the message names the file, or for a structure inside it, the sheet
        assert (c.SHEET_IKU if kind == "protected-iku" else path.name) in str(excinfo.value)
        assert path.read_bytes() == before
        assert path.stat().st_mode == mode
        assert sorted(os.listdir(tmp_path)) == listing  # no temp file, no backup
        assert not temp_path_for(path).exists()
    finally:
        path.chmod(stat.S_IMODE(mode) | stat.S_IWUSR)


def test_read_only_is_refused_even_for_root(tmp_path: Path) -> None:
    # safe_io checks the mode bits as well as os.access, which says yes to root.
    path, _ = _setup_refusal("read-only", tmp_path)
    try:
        if os.geteuid() == 0:
            assert os.access(path, os.W_OK)
        with pytest.raises(ReadOnlyFile):
            refresh_file(path)
        refresh_file(path, dry_run=True)  # reading a read-only file is fine
    finally:
        path.chmod(0o644)


# --- Backup ---------------------------------------------------------------------------------------


def test_backup_keeps_an_identical_copy_of_the_original(tmp_path: Path) -> None:
    path = tmp_path / EXAMPLE.name
    shutil.copyfile(EXAMPLE, path)
    original = path.read_bytes()
    result = refresh_file(path, backup=True)
    assert result.backup is not None and result.backup.parent == tmp_path
    assert result.backup.read_bytes() == original
    assert result.backup.suffix == path.suffix
    assert result.backup.name.startswith(path.stem + ".backup-")
    assert path.read_bytes() != original
    # a second refresh with backup keeps the first backup and adds one of the refreshed file
    refreshed = path.read_bytes()
    second = refresh_file(path, backup=True)
    assert second.backup is not None and second.backup != result.backup
    assert second.backup.read_bytes() == refreshed
    assert result.backup.read_bytes() == original
    without = refresh_file(path)
    assert without.backup is None


# --- A workbook saved by Excel --------------------------------------------------------------------


def _share_formulas(path: Path, refs: list[str]) -> None:
    """Rewrite the formulas of ``refs`` (one column, consecutive rows, the same formula in R1C1)
    as one shared formula, the way Excel saves a filled-down column (ECMA-376 18.3.1.40)."""
    part = sheet_parts(path)[c.SHEET_IKU]
    tmp = path.with_name("shared-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                root = etree.fromstring(data)
                cells = cell_elements(root)
                for i, ref in enumerate(refs):
                    formula = cells[ref].find("m:f", NS)
                    assert formula is not None
                    formula.set("t", "shared")
                    formula.set("si", "0")
                    if i == 0:
                        formula.set("ref", f"{refs[0]}:{refs[-1]}")
                    else:
                        formula.text = None
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    tmp.replace(path)


def test_refresh_after_excel_saved_the_capaian_column_as_a_shared_formula(
    made: dict[str, Refreshed], tmp_path: Path
) -> None:
    path = tmp_path / "excel-saved.xlsx"
    shutil.copyfile(made["example"].path, path)
    refs = list(made["example"].result.changed_cells)
    before = load(path)[c.SHEET_IKU]
    texts = [before[ref].value for ref in refs]
    assert len(set(re.sub(r"\d+", "", str(t)) for t in texts)) == 1  # one formula in R1C1
    _share_formulas(path, refs)
    result = refresh_file(path)
    assert result.written
    after = load(path)[c.SHEET_IKU]
    assert [after[ref].value for ref in refs] == texts
    assert sheet_xml(path, c.SHEET_IKU).find(".//m:f[@t='shared']", NS) is None


# --- Other layouts of the IKU sheet ---------------------------------------------------------------


@pytest.mark.parametrize("layout", ["no-capaian-column", "title-rows"])
def test_capaian_column_of_other_iku_layouts(layout: str, tmp_path: Path) -> None:
    """An IKU sheet without a Capaian (%) column gets one after its last column; a header
    below title rows moves every written cell down with it."""
    path = build_workbook(tmp_path / "iku.xlsx", CLEAN_ROWS)
    book = load(path)
    ws = book[c.SHEET_IKU]
    if layout == "no-capaian-column":
        ws.delete_cols(IKU_COL["capaian"])
        header_row, col = 1, len(IKU_COL)  # the other columns shift left by one
    else:
        ws.insert_rows(1, 3)
        ws["A1"] = "INDIKATOR KINERJA UTAMA 2026"
        header_row, col = 4, IKU_COL["capaian"]
    book.save(path)
    result = refresh_file(path)
    letter = openpyxl.utils.get_column_letter(col)
    rows = [header_row + i for i in range(1, len(CLEAN_ROWS) + 1)]
    assert result.changed_cells == tuple(f"{letter}{r}" for r in rows)
    formulas = load(path)[c.SHEET_IKU]
    cached = load(path, data_only=True)[c.SHEET_IKU]
    capaian_header = next(h for h in c.IKU_COLUMNS if h.key == "capaian").header
    assert formulas.cell(row=header_row, column=col).value == capaian_header
    for r, ind in zip(rows, result.evaluation.indicators, strict=True):
        assert formulas.cell(row=r, column=col).data_type == "f"
        assert cached.cell(row=r, column=col).value == pytest.approx(ind.capaian_raw)
    capaian = load(path)[c.SHEET_CAPAIAN]
    where = capaian_row_of(capaian)
    assert f"IKU!{letter}{rows[0]}" in str(capaian.cell(row=where["1.1"], column=9).value)
    before = path.read_bytes()
    refresh_file(path)
    assert path.read_bytes() == before
