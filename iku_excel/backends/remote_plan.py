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

from functools import cache

from iku_excel.backends.areas import Layer, Rect
from iku_excel.backends.paint import (
    Cell,
    Copy,
    copy_plan,
    rectangles,
    row_runs,
    style_attributes,
    twin_rows,
)
from iku_excel.sheets.spec import SheetSpec

#: Sheets of up to this many cells are planned twice, with and without the copies of this
#: module, and the cheaper plan wins; a bigger sheet (a plan of 2,000 indicators takes about
#: two seconds) takes the copies without the comparison: they replace rectangles of titles and
#: small side tables, which the body of a big table does not change.
COMPARE_CELLS = 20_000
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
    out: set[Cell] = set()
    boxes = [*spec.merges]
    boxes += [(f.first_row, f.first_col, f.last_row, f.last_col) for f in spec.conditional_fills]
    for r1, c1, r2, c2 in boxes:
        out.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return out


def sheet_copies(spec: SheetSpec, earlier: SheetSpec) -> list[Copy]:
    """Copies (source rectangle of ``earlier``, destination rectangle of ``spec``) of one-row
    segments of ``spec``'s header rows whose cells have, one by one, the formats of a
    segment of ``earlier``'s header rows (module docstring)."""
    mine, theirs = _looks(spec), _looks(earlier)
    blocked = _untouchable(earlier) | _untouchable(spec)
    sources: dict[tuple[object, ...], Rect] = {}
    for row in range(1, _header_rows(earlier) + 1):
        line = theirs.get(row, {})
        for c1, c2 in row_runs(c for c in line if (row, c) not in blocked):
            for a in range(c1, c2 + 1):
                for b in range(a + MIN_COPY_CELLS - 1, c2 + 1):
                    key = tuple(line[c] for c in range(a, b + 1))
                    sources.setdefault(key, (row, a, row, b))
    copies: list[Copy] = []
    for row in range(1, _header_rows(spec) + 1):
        line = mine.get(row, {})
        for c1, c2 in row_runs(c for c in line if (row, c) not in blocked):
            key = tuple(line[c] for c in range(c1, c2 + 1))
            if c2 - c1 + 1 >= MIN_COPY_CELLS and key in sources:
                copies.append((sources[key], (row, c1, row, c2)))
    return copies


def cross_sheet_plan(
    spec: SheetSpec, earlier: SheetSpec | None
) -> tuple[list[Layer], list[Copy], list[Copy]]:
    """The layers, the copies within ``spec`` (:func:`~iku_excel.backends.paint.copy_plan`'s,
    then :func:`block_copies`) and the copies from ``earlier`` (:func:`sheet_copies`) that
    give every cell of ``spec`` its formats; the copies of blocks and from ``earlier`` only
    when they cost fewer actions than the rectangles they save (one more plan of the sheet,
    not one per copy). Painted in that order: layers, copies, copies from ``earlier``."""
    twins = {
        cell for pair in twin_rows(spec) for cell in _rect_cells(pair[0]) | _rect_cells(pair[1])
    }
    blocks = block_copies(spec, frozenset(twins))
    across = sheet_copies(spec, earlier) if earlier is not None else []
    used = twins | {cell for pair in blocks for cell in _rect_cells(pair[0]) | _rect_cells(pair[1])}
    across = [pair for pair in across if not _rect_cells(pair[1]) & used]
    if not blocks and not across:
        return (*copy_plan(spec), [])
    elsewhere = frozenset(cell for _, dest in blocks + across for cell in _rect_cells(dest))
    layers, copies = copy_plan(spec, elsewhere)
    if len(spec.cells) > COMPARE_CELLS:  # one plan of a big sheet is seconds: no second one
        return layers, copies + blocks, across
    plain, twin_copies = copy_plan(spec)
    if _actions(layers, copies) + len(blocks) + len(across) < _actions(plain, twin_copies):
        return layers, copies + blocks, across
    return plain, twin_copies, []


def _actions(layers: list[Layer], copies: list[Copy]) -> int:
    return sum(len(rects) for _, _, rects in layers) + len(copies)


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
            dest_cells = _rect_cells(dest)
            if dest_cells & (sources | dests):
                continue
            for big in rects:
                source = (big[0], big[1], big[0] + h, big[1] + w)
                if big == dest or big[2] - big[0] < h or big[3] - big[1] < w:
                    continue
                if _rect_cells(source) & (dests | dest_cells):
                    continue
                copies.append((source, dest))
                sources |= _rect_cells(source)
                dests |= dest_cells
                break
    return copies


def _area(rect: Rect) -> int:
    return (rect[2] - rect[0] + 1) * (rect[3] - rect[1] + 1)


def _rect_cells(rect: Rect) -> set[Cell]:
    r1, c1, r2, c2 = rect
    return {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}


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
