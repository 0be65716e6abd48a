"""Reading number formats from Excel in few calls: which cells matter, and runs found by halving.

A number format decides how a cell reads (a percent cell holds 0.8 and means 80), but Excel
gives one format per range only when the whole range shares it. Both xlwings engines (desktop
through :mod:`iku_excel.backends.xlwings_engine`, xlwings Lite through :mod:`iku_excel.lite`)
read the formats of the numeric cells of a column as runs, halving the mixed ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence

#: At most this many number-format reads per column when a column's formats are mixed.
FORMAT_READS_PER_COLUMN = 48


#: The halving as a generator: it yields the rows ``(r1, r2)`` whose shared number format it
#: needs, is sent the answer (a ``str``, or anything else when the rows differ), and returns the
#: runs. The sync reader below and Lite's async one (:mod:`iku_excel.lite`) drive the same one.
Halving = Generator[tuple[int, int], object, list[tuple[int, int, str]]]


def halving(first: int, last: int, budget: int) -> Halving:
    """Runs ``(first row, last row, format)`` of rows ``first..last``, found by halving mixed
    ranges, in at most ``budget`` questions; rows left undecided are not in the result."""
    runs: list[tuple[int, int, str]] = []
    todo = [(first, last)]
    calls = 0
    while todo and calls < budget:
        r1, r2 = todo.pop()
        fmt = yield r1, r2
        calls += 1
        if isinstance(fmt, str):
            runs.append((r1, r2, fmt))
        elif r1 < r2:
            mid = (r1 + r2) // 2
            todo.extend([(mid + 1, r2), (r1, mid)])  # the first half is read first
    return sorted(runs)


def read_format_runs(
    get: Callable[[int, int], object], first: int, last: int, budget: int
) -> list[tuple[int, int, str]]:
    """Runs ``(first row, last row, format)`` of one column (:func:`halving`).

    ``get(r1, r2)`` returns the number format shared by rows r1..r2, or anything that is not a
    ``str`` when they differ (Excel gives ``None``). At most ``budget`` calls.
    """
    steps = halving(first, last, budget)
    try:
        rows = next(steps)
        while True:
            rows = steps.send(get(*rows))
    except StopIteration as done:
        return done.value


def number_rows(values: Sequence[Sequence[object]], col: int) -> list[int]:
    """The rows whose cell in column ``col`` holds a number: the cells whose format matters."""
    return [
        r
        for r, line in enumerate(values, start=1)
        if col <= len(line)
        and isinstance(line[col - 1], int | float)
        and not isinstance(line[col - 1], bool)
    ]


def fill_format_runs(
    formats: list[list[str | None]], col: int, runs: Iterable[tuple[int, int, str | None]]
) -> None:
    """Write the number formats read as runs ``(first row, last row, format)`` into column
    ``col`` of ``formats``."""
    for r1, r2, fmt in runs:
        for r in range(r1, r2 + 1):
            if col <= len(formats[r - 1]):
                formats[r - 1][col - 1] = fmt
