"""What every sheet reader shares: the findings collector, a cell's value as text, a row's cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import isfinite

from iku_excel.model import Finding, SheetGrid, Value, cell_value
from iku_excel.numbers import ParsedNumber, Style, parse_number, plain_number
from iku_excel.rules import make_finding

#: How far down a sheet its header row is looked for.
HEADER_SCAN_ROWS = 40


@dataclass
class Collector:
    """The findings a reader collects while it reads (rule id, sheet, cell, parameters)."""

    findings: list[Finding] = field(default_factory=list)

    def add(
        self, rule: str, *, sheet: str, cell: str = "", code: str = "", **params: object
    ) -> None:
        self.findings.append(make_finding(rule, sheet=sheet, cell=cell, code=code, **params))


def text(value: object) -> str:
    """A cell as text: None -> "", 1.0 -> "1", 1.1 -> "1.1", strings stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return f"{value:.15g}"
    return _collapsed(str(value))


def _collapsed(raw: str) -> str:
    """``raw`` with its white space runs as single spaces, stripped; the string itself when it
    is already clean (one copy)."""
    joined = " ".join(raw.split())
    return raw if joined == raw else joined


_MISSING_PARSED = parse_number(None)
_MISSING_VALUE = Value(_MISSING_PARSED, None)
#: The ParsedNumber of each plain non-zero float met, shared (it is immutable): a workbook repeats
#: its numbers (targets, 100, the same realisasi), 13,000 distinct among the 225,000 floats of a
#: generated 20,000-indicator one. Zero is left out (0.0 and -0.0 are one key); bounded.
_PLAIN: dict[float, ParsedNumber] = {}
_PLAIN_MAX = 50_000
#: A string cell's :func:`text`, by the string: sasaran, units, polaritas, misi and tujuan repeat
#: down a sheet (the split and join cost four times the lookup). Bounded.
_CLEAN: dict[str, str] = {}
_CLEAN_MAX = 50_000


class RowCells:
    """One row of a grid, fetched once: its cells by column as raw values, text and parsed
    numbers. A reader asks a row for a dozen columns; going through ``SheetGrid.value`` and
    ``number_format`` for each (bounds checks, the row looked up again) was a third of reading
    a big IKU sheet. Same results as those two: a column past the row's end is empty."""

    __slots__ = ("formats", "line", "row", "sheet")

    def __init__(self, grid: SheetGrid, row: int) -> None:
        values, formats = grid.values, grid.formats
        self.sheet = grid.name
        self.row = row
        self.line: Sequence[object] = values[row - 1] if 0 < row <= len(values) else ()
        self.formats: Sequence[str | None] | None = (
            formats[row - 1] if formats is not None and 0 < row <= len(formats) else None
        )

    def value(self, col: int | None) -> object:
        line = self.line
        return line[col - 1] if col is not None and 0 < col <= len(line) else None

    def text(self, col: int | None) -> str:
        """The cell as :func:`text`; ``""`` for a column that does not exist (None)."""
        line = self.line
        if col is None or not 0 < col <= len(line):
            return ""
        value = line[col - 1]
        if type(value) is str:  # text()'s own str path, remembered: most texts repeat
            clean = _CLEAN.get(value)
            if clean is None:
                clean = _collapsed(value)
                if len(_CLEAN) >= _CLEAN_MAX:
                    _CLEAN.clear()
                _CLEAN[value] = clean
            return clean
        return text(value)

    def number(self, col: int | None, style: Style = "id") -> Value:
        """The cell parsed as a number, with its reference; no reference for a column that does
        not exist (None)."""
        if col is None:
            return _MISSING_VALUE
        line, formats = self.line, self.formats
        raw = line[col - 1] if 0 < col <= len(line) else None
        fmt = formats[col - 1] if formats is not None and 0 < col <= len(formats) else None
        if type(raw) is float and (fmt is None or "%" not in fmt):
            parsed = _PLAIN.get(raw)
            if parsed is None:
                parsed = _plain(raw, fmt, style)
        elif raw is None:  # an empty cell of an existing column: parse_number's first answer
            parsed = _MISSING_PARSED
        else:
            parsed = parse_number(raw, fmt, style=style)
        return cell_value(parsed, self.sheet, self.row, col)

    def is_empty(self, cols: Iterable[int]) -> bool:
        """True when none of ``cols`` holds more than white space."""
        line = self.line
        n = len(line)
        for c in cols:
            if 0 < c <= n:
                v = line[c - 1]
                if v is None:
                    continue
                if type(v) is str:
                    if not v.isspace() and v:
                        return False
                elif text(v) != "":
                    return False
        return True


def _plain(raw: float, fmt: str | None, style: Style) -> ParsedNumber:
    """What parse_number gives for a float cell (its own fast path when finite), remembered in
    :data:`_PLAIN` when it is a plain non-zero number."""
    if not isfinite(raw):
        return parse_number(raw, fmt, style=style)
    parsed = plain_number(raw, raw)
    if raw != 0.0:
        if len(_PLAIN) >= _PLAIN_MAX:
            _PLAIN.clear()
        _PLAIN[raw] = parsed
    return parsed
