"""The fast file reader sees what openpyxl sees: values, number formats, formulas of a column."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest

from iku_excel.api import refresh_file
from iku_excel.backends.xlsx.reader import read_column_formulas, read_grids
from iku_excel.contract import SHEET_IKU
from iku_excel.reader import sheets_to_read

ROOT = Path(__file__).resolve().parent
FILES = (
    sorted((ROOT / "corpus").glob("*.xls[xm]"))
    + sorted(p for p in (ROOT / "fixtures").glob("*.xlsx") if "missing-iku" not in p.name)
    + [ROOT.parent / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"]
)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each file refreshed once (so the IKU sheet holds formulas), keyed by name."""
    out: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("reader")
    for source in FILES:
        target = folder / source.name
        shutil.copyfile(source, target)
        try:
            refresh_file(target)
        except Exception:  # a fixture that cannot be refreshed is read as it is
            shutil.copyfile(source, target)
        out[source.name] = target
    return out


def _openpyxl(path: Path, data_only: bool) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, data_only=data_only)


@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_values_and_formats_match_openpyxl(refreshed: dict[str, Path], name: str) -> None:
    path = refreshed[name]
    names, grids = read_grids(path, sheets_to_read)
    book = _openpyxl(path, data_only=True)
    assert names == book.sheetnames
    for sheet, grid in grids.items():
        ws = book[sheet]
        for row in ws.iter_rows():
            for cell in row:
                got = grid.value(cell.row, cell.column)
                want = cell.value
                if isinstance(want, int | float) and not isinstance(want, bool):
                    assert got == pytest.approx(want, rel=1e-15), cell.coordinate
                elif want is not None and not hasattr(want, "year"):
                    assert got == want, (sheet, cell.coordinate)
                fmt = grid.number_format(cell.row, cell.column)
                if cell.number_format != "General" and cell.value is not None:
                    assert fmt == cell.number_format, (sheet, cell.coordinate)


@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_column_formulas_match_openpyxl(refreshed: dict[str, Path], name: str) -> None:
    path = refreshed[name]
    book = _openpyxl(path, data_only=False)
    if SHEET_IKU not in book.sheetnames:
        pytest.skip("no IKU sheet")
    ws = book[SHEET_IKU]
    for col in range(1, ws.max_column + 1):
        want = {
            cell.row: cell.value
            for (cell,) in ws.iter_rows(min_col=col, max_col=col)
            if isinstance(cell.value, str) and cell.value.startswith("=")
        }
        got = read_column_formulas(path, SHEET_IKU, col)
        assert got == want, col


def test_number_formats_only_from_cell_tags() -> None:
    """A style's ``s="N"`` counts only as an attribute of a ``<c>`` tag (prefixed or not,
    after any white space): not in a ``<col>``, a ``<row>``, text content, another attribute's
    name or value, nor ``s="1"`` inside ``s="12"``."""
    from iku_excel.backends.xlsx.reader import _NumberFormats

    class Package:
        def read(self, part: str) -> bytes:
            return (
                b'<worksheet><cols><col min="1" max="1" s="1"/></cols><sheetData>'
                b'<row r="1" s="1" customFormat="1"><c r="A1" s="1"><v>1</v></c>'
                b'<c r="B1" s="12"><v>2</v></c><c r="C1" t="inlineStr"><is><t> s="1"</t></is></c>'
                b'<c r="D1" xs="1"/><c r="E1"\n\ts="1"/></row>'
                b'<row r="2"><x:c r="A2" t="n" s="1"><v>3</v></x:c><c r="B2" s="0"/></row>'
                b"</sheetData></worksheet>"
            )

    formats = _NumberFormats.__new__(_NumberFormats)
    formats.package = Package()  # type: ignore[assignment]
    formats.codes = ["General", "0%"]
    formats._needles = [b's="1"']
    assert formats.of_part("xl/worksheets/sheet1.xml") == {
        (1, 1): "0%",
        (1, 5): "0%",
        (2, 1): "0%",
    }
    assert formats.of_part(None) == {}
