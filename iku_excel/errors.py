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

Every other exception reaches a user through :func:`describe_error` (one Indonesian line and an
exit code; an unexpected one is written to a private log file by :func:`write_log` first). The
command line and the ribbon both use these two functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
import traceback
from pathlib import Path

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "LOG_DIR_ENV",
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
    "describe_error",
    "log_dir",
    "write_log",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2
EXIT_INTERNAL = 3


class IkuError(Exception):
    """A reason the run cannot continue; ``str(error)`` is one line for the planner."""

    exit_code = EXIT_UNREADABLE

    def __str__(self) -> str:
        # ``raise WorkbookCorrupt(path, "why")`` must read "path: why", not a Python tuple.
        if len(self.args) > 1:
            return ": ".join(str(a) for a in self.args)
        return super().__str__()


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


# --- How any exception reaches a user -------------------------------------------------------------

#: Overrides the log folder (default: ``platformdirs.user_log_dir("iku-excel")``).
LOG_DIR_ENV = "IKU_EXCEL_LOG_DIR"

#: errno -> the cause, in Indonesian, of a file-system error.
_OS_CAUSES = {
    errno.ENOSPC: "disk penuh; kosongkan ruang disk lalu ulangi",
    errno.EDQUOT: "kuota disk habis; kosongkan ruang lalu ulangi",
    errno.ENAMETOOLONG: "nama file atau foldernya terlalu panjang; perpendek namanya",
    errno.EACCES: "tidak ada izin untuk membaca atau menulisnya",
    errno.EPERM: "tidak ada izin untuk membaca atau menulisnya",
    errno.EROFS: "foldernya hanya dapat dibaca (read-only)",
    errno.ENOENT: "file atau foldernya tidak ada",
    errno.ENOTDIR: "salah satu bagian jalurnya bukan folder",
    errno.EISDIR: "jalur itu sebuah folder, bukan file",
    errno.EEXIST: "file itu sudah ada",
    errno.EBUSY: "file sedang dipakai program lain; tutup program itu lalu ulangi",
    errno.ETXTBSY: "file sedang dipakai program lain; tutup program itu lalu ulangi",
    errno.EIO: "kesalahan baca/tulis pada disk",
    errno.ELOOP: "jalurnya berupa tautan (symlink) yang berputar",
    errno.EMFILE: "terlalu banyak file terbuka",
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _os_cause(exc: OSError) -> str:
    cause = _OS_CAUSES.get(exc.errno) if exc.errno is not None else None
    if cause is None:
        detail = exc.strerror or type(exc).__name__
        cause = f"kesalahan sistem berkas ({detail})"
    return cause


def describe_error(
    exc: BaseException, path: str | os.PathLike[str] | None = None, *, log_kind: str = "error"
) -> tuple[str, int]:
    """(one Indonesian line for the user, exit code) for any exception.

    - :class:`IkuError`: its own message, its :attr:`~IkuError.exit_code` (2);
    - :class:`OSError` (disk full, name too long, no permission...): "FILE: cause", exit 2,
      where FILE is ``path`` when given (the workbook being processed), else the error's file;
    - :class:`MemoryError`: not enough memory for this file, exit 2;
    - anything else is a bug: its traceback goes to a new log file (:func:`write_log`) and the
      line names that file, exit 3. When even the log cannot be written the line says so.

    Never raises.
    """
    if isinstance(exc, IkuError):
        return _one_line(str(exc)), exc.exit_code
    if isinstance(exc, OSError):
        name = path if path is not None else (exc.filename or exc.filename2)
        cause = _os_cause(exc)
        return (f"{os.fsdecode(name)}: {cause}" if name else cause), EXIT_UNREADABLE
    if isinstance(exc, MemoryError):
        where = f"{os.fsdecode(path)}: " if path is not None else ""
        return f"{where}memori tidak cukup untuk memproses file ini", EXIT_UNREADABLE
    log = write_log(exc, kind=log_kind)
    try:
        detail = _one_line(f"{type(exc).__name__}: {exc}")
    except Exception:  # a broken __str__ must not escape either
        detail = type(exc).__name__
    where = f"Rincian: {log}" if log else "Rinciannya tidak dapat dicatat ke file log."
    return f"kesalahan internal iku-excel ({detail}). {where}", EXIT_INTERNAL


def log_dir() -> Path:
    """The user's own folder for iku-excel's log files (:data:`LOG_DIR_ENV` overrides it)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir("iku-excel", appauthor=False))


def _private_dir(folder: Path) -> Path:
    """``folder``, created 0700 when missing; refused when it is a symlink, not a folder, or
    (on POSIX) belongs to another user."""
    if not folder.is_symlink():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "not a real folder", str(folder))
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        raise PermissionError(errno.EACCES, "folder of another user", str(folder))
    return folder


def write_log(exc: BaseException, *, kind: str = "error") -> Path | None:
    """Write ``exc``'s traceback to a new private log file; its path, or None when that fails.

    The file gets a unique name (``KIND-<time>-<pid>-<random>.log``) in :func:`log_dir` and is
    created exclusively (never through a symlink, never over another file) with mode 0600.
    Never raises.
    """
    try:
        folder = _private_dir(log_dir())
        details = "".join(traceback.format_exception(exc))
        text = f"iku-excel {kind}, {dt.datetime.now().isoformat()}\n{details}"
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_BINARY", 0)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        import secrets  # only when a log is written (it loads hmac and hashlib)

        path = folder / f"{kind}-{stamp}-{os.getpid()}-{secrets.token_hex(4)}.log"
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", "replace"))
        return path
    except Exception:
        return None
