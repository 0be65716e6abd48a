"""Refresh loses nothing: every workbook of the no-loss corpus (``tests/corpus``) after a refresh.

For each corpus file, refreshed once in a copy:

- every zip member other than the ones refresh must touch (the workbook part, its
  relationships, ``[Content_Types].xml``, ``styles.xml``, the IKU sheet) is byte-identical, the
  only new members are the new sheets' parts, and the touched members still hold every element
  they held (:func:`tests.helpers.package_compare.compare_packages`);
- the result opens in openpyxl and python-calamine, and LibreOffice converts it (and recomputes
  the cached values of the new formula cells);
- refreshing it again gives the same bytes.

A file the engine refuses (:class:`UnsafeWorkbookError`) must be listed in :data:`REFUSED` and be
left untouched.
"""

from __future__ import annotations

import posixpath
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from iku_excel.api import RefreshResult, refresh_file
from iku_excel.contract import SHEET_CAPAIAN, SHEET_IKU, SHEET_VALIDASI
from iku_excel.errors import UnsafeWorkbookError
from tests.helpers import libreoffice
from tests.helpers.package_compare import compare_packages, members_changed
from tests.test_refresh import sheet_parts
from tests.test_refresh_oracle import read_calamine, read_cells, recalculate_many, same

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CORPUS = sorted(p for p in CORPUS_DIR.iterdir() if p.suffix in (".xlsx", ".xlsm"))
#: The IKU sheet's part in every corpus file (tests/corpus/README.md).
IKU_PART = "xl/worksheets/sheet3.xml"
#: Corpus files the engine refuses on purpose, with the structure that makes it refuse.
REFUSED: dict[str, str] = {}


def _check_style_counts(before: Path, after: Path) -> None:
    """Every styles.xml collection keeps its first entries and ``count`` matches its size."""
    with zipfile.ZipFile(before) as zf:
        old = etree.fromstring(zf.read("xl/styles.xml"))
    with zipfile.ZipFile(after) as zf:
        new = etree.fromstring(zf.read("xl/styles.xml"))
    for collection in old:
        if collection.get("count") is None:
            continue
        grown = new.find(collection.tag)
        assert grown is not None
        old_items = [etree.tostring(item) for item in collection]
        new_items = [etree.tostring(item) for item in grown]
        assert new_items[: len(old_items)] == old_items, collection.tag
        assert int(grown.get("count", "-1")) == len(new_items), collection.tag


@dataclass(frozen=True)
class Outcome:
    original: Path
    path: Path
    result: RefreshResult | None
    refusal: UnsafeWorkbookError | None
    second_bytes: bytes | None  # the bytes of a second refresh of the result


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("corpus")
    out: dict[str, Outcome] = {}
    for original in CORPUS:
        folder = base / original.stem
        folder.mkdir()
        path = folder / original.name
        shutil.copyfile(original, path)
        try:
            result = refresh_file(path)
        except UnsafeWorkbookError as exc:
            out[original.name] = Outcome(original, path, None, exc, None)
            continue
        again = base / "again" / original.name
        again.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, again)
        refresh_file(again)
        out[original.name] = Outcome(original, path, result, None, again.read_bytes())
    return out


def _refreshed(outcomes: dict[str, Outcome], name: str) -> Outcome:
    outcome = outcomes[name]
    if outcome.refusal is not None:
        pytest.skip(f"refused on purpose: {outcome.refusal}")
    return outcome


def _main_part(path: Path) -> str:
    """The workbook part (``xl/workbook.xml`` in practice) named by ``_rels/.rels``."""
    with zipfile.ZipFile(path) as zf:
        rels = etree.fromstring(zf.read("_rels/.rels"))
    return next(
        str(r.get("Target")).lstrip("/")
        for r in rels
        if str(r.get("Type")).endswith("/officeDocument")
    )


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) >= 20
    names = {p.name for p in CORPUS}
    assert {"kitchen-sink.xlsm", "xlsm-vba-ribbon.xlsm", "pivot-table.xlsx", "slicer.xlsx"} <= names


@pytest.mark.parametrize("name", [p.name for p in CORPUS])
def test_refused_files_are_refused_on_purpose_and_untouched(
    outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = outcomes[name]
    if outcome.refusal is None:
        assert name not in REFUSED, f"{name} is listed as refused but was refreshed"
        return
    assert name in REFUSED, f"{name} unexpectedly refused: {outcome.refusal}"
    assert REFUSED[name].casefold() in str(outcome.refusal).casefold()
    assert outcome.path.read_bytes() == outcome.original.read_bytes()
    assert sorted(p.name for p in outcome.path.parent.iterdir()) == [name]


@pytest.mark.parametrize("name", [p.name for p in CORPUS])
def test_refresh_keeps_every_other_part_byte_identical(
    outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = _refreshed(outcomes, name)
    before, after = outcome.original, outcome.path
    main = _main_part(before)
    folder, file = main.rsplit("/", 1)
    with zipfile.ZipFile(before) as zf:
        old_members = set(zf.namelist())
    with zipfile.ZipFile(after) as zf:
        new_members = set(zf.namelist())
    assert sheet_parts(before)[SHEET_IKU] == IKU_PART
    parts = sheet_parts(after)
    new_sheets = {parts[SHEET_CAPAIAN], parts[SHEET_VALIDASI]}
    chart = _chart_parts(after, parts[SHEET_CAPAIAN])
    assert len(chart) == 4  # the Capaian sheet's rels, its drawing, the drawing's rels, the chart
    assert new_members - old_members == new_sheets | chart  # nothing else is added
    touched = {main, f"{folder}/_rels/{file}.rels", "[Content_Types].xml", "xl/styles.xml"}
    touched |= {IKU_PART} | new_sheets | chart
    problems = compare_packages(before, after, touched=touched)
    assert problems == []
    _check_style_counts(before, after)  # the collections' counts follow their sizes
    # refresh did write: the IKU sheet and the new sheets changed
    changed = members_changed(before, after)
    assert {IKU_PART} | new_sheets <= changed <= touched
    # only the calculation chain may go
    assert old_members - new_members <= {"xl/calcChain.xml"}


def _chart_parts(path: Path, sheet_part: str) -> set[str]:
    """The sheet's relationships part and the drawing, its rels and charts it leads to."""
    folder, file = sheet_part.rsplit("/", 1)
    found = {f"{folder}/_rels/{file}.rels"}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        stack = [f"{folder}/_rels/{file}.rels"]
        while stack:
            rels = stack.pop()
            if rels not in names:
                continue
            base = rels.replace("/_rels", "").removesuffix(".rels").rsplit("/", 1)[0]
            for rel in etree.fromstring(zf.read(rels)):
                if rel.get("Type", "").rsplit("/", 1)[-1] not in ("drawing", "chart"):
                    continue
                target = posixpath.normpath(posixpath.join(base, rel.get("Target", "")))
                found.add(target)
                t_folder, t_file = target.rsplit("/", 1)
                if f"{t_folder}/_rels/{t_file}.rels" in names:
                    found.add(f"{t_folder}/_rels/{t_file}.rels")
                    stack.append(f"{t_folder}/_rels/{t_file}.rels")
    return found


@pytest.mark.parametrize("name", [p.name for p in CORPUS])
def test_result_opens_in_openpyxl_and_calamine(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = _refreshed(outcomes, name)
    assert outcome.result is not None
    n_indicators = len(outcome.result.evaluation.indicators)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
        book = openpyxl.load_workbook(outcome.path, data_only=True, keep_vba=True)
    try:
        assert book.sheetnames[-2:] == [SHEET_CAPAIAN, SHEET_VALIDASI]
        assert SHEET_IKU in book.sheetnames
    finally:
        book.close()
    calamine = CalamineWorkbook.from_path(str(outcome.path))
    assert calamine.sheet_names[-2:] == [SHEET_CAPAIAN, SHEET_VALIDASI]
    rows = calamine.get_sheet_by_name(SHEET_CAPAIAN).to_python()
    # the hidden code column lists every indicator once
    codes = [row[13] for row in rows[6:] if len(row) >= 14 and row[13] != ""]
    assert len(codes) == n_indicators


@pytest.mark.parametrize("name", [p.name for p in CORPUS])
def test_refreshing_again_is_byte_identical(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = _refreshed(outcomes, name)
    assert outcome.second_bytes == outcome.path.read_bytes()


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice_path() is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_every_result_and_agrees_with_the_cached_values(
    outcomes: dict[str, Outcome],
) -> None:
    done = [o for o in outcomes.values() if o.refusal is None]
    sheets = [SHEET_CAPAIAN, SHEET_IKU]
    recalculated = recalculate_many([o.path for o in done], sheets)
    problems = []
    for outcome in done:
        cells = read_cells(outcome.path, sheets)
        cached = cells.values
        calamine = read_calamine(outcome.path, sheets)
        for sheet in sheets:
            for ref in cells.formulas[sheet]:
                want = recalculated[outcome.path][sheet].get(ref)
                for reader, values in (("openpyxl", cached), ("calamine", calamine)):
                    got = values[sheet].get(ref)
                    if not same(got, want):
                        problems.append(
                            f"{outcome.path.name} {sheet}!{ref} {reader}: {got!r} != {want!r}"
                        )
    assert problems == []
