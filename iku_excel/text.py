"""How numbers, cells and formulas read to a planner: the Indonesian text of messages and notes.

Shared by :mod:`iku_excel.evaluate` (finding messages) and :mod:`iku_excel.sheets` (cells that
mirror what was typed, the Capaian sheet's footnote). No arithmetic and no workbook library.
"""

from __future__ import annotations

from iku_excel.model import Value
from iku_excel.numbers import format_number


def fmt(x: float | None) -> str:
    """A number for a message: Indonesian separators, up to 4 decimals, no trailing zeros."""
    if x is None:
        return "(kosong)"
    return format_number(x, 4, trim=True)


def shown(value: Value) -> str:
    """How a cell looked to the planner."""
    raw = value.parsed.raw
    if isinstance(raw, str):
        return raw.strip()
    p = value.parsed
    if p.status == "ok" and p.value is not None:
        return fmt(p.value) + (" %" if p.percent_scaled else "")
    return "" if raw is None else str(raw)


def with_unit(text: str, unit: str) -> str:
    """ "80" + "%" -> "80 %"; leaves "706 Orang" alone."""
    if not unit or not text or not text[-1].isdigit():
        return text
    return f"{text} {unit}"


def formula_text(polarity: str, negative_formula: str) -> str:
    """The formula in words, as printed in messages and in the Capaian sheet's footnote."""
    if polarity != "Negatif":
        return "Realisasi × 100 / Target"
    return {
        "A": "(2 × Target − Realisasi) × 100 / Target",
        "B": "Target × 100 / Realisasi",
        "C": "(Target − Realisasi) × 100 / Target",
    }[negative_formula]


def formula_numbers(polarity: str, negative_formula: str, t: float | None, r: float) -> str:
    """The formula with the indicator's numbers in it (``80 × 100 / 100``); ``t`` None means the
    realisasi fell inside a range target."""
    if t is None:
        return "100 (realisasi di dalam rentang target)"
    if polarity != "Negatif":
        return f"{fmt(r)} × 100 / {fmt(t)}"
    return {
        "A": f"(2 × {fmt(t)} − {fmt(r)}) × 100 / {fmt(t)}",
        "B": f"{fmt(t)} × 100 / {fmt(r)}",
        "C": f"({fmt(t)} − {fmt(r)}) × 100 / {fmt(t)}",
    }[negative_formula]
