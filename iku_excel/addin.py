"""Install, remove and inspect the IKU ribbon add-in (``iku_excel.xlam``) for Microsoft Excel.

Excel opens every workbook in the user's startup folder (XLSTART) when it starts, so copying the
add-in there installs it:

- Windows: ``%APPDATA%\\Microsoft\\Excel\\XLSTART``
- macOS: ``~/Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel``

Installing also writes the add-in's xlwings settings file ``iku_excel.conf`` (the add-in's VBA sets
xlwings' ``PROJECT_NAME`` to ``iku_excel``) so that the ribbon's ``RunPython`` calls start the
Python interpreter that runs this code, where iku-excel is installed; an existing settings file is
kept. On macOS, RunPython needs xlwings' AppleScript in Excel's script folder, which is copied too,
and the xlwings package must be the version the add-in was built with.

The add-in needs exactly that xlwings version in the interpreter Excel runs; it is an optional
dependency (``pip install "iku-excel[excel]"``): :func:`install` checks it first (without
importing xlwings) and says in one line what to run when it is missing or different.

Nothing here starts Excel: restart Excel after installing or removing. Where Excel cannot run
(Linux) every function raises :class:`ExcelNotAvailable`. The add-in itself is built by
``macros/build_addin.py``.
"""

from __future__ import annotations

import locale
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from iku_excel.errors import AddinError, ExcelNotAvailable

ADDIN_NAME = "iku_excel.xlam"
#: The xlwings version the add-in's VBA declares (``macros/build_addin.py`` takes it from the
#: xlwings it builds with; ``tests/test_addin.py`` checks the two agree).
ADDIN_XLWINGS_VERSION = "0.37.8"
#: xlwings' ``PROJECT_NAME`` in the add-in: names its settings file and settings sheet.
PROJECT_NAME = "iku_excel"
MAC_OFFICE_GROUP = Path("Library", "Group Containers", "UBF8T346G9.Office")
MAC_STARTUP = MAC_OFFICE_GROUP / "User Content" / "Startup" / "Excel"
MAC_EXCEL_DATA = Path("Library", "Containers", "com.microsoft.Excel", "Data")
MAC_APPLESCRIPTS = Path("Library", "Application Scripts", "com.microsoft.Excel")


@dataclass(frozen=True)
class AddinStatus:
    """Where the add-in goes and whether it is there."""

    installed: bool
    path: Path
    config_path: Path


def _is_windows() -> bool:
    return sys.platform == "win32"


def _is_macos() -> bool:
    return sys.platform == "darwin"


def _home() -> Path:
    if _is_windows() and os.environ.get("USERPROFILE"):
        return Path(os.environ["USERPROFILE"])
    return Path.home()


def startup_dir() -> Path:
    """Excel's user startup folder (XLSTART), created if Excel's own folder exists."""
    if _is_windows():
        appdata = os.environ.get("APPDATA")
        if not appdata:
            raise ExcelNotAvailable(
                "Variabel lingkungan APPDATA tidak ada; folder Excel tak ditemukan."
            )
        excel_dir = Path(appdata) / "Microsoft" / "Excel"
        startup = excel_dir / "XLSTART"
    elif _is_macos():
        excel_dir = _home() / MAC_OFFICE_GROUP
        startup = _home() / MAC_STARTUP
    else:
        raise ExcelNotAvailable()
    if not excel_dir.is_dir():
        raise ExcelNotAvailable(
            f"Folder Excel {excel_dir} tidak ada: pasang Microsoft Excel dan jalankan sekali dulu."
        )
    startup.mkdir(parents=True, exist_ok=True)
    return startup


def config_path() -> Path:
    """The add-in's xlwings user settings file, as the add-in's VBA looks for it."""
    if _is_windows():
        return _home() / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"
    if _is_macos():
        return _home() / MAC_EXCEL_DATA / f"{PROJECT_NAME}.conf"
    raise ExcelNotAvailable()


def default_addin_file() -> Path:
    """The built add-in: shipped in the package (``iku_excel/data``) or in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data" / ADDIN_NAME, here.parent / "macros" / ADDIN_NAME):
        if candidate.is_file():
            return candidate
    raise AddinError(f"Berkas {ADDIN_NAME} tidak ditemukan; bangun dengan macros/build_addin.py.")


def _config_text(interpreter: str) -> str:
    """Settings in xlwings' ``"KEY","VALUE"`` file format."""
    if _is_windows():
        conda_env = os.environ.get("CONDA_DEFAULT_ENV")
        conda_exe = os.environ.get("CONDA_EXE")
        if conda_env and conda_exe:
            # As ``xlwings config create``: a conda environment must be activated to run.
            conda_path = str(PureWindowsPath(conda_exe).parent.parent)
            return f'"CONDA PATH","{conda_path}"\n"CONDA ENV","{conda_env}"\n'
        return f'"INTERPRETER_WIN","{interpreter}"\n'
    return f'"INTERPRETER_MAC","{interpreter}"\n'


def configure(interpreter: str | None = None, *, overwrite: bool = False) -> Path:
    """Write the settings file that points RunPython at ``interpreter`` (default: this Python).

    An existing file is kept unless ``overwrite``. Returns the settings file's path.
    """
    path = config_path()
    if path.exists() and not overwrite:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _config_text(interpreter or sys.executable)
    # VBA reads the file in the system's ANSI code page, as xlwings writes its own.
    path.write_text(text, encoding=locale.getpreferredencoding(False))
    return path


def installed_xlwings_version() -> str | None:
    """The version of the installed xlwings distribution (not imported), or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlwings")
    except PackageNotFoundError:
        return None


def check_xlwings(installed: str | None = None) -> None:
    """Raise :class:`AddinError` (one line saying what to run) unless the add-in's xlwings
    version is installed; ``installed`` defaults to :func:`installed_xlwings_version`."""
    found = installed if installed is not None else installed_xlwings_version()
    if found == ADDIN_XLWINGS_VERSION:
        return
    state = "tidak terpasang" if found is None else f"yang terpasang versi {found}"
    raise AddinError(
        f"Add-in IKU memerlukan xlwings {ADDIN_XLWINGS_VERSION}, {state}; jalankan: "
        f'{Path(sys.executable).name} -m pip install "iku-excel[excel]" '
        f'(atau "xlwings=={ADDIN_XLWINGS_VERSION}").'
    )


def _install_applescript() -> Path:
    """Copy xlwings' AppleScript, which RunPython calls on macOS, into Excel's script folder."""
    import xlwings  # only here: nothing else in this module needs the package

    check_xlwings(xlwings.__version__)
    name = f"xlwings-{xlwings.__version__}.applescript"
    target_dir = _home() / MAC_APPLESCRIPTS
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    shutil.copyfile(Path(xlwings.__file__).resolve().parent / name, target)
    return target


def status() -> AddinStatus:
    """Whether the add-in is installed, and where it is or would be."""
    path = startup_dir() / ADDIN_NAME
    return AddinStatus(installed=path.is_file(), path=path, config_path=config_path())


def install(source: Path | None = None, *, interpreter: str | None = None) -> Path:
    """Copy the add-in into Excel's startup folder and configure RunPython; return its new path.

    ``source`` defaults to :func:`default_addin_file`; ``interpreter`` (default: this Python) is
    written to the settings file only when there is none yet (see :func:`configure`).
    """
    target = startup_dir() / ADDIN_NAME
    check_xlwings()
    source = source or default_addin_file()
    if not source.is_file():
        raise AddinError(f"Berkas add-in {source} tidak ada.")
    if _is_macos():
        _install_applescript()
    try:
        # Only the bytes: no alternate data stream, so no "mark of the web" travels along.
        target.write_bytes(source.read_bytes())
    except PermissionError as exc:
        raise AddinError(f"Tidak dapat menulis {target}: tutup Excel, lalu ulangi.") from exc
    configure(interpreter)
    return target


def remove() -> Path | None:
    """Delete the add-in from Excel's startup folder; return its path, or None if it was absent.

    The settings file and xlwings' AppleScript stay (other add-ins may use the latter).
    """
    target = startup_dir() / ADDIN_NAME
    if not target.exists():
        return None
    try:
        target.unlink()
    except PermissionError as exc:
        raise AddinError(f"Tidak dapat menghapus {target}: tutup Excel, lalu ulangi.") from exc
    return target
