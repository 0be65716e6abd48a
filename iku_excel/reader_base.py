"""What every sheet reader shares: the findings collector and a cell's value as text."""

from __future__ import annotations

from dataclasses import dataclass, field

from iku_excel.model import Finding
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
    raw = str(value)
    joined = " ".join(raw.split())
    return raw if joined == raw else joined  # the cell's own string when already clean: one copy
