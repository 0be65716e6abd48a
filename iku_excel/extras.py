"""Reading the optional LKjIP columns of an IKU row: TW targets, standard, budget, history.

Pure: works on a :class:`~iku_excel.model.SheetGrid` and the IKU :class:`TableLayout` found by
:mod:`iku_excel.reader`. Every column is optional (``contract.LKJIP_OPTIONAL_COLUMNS``); a workbook
without them gives an empty :class:`~iku_excel.model.IkuExtras`.

Earlier years are columns of the IKU sheet, ``Realisasi <year>`` and ``Capaian <year>`` (or
``Capaian <year> (%)``) for years before ``Tahun``; the one-column ``Capaian Tahun Lalu (%)`` still
counts as the capaian of the year before. Columns, not a ``Riwayat`` sheet: the figures sit on the
indicator's own row, where a planner copies them from last year's LKjIP.
"""

from __future__ import annotations

from iku_excel import contract
from iku_excel.model import CellRef, HistoryYear, IkuExtras, SheetGrid, TableLayout, Value
from iku_excel.numbers import parse_number

#: The Capaian sheet shows at most this many earlier years.
MAX_HISTORY_YEARS = 4


def history_columns(grid: SheetGrid, layout: TableLayout, year: int | None) -> dict[int, dict]:
    """``{year: {"realisasi": col, "capaian": col}}`` for the earlier years in the header row,
    the latest :data:`MAX_HISTORY_YEARS` years only."""
    if year is None or layout.header_row < 1:
        return {}
    found: dict[int, dict[str, int]] = {}
    header = grid.values[layout.header_row - 1] if layout.header_row <= grid.n_rows else ()
    for col, value in enumerate(header, start=1):
        m = contract.HISTORY_PATTERN.match(contract.normalise_header(value))
        if m and int(m.group(2)) < year:
            found.setdefault(int(m.group(2)), {}).setdefault(m.group(1), col)
    latest = sorted(found)[-MAX_HISTORY_YEARS:]
    return {y: found[y] for y in latest}


def _value(grid: SheetGrid, row: int, col: int | None) -> Value | None:
    if col is None:
        return None
    return Value(
        parse_number(grid.value(row, col), grid.number_format(row, col)),
        CellRef(grid.name, row, col),
    )


def _text(grid: SheetGrid, row: int, col: int | None) -> str:
    if col is None:
        return ""
    v = grid.value(row, col)
    return "" if v is None else " ".join(str(v).split())


def read_extras(
    grid: SheetGrid, layout: TableLayout, row: int, history: dict[int, dict]
) -> IkuExtras:
    """The optional columns of IKU row ``row``."""
    cols = layout.columns
    tw_cols = [cols.get(f"tw_target{i}") for i in range(1, 5)]
    tw_targets = None
    if any(c is not None for c in tw_cols):
        a, b, c, d = (_value(grid, row, col) or Value(parse_number(None), None) for col in tw_cols)
        tw_targets = (a, b, c, d)
    years = tuple(
        HistoryYear(y, _value(grid, row, h.get("realisasi")), _value(grid, row, h.get("capaian")))
        for y, h in sorted(history.items())
    )
    return IkuExtras(
        tw_targets=tw_targets,
        national_standard=_value(grid, row, cols.get("national_standard")),
        budget=_value(grid, row, cols.get("budget")),
        budget_spent=_value(grid, row, cols.get("budget_spent")),
        drivers=_text(grid, row, cols.get("drivers")),
        obstacles=_text(grid, row, cols.get("obstacles")),
        follow_up=_text(grid, row, cols.get("follow_up")),
        history=years,
    )
