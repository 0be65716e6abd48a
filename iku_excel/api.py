"""The public Python API: check and refresh workbook files.

>>> from iku_excel.api import check_file
>>> evaluation = check_file("workbook/contoh/IKU_Dinsos_Kota_Jambi_2023.xlsx")  # doctest: +SKIP
>>> [f.rule for f in evaluation.findings]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from iku_excel import contract
from iku_excel.evaluate import evaluate
from iku_excel.model import Evaluation, SheetGrid
from iku_excel.reader import find_sheet, is_adopted, read_workbook, sheets_to_read, text

if TYPE_CHECKING:
    from iku_excel.adopt.mapping import DetectionResult
    from iku_excel.backends.base import WorkbookEngine
    from iku_excel.sheets.spec import Outputs


def evaluate_grids(sheet_names: list[str], grids: dict[str, SheetGrid]) -> Evaluation:
    """Evaluate a workbook given as grids (any engine). Raises reader.ContractError.

    A workbook adopted with ``iku-excel adopt`` is read through its ``Pemetaan`` sheet.
    """
    if is_adopted(sheet_names):
        from iku_excel.adopt.workbook import read_adopted

        workbook, findings = read_adopted(grids, sheet_names)
    else:
        workbook, findings = read_workbook(grids, sheet_names)
    return evaluate(workbook, findings)


def check_file(path: str | PathLike[str]) -> Evaluation:
    """Read and evaluate one .xlsx/.xlsm file without changing it.

    Raises :class:`iku_excel.errors.CannotProceed` (file problems) or
    :class:`iku_excel.reader.ContractError` (no IKU sheet / no header).
    """
    from iku_excel.backends.xlsx.reader import read_grids

    names, grids = read_grids(Path(path), sheets_to_read)
    return evaluate_grids(names, grids)


# --- refresh --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did (or, with ``dry_run``, would do)."""

    path: Path
    evaluation: Evaluation
    changed_cells: tuple[str, ...]  # IKU cells whose value or formula changes
    sheets_created: tuple[str, ...]
    sheets_replaced: tuple[str, ...]
    written: bool
    backup: Path | None = None


def read_notes(grid: SheetGrid | None) -> dict[str, str]:
    """KETERANGAN typed in an existing Capaian sheet, keyed by :func:`layout.note_key`."""
    from iku_excel.sheets.capaian import (
        CAPAIAN_HEADERS,
        COL_CODE,
        COL_INDICATOR,
        COL_NOTE,
        note_key,
    )

    if grid is None:
        return {}
    note_header = contract.normalise_header(CAPAIAN_HEADERS[COL_NOTE - 1])
    code_header = contract.normalise_header(CAPAIAN_HEADERS[COL_CODE - 1])
    for row in range(1, min(grid.n_rows, 40) + 1):
        heads = [contract.normalise_header(v) for v in grid.values[row - 1]]
        if note_header in heads:
            note_col = heads.index(note_header) + 1
            code_col = heads.index(code_header) + 1 if code_header in heads else None
            break
    else:
        return {}
    notes: dict[str, str] = {}
    for r in range(row + 1, grid.n_rows + 1):
        note = text(grid.value(r, note_col))
        name = text(grid.value(r, COL_INDICATOR))
        code = text(grid.value(r, code_col)) if code_col else ""
        if note and (code or name):
            notes.setdefault(note_key(code, name), note)
    return notes


def _sheets_for_refresh(names: Sequence[str]) -> list[str]:
    wanted = sheets_to_read(names)
    capaian = find_sheet(names, contract.SHEET_CAPAIAN)
    return wanted + ([capaian] if capaian else [])


def refresh_with(engine: WorkbookEngine, *, dry_run: bool = False) -> RefreshResult:
    """Refresh the workbook behind any engine (file or live Excel).

    The cyclic garbage collector is paused meanwhile: a refresh makes hundreds of thousands of
    short-lived objects and almost no cycles, and the collector's passes over them cost 14-26 %
    of a big refresh. What cycles there are are collected when it resumes.
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _refresh_with(engine, dry_run=dry_run)
    finally:
        if paused:
            gc.enable()


def _refresh_with(engine: WorkbookEngine, *, dry_run: bool) -> RefreshResult:
    from iku_excel.sheets import build_outputs
    from iku_excel.sheets.capaian import note_key
    from iku_excel.sheets.lkjip import read_kept_analysis

    names, grids = engine.read(_sheets_for_refresh)
    ev = evaluate_grids(names, grids)
    capaian_name = find_sheet(names, contract.SHEET_CAPAIAN)
    if capaian_name:
        notes = read_notes(grids.get(capaian_name))
        notes.update(read_kept_analysis(grids.get(capaian_name)))
    else:  # first build: start from the IKU sheet's own Keterangan
        notes = {note_key(i.code, i.indicator): i.note for i in ev.workbook.indicators if i.note}
    if is_adopted(names):
        outputs = _adopted_outputs(ev, notes, names, grids)
    else:
        # only the IKU sheet's cells are still needed (for the list of changed cells): the other
        # sheets' memory serves the outputs
        iku_name = ev.workbook.iku_layout.sheet
        grids = {iku_name: grids[iku_name]} if iku_name in grids else grids
        outputs = build_outputs(ev, notes)
    iku = grids[outputs.iku_sheet]
    col = outputs.iku_cells[0].col if outputs.iku_cells else 0
    now = engine.read_formulas(outputs.iku_sheet, col) if col else {}
    changed = tuple(
        c.address
        for c in outputs.iku_cells
        if not _same_cell(iku.value(c.row, c.col), c.value) or now.get(c.row) != c.formula
    )
    del grids, iku, now  # the cells read are not needed to write: their memory serves the write
    outputs_sheets = tuple(spec.name for spec in outputs.sheets)
    created = tuple(s for s in outputs_sheets if find_sheet(names, s) is None)
    replaced = tuple(s for s in outputs_sheets if s not in created)
    if not dry_run:
        engine.apply(outputs)
    return RefreshResult(Path(engine.label), ev, changed, created, replaced, written=not dry_run)


def _adopted_outputs(
    ev: Evaluation, notes: dict[str, str], names: Sequence[str], grids: dict[str, SheetGrid]
) -> Outputs:
    """An adopted workbook's outputs: Capaian (%) in the mapping's column right of the table."""
    from iku_excel.adopt.workbook import result_header
    from iku_excel.sheets import build_outputs
    from iku_excel.sheets.spec import CellSpec

    _sheet, header_row, col = result_header(grids, names)
    outputs = build_outputs(ev, notes, capaian_col=col)
    title = next(c.header for c in contract.IKU_COLUMNS if c.key == "capaian")
    return replace(outputs, iku_header=CellSpec(header_row, col, title, None, ""))


def refresh_file(
    path: str | PathLike[str], *, backup: bool = False, dry_run: bool = False
) -> RefreshResult:
    """Fill Capaian (%), rebuild the Capaian and Validasi sheets, in place and atomically.

    Raises :class:`~iku_excel.errors.CannotProceed` (the file is locked, read-only,
    encrypted, not an xlsx...), :class:`~iku_excel.reader.ContractError`, or
    :class:`~iku_excel.errors.UnsafeWorkbookError` (something in the workbook
    cannot be written safely); in every such case the file is left untouched.
    """
    from iku_excel.backends.file_engine import FileEngine

    engine = FileEngine(Path(path), backup=backup)
    if not dry_run:
        engine.check_writable()
    result = refresh_with(engine, dry_run=dry_run)
    if engine.backup_path is not None:
        result = replace(result, backup=engine.backup_path)
    return result


def _same_cell(old: object, new: object) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, int | float) and isinstance(new, int | float):
        return abs(float(old) - float(new)) <= 1e-9 * max(1.0, abs(float(new)))
    return old == new


def refresh_in_excel(
    path: str | PathLike[str], *, backup: bool = False, dry_run: bool = False
) -> RefreshResult:
    """Refresh a file through a hidden Microsoft Excel (``iku-excel refresh --engine excel``).

    Excel does the editing, so nothing in the file can be lost; needs Windows or macOS with
    Excel. Raises :class:`~iku_excel.addin.ExcelNotAvailable` elsewhere.
    """
    import shutil
    import sys

    from iku_excel.backends.safe_io import backup_path_for, check_readable, check_writable
    from iku_excel.errors import ExcelNotAvailable

    p = Path(path)
    check_readable(p) if dry_run else check_writable(p)
    if sys.platform not in ("win32", "darwin"):
        raise ExcelNotAvailable()
    import xlwings as xw

    from iku_excel.backends.xlwings_engine import XlwingsEngine

    backup_path = None
    if backup and not dry_run:
        backup_path = backup_path_for(p)
        shutil.copy2(p, backup_path)
    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(p.resolve()))
        try:
            result = refresh_with(XlwingsEngine(book), dry_run=dry_run)
            if not dry_run:
                book.save()
        finally:
            book.close()
    finally:
        app.quit()
    return replace(result, path=p, backup=backup_path)


# --- adopt ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptResult:
    """What ``adopt`` found (a mapping, or a refusal) and whether the Pemetaan was written."""

    path: Path
    result: DetectionResult
    result_col: int | None
    written: bool


def adopt_with(
    engine: WorkbookEngine,
    merges: Callable[[Sequence[str]], dict[str, list[tuple[int, int, int, int]]]],
    *,
    sheet: str | None = None,
    year: int | None = None,
    write: bool = True,
) -> AdoptResult:
    """Find and map the planner's capaian table; with ``write``, save the ``Pemetaan`` sheet.

    ``merges(sheet_names)`` gives the merged ranges of those sheets (the engine's). Raises
    :class:`~iku_excel.errors.ContractError` for a workbook that already has an IKU sheet or a
    ``sheet`` that does not exist; a table that cannot be mapped is a refusal in the result.
    """
    from iku_excel.adopt.workbook import adopt_outputs, candidate_grids, result_column

    names, grids = engine.read(lambda n: list(n))
    candidates, result_col = candidate_grids(names, grids, sheet)
    from iku_excel.adopt import detect_table

    result = detect_table(list(candidates.values()), merges(list(candidates)), year=year)
    mapping = result.mapping
    if mapping is None:
        return AdoptResult(Path(engine.label), result, None, written=False)
    col = result_col.get(mapping.sheet) or result_column(candidates[mapping.sheet], mapping)
    if write:
        engine.apply(adopt_outputs(mapping, col))
    return AdoptResult(Path(engine.label), result, col, written=write)


def adopt_file(
    path: str | PathLike[str],
    *,
    sheet: str | None = None,
    year: int | None = None,
    write: bool = True,
    backup: bool = False,
) -> AdoptResult:
    """``adopt_with`` on a file: detect the table, and with ``write`` add the ``Pemetaan`` sheet
    (the planner's own sheets keep their bytes)."""
    from iku_excel.backends.file_engine import FileEngine
    from iku_excel.backends.xlsx.reader import read_merges

    engine = FileEngine(Path(path), backup=backup)
    if write:
        engine.check_writable()
    result = adopt_with(
        engine,
        lambda names: read_merges(engine.package(), names),
        sheet=sheet,
        year=year,
        write=write,
    )
    return replace(result, path=Path(path))


# --- rekap ----------------------------------------------------------------------------------------

if TYPE_CHECKING:
    from iku_excel.rekap.collect import Rekap


def rekap(paths: Sequence[str | PathLike[str]], *, jobs: int = 1, year: int | None = None) -> Rekap:
    """Check many workbooks (files and folders) and return the recap as pandas frames.

    See :func:`iku_excel.rekap.collect.rekap` and docs/rekap.md for the columns.
    """
    from iku_excel.rekap.collect import rekap as _rekap

    return _rekap(paths, jobs=jobs, year=year)
