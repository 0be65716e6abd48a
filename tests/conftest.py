"""Shared test helpers: build IKU workbooks in memory as ``SheetGrid``s, read findings as tuples.

Tests import these names (``from tests.conftest import make_grids, iku, rpjmd, ...``) so that a
test reads like the table it describes::

    ev = evaluate_rows(iku_rows=[iku(target=80, realisasi=100)], rpjmd_rows=[rpjmd()])
    assert ("reported-capaian-mismatch", "IKU", iku_cell("reported_capaian"), "1.1") in found(ev)

Every header, sheet name and settings key comes from :mod:`iku_excel.contract` (through the
template's column layouts), never retyped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iku_excel import contract as c
from iku_excel.a1 import cell_address
from iku_excel.api import evaluate_grids
from iku_excel.model import Evaluation, SheetGrid
from iku_excel.template import iku_layout, rpjmd_layout

YEAR = 2023
RPJMD_YEARS = (2021, 2023)
IKU_SHEET = c.SHEET_IKU
RPJMD_SHEET = c.SHEET_RPJMD
SETTINGS_SHEET = c.SHEET_PENGATURAN

_IKU_KEYS = [col.key for col in iku_layout()]
_RPJMD_KEYS = [col.key for col in rpjmd_layout(*RPJMD_YEARS)]
_SETTING_KEY = {s.attr: s.key for s in c.READ_SETTINGS}
#: Optional IKU columns (and ``Realisasi <year>``/``Capaian <year>`` headers given as keys) are
#: added right of the template's columns only when a row uses them.
_OPTIONAL_HEADERS = {col.key: col.header for col in c.OPTIONAL_IKU_COLUMNS}


@dataclass(frozen=True)
class Fmt:
    """A cell value with an Excel number format, e.g. ``Fmt(0.8, "0%")``."""

    value: object
    number_format: str


def iku(**values: object) -> dict[str, object]:
    """One IKU row (keys are contract column keys); a clean positive indicator by default."""
    row: dict[str, object] = {
        "code": "1.1",
        "sasaran": "Meningkatnya pelayanan sosial",
        "indicator": "Jumlah penerima bantuan sosial",
        "unit": "Orang",
        "polarity": "Positif",
        "target": 100,
        "realisasi": 90,
    }
    row.update(values)
    return row


def rpjmd(**values: object) -> dict[str, object]:
    """One RPJMD row matching :func:`iku`'s default (targets 80, 90, 100 for 2021-2023)."""
    row: dict[str, object] = {
        "code": "1.1",
        "sasaran": "Meningkatnya pelayanan sosial",
        "indicator": "Jumlah penerima bantuan sosial",
        "unit": "Orang",
        "polarity": "Positif",
        "baseline": 70,
        "target_2021": 80,
        "target_2022": 90,
        "target_2023": 100,
        "final_target": 100,
    }
    row.update(values)
    return row


def iku_cell(key: str, row: int = 2) -> str:
    """Address of column ``key`` on data row ``row`` of a grid built by :func:`make_grids`."""
    return cell_address(row, _IKU_KEYS.index(key) + 1)


def iku_extra_cell(key: str, used: Sequence[str], row: int = 2) -> str:
    """Address of optional column ``key`` when the rows use the optional keys ``used``."""
    extra = [k for k in _OPTIONAL_HEADERS if k in used]
    extra += sorted(k for k in used if k not in _IKU_KEYS and k not in _OPTIONAL_HEADERS)
    return cell_address(row, len(_IKU_KEYS) + extra.index(key) + 1)


def rpjmd_cell(key: str, row: int = 2) -> str:
    """Address of column ``key`` (``"target_2023"``, ``"final_target"``...) in the RPJMD grid."""
    return cell_address(row, _RPJMD_KEYS.index(key) + 1)


def _table(
    name: str, keys: Sequence[str], headers: Sequence[str], rows: Sequence[Mapping[str, object]]
) -> SheetGrid:
    values: list[list[object]] = [list(headers)]
    formats: list[list[str | None]] = [[None] * len(keys)]
    for row in rows:
        unknown = set(row) - set(keys)
        if unknown:
            raise KeyError(f"unknown {name} columns: {sorted(unknown)}")
        line: list[object] = []
        fmts: list[str | None] = []
        for key in keys:
            v = row.get(key)
            if isinstance(v, Fmt):
                line.append(v.value)
                fmts.append(v.number_format)
            else:
                line.append(v)
                fmts.append("General" if v is not None else None)
        values.append(line)
        formats.append(fmts)
    return SheetGrid(name, values, formats)


def settings_grid(
    settings: Mapping[str, object],
    scale: Sequence[tuple[str, object]] | None = None,
    grades: Sequence[tuple[object, object, object]] | None = None,
) -> SheetGrid:
    """A Pengaturan grid: ``Kunci | Nilai`` in A:B (keys by attr), a predikat scale in E:F."""
    rows: list[list[object]] = [[*c.SETTINGS_HEADER, None, None, None]]
    for attr, value in settings.items():
        rows.append([_SETTING_KEY[attr], value, None, None, None])
    if scale is not None:
        while len(rows) < len(scale) + 1:
            rows.append([None] * 5)
        rows[0][3:5] = list(c.PREDICATE_SCALE_HEADER)
        for i, (label, bound) in enumerate(scale, start=1):
            rows[i][3:5] = [label, bound]
    # Kunci|Nilai in columns A:B, the scale in D:E (any position works for the reader).
    if grades is not None:  # a Skala Nilai block in G:I, under the other rows
        rows = [[*r, None, None, None, None] for r in rows]
        rows.append([None] * 5 + [None, *c.GRADE_SCALE_HEADER])
        rows.extend([None] * 6 + list(g) for g in grades)
    return SheetGrid(SETTINGS_SHEET, rows)


def make_grids(
    iku_rows: Sequence[Mapping[str, object]] = (),
    rpjmd_rows: Sequence[Mapping[str, object]] | None = None,
    settings: Mapping[str, object] | None = None,
    *,
    scale: Sequence[tuple[str, object]] | None = None,
    grades: Sequence[tuple[object, object, object]] | None = None,
    settings_sheet: bool = True,
    adopted: bool = False,
) -> tuple[list[str], dict[str, SheetGrid]]:
    """Sheet names and grids of a workbook with the contract's headers.

    ``rpjmd_rows=None`` leaves the RPJMD sheet out; ``settings`` (by :class:`contract.Setting`
    attr) default to ``{"year": 2023}``; ``settings_sheet=False`` leaves Pengaturan out;
    ``adopted`` names the IKU table :data:`ADOPTED_SHEET` and maps it in a ``Pemetaan`` sheet
    (a workbook adopted with ``iku-excel adopt``).
    """
    grids: dict[str, SheetGrid] = {}
    if settings_sheet:
        grids[SETTINGS_SHEET] = settings_grid(
            {"year": YEAR} if settings is None else settings, scale, grades
        )
    if rpjmd_rows is not None:
        layout = rpjmd_layout(*RPJMD_YEARS)
        grids[RPJMD_SHEET] = _table(
            RPJMD_SHEET, _RPJMD_KEYS, [col.header for col in layout], rpjmd_rows
        )
    used = {k for row in iku_rows for k in row}
    extra = [k for k in _OPTIONAL_HEADERS if k in used]
    extra += sorted(k for k in used if k not in _IKU_KEYS and k not in _OPTIONAL_HEADERS)
    headers = [col.header for col in iku_layout()] + [_OPTIONAL_HEADERS.get(k, k) for k in extra]
    if adopted:
        grids[ADOPTED_SHEET] = _table(ADOPTED_SHEET, _IKU_KEYS + extra, headers, iku_rows)
        grids["Pemetaan"] = _pemetaan_grid()
        return list(grids), grids
    grids[IKU_SHEET] = _table(IKU_SHEET, _IKU_KEYS + extra, headers, iku_rows)
    return list(grids), grids


ADOPTED_SHEET = "Tabel Kinerja"
#: Template column key -> the field an adopted table's column of that header holds.
_ADOPT_FIELDS = {
    "code": "code",
    "sasaran": "sasaran",
    "indicator": "indicator",
    "unit": "unit",
    "polarity": "polaritas",
    "target": "target",
    "realisasi": "realisasi",
    "reported_capaian": "capaian",
}


def _pemetaan_grid() -> SheetGrid:
    rows: list[list[object]] = [
        ["Kunci", "Nilai"],
        ["Sheet", ADOPTED_SHEET],
        ["Baris Judul", "1"],
        ["Tahun Laporan", str(YEAR)],
    ]
    for i, key in enumerate(_IKU_KEYS, start=1):
        if key in _ADOPT_FIELDS:
            rows.append([f"Kolom {cell_address(1, i)[:-1]}", _ADOPT_FIELDS[key]])
    return SheetGrid("Pemetaan", rows)


def evaluate_rows(**kwargs: Any) -> Evaluation:
    """:func:`make_grids` then :func:`iku_excel.api.evaluate_grids`."""
    return evaluate_grids(*make_grids(**kwargs))


def found(ev: Evaluation) -> set[tuple[str, str, str, str]]:
    """Every finding as ``(rule, sheet, cell, code)``."""
    return {(f.rule, f.sheet, f.cell, f.code) for f in ev.findings}


def rule_ids(ev: Evaluation) -> set[str]:
    return {f.rule for f in ev.findings}
