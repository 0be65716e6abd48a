"""The one small interface every workbook engine implements.

The core (reader, validator, layout) works on plain data. An engine only has to turn a workbook
into :class:`~iku_excel.model.SheetGrid` objects and apply a :class:`~iku_excel.layout.Outputs`
description back onto it. Two engines exist: :class:`~iku_excel.backends.file_engine.FileEngine`
(.xlsx/.xlsm files, no Excel needed) and ``XlwingsEngine`` (a live workbook in Excel).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from iku_excel.model import SheetGrid
    from iku_excel.sheets.spec import Outputs

SheetSelector = Callable[[Sequence[str]], Sequence[str]]


class WorkbookEngine(Protocol):
    """Read sheets as grids; apply the described outputs."""

    @property
    def label(self) -> str:
        """How the workbook is named in messages (a path or a book name)."""
        ...

    def read(self, select: SheetSelector) -> tuple[list[str], dict[str, SheetGrid]]:
        """All sheet names, and a grid for each sheet ``select`` picks from them."""
        ...

    def read_formulas(self, sheet: str, col: int) -> dict[int, str]:
        """The formulas now in one column of a sheet: row -> ``"=..."`` (other cells left out)."""
        ...

    def apply(self, outputs: Outputs) -> None:
        """Write the IKU Capaian (%) cells and (re)build the Capaian and Validasi sheets."""
        ...
