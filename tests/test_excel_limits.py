"""Excel's limits on what refresh writes, and predikat as shown.

Excel repairs or refuses a file with a formula over 8,192 characters or 64 nested levels, a cell
over 32,767 characters, a sheet name over 31 characters or a text literal over 255. The extreme
workbooks here (600 indicators with Rata-rata Tertimbang and with Rasio Jumlah, a 100-band custom
scale, a 33,000-character indicator name) used to produce all of these. Predikat is read off the
scale at the capaian rounded to two decimals (as printed), in the core and in the live formula;
LibreOffice recalculates the new formulas to the cached values.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iku_excel import contract as c
from iku_excel.api import check_file, refresh_file
from iku_excel.capaian import (
    PERMENDAGRI_86_2017,
    PERMENPANRB_8_2021,
    custom_scale,
    predikat,
    predikat_table,
    shown_capaian,
)
from iku_excel.model import PredicateScale
from iku_excel.sheets.capaian import COL_CAPAIAN, COL_PREDIKAT
from iku_excel.sheets.formulas import (
    MAX_FORMULA_CHARS,
    MAX_LITERAL,
    MAX_NESTING,
    formula_fits,
    formula_nesting,
    hyperlink_formula,
)
from iku_excel.sheets.spec import (
    BASE_STYLES,
    MAX_CELL_TEXT,
    MAX_ROW_HEIGHT,
    SheetSpec,
    check_sheet_name,
    estimate_height,
)
from tests.helpers import libreoffice
from tests.test_refresh import S1, build_workbook

#: A custom scale of 100 bands: "P0" from 0, "P1" from 1, ... "P99" from 99.
BANDS_100: list[tuple[str, float | None]] = [(f"P{i}", float(i)) for i in range(100)]
LONG_NAME = "Persentase " + "sangat panjang " * 2_200  # 33,011 characters


def lookup(scale: PredicateScale, x: float) -> str | None:
    """What the sheet's ``IFERROR(LOOKUP(ROUND(x,2),bounds,labels),bottom)`` gives."""
    bottom, rows = predikat_table(scale)
    v = shown_capaian(x)
    found = [label for bound, label in rows if bound <= v]
    return found[-1] if found else bottom


# --- Predikat as shown: the core ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "label"),
    [
        (90.99, "Tinggi"),
        (90.994, "Tinggi"),
        (90.995, "Sangat Tinggi"),  # shown 91,00
        (91.0, "Sangat Tinggi"),
        (75.995, "Tinggi"),
        (50.994, "Sangat Rendah"),
        (-3.0, "Sangat Rendah"),
    ],
)
def test_permendagri_predikat_follows_the_shown_capaian(x: float, label: str) -> None:
    assert predikat(PERMENDAGRI_86_2017, x) == label


@pytest.mark.parametrize(
    ("x", "label"),
    [
        (99.994, "Cukup"),
        (99.995, "Baik"),  # shown 100,00
        (100.0, "Baik"),
        (100.004, "Baik"),  # shown 100,00: not above 100
        (100.005, "Sangat Baik"),  # shown 100,01
    ],
)
def test_permenpanrb_strict_band_on_the_shown_capaian(x: float, label: str) -> None:
    assert predikat(PERMENPANRB_8_2021, x) == label


def test_no_value_has_no_predikat() -> None:
    assert predikat(PERMENDAGRI_86_2017, None) is None


SCALES = [PERMENDAGRI_86_2017, PERMENPANRB_8_2021, custom_scale(BANDS_100)[0]]


@pytest.mark.parametrize("scale", SCALES, ids=lambda s: s.name)
@given(x=st.integers(-20_000, 250_000).map(lambda n: n / 1000))
def test_the_lookup_table_gives_the_core_predikat(scale: PredicateScale, x: float) -> None:
    assert lookup(scale, x) == predikat(scale, x)


def test_lookup_table_is_ascending_with_the_strict_band_one_step_up() -> None:
    bottom, rows = predikat_table(PERMENPANRB_8_2021)
    assert bottom == "Sangat Kurang"
    assert rows == [(60.0, "Kurang"), (80.0, "Cukup"), (100.0, "Baik"), (100.01, "Sangat Baik")]


# --- The limits, unit by unit ---------------------------------------------------------------------


def test_nesting_counts_parentheses_outside_text() -> None:
    assert formula_nesting('=IF(A1="(((","",ROUND(A1,2))') == 2
    assert formula_fits("=" + "IF(1," * 64 + "1" + ")" * 64)
    assert not formula_fits("=" + "IF(1," * 65 + "1" + ")" * 65)
    assert not formula_fits("=" + "+".join(["A1"] * 3000))


def test_a_formula_over_the_limit_is_written_as_its_value_and_said_so() -> None:
    sheet = SheetSpec("X", dict(BASE_STYLES))
    long = "=" + "+".join(f"A{i}" for i in range(1, 2000))
    assert len(long) > MAX_FORMULA_CHARS
    cell = sheet.put(3, 2, 42.5, "percent", formula=long)
    assert (cell.formula, cell.value) == (None, 42.5)
    assert len(sheet.limit_notes) == 1 and "B3" in sheet.limit_notes[0]


def test_text_over_the_cell_limit_is_cut_with_an_ellipsis() -> None:
    sheet = SheetSpec("X", dict(BASE_STYLES))
    cell = sheet.put(1, 1, LONG_NAME, "text")
    assert isinstance(cell.value, str)
    assert len(cell.value) == MAX_CELL_TEXT and cell.value.endswith("…")
    assert len(sheet.limit_notes) == 1 and "A1" in sheet.limit_notes[0]


@pytest.mark.parametrize("name", ["", "x" * 32, "a/b", "a:b", "[x]", "'x", "History"])
def test_sheet_names_excel_refuses(name: str) -> None:
    with pytest.raises(ValueError):
        check_sheet_name(name)
    with pytest.raises(ValueError):
        SheetSpec(name, {})


def test_legal_sheet_names_pass() -> None:
    assert check_sheet_name("x" * 31) == "x" * 31
    assert check_sheet_name(c.SHEET_CAPAIAN) == c.SHEET_CAPAIAN


def test_hyperlinks_past_the_literal_limit_are_not_formulas() -> None:
    assert hyperlink_formula("'" + "S" * 31 + "'!Q3", "Q3") is not None
    assert hyperlink_formula("IKU!" + "A" * MAX_LITERAL, "x") is None
    assert hyperlink_formula("IKU!A1", "x" * (MAX_LITERAL + 1)) is None


def test_row_heights_stay_within_excel() -> None:
    assert estimate_height(LONG_NAME, 42) == MAX_ROW_HEIGHT


# --- Extreme workbooks, refreshed -----------------------------------------------------------------


def _rows(n: int, per_group: int) -> list[dict[str, object]]:
    return [
        {
            "code": f"{i // per_group + 1}.{i % per_group + 1}",
            "sasaran": f"Sasaran {i // per_group + 1}",
            "indicator": f"Jumlah layanan {i}",
            "unit": "Orang",
            "polarity": "Positif",
            "weight": 1 + i % 4,
            "target": 100 + i % 7,
            "realisasi": 60 + (i * 37) % 70,
        }
        for i in range(n)
    ]


BOUNDARY_ROWS: list[dict[str, object]] = [
    {"code": f"1.{i}", "sasaran": S1, "indicator": f"Persentase {r}", "unit": "%",
     "polarity": "Positif", "target": 100, "realisasi": r}
    for i, r in enumerate((90.994, 90.995, 91.0, 75.995), start=1)
]  # fmt: skip

EXTREME: dict[str, dict[str, object]] = {
    "weighted_600": {
        "rows": _rows(600, 2),
        "settings": {"sasaran_aggregation": "Rata-rata Tertimbang"},
    },
    "ratio_600": {"rows": _rows(600, 2), "settings": {"sasaran_aggregation": "Rasio Jumlah"}},
    "bands_100": {
        "rows": _rows(40, 8),
        "settings": {"predicate_scale": "Kustom"},
        "scale": BANDS_100,
    },
    "long_name": {
        # no realisasi: the finding's message quotes the name, and passes the cell limit
        "rows": [{**_rows(1, 1)[0], "indicator": LONG_NAME, "realisasi": None}, *_rows(3, 3)[1:]],
        "settings": {},
    },
    "boundaries": {"rows": BOUNDARY_ROWS, "settings": {}},
}  # fmt: skip


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("limits")
    out: dict[str, Path] = {}
    for name, case in EXTREME.items():
        path = build_workbook(
            folder / f"{name}.xlsx",
            case["rows"],  # type: ignore[arg-type]
            settings=case["settings"],  # type: ignore[arg-type]
            custom_scale=case.get("scale"),  # type: ignore[arg-type]
        )
        refresh_file(path)
        out[name] = path
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXTREME))
def test_every_formula_and_text_is_within_excels_limits(
    refreshed: dict[str, Path], name: str
) -> None:
    book = openpyxl.load_workbook(refreshed[name])
    for sheet in (c.SHEET_CAPAIAN, c.SHEET_VALIDASI, c.SHEET_IKU):
        for row in book[sheet].iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                if cell.data_type == "f":
                    assert len(cell.value) <= MAX_FORMULA_CHARS, (sheet, cell.coordinate)
                    assert formula_nesting(cell.value) <= MAX_NESTING, (sheet, cell.coordinate)
                elif sheet != c.SHEET_IKU:  # the planner's own cells are not ours to cut
                    assert len(cell.value) <= MAX_CELL_TEXT, (sheet, cell.coordinate)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["weighted_600", "ratio_600"])
def test_aggregates_of_600_indicators_stay_live_formulas(
    refreshed: dict[str, Path], name: str
) -> None:
    """The overall row keeps a live formula (no fallback to a value) of a fixed length."""
    ev = check_file(refreshed[name])
    overall_row = 7 + len(ev.indicators) + len(ev.sasaran)
    ws = openpyxl.load_workbook(refreshed[name])[c.SHEET_CAPAIAN]
    formula = ws.cell(row=overall_row, column=COL_CAPAIAN).value
    assert isinstance(formula, str) and formula.startswith("=") and len(formula) < 200
    assert "CAPAIAN KINERJA KESELURUHAN" in str(ws.cell(row=overall_row, column=2).value)


@pytest.mark.slow
def test_a_100_band_scale_is_one_lookup(refreshed: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(refreshed["bands_100"])[c.SHEET_CAPAIAN]
    formula = ws.cell(row=7, column=COL_PREDIKAT).value
    assert isinstance(formula, str) and "LOOKUP(ROUND(" in formula
    assert formula_nesting(formula) <= 4 and formula.count("IF(") == 1


@pytest.mark.slow
def test_a_cut_text_is_said_on_the_sheet(refreshed: dict[str, Path]) -> None:
    """The finding about the indicator with a 32,767-character name quotes the name: its
    message is cut, and the Validasi sheet says so."""
    ws = openpyxl.load_workbook(refreshed["long_name"])[c.SHEET_VALIDASI]
    texts = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert any(t.endswith("…") and len(t) == MAX_CELL_TEXT for t in texts)
    assert any("dipotong" in t for t in texts)


def test_boundary_predikat_in_the_cached_values(refreshed: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(refreshed["boundaries"], data_only=True)[c.SHEET_CAPAIAN]
    labels = [ws.cell(row=r, column=COL_PREDIKAT).value for r in range(7, 11)]
    assert labels == ["Tinggi", "Sangat Tinggi", "Sangat Tinggi", "Tinggi"]


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(libreoffice.soffice_path() is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_the_new_formulas_to_the_cached_values(
    refreshed: dict[str, Path],
) -> None:
    from tests.test_refresh_oracle import read_cells, recalculate_many, same

    names = sorted(EXTREME)
    paths = [refreshed[n] for n in names]
    recalculated = recalculate_many(paths, [c.SHEET_CAPAIAN])
    for name, path in zip(names, paths, strict=True):
        cells = read_cells(path, [c.SHEET_CAPAIAN])
        cached, formulas = cells.values[c.SHEET_CAPAIAN], cells.formulas[c.SHEET_CAPAIAN]
        computed = recalculated[path][c.SHEET_CAPAIAN]
        assert formulas, name
        wrong = {
            ref: (cached.get(ref), computed.get(ref))
            for ref in formulas
            if not same(cached.get(ref), computed.get(ref))
        }
        assert wrong == {}, name
