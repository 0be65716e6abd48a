"""The format plan of an engine that formats ranges, not cells: few calls, whatever the rows.

An engine that drives Excel (:mod:`iku_excel.backends.xlwings_engine`) pays for every call: about
1 ms through COM on Windows, 10-50 ms through AppleScript on a Mac, one recorded action on
xlwings' remote engine (and xlwings Lite). Each format attribute (bold, fill, alignment, number
format...) is planned on its own as *layers of paint*, each layer a list of rectangles given one
value:

1. **base**: along each column (or each row, whichever plan is cheaper), the value most of its
   cells have, painted over the span from its first to its last cell;
2. **exceptions**: every cell the base left wrong gets its own value, including the value of a
   fresh cell (:data:`RESETS`: not bold, no fill, General...) where the base painted over a cell
   that has none. An exception rectangle may cover any cell that must end with the same value,
   so a group's rata-rata row is one rectangle and the predikat column's unfilled cells one more.

The plan with the fewest calls wins, the exact cover of each value's cells included. On
desktop Excel a layer's rectangles of one value go in ONE call on a multi-area range, so the
number of calls does not grow with the sasaran groups either. A multi-area *address*
(``"A5:A9,A12:A20"``) is only taken up to 255 characters by ``Range("...")``; a longer layer is
reached through workbook-level defined names whose formulas hold the same union of areas (up
to Excel's 8,192 characters each): one more call per name for the layer, whatever its number
of areas (:func:`~iku_excel.backends.areas.layer_calls`, :mod:`iku_excel.backends.areas`).
Rectangles of one value are covered along rows, or columns, or the rows' wide rectangles and
then the columns' (:func:`cover`).

An engine that cannot take multi-area ranges (xlwings' remote engine, xlwings Lite) gets a
third step instead, :func:`copy_plan`: rows that break the table's look the same way again and
again (each sasaran group's rata-rata row) are **copies**. The first such row is painted with
the rest; every later one gets all its formats from it in ONE same-size copy, and the layers
treat the copied cells as *free* (any value may be painted over them, the copy overwrites it),
so the rectangles of the table run through them. A group then costs one copy, not a rectangle
per attribute (:mod:`iku_excel.backends.remote_plan` adds copies of other repeated blocks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from iku_excel.backends.areas import Layer, Rect, layer_calls
from iku_excel.sheets.spec import SheetSpec, Style

Cell = tuple[int, int]
#: A same-size copy of every format: source rectangle, destination rectangle.
Copy = tuple[Rect, Rect]

#: The value of a fresh cell for the attributes that can be painted back to it, as the engine
#: sets it. Size, font colour, underline and borders are only ever painted exactly (a fresh
#: cell's font size and colour are the workbook's, which the file engine does not write).
RESETS: dict[str, object] = {
    "bold": False,
    "italic": False,
    "fill": None,
    "h_align": "general",
    "v_align": "bottom",
    "wrap": False,
    "number_format": "General",
}


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) runs: ``[1, 2, 3, 7]`` -> ``[(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(rows)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def rectangles(cells: Iterable[Cell]) -> list[Rect]:
    """Cover a set of (row, col) cells exactly with few rectangles.

    Rows are cut into runs of consecutive columns, and a run continues the rectangle of the row
    above when it spans the same columns; the same is done with columns cut into row runs; the
    smaller cover wins. A table whose rows (or columns) look alike is one rectangle.
    """
    by_rows, by_cols = _both_sweeps(set(cells))
    return sorted(by_rows if len(by_rows) <= len(by_cols) else by_cols)


def _both_sweeps(cells: set[Cell]) -> tuple[list[Rect], list[Rect]]:
    by_rows = _sweep((row, col) for row, col in cells)
    by_cols = [(r1, c1, r2, c2) for c1, r1, c2, r2 in _sweep((col, row) for row, col in cells)]
    return by_rows, by_cols


def _sweep(cells: Iterable[Cell]) -> list[Rect]:
    """Rectangles (major1, minor1, major2, minor2): runs along ``minor`` merged along ``major``."""
    lines: dict[int, list[int]] = {}
    for major, minor in cells:
        lines.setdefault(major, []).append(minor)
    done: list[Rect] = []
    open_: dict[tuple[int, int], int] = {}  # (first minor, last minor) -> first major
    previous = 0
    for major in sorted(lines):
        runs = set(row_runs(lines[major]))
        for key, start in list(open_.items()):
            if major != previous + 1 or key not in runs:
                done.append((start, key[0], previous, key[1]))
                del open_[key]
        for key in runs:
            open_.setdefault(key, major)
        previous = major
    done.extend((start, key[0], previous, key[1]) for key, start in open_.items())
    return done


def cover(targets: set[Cell], allowed: set[Cell]) -> list[Rect]:
    """Few rectangles inside ``allowed`` (a superset of ``targets``) that cover ``targets``."""
    if not targets:
        return []
    by_rows, by_cols = _both_sweeps(allowed)
    plans: list[list[Rect]] = [
        [r for r in sweep if _touches(r, targets)] for sweep in (by_rows, by_cols)
    ]
    # mixed: the rows' rectangles that span several columns (a header row), then the columns'
    # for what they leave (a column running through the body), and the transposed
    for first, then, across in ((by_rows, by_cols, 3), (by_cols, by_rows, 2)):
        wide = [r for r in first if r[across] > r[across - 2] and _touches(r, targets)]
        rest = targets - _inside(wide, targets)
        plans.append(wide + [r for r in then if rest and _touches(r, rest)])
    best: list[Rect] = min(plans, key=len)
    return sorted(best)


def _inside(rects: Sequence[Rect], cells: set[Cell]) -> set[Cell]:
    """The cells of ``cells`` that some rectangle of ``rects`` (disjoint) covers."""
    out: set[Cell] = set()
    for r1, c1, r2, c2 in rects:
        if (r2 - r1 + 1) * (c2 - c1 + 1) <= len(cells):
            out.update(
                (r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) in cells
            )
        else:
            out.update((r, c) for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2)
    return out


def _touches(rect: Rect, cells: set[Cell]) -> bool:
    r1, c1, r2, c2 = rect
    if (r2 - r1 + 1) * (c2 - c1 + 1) <= len(cells):
        return any((r, c) in cells for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return any(r1 <= r <= r2 and c1 <= c <= c2 for r, c in cells)


def style_attributes(style: Style) -> list[tuple[str, object]]:
    """The attributes of ``style`` that differ from a fresh Excel cell (Calibri 11, General,
    bottom-aligned, no fill, no border)."""
    attrs: list[tuple[str, object]] = []
    if style.bold:
        attrs.append(("bold", True))
    if style.italic:
        attrs.append(("italic", True))
    if style.underline:
        attrs.append(("underline", True))
    if style.size:
        attrs.append(("size", style.size))
    if style.font_color:
        attrs.append(("font_color", style.font_color))
    if style.fill:
        attrs.append(("fill", style.fill))
    if style.h_align:
        attrs.append(("h_align", style.h_align))
    if style.v_align and style.v_align != "bottom":
        attrs.append(("v_align", style.v_align))
    if style.wrap:
        attrs.append(("wrap", True))
    if style.border:
        attrs.append(("border", True))
    if style.number_format and style.number_format != "General":
        attrs.append(("number_format", style.number_format))
    return attrs


def format_layers(
    spec: SheetSpec, *, multi_area: bool = False, free: frozenset[Cell] = frozenset()
) -> list[Layer]:
    """The layers of paint that give every cell of ``spec`` its format, in painting order.

    ``multi_area``: a layer costs :func:`layer_calls` (one call per address of up to 255
    characters; a longer layer one more, pointing a defined name), not one per rectangle; the
    cheapest plan is chosen by that count. ``free``: cells whose format does not matter (a
    copy overwrites them afterwards, :func:`copy_plan`)."""
    attributes = {name: style_attributes(style) for name, style in spec.styles.items()}
    wanted: dict[str, dict[Cell, object]] = {}
    for cell in spec.cells:
        if (cell.row, cell.col) in free:
            continue
        for name, value in attributes[cell.style] if cell.style else ():
            wanted.setdefault(name, {})[(cell.row, cell.col)] = value
    if not wanted:
        return []
    n_rows = max(cell.row for cell in spec.cells)
    n_cols = max(cell.col for cell in spec.cells)
    plans = {
        name: _attribute_layers(name, values, n_rows, n_cols, multi_area, free)
        for name, values in wanted.items()
    }
    return [layer for plan in plans.values() for layer in plan]


def copy_plan(spec: SheetSpec) -> tuple[list[Layer], list[Copy]]:
    """The layers and the copies that give every cell of ``spec`` its format, for an engine
    that pays one call per rectangle (module docstring): paint the layers, then the copies."""
    copies = twin_rows(spec)
    free = frozenset(
        (r, c)
        for _, (r1, c1, r2, c2) in copies
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
    )
    return format_layers(spec, free=free), copies


def twin_rows(spec: SheetSpec) -> list[Copy]:
    """Copies of row segments that repeat an earlier segment's formats exactly.

    A segment is a run of consecutive styled cells of a row. Segments of the same columns and
    the same formats cell by cell form a class; a class is copied when it is not the span's
    *body* (the class with the most rows there, painted by the layers) and no two of its rows
    are consecutive: such rows break every rectangle of the body that runs through them, so
    each costs at least one rectangle per attribute it differs in, and a copy costs one call.
    The last row of the class is the source of every copy: a table's last group ends where
    the body's rectangles end anyway, so painting it breaks none of them.
    """
    attributes = {name: tuple(style_attributes(style)) for name, style in spec.styles.items()}
    rows: dict[int, dict[int, tuple[tuple[str, object], ...]]] = {}
    for cell in spec.cells:
        if cell.style:
            rows.setdefault(cell.row, {})[cell.col] = attributes[cell.style]
    classes: dict[tuple[int, int, tuple[object, ...]], list[int]] = {}
    for row in sorted(rows):
        line = rows[row]
        for c1, c2 in row_runs(line):
            look = tuple(line[c] for c in range(c1, c2 + 1))
            classes.setdefault((c1, c2, look), []).append(row)
    body: dict[tuple[int, int], tuple[int, int]] = {}  # span -> (rows, -first row) of its body
    for (c1, c2, _), members in classes.items():
        body[(c1, c2)] = max(body.get((c1, c2), (0, 0)), (len(members), -members[0]))
    copies: list[Copy] = []
    for (c1, c2, _), members in classes.items():
        if len(members) < 2 or body[(c1, c2)] == (len(members), -members[0]):
            continue
        if any(b == a + 1 for a, b in pairwise(members)):
            continue
        source = (members[-1], c1, members[-1], c2)
        copies.extend((source, (row, c1, row, c2)) for row in members[:-1])
    return sorted(copies, key=lambda copy: copy[1])


def _attribute_layers(
    name: str,
    values: dict[Cell, object],
    n_rows: int,
    n_cols: int,
    multi_area: bool,
    free: frozenset[Cell],
) -> list[Layer]:
    """The cheapest plan of one attribute: exact, or lines of paint along columns and/or rows
    followed by the fixes (module docstring)."""
    by_value: dict[object, set[Cell]] = {}
    for where, value in values.items():
        by_value.setdefault(value, set()).add(where)
    best = [(name, value, cover(cells, cells | free)) for value, cells in by_value.items()]
    for passes in ((False,), (True,), (False, True), (True, False)):
        plan = _painted(name, values, by_value, n_rows, n_cols, passes, free)
        if plan is None:
            continue
        if multi_area:
            plan = _uncut(_joined_layers(plan, values, free), values, free)
        if _cost(plan, multi_area) < _cost(best, multi_area):
            best = plan
    return best


def _joined_layers(
    layers: list[Layer], values: dict[Cell, object], free: frozenset[Cell]
) -> list[Layer]:
    """``layers`` (one attribute's) with layers of one value joined where the result still
    paints every cell right: on desktop Excel a layer is a call whatever its areas, so a value
    painted in two layers (a pass, then a fix) is worth one layer when nothing painted
    between them undoes it."""
    joined = list(layers)
    improved = True
    while improved:
        improved = False
        for j in range(len(joined) - 1, 0, -1):
            for i in range(j):
                if joined[i][1] != joined[j][1]:
                    continue
                areas = joined[i][2] + joined[j][2]
                for at, drop in ((i, j), (j, i)):  # into the earlier, or into the later
                    trial = [(n, v, areas if k == at else r) for k, (n, v, r) in enumerate(joined)]
                    del trial[drop]
                    if _exact(trial, values, free):
                        joined, improved = trial, True
                        break
                if improved:
                    break
            if improved:
                break
    return joined


def _uncut(layers: list[Layer], values: dict[Cell, object], free: frozenset[Cell]) -> list[Layer]:
    """``layers`` without the layers that paint a fresh cell's value back where an earlier
    layer's line ran over (a reset), when cutting those cells out of the earlier layers costs
    fewer calls: on desktop Excel more areas in a layer cost nothing until its address runs
    long."""
    if not layers:
        return layers
    reset = RESETS.get(layers[0][0], _NO_RESET)
    best = layers
    for k in range(len(layers) - 1, -1, -1):
        if best[k][1] != reset or best[k][1] is _NO_RESET:
            continue
        gone = cells_of(best[k][2])
        trial = [
            (n, v, rectangles(cells_of(r) - gone) if i < k else r)
            for i, (n, v, r) in enumerate(best)
            if i != k
        ]
        trial = [layer for layer in trial if layer[2]]
        if _cost(trial, True) < _cost(best, True) and _exact(trial, values, free):
            best = trial
    return best


def cells_of(rects: Sequence[Rect]) -> set[Cell]:
    """Every cell of ``rects``."""
    return {
        (r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
    }


def _exact(layers: list[Layer], values: dict[Cell, object], free: frozenset[Cell]) -> bool:
    """Whether painting ``layers`` (one attribute's) leaves every cell of ``values`` with its
    value and every other cell it paints (not free) with the fresh cell's value."""
    now: dict[Cell, object] = {}
    for _, value, rects in layers:
        now.update(dict.fromkeys(cells_of(rects), value))
    if not layers:
        return not values
    reset = RESETS.get(layers[0][0], _NO_RESET)
    if any(now.get(where, reset) != value for where, value in values.items()):
        return False
    return all(v == reset or w in values or w in free for w, v in now.items())


def _cost(layers: Sequence[Layer], multi_area: bool) -> float:
    """Calls, and among plans of as many calls the one of fewer rectangles."""
    areas = sum(len(rects) for _, _, rects in layers)
    if multi_area:
        return sum(layer_calls(rects) for _, _, rects in layers) + areas / 10_000
    return areas


def _painted(
    name: str,
    values: dict[Cell, object],
    by_value: dict[object, set[Cell]],
    n_rows: int,
    n_cols: int,
    passes: tuple[bool, ...],
    free: frozenset[Cell],
) -> list[Layer] | None:
    """Passes of line paint (along columns, or rows when True), then the fixes; None when the
    attribute cannot be painted back to a fresh cell's value and a pass would need it."""
    reset = RESETS.get(name, _NO_RESET)
    now: dict[Cell, object] = {}
    layers: list[Layer] = []

    def stray(where: Cell, value: object) -> bool:  # painted where nothing may stay
        return where not in values and where not in free and value != reset

    for by_rows in passes:
        wrong = {w: v for w, v in values.items() if now.get(w, reset) != v}
        wrong.update((w, reset) for w, v in now.items() if stray(w, v))
        painted = _line_paint(wrong, reset, by_rows)
        for value, cells in painted.items():
            layers.append((name, value, rectangles(cells)))
            now.update(dict.fromkeys(cells, value))
    fixes: dict[object, set[Cell]] = {}
    for where, value in values.items():
        if now.get(where, reset) != value:
            fixes.setdefault(value, set()).add(where)
    for where, value in now.items():
        if stray(where, value):
            fixes.setdefault(reset, set()).add(where)
    if reset is _NO_RESET and reset in fixes:
        return None
    for value, cells in fixes.items():
        if value is reset:  # any cell that must end without the attribute may be painted
            box = {(r, c) for r in range(1, n_rows + 1) for c in range(1, n_cols + 1)}
            allowed = box - values.keys()
        else:
            allowed = by_value[value] | free
        layers.append((name, value, cover(cells, allowed)))
    return layers


def _line_paint(wrong: dict[Cell, object], reset: object, by_rows: bool) -> dict[object, set[Cell]]:
    """Along each line (column, or row), the value most wrong cells need, painted from the
    first to the last of them."""
    lines: dict[int, dict[int, object]] = {}
    for (row, col), value in wrong.items():
        major, minor = (row, col) if by_rows else (col, row)
        lines.setdefault(major, {})[minor] = value
    painted: dict[object, set[Cell]] = {}
    for major, line in lines.items():
        counts: dict[object, int] = {}
        for value in line.values():
            if value is not _NO_RESET:
                counts[value] = counts.get(value, 0) + 1
        if not counts:
            continue
        top = max(counts, key=lambda v: counts[v])
        at = [minor for minor, value in line.items() if value == top]
        cells = painted.setdefault(top, set())
        for minor in range(min(at), max(at) + 1):
            cells.add((major, minor) if by_rows else (minor, major))
    return painted


class _NoReset:
    """The marker of an attribute without a fresh-cell value to paint."""


_NO_RESET = _NoReset()


# --- Merges and rows of the engine ----------------------------------------------------------


def merge_groups(
    merges: Sequence[Rect], *, multi_area: bool = False
) -> list[tuple[bool, list[Rect]]]:
    """Merges as calls: one-row merges of the same columns in consecutive rows become one
    rectangle merged ``across`` (each row its own merged cell); the rest stay as they are.

    ``multi_area`` (desktop Excel, a group is one call however many areas it has): every
    one-row merge goes with the ``across`` group instead when that costs fewer calls
    (:func:`layer_calls`; a one-row rectangle merged across is one merged cell all the same):
    at 300 groups two groups of one name formula each, not one of two."""
    single: dict[tuple[int, int], list[int]] = {}
    others: list[Rect] = []
    for r1, c1, r2, c2 in merges:
        if r1 == r2:
            single.setdefault((c1, c2), []).append(r1)
        else:
            others.append((r1, c1, r2, c2))
    across: list[Rect] = []
    lone: list[Rect] = []  # one-row merges with no neighbour of the same columns
    for (c1, c2), rows in single.items():
        for first, last in row_runs(rows):
            (across if last > first else lone).append((first, c1, last, c2))
    plans = [(across, others + lone)]
    if multi_area and lone:
        plans.append((across + lone, others))
    best = min(plans, key=lambda plan: sum(layer_calls(rects) for rects in plan))
    groups = [(True, sorted(best[0])), (False, sorted(best[1]))]
    return [(flag, rects) for flag, rects in groups if rects]


def fit_rows(spec: SheetSpec) -> Rect | None:
    """The rectangle whose rows Excel AutoFits: every row of ``spec.estimated_heights``, across
    every written column (so that it does not matter whether AutoFit of a part of a row looks
    at the whole row); None when there is none. Rows between them (a group's rata-rata row)
    are fitted too: they hold one line."""
    if not spec.estimated_heights or not spec.cells:
        return None
    last_col = max(cell.col for cell in spec.cells)
    return (min(spec.estimated_heights), 1, max(spec.estimated_heights), last_col)


def height_runs(heights: dict[int, float]) -> list[tuple[int, int, float]]:
    """Consecutive rows of equal height as (first row, last row, height)."""
    runs: list[tuple[int, int, float]] = []
    for row in sorted(heights):
        h = heights[row]
        if runs and runs[-1][1] == row - 1 and runs[-1][2] == h:
            runs[-1] = (runs[-1][0], row, h)
        else:
            runs.append((row, row, h))
    return runs
