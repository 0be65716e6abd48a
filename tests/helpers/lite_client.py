"""Test-only: the part of xlwings Lite's Office.js client that answers async range reads.

In xlwings Lite, ``await rng.get_number_format()`` and ``await rng.get_formula()`` end in the
client's ``getRangeData(sheet, address, keys)``. Outside Lite (CPython) xlwings raises
``NotImplementedError`` there; :func:`install` replaces xlwings' ``Range._get_range_data`` with
:func:`range_data` over a :func:`table_from_file` of the workbook, and the Pyodide test hands the
same table and function to a JavaScript ``globalThis.xlwings.getRangeData``. Office.js semantics:

- ``number_format`` of a range: the format its cells share, or None when they differ (an empty
  cell is ``General``);
- ``formulas``: every cell's formula (``"=..."``), or its constant value (``""`` when empty).

This module imports nothing but the standard library at the top (it is run inside Pyodide).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: sheet name -> {"formats": rows of number formats, "formulas": rows of formulas/values}
Table = dict[str, dict[str, list[list[Any]]]]

_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def bounds(address: str) -> tuple[int, int, int, int]:
    """``"$A$1:$C$4"`` (or one cell) as (first row, first col, last row, last col)."""
    parts = address.split("!")[-1].split(":")
    corners = []
    for part in parts:
        m = _CELL.match(part)
        if m is None:
            raise ValueError(f"fake Lite client: unsupported address {address!r}")
        corners.append((int(m.group(2)), _col(m.group(1))))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return r1, c1, r2, c2


def _cell(rows: list[list[Any]], row: int, col: int, empty: Any) -> Any:
    if row <= len(rows) and col <= len(rows[row - 1]):
        return rows[row - 1][col - 1]
    return empty


def range_data(table: Table, sheet: str, address: str, keys: list[str]) -> dict[str, Any]:
    """What Lite's client answers to ``getRangeData(sheet, address, keys)``."""
    r1, c1, r2, c2 = bounds(address)
    data = table[sheet]
    out: dict[str, Any] = {}
    for key in keys:
        if key == "number_format":
            found = {
                _cell(data["formats"], r, c, "General")
                for r in range(r1, r2 + 1)
                for c in range(c1, c2 + 1)
            }
            out[key] = found.pop() if len(found) == 1 else None
        elif key == "formulas":
            out[key] = [
                [_cell(data["formulas"], r, c, "") for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)
            ]
        else:
            raise NotImplementedError(f"fake Lite client: key {key!r}")
    return out


def table_from_file(path: Path) -> Table:
    """Every sheet's number formats and formulas, as Excel holds them (read with openpyxl)."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    table: Table = {}
    for ws in wb.worksheets:
        formats, formulas = [], []
        for row in ws.iter_rows():
            formats.append([cell.number_format or "General" for cell in row])
            formulas.append(["" if cell.value is None else cell.value for cell in row])
        table[ws.title] = {"formats": formats, "formulas": _jsonable(formulas)}
    return table


def _jsonable(rows: list[list[Any]]) -> list[list[Any]]:
    return [
        [v if isinstance(v, str | int | float | bool) else str(v) for v in line] for line in rows
    ]


def install(monkeypatch: Any, path: Path) -> Table:
    """Make xlwings' remote ranges answer async reads from the workbook at ``path``."""
    from xlwings.pro import _xlremote

    table = table_from_file(path)

    async def fake(self: Any, key: str, method: str | None = None) -> Any:
        return range_data(table, self.sheet.name, self.address, [key])[key]

    monkeypatch.setattr(_xlremote.Range, "_get_range_data", fake)
    return table
