"""The reader on hand-made grids: header detection, column aliases, fill-down, settings, sheets.

Grids are built as plain lists (what an engine hands to the reader), so each test shows the
sheet it describes. Header texts come from :mod:`iku_excel.contract` where the test is about the
template's own headers, and are written out where the test is about the variants found in real
workbooks (old names, upper case, line breaks).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from iku_excel import contract as c
from iku_excel.api import evaluate_grids
from iku_excel.model import IkuWorkbook, SheetGrid
from iku_excel.reader import (
    ContractError,
    find_sheet,
    locate_header,
    read_workbook,
    sheets_to_read,
    text,
)
from tests.conftest import iku, make_grids, rpjmd, settings_grid

H = {col.key: col.header for col in c.IKU_COLUMNS}
RH = {col.key: col.header for col in c.RPJMD_COLUMNS}


def iku_grid(rows: Sequence[Sequence[object]], name: str = c.SHEET_IKU) -> SheetGrid:
    return SheetGrid(name, rows)


def read(*grids: SheetGrid) -> tuple[IkuWorkbook, set[tuple[str, str, str, str]]]:
    wb, findings = read_workbook({g.name: g for g in grids}, [g.name for g in grids])
    return wb, {(f.rule, f.sheet, f.cell, f.code) for f in findings}


MINIMAL_HEADER = [H["code"], H["sasaran"], H["indicator"], H["target"], H["realisasi"]]


# --- Sheets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["IKU", "iku", " Iku ", "IKU  "])
def test_find_sheet_ignores_case_and_spacing(name: str) -> None:
    assert find_sheet(["Petunjuk", name, "RPJMD"], c.SHEET_IKU) == name


def test_find_sheet_absent() -> None:
    assert find_sheet(["Petunjuk", "IKU 2023"], c.SHEET_IKU) is None


def test_sheets_to_read_gives_actual_names() -> None:
    names = ["Petunjuk", "pengaturan", "RPJMD", "iku", "Capaian"]
    assert sorted(sheets_to_read(names)) == ["RPJMD", "iku", "pengaturan"]


def test_missing_iku_sheet_lists_existing_sheets() -> None:
    grid = SheetGrid("RPJMD", [[RH["indicator"]]])
    with pytest.raises(ContractError) as info:
        read_workbook({"RPJMD": grid}, ["Petunjuk", "RPJMD"])
    assert "Petunjuk" in str(info.value) and "RPJMD" in str(info.value)


def test_iku_sheet_without_header_is_a_contract_error() -> None:
    grid = iku_grid([["Laporan"], ["Kode", "Sasaran Strategis", "Keterangan"]])
    with pytest.raises(ContractError) as info:
        read(grid)
    for key in ("sasaran", "indicator", "target"):  # the required columns are named
        assert H[key] in str(info.value)


def test_lowercase_sheet_names_are_read_and_named_as_they_are() -> None:
    _, grids = make_grids([iku(realisasi="x")], rpjmd_rows=[rpjmd()])
    renamed = {n.lower(): SheetGrid(n.lower(), g.values, g.formats) for n, g in grids.items()}
    ev = evaluate_grids(list(renamed), renamed)
    assert ev.workbook.iku_layout.sheet == "iku"
    assert ev.workbook.rpjmd_layout is not None
    assert {(f.rule, f.sheet) for f in ev.findings} == {("unparseable-number", "iku")}


# --- Header detection -----------------------------------------------------------------------------


def test_header_below_title_rows() -> None:
    grid = iku_grid(
        [
            ["INDIKATOR KINERJA UTAMA"],
            ["DINAS SOSIAL KOTA JAMBI", None, "TAHUN 2023"],
            [],
            MINIMAL_HEADER,
            ["1.1", "S", "I", 80, 100],
        ]
    )
    layout = locate_header(grid, c.IKU_COLUMNS)
    assert layout.header_row == 4
    assert layout.columns == {"code": 1, "sasaran": 2, "indicator": 3, "target": 4, "realisasi": 5}
    wb, _ = read(grid)
    assert [(i.row, i.code) for i in wb.indicators] == [(5, "1.1")]
    assert wb.indicators[0].target.ref is not None
    assert wb.indicators[0].target.ref.address == "D5"


def test_the_row_matching_most_headers_wins() -> None:
    grid = iku_grid(
        [
            ["Sasaran", "Indikator", "Target"],  # a partial header in a title block
            [],
            [*MINIMAL_HEADER, H["unit"], H["reported_capaian"]],
            ["1.1", "S", "I", 80, 100, "%", 125],
        ]
    )
    assert locate_header(grid, c.IKU_COLUMNS).header_row == 3


def test_header_found_only_in_the_first_rows() -> None:
    grid = iku_grid([[None]] * 45 + [MINIMAL_HEADER])
    with pytest.raises(ContractError):
        locate_header(grid, c.IKU_COLUMNS)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("RENCANA TINGKAT\nCAPAIAN", "target"),
        ("Target Tahun Ini", "target"),
        ("  SASARAN  STRATEGIS ", "sasaran"),
        ("SASARAN", "sasaran"),
        ("INDIKATOR KINERJA\nUTAMA", "indicator"),
        ("Indikator Sasaran", "indicator"),
        ("IKU", "indicator"),
        ("REALISASI:", "realisasi"),
        ("Realisasi Tahunan", "realisasi"),
        ("TW I", "tw1"),
        ("Realisasi Triwulan IV", "tw4"),
        ("CAPAIAN DILAPORKAN", "reported_capaian"),
        ("% Capaian", "reported_capaian"),
        ("Capaian Tahun Lalu", "capaian_last_year"),
        ("FORMULASI", "definition"),
    ],
)
def test_iku_header_aliases_case_and_line_breaks(header: str, key: str) -> None:
    headers = {"sasaran": H["sasaran"], "indicator": H["indicator"], "target": H["target"]}
    headers[key] = header
    grid = iku_grid([list(headers.values())])
    assert locate_header(grid, c.IKU_COLUMNS).columns[key] == list(headers).index(key) + 1


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("ANGKA AWAL", "baseline"),
        ("Kondisi Kinerja Awal", "baseline"),
        ("BASELINE", "baseline"),
        ("TARGET AKHIR PERIODE", "final_target"),
        ("Kondisi Kinerja\nAkhir", "final_target"),
        ("INDIKATOR KINERJA", "indicator"),
    ],
)
def test_rpjmd_header_aliases(header: str, key: str) -> None:
    headers = {"indicator": RH["indicator"], key: header}
    layout = locate_header(SheetGrid("RPJMD", [list(headers.values())]), c.RPJMD_COLUMNS)
    assert layout.columns[key] == list(headers).index(key) + 1


def test_rpjmd_year_columns() -> None:
    header = [
        RH["indicator"],
        "Target 2021",
        "TARGET TAHUN 2022",
        "Target\n2023",
        "2024",
        "Target Akhir",
    ]
    layout = locate_header(SheetGrid("RPJMD", [header]), c.RPJMD_COLUMNS, years=True)
    assert layout.year_columns == {2021: 2, 2022: 3, 2023: 4}
    assert layout.columns["final_target"] == 6


@pytest.mark.parametrize(
    "numbers",
    [
        list(range(1, 6)),
        ["1", "2", "3", "4", "5"],
        ["1.", "2.", "3.", "4.", "5."],
    ],
)
def test_column_number_row_under_header_is_skipped(numbers: list[object]) -> None:
    wb, found = read(iku_grid([MINIMAL_HEADER, numbers, ["1.1", "S", "I", 80, 100]]))
    assert [(i.row, i.indicator) for i in wb.indicators] == [(3, "I")]
    assert not {k for k in found if k[0] != "missing-sheet"}


def test_column_number_row_in_parentheses_is_skipped() -> None:
    wb, _ = read(
        iku_grid([MINIMAL_HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)"], ["1.1", "S", "I", 80, 100]])
    )
    assert [i.indicator for i in wb.indicators] == ["I"]


def test_a_data_row_of_numbers_is_not_a_column_number_row() -> None:
    wb, _ = read(iku_grid([MINIMAL_HEADER, [1, "S", "I", 2, 3]]))
    assert [i.code for i in wb.indicators] == ["1"]


# --- Rows -----------------------------------------------------------------------------------------


def test_sasaran_written_once_is_filled_down() -> None:
    """A vertically merged sasaran reaches the reader as a value on the first row only."""
    wb, found = read(
        iku_grid(
            [
                MINIMAL_HEADER,
                ["1.1", "S1", "A", 1, 1],
                ["1.2", None, "B", 1, 1],
                ["1.3", None, "C", 1, 1],
                ["2.1", "S2", "D", 1, 1],
                ["2.2", None, "E", 1, 1],
            ]
        )
    )
    assert [(i.code, i.sasaran) for i in wb.indicators] == [
        ("1.1", "S1"),
        ("1.2", "S1"),
        ("1.3", "S1"),
        ("2.1", "S2"),
        ("2.2", "S2"),
    ]
    assert {k[0] for k in found} == {"missing-sheet"}


def test_sasaran_on_its_own_row() -> None:
    wb, found = read(
        iku_grid(
            [
                MINIMAL_HEADER,
                [None, "S1"],
                ["1.1", None, "A", 1, 1],
                [],
                ["1.2", None, "B", 1, 1],
                [None, "S2"],
                [None, "S3"],
                ["3.1", None, "C", 1, 1],
                [None, "S4"],
            ]
        )
    )
    assert [(i.row, i.sasaran) for i in wb.indicators] == [(3, "S1"), (5, "S1"), (8, "S3")]
    assert {k for k in found if k[0] == "sasaran-without-indicator"} == {
        ("sasaran-without-indicator", c.SHEET_IKU, "B6", ""),
        ("sasaran-without-indicator", c.SHEET_IKU, "B9", ""),
    }


def test_indicator_before_any_sasaran() -> None:
    wb, found = read(iku_grid([MINIMAL_HEADER, ["1.1", None, "A", 1, 1], ["1.2", "S", "B", 1, 1]]))
    assert [(i.code, i.sasaran) for i in wb.indicators] == [("1.1", ""), ("1.2", "S")]
    assert ("missing-sasaran", c.SHEET_IKU, "B2", "1.1") in found


def test_rows_without_indicator_name() -> None:
    wb, found = read(
        iku_grid(
            [
                [*MINIMAL_HEADER, H["note"]],
                ["1.1", "S", "A", 1, 1],
                [None, None, None, None, None, "catatan saja"],  # text only: ignored
                ["1.2", None, None, 5, None],  # numbers without a name: reported
            ]
        )
    )
    assert [i.code for i in wb.indicators] == ["1.1"]
    assert ("missing-indicator-name", c.SHEET_IKU, "C4", "1.2") in found
    assert not any(k[2].endswith("3") for k in found)


def test_codes_and_texts_are_normalised() -> None:
    wb, _ = read(iku_grid([MINIMAL_HEADER, [1.1, "  S  1 ", "Nama\nindikator", 1, 1]]))
    (ind,) = wb.indicators
    assert (ind.code, ind.sasaran, ind.indicator) == ("1.1", "S 1", "Nama indikator")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (1.0, "1"),
        (1.1, "1.1"),
        (2023, "2023"),
        ("  a \n b ", "a b"),
        (True, "Ya"),
    ],
)
def test_text(value: object, expected: str) -> None:
    assert text(value) == expected


def test_values_keep_their_cells_and_formats() -> None:
    grid = SheetGrid(
        c.SHEET_IKU,
        [MINIMAL_HEADER, ["1.1", "S", "I", 0.8, "80 %"]],
        [[None] * 5, [None, None, None, "0%", "General"]],
    )
    wb, _ = read(grid)
    (ind,) = wb.indicators
    assert (ind.target.number, ind.target.parsed.percent_scaled) == (80, True)
    assert (ind.realisasi.number, ind.realisasi.parsed.from_text) == (80, True)
    assert ind.realisasi.ref is not None and str(ind.realisasi.ref) == "IKU!E2"


def test_absent_optional_columns_read_as_missing_without_cell() -> None:
    wb, _ = read(iku_grid([MINIMAL_HEADER, ["1.1", "S", "I", 1, 1]]))
    (ind,) = wb.indicators
    assert ind.weight.is_blank and ind.weight.ref is None
    assert ind.polarity == "Positif" and not ind.polarity_given
    assert ind.quarterly_aggregation == "Jumlah"  # no unit: a count


@pytest.mark.parametrize(
    ("unit", "target", "expected"),
    [
        ("%", 80, "Nilai Akhir"),
        ("persen", 80, "Nilai Akhir"),
        ("Orang", 80, "Jumlah"),
        (None, "80 %", "Nilai Akhir"),  # the unit written in the target cell
        (None, 80, "Jumlah"),
    ],
)
def test_quarterly_aggregation_default_by_unit(
    unit: str | None, target: object, expected: str
) -> None:
    wb, _ = read(iku_grid([[*MINIMAL_HEADER, H["unit"]], ["1.1", "S", "I", target, 1, unit]]))
    assert wb.indicators[0].quarterly_aggregation == expected


def test_rpjmd_rows() -> None:
    header = [
        RH["code"],
        RH["sasaran"],
        RH["indicator"],
        RH["unit"],
        RH["polarity"],
        "Kondisi Awal",
        "Target 2022",
        "Target 2023",
        RH["final_target"],
    ]
    grid = SheetGrid(
        c.SHEET_RPJMD,
        [
            ["RPJMD KOTA JAMBI 2018-2023"],
            header,
            ["1.1", "S1", "A", "%", "Negatif", 10, 9, "8", 8],
            ["1.2", None, "B", "%", None, None, None, "80-90", "80-90"],
            [None, "S2"],  # a sasaran heading: no indicator
            ["2.1", None, "C", "Orang", "Positif", 1, 2, 3, 3],
        ],
    )
    names, grids = make_grids(
        [{"code": "1.1", "sasaran": "S1", "indicator": "A", "target": 8, "realisasi": 8}]
    )
    grids[c.SHEET_RPJMD] = grid
    wb, _ = read_workbook(grids, [*names, c.SHEET_RPJMD])
    assert [(r.row, r.code, r.sasaran, r.polarity) for r in wb.rpjmd] == [
        (3, "1.1", "S1", "Negatif"),
        (4, "1.2", "S1", "Positif"),
        (6, "2.1", "S2", "Positif"),
    ]
    first = wb.rpjmd[0]
    assert sorted(first.targets) == [2022, 2023]
    assert first.targets[2023].number == 8
    assert str(first.targets[2023].ref) == "RPJMD!H3"
    assert (first.baseline.number, first.final_target.number) == (10, 8)
    assert wb.rpjmd[1].targets[2023].parsed.kind == "range"


# --- Settings -------------------------------------------------------------------------------------


def _settings_of(grid: SheetGrid) -> tuple[IkuWorkbook, set[tuple[str, str, str, str]]]:
    names, grids = make_grids(
        [{"code": "1.1", "sasaran": "S", "indicator": "I", "target": 1, "realisasi": 1}],
        rpjmd_rows=[],
    )
    grids[c.SHEET_PENGATURAN] = grid
    wb, findings = read_workbook(grids, names)
    return wb, {(f.rule, f.sheet, f.cell, f.code) for f in findings}


def test_settings_table_anywhere_keys_case_insensitive() -> None:
    grid = SheetGrid(
        c.SHEET_PENGATURAN,
        [
            ["PENGATURAN WORKBOOK IKU"],
            [],
            [None, "KUNCI", "NILAI"],
            [None, "tahun:", "2023"],
            [None, "RUMUS POLARITAS NEGATIF", "Rumus c"],
            [None, "Batas Atas Capaian (%)", "120 %"],
            [None, "Skala Predikat", "permenpanrb 8/2021"],
            [None, "Agregasi Sasaran", "RATA-RATA TERTIMBANG"],
            [None, "NIP", "196611201986031002"],
            [None, "Tahun", 1999],  # a second key is ignored
        ],
    )
    wb, found = _settings_of(grid)
    s = wb.settings
    assert (s.year, s.negative_formula, s.cap) == (2023, "C", 120)
    assert s.predicate_scale is not None and s.predicate_scale.name == "PermenPANRB 8/2021"
    assert s.sasaran_aggregation == "Rata-rata Tertimbang"
    assert s.signer_nip == "196611201986031002"
    assert s.refs["year"].address == "C4"
    assert not found


def test_settings_defaults() -> None:
    wb, found = _settings_of(settings_grid({"year": 2023}))
    s = wb.settings
    assert (s.negative_formula, s.cap, s.sasaran_aggregation) == ("A", None, "Rata-rata")
    assert s.predicate_scale is not None and s.predicate_scale.name == "Permendagri 86/2017"
    assert not found


def test_custom_scale_table_with_short_header() -> None:
    grid = SheetGrid(
        c.SHEET_PENGATURAN,
        [
            [*c.SETTINGS_HEADER, None, None, None, "PREDIKAT", "Batas Bawah"],
            ["Tahun", 2023, None, None, None, "A", 90],
            ["Skala Predikat", "Kustom", None, None, None, "B", "70"],
            [None, None, None, None, None, "C", None],
        ],
    )
    wb, found = _settings_of(grid)
    scale = wb.settings.predicate_scale
    assert scale is not None and scale.name == "Kustom"
    assert [scale.label(x) for x in (95, 90, 89.9, 70, 10, -5)] == ["A", "A", "B", "B", "C", "C"]
    assert not found


def test_no_settings_sheet() -> None:
    names, grids = make_grids(
        [{"sasaran": "S", "indicator": "I", "target": 1, "realisasi": 1}], settings_sheet=False
    )
    wb, findings = read_workbook(grids, names)
    assert wb.settings.year is None
    assert {(f.rule, f.sheet) for f in findings} == {
        ("missing-sheet", c.SHEET_PENGATURAN),
        ("missing-sheet", c.SHEET_RPJMD),
    }


# --- the row fast path ----------------------------------------------------------------------------


def test_row_cells_read_like_the_grid() -> None:
    """``RowCells`` (one row fetched once) gives what ``SheetGrid.value`` / ``number_format`` and
    ``parse_number`` give cell by cell, for short rows, missing formats and every kind of value;
    ``cell_value`` builds a Value equal to the one its two frozen constructors build."""
    from iku_excel.model import CellRef, Value, cell_value
    from iku_excel.numbers import parse_number
    from iku_excel.reader_base import RowCells

    values: list[list[object]] = [
        [1.5, "  80 % ", None, 0.8, 7, True, "1.234,5", float("nan"), "   "],
        ["x", 0.0, -0.0, 1.5, 0.8, float("inf")],  # a float again: the shared ParsedNumber
        [],
    ]
    formats: list[list[str | None]] = [
        [None, None, None, "0.00%", None, None, None, None],  # shorter than its row
        ["0%", None, None, None, "0%"],
    ]
    for grid in (SheetGrid("IKU", values, formats), SheetGrid("IKU", values)):
        for row in range(0, 5):
            cells = RowCells(grid, row)
            for col in range(0, 11):
                raw, fmt = grid.value(row, col), grid.number_format(row, col)
                assert cells.value(col) is raw
                assert cells.text(col) == text(raw)
                if col >= 1:
                    want = Value(parse_number(raw, fmt, style="en"), CellRef("IKU", row, col))
                    got = cells.number(col, "en")
                    assert (got.ref, repr(got.parsed)) == (want.ref, repr(want.parsed))
            assert cells.number(None).ref is None
            assert cells.text(None) == ""
            nonblank = [c for c in range(1, 10) if text(grid.value(row, c))]
            assert cells.is_empty(range(1, 10)) == (not nonblank)
    made = cell_value(parse_number(2.0), "IKU", 3, 4)
    assert made == Value(parse_number(2.0), CellRef("IKU", 3, 4))
    assert hash(made) == hash(Value(parse_number(2.0), CellRef("IKU", 3, 4)))


def test_rows_without_optional_columns_share_empty_extras_equal_to_read_extras() -> None:
    """Without an optional LKjIP column or an earlier year the reader skips read_extras: what it
    gives instead must be what read_extras would give for every row."""
    from iku_excel.extras import history_columns, read_extras
    from iku_excel.model import IkuExtras
    from iku_excel.reader import locate_header

    grid = iku_grid([MINIMAL_HEADER, ["1.1", "S1", "A", 1, 1], ["1.2", None, "B", 2, 1]])
    wb, _ = read(grid)
    layout = locate_header(grid, c.IKU_READ_COLUMNS)
    for ind in wb.indicators:
        assert ind.extras == IkuExtras() == read_extras(grid, layout, ind.row, {})
    assert history_columns(grid, layout, None) == {}
    with_budget = iku_grid([[*MINIMAL_HEADER, "Pagu (Rp)"], ["1.1", "S1", "A", 1, 1, 500]])
    wb, _ = read(with_budget)
    assert wb.indicators[0].extras.budget is not None
    assert wb.indicators[0].extras.budget.number == 500
