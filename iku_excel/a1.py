"""A1 cell references and sheet-name quoting: the one place Excel's addressing is spelled out."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "MAX_COL",
    "MAX_ROW",
    "cell_address",
    "column_index",
    "column_letter",
    "parse_range",
    "parse_ref",
    "quote_sheet",
    "range_address",
]

MAX_ROW = 1_048_576
MAX_COL = 16_384
_REF_RE = re.compile(r"\s*\$?([A-Za-z]{1,3})\$?(\d+)\s*$")


@lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """1 -> "A", 27 -> "AA" (Excel column names)."""
    if col < 1:
        raise ValueError(f"column must be >= 1, got {col}")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=4096)
def _letters_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def column_index(address: str) -> int:
    """ "O5" -> 15, "AA1" -> 27, "AB" -> 28 (the column of a cell address or column name)."""
    return _letters_index("".join(ch for ch in address if ch.isalpha()))


def cell_address(row: int, col: int) -> str:
    """(5, 15) -> "O5"."""
    return f"{column_letter(col)}{row}"


def range_address(r1: int, c1: int, r2: int, c2: int) -> str:
    """(1, 1, 3, 3) -> "A1:C3"; a single cell is written as one address."""
    first = cell_address(r1, c1)
    return first if (r1, c1) == (r2, c2) else f"{first}:{cell_address(r2, c2)}"


def absolute_range(r1: int, c1: int, r2: int, c2: int) -> str:
    """(1, 1, 3, 3) -> "$A$1:$C$3"; a single cell is written as one address ("$A$1")."""
    first = f"${column_letter(c1)}${r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:${column_letter(c2)}${r2}"


def parse_ref(ref: str) -> tuple[int, int]:
    """``"AB12"`` (``$`` allowed) -> (row 12, column 28). ValueError when malformed."""
    match = _REF_RE.match(ref)
    if not match:
        raise ValueError(f"bad cell reference {ref!r}")
    return int(match.group(2)), _letters_index(match.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C3"`` -> (row1, col1, row2, col2), normalised; a single cell is a 1x1 range."""
    first, _, last = ref.strip().partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def quote_sheet(name: str) -> str:
    """Sheet name as it must appear in a formula reference: ``IKU`` or ``'Data 2023'``."""
    if name.replace("_", "a").isalnum() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"
