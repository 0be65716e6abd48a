"""Where a planner's table starts: its header row(s) and what each header column means.

:func:`find_header` scores candidate header rows (one row, or a parent row over a child row such
as "Tahun 2019" over Target/Realisasi, merged or not, and a column-number row "(1) (2)" below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iku_excel.adopt import rows as R
from iku_excel.adopt.headers import HeaderMeaning, classify, column_number, normalise
from iku_excel.adopt.mapping import CellRange
from iku_excel.model import SheetGrid

SCAN_ROWS = 80
KEY_FIELDS = frozenset(
    {"indicator", "target", "realisasi", "capaian", "unit", "sasaran", "tw_target"}
    | {"tw_realisasi", "baseline", "final_target", "polaritas", "no"}
)


@dataclass(frozen=True)
class Header:
    rows: tuple[int, ...]
    meanings: dict[int, HeaderMeaning]
    score: int


# --- Header -------------------------------------------------------------------------------------


def merged_top_left(merges: list[CellRange], row: int, col: int) -> tuple[int, int] | None:
    for r1, c1, r2, c2 in merges:
        if r1 <= row <= r2 and c1 <= col <= c2:
            return r1, c1
    return None


def table_width(grid: SheetGrid) -> int:
    return max((len(r) for r in grid.values), default=0)


def header_at(grid: SheetGrid, r: int, merges: list[CellRange]) -> Header | None:
    width = table_width(grid)
    if len(R.texts(list(grid.values[r - 1]))) < 2:
        return None  # a title line, not a header
    parents: dict[int, object] = {}
    last_parent: object = None
    for c in range(1, width + 1):
        v = grid.value(r, c)
        top = merged_top_left(merges, r, c)
        if top is not None and top[0] == r:
            v = grid.value(*top)
        elif top is not None:
            v = None
        if normalise(v):
            last_parent = v
            parents[c] = v
        elif not merges and last_parent is not None and normalise(grid.value(r + 1, c)):
            parents[c] = last_parent  # unmerged parent spanning its children
    child_row = child_header_row(grid, r, parents, merges)
    meanings: dict[int, HeaderMeaning] = {}
    for c in range(1, width + 1):
        child = grid.value(r + 1, c) if child_row else None
        if child_row and merged_top_left(merges, r + 1, c) not in (None, (r + 1, c)):
            top = merged_top_left(merges, r + 1, c)
            child = grid.value(*top) if top and top[0] == r + 1 else None
        parent = parents.get(c)
        if parent is not None and child_row and merged_top_left(merges, r, c) == (r, c):
            rng = next(m for m in merges if m[0] == r and m[1] == c)
            if rng[2] > r:
                child = None  # the parent cell is merged down over the child row
        m = classify(child, parent) if normalise(child) else classify(parent)
        if m.field is not None or m.year is not None:
            meanings[c] = m
    fields = {m.field for m in meanings.values()}
    bare_years = sum(1 for m in meanings.values() if m.field == "year_only")
    key_columns = "indicator" in fields or fields & {"target", "realisasi", "tw_target"}
    if not key_columns and bare_years < 2:
        return None
    score = len(fields & KEY_FIELDS) + (1 if "indicator" in fields else 0)
    score += 2 if bare_years >= 2 else 0
    if score < 3:
        return None
    rows = (r, r + 1) if child_row else (r,)
    return Header(rows, meanings, score)


def child_header_row(
    grid: SheetGrid, r: int, parents: dict[int, object], merges: list[CellRange]
) -> bool:
    line = [grid.value(r + 1, c) for c in range(1, table_width(grid) + 1)]
    cells = [(c + 1, v) for c, v in enumerate(line) if normalise(v)]
    if not cells or is_column_numbers(line):
        return False
    for c, v in cells:
        t = normalise(v)
        if len(t) > 40:
            return False
        parent = parents.get(c)
        m = classify(v, parent)
        if m.field is None and m.year is None and m.quarter is None:
            return False
    return True


def is_column_numbers(line: Sequence[object]) -> bool:
    nums = [column_number(v) for v in line if normalise(v)]
    if len(nums) < 3 or any(n is None for n in nums):
        return False
    ints = [n for n in nums if n is not None]
    return ints == sorted(ints) and len(set(ints)) == len(ints)


def find_header(grid: SheetGrid, merges: list[CellRange]) -> Header | None:
    best: Header | None = None
    for r in range(1, min(grid.n_rows, SCAN_ROWS) + 1):
        h = header_at(grid, r, merges)
        if h and (best is None or h.score > best.score):
            best = h
    return best
