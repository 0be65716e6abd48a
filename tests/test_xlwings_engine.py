"""The xlwings engine, tested without Excel: xlwings' remote engine records what it does.

For every test workbook the xlwings engine refreshes a remote-engine book built from the file;
its recorded actions are replayed onto an openpyxl copy (``tests/helpers/xlwings_replay.py``)
and the ``IKU``, ``Capaian`` and ``Validasi`` sheets are compared, cell for cell and format for
format, with what the file engine writes for the same workbook (``xlwings_replay.EXEMPT`` lists
what the remote engine cannot record, which is not compared). The number of recorded actions
must grow with the number of sasaran groups, not with the number of indicators, on varied data
(every predikat band, alternating row by row; names of very different lengths; many findings).

Tests marked ``excel`` drive a real Excel and are skipped where there is none.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.workbook.workbook import Workbook

from iku_excel import contract as c
from iku_excel import sheets
from iku_excel.api import check_file, refresh_file, refresh_with
from iku_excel.backends.paint import fit_rows, rectangles
from iku_excel.backends.xlwings_engine import (
    FORMAT_READS_PER_COLUMN,
    XlwingsEngine,
    excel_input,
    frozen_range,
    read_format_runs,
    suspended,
)
from iku_excel.capaian import DEFAULT_SCALE
from iku_excel.errors import ContractError
from iku_excel.sheets import capaian as capaian_sheet
from iku_excel.sheets.spec import GROUP_FILL, Outputs, SheetSpec
from iku_excel.template import save_reproducible
from tests.fixtures.build_fixtures import (
    FIXTURES,
    IKU_COL,
    RPJMD_COL,
    build,
    fill,
    new_workbook,
    put,
)
from tests.helpers.xlwings_replay import (
    Replayer,
    enable_remote_engine,
    fitted_rows,
    remote_book,
    replay_onto,
    rgb,
    typed,
    workbook_differences,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
FIXTURE_DIR = ROOT / "tests" / "fixtures"

#: Fixture files whose number formats change what is read: the remote engine cannot read
#: formats (``SheetGrid.formats`` is None), so a percent-formatted 0.8 stays 0.8 there. Compared
#: with formats read as desktop Excel reads them (:func:`desktop_formats`).
NEEDS_FORMATS = {"percent-formatted-cells.xlsx"}


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """xlwings' remote engine needs a licence key: the noncommercial one for tests."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()


def _load(path: Path) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def both_engines(src: Path, tmp_path: Path) -> tuple[Workbook, Workbook, list[dict[str, Any]]]:
    """(file engine's result, replayed xlwings engine's result, the recorded actions)."""
    by_file = tmp_path / "by-file-engine.xlsx"
    shutil.copyfile(src, by_file)
    refresh_file(by_file)
    book = remote_book(src)
    refresh_with(XlwingsEngine(book))
    actions: list[dict[str, Any]] = book.json()["actions"]
    replayed, _ = replay_onto(src, actions)
    return _load(by_file), replayed, actions


# --- Test workbooks -------------------------------------------------------------------------------


def fixture_path(name: str, tmp_dir: Path) -> Path:
    """The committed fixture, or a fresh build of it when it has not been committed yet."""
    committed = FIXTURE_DIR / name
    return committed if committed.exists() else build(name, tmp_dir)


def generate_workbook(
    path: Path, n_groups: int, per_group: int, *, long_names: Callable[[int], bool] | None = None
) -> Path:
    """A clean IKU workbook: ``n_groups`` sasaran of ``per_group`` indicators each.

    Every indicator has the same shape (capaian 90 %, one predikat, names of one length), so the
    Capaian sheet's rows look alike within a group; ``long_names(i)`` makes indicator ``i``'s
    name long enough to wrap (a taller row).
    """
    wb = new_workbook()
    iku_rows, rpjmd_rows = [], []
    n = 0
    for g in range(1, n_groups + 1):
        for i in range(1, per_group + 1):
            n += 1
            name = f"Persentase layanan sosial yang tertangani nomor {g:03d}.{i:04d}"
            if long_names is not None and long_names(n):
                name += " pada seluruh kecamatan dan kelurahan di wilayah kota" * 2
            row = {
                "code": f"{g}.{i}",
                "sasaran": f"Sasaran strategis nomor {g:03d}",
                "indicator": name,
                "unit": "%",
                "polarity": "Positif",
            }
            iku_rows.append({**row, "target": 100, "realisasi": 90})
            targets = {"target_2021": 90, "target_2022": 95, "target_2023": 100}
            rpjmd_rows.append({**row, "baseline": 80, **targets, "final_target": 100})
    fill(wb[c.SHEET_RPJMD], RPJMD_COL, rpjmd_rows)
    fill(wb[c.SHEET_IKU], IKU_COL, iku_rows)
    return save_reproducible(wb, path)


#: Capaian (target 100) that walk through every band of the default scale, row after row.
VARIED_CAPAIAN = (95, 80, 70, 55, 30)
_FILLER = ("pada", "seluruh", "kecamatan", "dan", "kelurahan", "di", "wilayah", "kota", "yang")


def varied_workbook(path: Path, n_groups: int, per_group: int) -> Path:
    """An IKU workbook whose rows differ the way real ones do: ``n_groups`` sasaran of
    ``per_group`` indicators; the predikat changes on every row (all five bands), indicator
    names run from a few words to several lines, a third of the rows have a wrong Capaian
    Dilaporkan (an error each) and every eleventh realisasi is text ("80,5": an info each)."""
    wb = new_workbook()
    iku_rows, rpjmd_rows = [], []
    n = 0
    for g in range(1, n_groups + 1):
        for i in range(1, per_group + 1):
            n += 1
            filler = " ".join(_FILLER[k % len(_FILLER)] for k in range((n * 7) % 41))
            row = {
                "code": f"{g}.{i}",
                "sasaran": f"Sasaran strategis nomor {g:03d}",
                "indicator": f"Persentase layanan {g}.{i} {filler}".strip(),
                "unit": "%",
                "polarity": "Positif",
            }
            capaian = VARIED_CAPAIAN[n % len(VARIED_CAPAIAN)]
            iku_rows.append(
                {
                    **row,
                    "target": 100,
                    "realisasi": f"{capaian},5" if n % 11 == 0 else capaian,
                    "reported_capaian": 12.34 if n % 3 == 0 else None,
                }
            )
            targets = {"target_2021": 90, "target_2022": 95, "target_2023": 100}
            rpjmd_rows.append({**row, "baseline": 80, **targets, "final_target": 100})
    fill(wb[c.SHEET_RPJMD], RPJMD_COL, rpjmd_rows)
    fill(wb[c.SHEET_IKU], IKU_COL, iku_rows)
    return save_reproducible(wb, path)


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fixtures")


# --- Pure helpers ---------------------------------------------------------------------------------

TEXTS = [
    "Orang",
    "%",
    "1.1",
    "2023",
    "TAHUN 2023",
    "80%",
    "1/2",
    "12:30",
    "=SUM(A1:A3)",
    "+62 812 345",
    "-",
    "- catatan",
    "@riza",
    "'kutip",
    "TRUE",
    "salah",
    "#N/A",
    "Capaian (%)",
    "Rata-rata capaian sasaran",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_stays_text_when_written_through_excel(text: str) -> None:
    assert typed(excel_input(text)) == text


def test_values_pass_unchanged() -> None:
    assert [excel_input(v) for v in (None, "", 0, 1.5, True)] == [None, None, 0, 1.5, True]


def test_replayer_parses_unprotected_text_like_excel() -> None:
    # The replay is only a check if it turns unprotected text into what Excel would.
    assert typed("1.1") == 1.1
    assert typed("80%") == 0.8
    assert typed("TRUE") is True
    assert typed("=A1") == "=A1"
    assert typed("1/2") != "1/2"
    assert typed("E4") == "E4" and typed("1.5E3") == 1500.0


@given(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 8)), max_size=60))
def test_rectangles_cover_exactly(cells: set[tuple[int, int]]) -> None:
    covered: list[tuple[int, int]] = []
    for r1, c1, r2, c2 in rectangles(cells):
        covered += [(r, col) for r in range(r1, r2 + 1) for col in range(c1, c2 + 1)]
    assert sorted(covered) == sorted(cells)  # every cell once, nothing else


def test_rectangles_of_a_table_and_of_a_column_are_one() -> None:
    table = {(r, col) for r in range(5, 2005) for col in range(1, 15)}
    assert rectangles(table) == [(5, 1, 2004, 14)]
    # a table whose last column is broken by group rows: full columns first, then the rest
    broken = {(r, col) for r in range(1, 101) for col in range(1, 14)}
    broken |= {(r, 14) for r in range(1, 101) if r % 10}
    assert len(rectangles(broken)) == 1 + 10


def test_frozen_range_is_what_excel_freezes() -> None:
    assert frozen_range(7, 4) == "A1:C6"
    assert frozen_range(6, 1) == "1:5"
    assert frozen_range(1, 3) == "A:B"
    assert frozen_range(1, 1) is None


def test_number_formats_are_read_in_few_calls() -> None:
    formats = ["General"] + ["0%"] * 998 + ["0.00"]  # rows 1..1000
    calls: list[tuple[int, int]] = []

    def get(r1: int, r2: int) -> str | None:
        calls.append((r1, r2))
        found = set(formats[r1 - 1 : r2])
        return found.pop() if len(found) == 1 else None

    runs = read_format_runs(get, 1, 1000, FORMAT_READS_PER_COLUMN)
    assert len(calls) <= 4 * 10  # halving: a few reads per level of a 1,000-row column
    decided = {r: f for a, b, f in runs for r in range(a, b + 1)}
    assert decided == {r: formats[r - 1] for r in range(1, 1001)}
    calls.clear()
    assert read_format_runs(get, 2, 999, 48) == [(2, 999, "0%")]
    assert len(calls) == 1


def test_number_format_budget_leaves_rows_undecided() -> None:
    formats = ["0%" if r % 2 else "General" for r in range(1, 201)]  # changes every row

    def get(r1: int, r2: int) -> str | None:
        found = set(formats[r1 - 1 : r2])
        return found.pop() if len(found) == 1 else None

    runs = read_format_runs(get, 1, 200, 10)
    decided = {r: f for a, b, f in runs for r in range(a, b + 1)}
    assert all(formats[r - 1] == f for r, f in decided.items())
    assert len(decided) < 200


# --- Reading --------------------------------------------------------------------------------------


def test_read_gives_grids_from_a1_with_ints_like_the_file_reader() -> None:
    book = remote_book(EXAMPLE)
    engine = XlwingsEngine(book)
    names, grids = engine.read(lambda ns: [n for n in ns if n in (c.SHEET_IKU, c.SHEET_RPJMD)])
    assert names == ["Petunjuk", c.SHEET_PENGATURAN, c.SHEET_RPJMD, c.SHEET_IKU]
    ws = _load(EXAMPLE)[c.SHEET_IKU]
    iku = grids[c.SHEET_IKU]
    assert iku.formats is None  # the remote engine cannot read number formats
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if cell.data_type != "f":
                assert iku.value(cell.row, cell.column) == cell.value, cell.coordinate
    assert engine.label == EXAMPLE.name


def test_read_normalises_floats_and_errors(tmp_path: Path) -> None:
    book = remote_book(EXAMPLE)
    sheet = book.sheets[c.SHEET_IKU].api  # the remote engine's payload of that sheet
    sheet["values"][1][0] = 2023.0
    sheet["values"][1][1] = "#N/A"
    grid = XlwingsEngine(book).read_sheet(c.SHEET_IKU)
    assert grid.value(2, 1) == 2023 and isinstance(grid.value(2, 1), int)
    assert grid.value(2, 2) == "#N/A"


# --- The replayed engine equals the file engine ---------------------------------------------------


def test_example_workbook(tmp_path: Path) -> None:
    expected, replayed, _ = both_engines(EXAMPLE, tmp_path)
    assert workbook_differences(expected, replayed) == []


@pytest.mark.parametrize("name", sorted(set(FIXTURES) - NEEDS_FORMATS))
def test_fixture_workbooks(name: str, fixture_dir: Path, tmp_path: Path) -> None:
    src = fixture_path(name, fixture_dir)
    try:
        refresh_file(shutil.copyfile(src, tmp_path / name))
    except ContractError as exc:  # the workbook cannot be read: the same error from Excel
        with pytest.raises(ContractError) as raised:
            refresh_with(XlwingsEngine(remote_book(src)))
        assert str(raised.value) == str(exc)
        return
    expected, replayed, _ = both_engines(src, tmp_path)
    assert workbook_differences(expected, replayed) == []


@pytest.fixture
def desktop_formats(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Let the remote engine read number formats the way desktop Excel does (from the file;
    ``None`` for a range whose cells differ), to test the engine's format reading."""
    from xlwings.pro import _xlremote

    original = _xlremote.Range.number_format

    def install(path: Path) -> None:
        book = _load(path)
        reads: list[tuple[str, tuple[int, int], tuple[int, int]]] = []

        def getter(impl: Any) -> str | None:
            first = impl.arg1
            last = impl.arg2 or first
            reads.append((impl.sheet.name, first, last))
            ws = book[impl.sheet.name]
            found = {
                ws.cell(row=r, column=col).number_format
                for r in range(first[0], last[0] + 1)
                for col in range(first[1], last[1] + 1)
            }
            return found.pop() if len(found) == 1 else None

        monkeypatch.setattr(_xlremote.Range, "number_format", property(getter, original.fset))
        install.reads = reads  # type: ignore[attr-defined]

    return install


@pytest.mark.parametrize("name", sorted(NEEDS_FORMATS))
def test_percent_formats_read_as_desktop_excel_reads_them(
    name: str, fixture_dir: Path, tmp_path: Path, desktop_formats: Callable[[Path], None]
) -> None:
    src = fixture_path(name, fixture_dir)
    desktop_formats(src)
    expected, replayed, _ = both_engines(src, tmp_path)
    assert workbook_differences(expected, replayed) == []
    reads = desktop_formats.reads  # type: ignore[attr-defined]
    assert reads and all(first[1] == last[1] for _, first, last in reads)  # a column at a time
    numeric_columns = {(sheet, first[1]) for sheet, first, _ in reads}
    assert len(reads) <= len(numeric_columns) * FORMAT_READS_PER_COLUMN


@pytest.mark.parametrize("name", sorted(NEEDS_FORMATS))
def test_without_formats_a_percent_cell_reads_as_its_fraction(name: str, fixture_dir: Path) -> None:
    """The documented limit of engines that cannot read formats (the remote engine)."""
    src = fixture_path(name, fixture_dir)
    ws = _load(src)[c.SHEET_IKU]
    percent = next(
        cell for row in ws.iter_rows(min_row=2) for cell in row
        if isinstance(cell.value, float) and "%" in cell.number_format
    )  # fmt: skip
    grid = XlwingsEngine(remote_book(src)).read_sheet(c.SHEET_IKU)
    assert grid.formats is None
    assert grid.value(percent.row, percent.column) == percent.value < 1.5


def test_varied_workbook(tmp_path: Path) -> None:
    """Every predikat band and many findings: the conditional formats, the HYPERLINK formulas
    and the heights both engines set match; the rows Excel AutoFits are those the file engine
    estimates."""
    src = varied_workbook(tmp_path / "varied.xlsx", 4, 9)
    expected, replayed, actions = both_engines(src, tmp_path)
    assert workbook_differences(expected, replayed) == []
    validasi = replayed[c.SHEET_VALIDASI]
    links = [
        cell.value
        for cell in validasi["E"]
        if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK(")
    ]
    assert len(links) >= 12
    assert "addHyperlink" not in {a["func"] for a in actions}
    fitted = [a for a in actions if a["func"] == "setAutofit"]
    assert len(fitted) == 2  # one per output sheet
    # the table's rows (from the first indicator to the last) are fitted; the header and the
    # footnote below the table keep the heights both engines set
    ev = check_file(src)
    overall = 7 + len(ev.indicators) + len(ev.sasaran)
    assert fitted_rows(replayed[c.SHEET_CAPAIAN]) == set(range(7, overall - 1))
    heights = {r for r, d in expected[c.SHEET_CAPAIAN].row_dimensions.items() if d.height}
    assert {5} < heights - set(range(7, overall - 1)) and min(heights - {5}) == 7


@pytest.mark.slow
def test_generated_2000_indicator_workbook(tmp_path: Path) -> None:
    src = generate_workbook(tmp_path / "iku-2000.xlsx", 100, 20, long_names=lambda n: n % 7 == 0)
    expected, replayed, _ = both_engines(src, tmp_path)
    assert workbook_differences(expected, replayed) == []


def test_second_refresh_clears_the_old_sheets(tmp_path: Path) -> None:
    """Capaian and Validasi already exist (bigger, with a KETERANGAN typed in): both engines
    rebuild them, and the note survives."""
    first = generate_workbook(tmp_path / "first.xlsx", 3, 6, long_names=lambda n: n % 2 == 0)
    refresh_file(first)
    wb = _load(first)
    wb[c.SHEET_IKU].delete_rows(3, 5)  # 13 indicators left; rows of the old sheets move
    capaian = wb[c.SHEET_CAPAIAN]
    capaian.cell(row=7, column=13).value = "Dicatat oleh perencana"
    put(wb[c.SHEET_IKU], 2, IKU_COL["realisasi"], 120)  # a new predikat colour on row 7
    src = tmp_path / "second.xlsx"
    wb.save(src)
    expected, replayed, actions = both_engines(src, tmp_path)
    assert workbook_differences(expected, replayed) == []
    assert {a["func"] for a in actions} >= {"sheetClear", "setSheetAutofit"}
    assert "addSheet" not in {a["func"] for a in actions}
    note = replayed[c.SHEET_CAPAIAN].cell(row=7, column=13).value
    assert note == "Dicatat oleh perencana"


# --- How many calls -------------------------------------------------------------------------------

#: Recorded actions of a refresh: at most BASE_CALLS + CALLS_PER_GROUP * number of sasaran.
#: Measured on varied data: 139 + 3 per sasaran (its merged sasaran cell, its merged rata-rata
#: label, and one copy of the last group's rata-rata row's formats), whatever the number of
#: indicators; the base includes the Capaian sheet's chart (5 actions) and its data block's
#: formats. ``tests/test_excel_calls.py`` holds the same bound at 1, 5, 20, 80 and 300 groups.
BASE_CALLS = 139
CALLS_PER_GROUP = 3


def refresh_actions(src: Path) -> tuple[list[dict[str, Any]], Any]:
    """The actions the xlwings engine records refreshing ``src``, and the evaluation."""
    book = remote_book(src)
    result = refresh_with(XlwingsEngine(book))
    return book.json()["actions"], result.evaluation


def assert_varied(ev: Any, n: int) -> None:
    """The data really varies: every band, a new predikat on every row, findings on a third."""
    predicates = [r.predicate for r in ev.indicators]
    assert set(predicates) == {band.label for band in DEFAULT_SCALE.bands}
    assert all(a != b for a, b in pairwise(predicates))
    rules = Counter(f.rule for f in ev.findings)
    assert rules["reported-capaian-mismatch"] >= n // 3 and rules["number-stored-as-text"] > 0


@pytest.mark.parametrize("n_groups", [1, 2, 5, 10])
def test_calls_grow_with_sasaran_groups_not_indicators(n_groups: int, tmp_path: Path) -> None:
    """20 and 2,000 varied indicators in the same sasaran groups: within the bound, and the
    2,000 cost no more calls than the 20."""
    counts = {}
    for n in (20, 2000):
        src = varied_workbook(tmp_path / f"g{n_groups}-{n}.xlsx", n_groups, n // n_groups)
        actions, ev = refresh_actions(src)
        assert_varied(ev, n)
        counts[n] = len(actions)
        assert counts[n] <= BASE_CALLS + CALLS_PER_GROUP * n_groups, Counter(
            a["func"] for a in actions
        )
    assert counts[2000] <= counts[20]


def test_calls_of_many_sasaran_groups(tmp_path: Path) -> None:
    """100 sasaran of 20 varied indicators, and 20 sasaran of one indicator each (no merged
    sasaran cell): the same bound."""
    for n_groups, per_group in ((100, 20), (20, 1)):
        src = varied_workbook(tmp_path / f"g{n_groups}.xlsx", n_groups, per_group)
        actions, _ = refresh_actions(src)
        assert len(actions) <= BASE_CALLS + CALLS_PER_GROUP * n_groups


def _static_colours(spec: SheetSpec) -> SheetSpec:
    """The old design: each predikat cell styled with its band's fill (no conditional format)."""
    styles = dict(spec.styles)
    cells = []
    for cell in spec.cells:
        rule = next(
            (
                r
                for r in spec.conditional_fills
                if r.first_col <= cell.col <= r.last_col
                and r.first_row <= cell.row <= r.last_row
                and cell.value == r.equals
            ),
            None,
        )
        if rule is not None:
            name = f"predikat:{rule.equals}"
            styles[name] = dataclasses.replace(
                styles[cell.style], fill=rule.fill, font_color=rule.font_color
            )
            cell = dataclasses.replace(cell, style=name)
        cells.append(cell)
    return dataclasses.replace(spec, styles=styles, cells=cells, conditional_fills=[])


def _explicit_heights(spec: SheetSpec) -> SheetSpec:
    """The old design: every estimated row height set row by row, no AutoFit."""
    heights = spec.estimated_heights | spec.row_heights
    return dataclasses.replace(spec, row_heights=heights, estimated_heights={})


@pytest.mark.parametrize("old_design", [_static_colours, _explicit_heights])
def test_the_bound_fails_with_per_row_formats(
    old_design: Callable[[SheetSpec], SheetSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound has teeth: with the per-row formats of the old design on the same data, the
    calls grow with the indicators and break it."""
    build = sheets.build_outputs

    def old_outputs(*args: Any, **kwargs: Any) -> Outputs:
        out = build(*args, **kwargs)
        return dataclasses.replace(
            out, capaian=old_design(out.capaian), validasi=old_design(out.validasi)
        )

    monkeypatch.setattr(sheets, "build_outputs", old_outputs)
    actions, _ = refresh_actions(varied_workbook(tmp_path / "old.xlsx", 5, 400))
    assert len(actions) > 2 * (BASE_CALLS + CALLS_PER_GROUP * 5)


def test_replayed_copy_of_formats_is_same_size_only() -> None:
    """``copyFromRange`` gives each destination cell its source cell's whole style (values
    untouched), expands a smaller destination to the source's size, and refuses tiling."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws["B1"].number_format = "0.00"
    ws["A3"] = "tetap"

    def copy(start_row: int, rows: int, cols: int) -> dict[str, Any]:
        return {
            "func": "copyFromRange",
            "args": [0, "$A$1:$B$1", "Formats", False, False],
            "sheet_position": 0,
            "start_row": start_row - 1,
            "start_column": 0,
            "row_count": rows,
            "column_count": cols,
        }

    replayer = Replayer(wb)
    replayer.replay([copy(3, 1, 1)])  # one cell: expanded to A3:B3
    assert ws["A3"].font.b and ws["B3"].number_format == "0.00" and ws["A3"].value == "tetap"
    with pytest.raises(NotImplementedError, match="tiling"):
        replayer.replay([copy(5, 2, 2)])


def test_predikat_colours_are_one_conditional_format_per_band(tmp_path: Path) -> None:
    """One call per band over the whole PREDIKAT column, none per indicator; the predikat
    cells themselves have one base style, without fill."""
    src = varied_workbook(tmp_path / "bands.xlsx", 3, 30)
    actions, ev = refresh_actions(src)
    added = [a for a in actions if a["func"] == "addConditionalFormat"]
    assert len(added) == len(DEFAULT_SCALE.bands)
    overall_row = 7 + len(ev.indicators) + len(ev.sasaran)
    for action, band in zip(added, DEFAULT_SCALE.bands, strict=True):
        entry = action["args"][0]
        assert (entry["operator"], entry["formula1"]) == ("EqualTo", f'="{band.label}"')
        assert entry["fill_color"].upper() == "#" + band.colour
        first, last = action["start_row"] + 1, action["start_row"] + action["row_count"]
        column = action["start_column"] + 1
        assert (first, last, column) == (7, overall_row, capaian_sheet.COL_PREDIKAT)
    fills = [a for a in actions if a["func"] == "setRangeColor"]
    assert not any(  # the group fill, or none (painted back over a group row's predikat cell)
        a["start_column"] + 1 == capaian_sheet.COL_PREDIKAT
        and a["args"][0] not in ("#" + GROUP_FILL, None)
        for a in fills
    )


def test_rows_are_fitted_in_one_call(tmp_path: Path) -> None:
    """Estimated heights are AutoFit by Excel in one call per sheet; fixed heights set after."""
    src = varied_workbook(tmp_path / "heights.xlsx", 2, 40)
    book = remote_book(src)
    seen: list[SheetSpec] = []
    original = XlwingsEngine.write_sheet

    def spy(self: XlwingsEngine, spec: SheetSpec) -> Any:
        seen.append(spec)
        return original(self, spec)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(XlwingsEngine, "write_sheet", spy)
        refresh_with(XlwingsEngine(book))
    actions = book.json()["actions"]
    autofits = [a for a in actions if a["func"] == "setAutofit"]
    for spec, action in zip(seen, autofits, strict=True):
        rect = fit_rows(spec)
        assert rect is not None and rect[0] == min(spec.estimated_heights)
        first, last = action["start_row"] + 1, action["start_row"] + action["row_count"]
        assert (first, last) == (rect[0], rect[2]) == (rect[0], max(spec.estimated_heights))
        assert action["column_count"] == max(cell.col for cell in spec.cells)
        assert not set(spec.row_heights) & set(range(first, last + 1))
    heights = [a for a in actions if a["func"] == "setRowHeight"]
    assert len(heights) <= 1 + len(
        capaian_sheet.footnote_lines(check_file(src).workbook.settings, DEFAULT_SCALE)
    )


# --- Application settings -------------------------------------------------------------------------


def _settings(actions: list[dict[str, Any]]) -> list[tuple[str, object]]:
    replayer = Replayer(Workbook())
    for action in actions:
        if action["func"] in ("setScreenUpdating", "setCalculation"):
            replayer.replay([action])
    return replayer.settings


def test_screen_updating_and_calculation_suspended_and_restored() -> None:
    book = remote_book(EXAMPLE, calculation="Automatic")
    refresh_with(XlwingsEngine(book))
    actions = book.json()["actions"]
    assert _settings(actions) == [
        ("screen_updating", False),
        ("calculation", "Manual"),
        ("calculation", "Automatic"),
    ]
    funcs = [a["func"] for a in actions]
    assert funcs[:2] == ["setScreenUpdating", "setCalculation"]
    assert funcs.index("setCalculation", 2) > max(
        i for i, f in enumerate(funcs) if f == "setFormula"
    )


def test_settings_restored_when_the_build_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    book = remote_book(EXAMPLE, calculation="Automatic")

    def broken(self: XlwingsEngine, spec: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(XlwingsEngine, "write_sheet", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        refresh_with(XlwingsEngine(book))
    assert _settings(book.json()["actions"])[-1] == ("calculation", "Automatic")


def test_manual_calculation_is_left_alone() -> None:
    book = remote_book(EXAMPLE, calculation="Manual")
    with suspended(book.app):
        pass
    assert _settings(book.json()["actions"]) == [("screen_updating", False)]


# --- Real Excel -----------------------------------------------------------------------------------


def _excel_available() -> bool:
    if sys.platform not in ("win32", "darwin"):
        return False
    import xlwings as xw

    return "excel" in [engine.name for engine in xw.engines]


@pytest.fixture
def excel_book(tmp_path: Path) -> Iterator[Callable[[Path], Any]]:
    import xlwings as xw

    try:
        app = xw.App(visible=False, add_book=False)
    except Exception as exc:  # pywin32 present, Excel missing or not startable
        pytest.skip(f"Excel could not be started: {exc}")
    try:
        yield lambda path: app.books.open(str(path))
    finally:
        app.quit()


def _refreshed_by_both(
    src: Path, tmp_path: Path, excel_book: Callable[[Path], Any]
) -> tuple[Any, Any]:
    """``src`` refreshed by the file engine and by real Excel (saved), loaded; asserts their
    cells are the same but for the heights of the rows Excel measured with AutoFit, which the
    file engine estimated (EXEMPT)."""
    by_file, by_excel = tmp_path / "by-file-engine.xlsx", tmp_path / "by-excel.xlsx"
    shutil.copyfile(src, by_file)
    shutil.copyfile(src, by_excel)
    refresh_file(by_file)
    book = excel_book(by_excel)
    specs: list[SheetSpec] = []

    class Recording(XlwingsEngine):
        def write_sheet(self, spec: SheetSpec) -> Any:
            specs.append(spec)
            return super().write_sheet(spec)

    refresh_with(Recording(book))
    book.save()
    fitted = {}
    for spec in specs:
        rect = fit_rows(spec)
        fitted[spec.name] = (
            set(range(rect[0], rect[2] + 1)) - set(spec.row_heights) if rect else set()
        )
    expected, actual = _load(by_file), _load(by_excel)
    assert workbook_differences(expected, actual, fitted=fitted) == []
    return expected, actual


@pytest.mark.excel
@pytest.mark.skipif(not _excel_available(), reason="needs Microsoft Excel (Windows or macOS)")
def test_real_excel_matches_the_file_engine(
    tmp_path: Path, excel_book: Callable[[Path], Any]
) -> None:
    """In Excel nothing is exempt: the saved result must match the file engine's, including
    underline, tab colour and print titles."""
    expected, actual = _refreshed_by_both(EXAMPLE, tmp_path, excel_book)
    for name in (c.SHEET_CAPAIAN, c.SHEET_VALIDASI):
        e, a = expected[name], actual[name]
        assert e.print_title_rows == a.print_title_rows
        assert rgb(e.sheet_properties.tabColor) == rgb(a.sheet_properties.tabColor)
        assert [cell.font.u for row in e.iter_rows() for cell in row] == [
            cell.font.u for row in a.iter_rows() for cell in row
        ]


@pytest.mark.excel
@pytest.mark.skipif(not _excel_available(), reason="needs Microsoft Excel (Windows or macOS)")
def test_real_excel_paints_many_groups_through_the_name(
    tmp_path: Path, excel_book: Callable[[Path], Any]
) -> None:
    """80 sasaran groups: the rata-rata rows' layers pass 255 characters and go through the
    temporary defined name (every multi-area layer does on a Mac); the saved book matches the
    file engine's formats and merges and has no defined name of ours."""
    src = varied_workbook(tmp_path / "many.xlsx", 80, 3)
    _, actual = _refreshed_by_both(src, tmp_path, excel_book)
    assert "_IkuExcelAreas" not in actual.defined_names


# --- The comparison has teeth ---------------------------------------------------------------------


def test_comparison_notices_a_missing_format_and_unprotected_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, _, actions = both_engines(EXAMPLE, tmp_path)
    first_bold = next(
        i
        for i, a in enumerate(actions)
        if a["func"] == "setFontProperty" and a["args"][0] == "bold"
    )
    without_bold, _ = replay_onto(EXAMPLE, actions[:first_bold] + actions[first_bold + 1 :])
    assert any(" bold: " in d for d in workbook_differences(expected, without_bold))
    # Without the apostrophe, Excel turns the code "1.1" and "TAHUN 2023"-like text into
    # something else: the replay shows it.
    import iku_excel.backends.xlwings_engine as engine_module

    monkeypatch.setattr(engine_module, "excel_input", lambda value: value)
    _, unprotected, _ = both_engines(EXAMPLE, tmp_path)
    assert any(" value: '1.1' != 1.1" in d for d in workbook_differences(expected, unprotected))


def test_comparison_notices_missing_colours_and_heights(tmp_path: Path) -> None:
    """Conditional formats are compared, and so are the heights every engine sets."""
    expected, _, actions = both_engines(EXAMPLE, tmp_path)
    for dropped, wanted in (
        ("addConditionalFormat", " conditional formats: "),
        ("setRowHeight", " row heights: "),
    ):
        kept = [a for a in actions if a["func"] != dropped]
        replayed, _ = replay_onto(EXAMPLE, kept)
        assert any(wanted in d for d in workbook_differences(expected, replayed)), dropped


def test_extra_sheets_are_built_by_both_engines_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Outputs.extra`` sheets (Capaian TW, Pemetaan, ...) go through the same two writers."""
    build = sheets.build_outputs

    def with_extra(*args: Any, **kwargs: Any) -> Outputs:
        out = build(*args, **kwargs)
        extra = dataclasses.replace(out.validasi, name="Tambahan")
        return dataclasses.replace(out, extra=(extra,))

    monkeypatch.setattr(sheets, "build_outputs", with_extra)
    expected, replayed, _ = both_engines(EXAMPLE, tmp_path)
    assert "Tambahan" in expected.sheetnames
    assert [c.value for c in expected["Tambahan"][1]] == [c.value for c in expected["Validasi"][1]]
    assert workbook_differences(expected, replayed) == []
