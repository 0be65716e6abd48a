"""The file engine: .xlsx/.xlsm on disk, no Excel needed (a server, a batch of 60 workbooks).

Reads with openpyxl in read-only mode; writes by splicing only the changed parts into the
package, through an atomic replace, so the rest of the user's file keeps its bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iku_excel.backends.base import SheetSelector

if TYPE_CHECKING:
    from iku_excel.model import SheetGrid
    from iku_excel.sheets.spec import Outputs


@dataclass
class FileEngine:
    """A workbook file. ``backup`` keeps a copy of the original beside it before writing."""

    path: Path
    backup: bool = False
    backup_path: Path | None = field(default=None, init=False)

    @property
    def label(self) -> str:
        return str(self.path)

    def check_writable(self) -> None:
        from iku_excel.backends.safe_io import check_writable

        check_writable(self.path)

    def read(self, select: SheetSelector) -> tuple[list[str], dict[str, SheetGrid]]:
        from iku_excel.backends.xlsx_reader import read_grids

        return read_grids(self.path, select)

    def read_formulas(self, sheet: str, col: int) -> dict[int, str]:
        from iku_excel.backends.xlsx_reader import read_column_formulas

        return read_column_formulas(self.path, sheet, col)

    def apply(self, outputs: Outputs) -> None:
        from iku_excel.backends.safe_io import atomic_write
        from iku_excel.backends.sheet_xml import make_plan
        from iku_excel.backends.xlsx_package import apply_plan

        plan = make_plan(outputs)
        src = self.path
        self.backup_path = atomic_write(
            src, lambda tmp: apply_plan(src, plan, tmp), backup=self.backup
        )
