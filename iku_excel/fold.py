"""Folding repeated info findings: one finding per rule and column instead of one per cell.

An ordinary table typed as text gives one ``number-stored-as-text`` per cell (52 for one
workbook), which drowns the findings that matter. :func:`fold_findings` replaces
:data:`FOLD_AT` or more *info* findings of one rule in one column of one sheet by a single
finding: its cell is the range from the first to the last cell (``I2:I40``), its message the
count, every cell (so the Validasi sheet lists them) and the first cell's message. Errors and
warnings are never folded: each needs its own fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from iku_excel.model import Finding

#: How many info findings of one rule in one column are folded into one.
FOLD_AT = 3

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _column(cell: str) -> tuple[str, int] | None:
    match = _CELL.match(cell)
    return (match.group(1), int(match.group(2))) if match else None


def fold_findings(items: Sequence[Finding]) -> list[Finding]:
    """``items`` with repeated info findings folded (the first of a group takes its place)."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in items:
        col = _column(f.cell)
        if f.severity == "info" and col is not None:
            groups.setdefault((f.rule, f.sheet, col[0]), []).append(f)
    folded: dict[int, Finding | None] = {}
    for (_, _, letters), members in groups.items():
        if len(members) < FOLD_AT:
            continue
        ordered = sorted(members, key=lambda f: _column(f.cell)[1])  # type: ignore[index]
        first, last = ordered[0], ordered[-1]
        cells = ", ".join(f.cell for f in ordered)
        message = (
            f"{len(ordered)} sel di kolom {letters} ({cells}) mendapat temuan yang sama. "
            f"Contoh {first.cell}: {first.message}"
        )
        one = Finding(
            first.rule, first.severity, first.sheet, f"{first.cell}:{last.cell}", "", message
        )
        for f in members:
            folded[id(f)] = None
        folded[id(members[0])] = one
    out: list[Finding] = []
    for f in items:
        if id(f) not in folded:
            out.append(f)
        elif (replacement := folded[id(f)]) is not None:
            out.append(replacement)
    return out
