"""The file engine: .xlsx/.xlsm on disk, no Excel needed (a server, a batch of 60 workbooks).

The file is read once per run into an :class:`~iku_excel.backends.xlsx.zippackage.XlsxPackage`
(checked, every member's CRC tested once) that the reader and the splice share. Values come from
python-calamine; writing splices only the changed parts into that package through an atomic
replace, so the rest of the user's file keeps its bytes, and the written file's members that are
new or changed are verified before it replaces the original. The identity of the bytes read
(:meth:`~iku_excel.backends.xlsx.zippackage.XlsxPackage.identity`) is compared right before the
replace: a file saved by someone else since it was read is refused, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iku_excel.backends.base import SheetSelector

if TYPE_CHECKING:
    from iku_excel.backends.xlsx.zippackage import XlsxPackage
    from iku_excel.model import SheetGrid
    from iku_excel.sheets.spec import Outputs


@dataclass
class FileEngine:
    """A workbook file. ``backup`` keeps a copy of the original beside it before writing."""

    path: Path
    backup: bool = False
    backup_path: Path | None = field(default=None, init=False)
    _package: XlsxPackage | None = field(default=None, init=False, repr=False)
    _read_done: bool = field(default=False, init=False, repr=False)

    @property
    def label(self) -> str:
        return str(self.path)

    def package(self) -> XlsxPackage:
        """The file, opened and checked on first use; opened again only if it changed on disk
        before :meth:`read`. From the read on it is the package read, whatever happens on disk:
        what is written is computed from it, and :meth:`apply` refuses a file changed since."""
        from iku_excel.backends.xlsx.zippackage import XlsxPackage

        if self._package is not None and self._read_done:
            return self._package
        if self._package is None or not self._package.is_current():
            self._package = XlsxPackage.open(self.path)
        return self._package

    def check_writable(self) -> None:
        from iku_excel.backends.safe_io import check_replaceable

        self.package()  # check_readable's checks, done once
        check_replaceable(self.path)

    def read(self, select: SheetSelector) -> tuple[list[str], dict[str, SheetGrid]]:
        from iku_excel.backends.xlsx.reader import read_grids

        result = read_grids(self.package(), select)
        self._read_done = True
        return result

    def read_formulas(self, sheet: str, col: int) -> dict[int, str]:
        from iku_excel.backends.xlsx.reader import read_column_formulas

        return read_column_formulas(self.package(), sheet, col)

    def apply(self, outputs: Outputs) -> None:
        from iku_excel.backends.safe_io import atomic_write, verify_xlsx
        from iku_excel.backends.xlsx.sheet_writer import make_plan
        from iku_excel.backends.xlsx.splice import apply_plan

        plan = make_plan(outputs)
        # The package the outputs were computed from, not the file on disk now: if a colleague
        # saved it since, atomic_write refuses (expected identity) instead of splicing our
        # outputs into their version.
        package = self.package()
        # The sheets only read (RPJMD, Pengaturan) are copied as stored: their XML can go.
        from iku_excel.backends.xlsx.reader import sheet_parts

        written = {outputs.iku_sheet.casefold(), *(s.name.casefold() for s in outputs.sheets)}
        package.forget(part for key, part in sheet_parts(package).items() if key not in written)
        fresh: list[str] = []

        def write(tmp: Path) -> None:
            fresh[:] = apply_plan(package, plan, tmp)

        def verify(tmp: Path) -> None:
            # members copied as stored had their CRC checked when the package was opened
            verify_xlsx(tmp, members=fresh if package.verified else None)

        self.backup_path = atomic_write(
            self.path, write, backup=self.backup, verify=verify, expected=package.identity()
        )
        self._package, self._read_done = None, False  # the file on disk is the new one now
