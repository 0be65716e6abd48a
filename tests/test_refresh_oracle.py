"""The refreshed numbers, proven twice: by the cached values and by LibreOffice's recalculation.

For the example workbook and for generated workbooks covering every kind of input and setting
(``tests/test_refresh.py`` ``CASES``), after ``refresh_file``:

- every formula cell of the ``Capaian``, ``IKU`` and ``Validasi`` sheets carries a cached value
  equal to what LibreOffice computes when it recalculates the whole workbook (read with openpyxl
  and with python-calamine);
- every number and predikat of the Capaian table, and the IKU ``Capaian (%)`` column, equal
  ``iku-excel check --json`` of the same file, read from the cached values and from the
  recalculation;
- after an input is changed (with openpyxl, which drops the cached values: LibreOffice has to
  compute everything), the recalculated Capaian table equals ``check --json`` of the changed file:
  the formulas are live and reference the right cells.

All workbooks go through one LibreOffice run (:func:`recalculate_many`).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from iku_excel.api import refresh_file
from iku_excel.cli import cli
from iku_excel.contract import SHEET_CAPAIAN, SHEET_IKU, SHEET_VALIDASI
from iku_excel.numbers import parse_number
from iku_excel.sheets.capaian import (
    COL_CAPAIAN,
    COL_CODE,
    COL_PREDIKAT,
    COL_REALISASI,
    COL_SASARAN,
    COL_TARGET,
    COL_VS_FINAL,
)
from iku_excel.sheets.capaian_tw import SHEET_CAPAIAN_TW
from tests.helpers import libreoffice
from tests.helpers.libreoffice import formulas
from tests.test_refresh import EXAMPLE, IKU_COL, build_case

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(libreoffice.soffice_path() is None, reason="LibreOffice is not installed"),
]

#: Validasi too: its SEL cells are HYPERLINK formulas whose cached value (the address) must be
#: what LibreOffice computes.
SHEETS = [SHEET_CAPAIAN, SHEET_IKU, SHEET_VALIDASI]
REL_TOL = 1e-12
CAPAIAN_LETTER = get_column_letter(IKU_COL["capaian"])

# --- LibreOffice, several workbooks per run -------------------------------------------------------


def recalculate_many(
    paths: Sequence[Path], sheets: Sequence[str], timeout: float = 300.0
) -> dict[Path, dict[str, dict[str, object]]]:
    """:func:`tests.helpers.libreoffice.recalculated_values` for many workbooks, one soffice run.

    Same profile settings (recalculate always on load) and the same value conventions: a formula
    that returned ``""`` is reported as ``""``; blank cells are absent.
    """
    soffice = libreoffice.soffice_path()
    assert soffice is not None
    with tempfile.TemporaryDirectory(prefix="iku-lo-batch-") as tmp:
        work = Path(tmp)
        profile = libreoffice.write_profile(work / "profile")
        inputs: dict[Path, Path] = {}
        (work / "in").mkdir()
        for i, path in enumerate(paths):
            copy = work / "in" / f"{i:03d}-{path.name}"
            shutil.copyfile(path, copy)
            inputs[path] = copy
        args = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(work / "out"),
            *map(str, inputs.values()),
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, start_new_session=True
        )
        out: dict[Path, dict[str, dict[str, object]]] = {}
        for path, copy in inputs.items():
            converted = work / "out" / f"{copy.stem}.xlsx"
            assert converted.is_file(), f"LibreOffice did not convert {path}: {done.stderr}"
            with zipfile.ZipFile(converted) as zf:
                CHART_PARTS[path] = [
                    zf.read(n).decode("utf-8")
                    for n in zf.namelist()
                    if n.startswith("xl/charts/chart") and n.endswith(".xml")
                ]
            out[path] = read_values(converted, [s for s in sheets if s in sheet_names(converted)])
        return out


#: The chart parts of each workbook after LibreOffice converted it (their XML).
CHART_PARTS: dict[Path, list[str]] = {}


def sheet_names(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def sheets_in(path: Path) -> list[str]:
    """:data:`SHEETS`, and Capaian TW when the workbook has it."""
    return [*SHEETS, *([SHEET_CAPAIAN_TW] if SHEET_CAPAIAN_TW in sheet_names(path) else [])]


@dataclass
class Cells:
    """What openpyxl reads from a file: values of non-blank cells, and the formula cells."""

    values: dict[str, dict[str, object]]
    formulas: dict[str, dict[str, str]]


def read_cells(path: Path, sheets: Sequence[str]) -> Cells:
    """Cached values of every non-blank cell (openpyxl ``data_only``), formula cells whose
    cached value is empty giving ``""`` (as the LibreOffice helper does), and the formulas."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: extensions it does not read (x14...)
        return _read_cells(path, sheets)


def _read_cells(path: Path, sheets: Sequence[str]) -> Cells:
    books = [openpyxl.load_workbook(path, read_only=True, data_only=d) for d in (True, False)]
    out = Cells({}, {})
    try:
        for name in sheets:
            values: dict[str, object] = {}
            found: dict[str, str] = {}
            sheet_values, sheet_formulas = (book[name] for book in books)
            for ws in (sheet_values, sheet_formulas):
                ws.reset_dimensions()  # read every row, whatever <dimension> says
            for row in sheet_formulas.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        found[f"{get_column_letter(cell.column)}{cell.row}"] = str(cell.value)
            for row in sheet_values.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None:
                        continue
                    values[f"{get_column_letter(cell.column)}{cell.row}"] = value
            for ref in found:
                values.setdefault(ref, "")
            out.values[name], out.formulas[name] = values, found
    finally:
        for book in books:
            book.close()
    return out


def read_values(path: Path, sheets: Sequence[str]) -> dict[str, dict[str, object]]:
    """Just the values of :func:`read_cells`."""
    return read_cells(path, sheets).values


def read_calamine(path: Path, sheets: Sequence[str]) -> dict[str, dict[str, object]]:
    """Cached values as python-calamine reads them (empty cells left out)."""
    book = CalamineWorkbook.from_path(str(path))
    out: dict[str, dict[str, object]] = {}
    for name in sheets:
        sheet = book.get_sheet_by_name(name)
        row0, col0 = sheet.start or (0, 0)
        cells: dict[str, object] = {}
        for r, line in enumerate(sheet.to_python(skip_empty_area=False)):
            for col, value in enumerate(line):
                if value != "":
                    cells[f"{get_column_letter(col0 + col + 1)}{row0 + r + 1}"] = value
        out[name] = cells
    return out


def same(a: object, b: object) -> bool:
    """Equal values: numbers within :data:`REL_TOL`; ``None`` and ``""`` are both empty."""
    a = "" if a is None else a
    b = "" if b is None else b
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


# --- The workbooks --------------------------------------------------------------------------------

#: Refreshed workbooks: the example and the generated cases.
REFRESHED = [
    "example",
    "rich_a",
    "rich_b",
    "rich_b_zero",
    "rich_c",
    "percent_format",
    "nilai_akhir_partial",
    *(
        FIXTURE_CASES := {
            # Fixture workbooks of real indicator kinds (issue 9): their live formulas (grade MATCH,
            # composite Pembilang/Penyebut, ratios, Indonesian thousands) must recalculate too.
            "grade_targets": "grade-targets.xlsx",
            "grade_mode_zero": "grade-mode-zero.xlsx",
            "composite": "composite-numerator-denominator.xlsx",
            "ratio_with_unit": "ratio-with-unit.xlsx",
            "thousands": "thousands-indonesian.xlsx",
            "polarity_inferred": "polarity-inferred.xlsx",
            # Issue 11: period target/realisasi/capaian, the Capaian TW sheet, % serapan,
            # efisiensi, the standard, history and analysis columns.
            "pk_tw2": "pk-tw-targets-tw2.xlsx",
            "pk_tahunan": "pk-tw-targets-tahunan.xlsx",
            "national_standard": "national-standard.xlsx",
            "efficiency": "efficiency-budget.xlsx",
            "analysis": "analysis-columns.xlsx",
            "history": "history-columns.xlsx",
        }
    ),
]


def iku(key: str, row: int) -> str:
    """Address of IKU column ``key`` on sheet row ``row``."""
    return f"{get_column_letter(IKU_COL[key])}{row}"


#: Refreshed workbook + IKU cells changed afterwards with openpyxl (None clears a cell).
EDITS: dict[str, tuple[str, dict[str, object]]] = {
    "edited_example": ("example", {iku("realisasi", 2): 90, iku("target", 3): 90}),
    "edited_a": (
        "rich_a",
        {
            iku("realisasi", 2): 95,  # 1.1 annual realisasi
            iku("tw2", 3): 25,  # 1.2 Jumlah of quarters
            iku("tw4", 4): 80,  # 1.3 Nilai Akhir
            iku("tw4", 5): 70,  # 1.4 Rata-rata of quarters
            iku("target", 6): 11,  # 2.1 negative, formula A
        },
    ),
    "edited_b": ("rich_b", {iku("realisasi", 6): 40, iku("target", 4): 90, iku("weight", 2): 5}),
    "edited_c": ("rich_c", {iku("realisasi", 4): 180, iku("realisasi", 3): 5}),
    # a realisasi the planner deletes again: the indicator must drop out, not count as 0
    "cleared_percent": ("percent_format", {iku("realisasi", 2): None}),  # a "0%" cell
    "cleared_weighted": ("rich_b", {iku("realisasi", 4): None}),  # 1.3, Rata-rata Tertimbang
}


@dataclass
class Oracle:
    paths: dict[str, Path] = field(default_factory=dict)
    recalculated: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)


def _edit(source: Path, target: Path, cells: Mapping[str, object]) -> None:
    book = openpyxl.load_workbook(source)
    for ref, value in cells.items():
        book[SHEET_IKU][ref].value = value
    book.save(target)


def check_json(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """``iku-excel check --json`` of ``paths``, one document per file."""
    import json

    result = CliRunner().invoke(cli, ["check", "--json", *map(str, paths)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr
    files: list[dict[str, Any]] = json.loads(result.stdout)["files"]
    assert [f["file"] for f in files] == [str(p) for p in paths]
    return files


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Oracle:
    base = tmp_path_factory.mktemp("oracle")
    found = Oracle()
    for name in REFRESHED:
        path = base / f"{name}.xlsx"
        if name == "example":
            shutil.copyfile(EXAMPLE, path)
        elif name in FIXTURE_CASES:
            shutil.copyfile(Path(__file__).parent / "fixtures" / FIXTURE_CASES[name], path)
        else:
            build_case(name, path)
        refresh_file(path)
        found.paths[name] = path
    for name, (source, cells) in EDITS.items():
        found.paths[name] = base / f"{name}.xlsx"
        _edit(found.paths[source], found.paths[name], cells)
    names = list(found.paths)
    recalculated = recalculate_many([found.paths[n] for n in names], [*SHEETS, SHEET_CAPAIAN_TW])
    found.recalculated = {n: recalculated[found.paths[n]] for n in names}
    found.checked = dict(zip(names, check_json([found.paths[n] for n in names]), strict=True))
    return found


# --- Reading the Capaian table --------------------------------------------------------------------


def number(value: object) -> float | None:
    """A table cell as a number (text such as "80 %" parsed), None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    parsed = parse_number(value)
    assert parsed.status == "ok", value
    return parsed.value


@dataclass
class Table:
    """The Capaian table: per indicator code, per sasaran (in order) and overall."""

    indicators: dict[str, dict[str, object]]
    sasaran: list[dict[str, object]]
    overall: dict[str, object]


def capaian_table(cells: Mapping[str, object]) -> Table:
    def at(row: int, col: int) -> object:
        return cells.get(f"{get_column_letter(col)}{row}")

    indicators: dict[str, dict[str, object]] = {}
    groups: list[dict[str, object]] = []
    row = 7
    while at(row, COL_SASARAN) not in (None, "") or at(row, COL_CODE) not in (None, ""):
        figures = {
            "capaian": at(row, COL_CAPAIAN),
            "predicate": at(row, COL_PREDIKAT) or None,
        }
        code = at(row, COL_CODE)
        if code not in (None, ""):
            figures |= {
                "target": at(row, COL_TARGET),
                "realisasi": at(row, COL_REALISASI),
                "capaian_vs_final": at(row, COL_VS_FINAL),
            }
            indicators[str(code)] = figures
        else:
            groups.append(figures)
        row += 1
    assert groups, "no rata-rata/overall rows found"
    return Table(indicators, groups[:-1], groups[-1])


def compare_with_check(table: Table, doc: Mapping[str, Any]) -> list[str]:
    """Differences between the Capaian table and ``check --json`` of the same file."""
    problems: list[str] = []

    def expect(where: str, got: object, want: object) -> None:
        if not same(number(got) if not isinstance(want, str) else got, want):
            problems.append(f"{where}: sheet {got!r}, check --json {want!r}")

    assert sorted(table.indicators) == sorted(i["code"] for i in doc["indicators"])
    for ind in doc["indicators"]:
        row = table.indicators[ind["code"]]
        where = f"indicator {ind['code']}"
        for key in ("realisasi", "capaian", "capaian_vs_final", "predicate"):
            expect(f"{where} {key}", row[key], ind[key])
        if ind["target"] is not None:
            expect(f"{where} target", row["target"], ind["target"])
        elif ind["target_low"] is not None:  # a range, shown as typed
            parsed = parse_number(row["target"])
            got = (parsed.low, parsed.high)
            if got != (ind["target_low"], ind["target_high"]):
                problems.append(f"{where} target range: sheet {got}, check --json {ind}")
        else:
            expect(f"{where} target", row["target"], None)
    assert len(table.sasaran) == len(doc["sasaran"])
    for i, (row, group) in enumerate(zip(table.sasaran, doc["sasaran"], strict=True)):
        expect(f"sasaran {i + 1} capaian", row["capaian"], group["capaian"])
        expect(f"sasaran {i + 1} predicate", row["predicate"], group["predicate"])
    expect("overall capaian", table.overall["capaian"], doc["overall"]["capaian"])
    expect("overall predicate", table.overall["predicate"], doc["overall"]["predicate"])
    return problems


def compare_iku_column(
    cells: Mapping[str, object], doc: Mapping[str, Any], key: str = "capaian_raw"
) -> list[str]:
    """The IKU Capaian (%) column against ``key`` of ``check --json`` (``capaian_raw``; for a
    period report the IKU column stays yearly: ``capaian_tahunan``, equal to the raw yearly
    capaian when no cap applies, as in the period fixtures)."""
    problems = []
    for ind in doc["indicators"]:
        ref = f"{CAPAIAN_LETTER}{ind['row']}"
        got = cells.get(ref)
        if not same(got, ind[key]):
            problems.append(f"IKU!{ref} ({ind['code']}): {got!r} != {ind[key]!r}")
    return problems


# --- Readers --------------------------------------------------------------------------------------

Reader = Callable[[Oracle, str], dict[str, dict[str, object]]]
READERS: dict[str, Reader] = {
    "openpyxl-cached": lambda o, name: read_values(o.paths[name], SHEETS),
    "calamine-cached": lambda o, name: read_calamine(o.paths[name], SHEETS),
    "libreoffice": lambda o, name: o.recalculated[name],
}

#: Known bugs: (case, reader) -> xfail mark; reader None means every reader. Empty now: the
#: bugs these tests found (an invalid Nilai Akhir formula with an empty quarter, the text cached
#: value of a percent-formatted target, COUNT over a percent-scaled realisasi, #VALUE! in the
#: Rata-rata Tertimbang formula) were fixed in iku_excel/sheets/.
CACHED_BUGS: dict[tuple[str, str | None], Any] = {}
TABLE_BUGS: dict[tuple[str, str | None], Any] = {}
EDIT_BUGS: dict[tuple[str, str | None], Any] = {}


def _param(bugs: Mapping[tuple[str, str | None], Any], name: str, reader: str | None = None) -> Any:
    mark = bugs.get((name, reader)) or bugs.get((name, None))
    values = (name,) if reader is None else (name, reader)
    return pytest.param(*values, marks=[mark] if mark else [], id="-".join(filter(None, values)))


# --- Tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [_param(CACHED_BUGS, n) for n in REFRESHED])
def test_every_cached_value_equals_the_libreoffice_recalculation(oracle: Oracle, name: str) -> None:
    path = oracle.paths[name]
    sheets = sheets_in(path)
    cells = read_cells(path, sheets)
    cached = cells.values
    calamine = read_calamine(path, sheets)
    problems = []
    n_formulas = 0
    for sheet in sheets:
        recalculated = oracle.recalculated[name][sheet]
        assert set(cells.formulas[sheet]) == set(formulas(path, sheet))  # the helper agrees
        for ref in cells.formulas[sheet]:
            n_formulas += 1
            want = recalculated.get(ref)
            for reader, values in (("openpyxl", cached), ("calamine", calamine)):
                got = values[sheet].get(ref)
                if not same(got, want):
                    problems.append(f"{sheet}!{ref} {reader}: cached {got!r}, LibreOffice {want!r}")
    assert n_formulas > (3 if name in FIXTURE_CASES else 10)
    assert problems == []


@pytest.mark.parametrize("name", REFRESHED)
def test_libreoffice_keeps_the_capaian_chart(oracle: Oracle, name: str) -> None:
    """LibreOffice reads the file engine's chart and writes it back: one chart, columns of the
    Capaian sheet's % capaian and the 100 % line (a chart it could not read would be gone)."""
    (chart,) = CHART_PARTS[oracle.paths[name]]
    assert "<c:barChart>" in chart and "<c:lineChart>" in chart
    assert chart.count("<c:ser>") == 2 and "Capaian" in chart


#: Reports s.d. a triwulan (Periode Laporan): the IKU column keeps the yearly capaian.
PERIOD_CASES = {"pk_tw2"}

#: The grade fixtures print grade labels (WTP, BB) in the table where check --json gives the
#: target and realisasi as grade positions, so the numeric table comparison does not apply.
GRADE_CASES = {"grade_targets", "grade_mode_zero"}


@pytest.mark.parametrize(
    ("name", "reader"),
    [_param(TABLE_BUGS, n, r) for n in REFRESHED if n not in GRADE_CASES for r in READERS],
)
def test_capaian_sheet_matches_check_json(oracle: Oracle, name: str, reader: str) -> None:
    values = READERS[reader](oracle, name)
    doc = oracle.checked[name]
    assert compare_with_check(capaian_table(values[SHEET_CAPAIAN]), doc) == []
    key = "capaian_tahunan" if name in PERIOD_CASES else "capaian_raw"
    assert compare_iku_column(values[SHEET_IKU], doc, key) == []


def test_the_cases_cover_what_they_claim(oracle: Oracle) -> None:
    """Guards the test data: each setting and input kind really is exercised."""
    docs = oracle.checked
    a = {i["code"]: i for i in docs["rich_a"]["indicators"]}
    assert a["2.2"]["target"] is None and a["2.2"]["target_low"] == 7  # a range target
    assert a["3.3"]["capaian"] is None and a["3.4"]["capaian"] is None  # missing, target 0
    rules = {f["rule"] for f in docs["rich_a"]["findings"]}
    assert "number-stored-as-text" in rules
    b = {i["code"]: i for i in docs["rich_b"]["indicators"]}
    assert b["1.1"]["capaian_raw"] > b["1.1"]["capaian"] == 100  # the cap
    zero = {i["code"]: i for i in docs["rich_b_zero"]["indicators"]}
    assert zero["1.1"]["capaian"] is None and zero["1.2"]["capaian"] == 125
    cc = {i["code"]: i for i in docs["rich_c"]["indicators"]}
    assert cc["2.3"]["capaian_raw"] < 0 == cc["2.3"]["capaian"]  # the floor
    assert cc["1.1"]["predicate"] == "Istimewa"  # the custom scale
    predicates = {i["predicate"] for i in docs["rich_b"]["indicators"]}
    assert {"Baik", "Cukup"} <= predicates  # PermenPANRB labels
    # every edit changes at least one capaian, so a stale cached value cannot pass
    for name, (source, _) in EDITS.items():
        before = {i["code"]: i["capaian_raw"] for i in docs[source]["indicators"]}
        after = {i["code"]: i["capaian_raw"] for i in docs[name]["indicators"]}
        assert before != after, name


@pytest.mark.parametrize("name", [_param(EDIT_BUGS, n) for n in EDITS])
def test_changed_inputs_flow_through_the_live_formulas(oracle: Oracle, name: str) -> None:
    """After an edit (no refresh), LibreOffice's recalculation equals the engine on the new
    inputs: IKU Capaian (%) and every figure of the Capaian sheet."""
    values = oracle.recalculated[name]
    doc = oracle.checked[name]
    key = "capaian_tahunan" if name in PERIOD_CASES else "capaian_raw"
    assert compare_iku_column(values[SHEET_IKU], doc, key) == []
    assert compare_with_check(capaian_table(values[SHEET_CAPAIAN]), doc) == []
