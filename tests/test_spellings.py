"""The same workbook in other spellings of its XML reads the same (``tests/helpers/respell.py``).

The byte-level readers look for ``<c r="``, ``s="N"`` and ``ref="`` as Excel writes them; a
workbook whose sheets use single quotes, newlines between attributes, spaces around ``=``,
another attribute order or a namespace prefix is the same document. Its values, number formats
(a percent format turns 0.875 into 87.5 %), merges and evaluation must not change: the
evaluation of the example, with a realisasi typed as a fraction under a percent format, and the
grids and merges of corpus files with merges, are compared with the original's.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from iku_excel.api import RefreshResult, check_file, refresh_file
from iku_excel.backends.xlsx.reader import read_column_formulas, read_grids, read_merges
from tests.helpers.respell import SPELLINGS, respell

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"


@pytest.fixture(scope="module")
def percent_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with indicator 2.1's realisasi typed as 0.875 under ``0.00%`` (87.5 %)."""
    path = tmp_path_factory.mktemp("spelling") / "persen.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    cell = book["IKU"]["N3"]
    cell.value, cell.number_format = 0.875, "0.00%"
    book["IKU"].merge_cells("T5:V6")  # a merge to read back
    book.save(path)
    return path


@pytest.fixture(scope="module")
def refreshed_example(
    percent_example: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, RefreshResult]:
    """:func:`percent_example` refreshed once, and what the refresh said."""
    path = tmp_path_factory.mktemp("refreshed") / "persen.xlsx"
    path.write_bytes(percent_example.read_bytes())
    return path, refresh_file(path)


def _evaluation(path: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    ev = check_file(path)
    indicators = [repr(result) for result in ev.indicators]
    findings = sorted((f.rule, f.sheet, f.cell) for f in ev.findings)
    return indicators, findings


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_evaluation_does_not_depend_on_the_spelling(
    percent_example: Path, tmp_path: Path, spelling: str
) -> None:
    original = _evaluation(percent_example)
    assert any("87.5" in r for r in original[0])  # the percent format was read
    other = respell(percent_example, tmp_path / f"{spelling}.xlsx", SPELLINGS[spelling])
    assert _evaluation(other) == original


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_grids_formats_and_merges_do_not_depend_on_the_spelling(
    percent_example: Path, tmp_path: Path, spelling: str
) -> None:
    other = respell(percent_example, tmp_path / f"{spelling}.xlsx", SPELLINGS[spelling])
    names, grids = read_grids(percent_example)
    other_names, other_grids = read_grids(other)
    assert other_names == names
    for name, grid in grids.items():
        assert [list(r) for r in other_grids[name].values] == [list(r) for r in grid.values]
        assert [list(r) for r in other_grids[name].formats] == [list(r) for r in grid.formats]
    merges = read_merges(percent_example, names)
    assert merges["IKU"] and read_merges(other, names) == merges


def _cells(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path)
    wanted = ("IKU", "Capaian", "Validasi")
    return {
        s.title: [[c.value for c in row] for row in s.iter_rows()]
        for s in book
        if s.title in wanted
    }


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_a_refresh_writes_the_same_cells_whatever_the_spelling(
    percent_example: Path,
    refreshed_example: tuple[Path, RefreshResult],
    tmp_path: Path,
    spelling: str,
) -> None:
    original, done = refreshed_example
    other = respell(percent_example, tmp_path / f"{spelling}.xlsx", SPELLINGS[spelling])
    assert refresh_file(other).changed_cells == done.changed_cells
    assert _cells(other) == _cells(original)
    assert refresh_file(other).changed_cells == ()  # a second refresh changes nothing


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_column_formulas_do_not_depend_on_the_spelling(
    refreshed_example: tuple[Path, RefreshResult], tmp_path: Path, spelling: str
) -> None:
    """The formulas of the Capaian (%) column, read to list the cells a refresh changes."""
    refreshed = refreshed_example[0]
    col = 15  # the IKU sheet's Capaian (%) column
    formulas = read_column_formulas(refreshed, "IKU", col)
    assert len(formulas) == 3 and all(f.startswith("=IF(") for f in formulas.values())
    other = respell(refreshed, tmp_path / f"{spelling}.xlsx", SPELLINGS[spelling])
    assert read_column_formulas(other, "IKU", col) == formulas
