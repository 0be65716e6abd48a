"""The remote engine's fixed part cut down: formats copied from a sheet already built, and
column widths painted over runs, for an engine that pays one action per range.

xlwings' remote engine (xlwings Server, and xlwings Lite, which runs on it) records every
format, width and copy as one action: in Excel on the web each is a round trip
(``benchmarks/README.md``). :mod:`iku_excel.backends.paint` keeps the actions per sasaran group
at three; what is here cuts what every refresh does once:

- :func:`sheet_copies`: a row segment of a later sheet whose every cell has the formats of a
  segment of the same width in the frozen header rows of a sheet built before (the Validasi
  header row is the Capaian header row's first seven cells) gets them in ONE
  ``Range.copy_from(source, "Formats")`` (Office.js ``Range.copyFrom``, which takes a source on
  another sheet: xlwings records the source's sheet index), instead of a rectangle per
  attribute. Sources never touch a merged cell or a conditional format (what Excel does with
  them on a formats copy, the Office.js reference leaves open).
- :func:`width_paints`: columns of a sheet given their widths in the fewest actions, a width
  painted over a run of columns and the exceptions after it (``E:L`` 11, then ``J`` 14 and
  ``L`` 14: three actions, not four), never over a column without a width (it keeps Excel's).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from iku_excel.backends.areas import Layer, Rect
from iku_excel.backends.paint import (
    Cell,
    Copy,
    cells_of,
    copy_plan,
    rectangles,
    row_runs,
    style_attributes,
)
from iku_excel.sheets.spec import SheetSpec

#: A copy of this module is taken when at least this many rectangles of the sheet's plan lie
#: inside its destination (they are dropped: the copy is one action instead of them).
MIN_SAVED = 2
#: Segments shorter than this are not worth a copy (one cell is one rectangle per attribute).
MIN_COPY_CELLS = 2


def _looks(spec: SheetSpec) -> dict[int, dict[int, tuple[tuple[str, object], ...]]]:
    attributes = {name: tuple(style_attributes(style)) for name, style in spec.styles.items()}
    rows: dict[int, dict[int, tuple[tuple[str, object], ...]]] = {}
    for cell in spec.cells:
        if cell.style and attributes[cell.style]:
            rows.setdefault(cell.row, {})[cell.col] = attributes[cell.style]
    return rows


def _header_rows(spec: SheetSpec) -> int:
    """The last frozen row of ``spec`` (its titles and column headers), 0 when none."""
    return spec.freeze[0] - 1 if spec.freeze else 0


def _untouchable(spec: SheetSpec) -> set[Cell]:
    """Cells of ``spec`` a formats copy must not read: merged, or conditionally formatted."""
    boxes = [*spec.merges]
    boxes += [(f.first_row, f.first_col, f.last_row, f.last_col) for f in spec.conditional_fills]
    return cells_of(boxes)


def sheet_copies(spec: SheetSpec, earlier: Sequence[SheetSpec]) -> list[tuple[int, Copy]]:
    """Copies (index of the sheet in ``earlier``, (its source rectangle, the destination
    rectangle of ``spec``)) of one-row segments of ``spec``'s header rows whose cells have, one
    by one, the formats of a segment of an earlier sheet's header rows (module docstring)."""
    mine = _looks(spec)
    blocked = _untouchable(spec)
    sources: dict[tuple[object, ...], tuple[int, Rect]] = {}
    for k, other in enumerate(earlier):
        theirs, theirs_blocked = _looks(other), _untouchable(other)
        for row in range(1, _header_rows(other) + 1):
            line = theirs.get(row, {})
            for c1, c2 in row_runs(c for c in line if (row, c) not in theirs_blocked):
                for a in range(c1, c2 + 1):
                    for b in range(a + MIN_COPY_CELLS - 1, c2 + 1):
                        key = tuple(line[c] for c in range(a, b + 1))
                        sources.setdefault(key, (k, (row, a, row, b)))
    copies: list[tuple[int, Copy]] = []
    for row in range(1, _header_rows(spec) + 1):
        line = mine.get(row, {})
        for c1, c2 in row_runs(c for c in line if (row, c) not in blocked):
            a = c1
            while a <= c2:  # the longest matching window from ``a``, then on from its end
                found = None
                for b in range(c2, a + MIN_COPY_CELLS - 2, -1):
                    found = sources.get(tuple(line[c] for c in range(a, b + 1)))
                    if found is not None:
                        k, source = found
                        copies.append((k, (source, (row, a, row, b))))
                        a = b + 1
                        break
                if found is None:
                    a += 1
    return copies


def cross_sheet_plan(
    spec: SheetSpec, earlier: Sequence[SheetSpec] = ()
) -> tuple[list[Layer], list[Copy], list[tuple[int, Copy]]]:
    """The layers, the copies within ``spec`` (:func:`~iku_excel.backends.paint.copy_plan`'s,
    then :func:`block_copies`) and the copies from ``earlier`` (:func:`sheet_copies`) that
    give every cell of ``spec`` its formats. Painted in that order: layers, copies, copies
    from ``earlier``.

    The sheet is planned once, with copy_plan's copies; a further copy is taken when at least
    two of the plan's rectangles lie inside its destination, and those rectangles are dropped
    (the copy gives their cells their formats afterwards): every copy taken saves an action,
    whatever the size of the sheet, and no second plan of a big sheet is needed."""
    layers, copies = copy_plan(spec)
    twins = {cell for pair in copies for cell in cells_of(pair)}
    blocks = block_copies(spec, frozenset(twins))
    used = twins | {cell for pair in blocks for cell in cells_of(pair)}
    across = [one for one in sheet_copies(spec, earlier) if not cells_of((one[1][1],)) & used]
    blocks = [pair for pair in blocks if _inside_count(layers, pair[1]) >= MIN_SAVED]
    across = [one for one in across if _inside_count(layers, one[1][1]) >= MIN_SAVED]
    dests = [dest for _, dest in blocks] + [dest for _, (_, dest) in across]
    kept: list[Layer] = []
    for name, value, rects in layers:
        rest = [rect for rect in rects if not any(_within(rect, dest) for dest in dests)]
        if rest:
            kept.append((name, value, rest))
    return kept, copies + blocks, across


def _within(rect: Rect, box: Rect) -> bool:
    return box[0] <= rect[0] and rect[2] <= box[2] and box[1] <= rect[1] and rect[3] <= box[3]


def _inside_count(layers: list[Layer], box: Rect) -> int:
    """How many rectangles of ``layers`` lie inside ``box``."""
    return sum(_within(rect, box) for _, _, rects in layers for rect in rects)


def block_copies(spec: SheetSpec, taken: frozenset[Cell]) -> list[Copy]:
    """Copies within ``spec``: a rectangle of cells of one style (of at least two attributes,
    no border) gets its formats from the top-left corner of another rectangle of that style
    at least as tall and as wide (the Skala Predikat bounds ``Q6:Q10`` from the chart block's
    ``U6:U10``). Sources are painted by the layers: never a copy's destination, nor a cell
    in ``taken``; a destination is never a source."""
    attributes = {name: style_attributes(style) for name, style in spec.styles.items()}
    cells: dict[str, set[Cell]] = {}
    for cell in spec.cells:
        attrs = attributes.get(cell.style) if cell.style else None
        if attrs and len(attrs) >= 2 and ("border", True) not in attrs:
            cells.setdefault(cell.style, set()).add((cell.row, cell.col))
    copies: list[Copy] = []
    sources: set[Cell] = set()
    dests: set[Cell] = set(taken)
    for style in sorted(cells):
        rects = sorted(rectangles(cells[style]), key=_area, reverse=True)
        for dest in rects[1:]:
            h, w = dest[2] - dest[0], dest[3] - dest[1]
            dest_cells = cells_of((dest,))
            if dest_cells & (sources | dests):
                continue
            for big in rects:
                source = (big[0], big[1], big[0] + h, big[1] + w)
                if big == dest or big[2] - big[0] < h or big[3] - big[1] < w:
                    continue
                if cells_of((source,)) & (dests | dest_cells):
                    continue
                copies.append((source, dest))
                sources |= cells_of((source,))
                dests |= dest_cells
                break
    return copies


def _area(rect: Rect) -> int:
    return (rect[2] - rect[0] + 1) * (rect[3] - rect[1] + 1)


def width_paints(widths: dict[int, float]) -> list[tuple[int, int, float]]:
    """(first column, last column, width) in painting order: every column of ``widths`` ends
    with its width, in the fewest paints (module docstring); runs of columns with a width are
    planned apart, since a paint may not cross a column without one."""
    out: list[tuple[int, int, float]] = []
    for first, last in row_runs(widths):
        seq = tuple(widths[c] for c in range(first, last + 1))
        out.extend((first + a, first + b, w) for a, b, w in _printer(seq, 0, len(seq) - 1))
    return out


@cache
def _printer(seq: tuple[float, ...], i: int, j: int) -> tuple[tuple[int, int, float], ...]:
    """The fewest paints (in order) that give ``seq[i..j]`` its values: the value of ``seq[i]``
    painted from ``i`` to some later position of that value, then the gaps between its
    positions and the rest planned the same way (the strange-printer recursion)."""
    if i > j:
        return ()
    best: tuple[tuple[int, int, float], ...] | None = None
    same = [k for k in range(i, j + 1) if seq[k] == seq[i]]
    for end in same:
        plan: list[tuple[int, int, float]] = [(i, end, seq[i])]
        inside = [k for k in range(i, end + 1) if seq[k] != seq[i]]
        for a, b in row_runs(inside):
            plan.extend(_printer(seq, a, b))
        plan.extend(_printer(seq, end + 1, j))
        if best is None or len(plan) < len(best):
            best = tuple(plan)
    assert best is not None
    return best
