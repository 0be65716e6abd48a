"""The one exception hierarchy: every "cannot continue" case, and how each reaches a user.

Bad *data* is never an exception: it is a :class:`~iku_excel.model.Finding`. An exception means
the run cannot go on for this file (missing, encrypted, locked, damaged, not in the contract) or
for this computer (no Excel). ``str(error)`` is always one Indonesian line naming the file and the
cause, written for the planner; the CLI prints it and exits with :attr:`IkuError.exit_code`.

::

    IkuError
    ├── CannotProceed          the file itself (exit 2)
    │   ├── FileNotFound, NotAnXlsx, EncryptedWorkbook, WorkbookLocked, ReadOnlyFile,
    │   │   WorkbookCorrupt
    │   ├── UnsafeWorkbookError   writing would damage the workbook; nothing was written
    │   └── AddinError
    ├── ContractError          the workbook does not follow the contract enough to be read (exit 2)
    └── ExcelNotAvailable      Microsoft Excel cannot run here (exit 2)
"""

from __future__ import annotations

__all__ = [
    "AddinError",
    "CannotProceed",
    "ContractError",
    "EncryptedWorkbook",
    "ExcelNotAvailable",
    "FileNotFound",
    "IkuError",
    "NotAnXlsx",
    "ReadOnlyFile",
    "UnsafeWorkbookError",
    "WorkbookCorrupt",
    "WorkbookLocked",
]


class IkuError(Exception):
    """A reason the run cannot continue; ``str(error)`` is one line for the planner."""

    exit_code = 2


class CannotProceed(IkuError):
    """A problem with the file itself that the planner must fix (CLI exit code 2)."""


class FileNotFound(CannotProceed):
    """The path does not exist."""


class NotAnXlsx(CannotProceed):
    """Not an .xlsx/.xlsm package: an old .xls, an .xlsb, another zip, a folder, random bytes."""


class EncryptedWorkbook(CannotProceed):
    """A password-protected (encrypted) workbook: an OLE file with an ``EncryptedPackage``."""


class WorkbookLocked(CannotProceed):
    """The workbook is open in Excel or LibreOffice, or another iku-excel run is writing it."""


class ReadOnlyFile(CannotProceed):
    """The file or its folder cannot be written (or the file cannot be read at all)."""


class WorkbookCorrupt(CannotProceed):
    """The file is a damaged or incomplete zip package, or one of its parts cannot be parsed."""


class UnsafeWorkbookError(CannotProceed):
    """The plan cannot be applied without damaging the workbook; nothing was written."""


class AddinError(CannotProceed):
    """The add-in cannot be installed or removed (file missing, in use, wrong xlwings version)."""


class ContractError(IkuError):
    """The workbook does not follow the contract closely enough to be read at all."""


class ExcelNotAvailable(IkuError):
    """Excel cannot run here (or never ran for this user): the add-in and --engine excel need it."""

    def __init__(
        self,
        message: str = "Microsoft Excel tidak tersedia di komputer ini; add-in IKU dan "
        "--engine excel memerlukan Excel di Windows atau macOS.",
    ) -> None:
        super().__init__(message)
