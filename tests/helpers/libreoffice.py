"""LibreOffice headless as a recalculation oracle for tests.

:func:`recalculated_values` opens a copy of a workbook in ``soffice --headless`` with a private
profile that forces a full recalculation on load (``OOXMLRecalcMode`` and ``ODFRecalcMode`` = 0,
"always"), converts it to xlsx and reads the recomputed values back with openpyxl. Cached values in
the input are therefore ignored: a formula whose stored ``<v>`` is wrong still comes back with the
value LibreOffice computes. Without that profile setting LibreOffice keeps the stale cached values
and the oracle would check nothing.

What the values look like (openpyxl ``data_only=True`` reading of LibreOffice's xlsx):

* numbers come back as ``int`` when integral, else ``float`` (LibreOffice writes up to 15
  significant digits, so compare floats with ``pytest.approx``);
* strings as ``str``; booleans as ``bool``; errors as their text (``"#DIV/0!"``, ``"#N/A"``);
* a formula that returns the empty string ``""`` is reported as ``""``. LibreOffice writes such a
  cell as ``t="str"`` with an empty ``<v>``, which openpyxl alone reads as ``None``; this helper
  maps it back to ``""`` (a formula cell always has a value), so "formula gave ''" and "blank
  cell" stay distinguishable: blank cells are simply absent from the result.

Parallel runs: each process gets its own profile directory (created on first use, removed at exit;
profiles of dead processes that skipped atexit are swept on the next first use) and calls within a
process are serialised by a lock, so pytest-xdist workers never share a profile. A fresh profile
costs about 0.1-0.2 s more than a reused one; most of the ~2 s per call is starting LibreOffice.

LibreOffice's xlsx output is for reading recalculated values only; never hand it to users.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

__all__ = [
    "DEFAULT_TIMEOUT",
    "LibreOfficeError",
    "formulas",
    "recalculated_values",
    "soffice_path",
]

#: Seconds one conversion may take before soffice is killed.
DEFAULT_TIMEOUT = 120.0

#: Profile settings: always recalculate OOXML and ODF documents on load (0 = always, 1 = never,
#: 2 = ask).
_REGISTRY_MODIFICATIONS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_XLSX_FILTER = "Calc MS Excel 2007 XML"
_PROFILE_PREFIX = "iku-lo-profile-"

_lock = threading.Lock()
#: Profile directory per process id (a forked child must not reuse its parent's profile).
_profiles: dict[int, Path] = {}


class LibreOfficeError(RuntimeError):
    """soffice is missing, failed, timed out or produced no output."""


def soffice_path() -> str | None:
    """Return the path of ``soffice`` (or ``libreoffice``) found on PATH, else None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_profile(directory: Path) -> Path:
    """Create a LibreOffice user profile in ``directory`` that always recalculates on load.

    Returns ``directory``. LibreOffice fills in the rest of the profile on first start and keeps
    these settings.
    """
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY_MODIFICATIONS, encoding="utf-8")
    return directory


def _remove_profile(pid: int, directory: Path) -> None:
    if os.getpid() == pid:
        shutil.rmtree(directory, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _remove_stale_profiles() -> None:
    """Remove profiles left by processes that ended without running atexit (os._exit, kill)."""
    for directory in Path(tempfile.gettempdir()).glob(f"{_PROFILE_PREFIX}*"):
        pid_text = directory.name[len(_PROFILE_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(directory, ignore_errors=True)


def _profile_dir() -> Path:
    """The profile of this process, created on first use and removed when the process exits."""
    pid = os.getpid()
    profile = _profiles.get(pid)
    if profile is None:
        _remove_stale_profiles()
        profile = write_profile(Path(tempfile.mkdtemp(prefix=f"{_PROFILE_PREFIX}{pid}-")))
        _profiles[pid] = profile
        atexit.register(_remove_profile, pid, profile)
    return profile


def _run_soffice(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run soffice in its own process group; kill the whole group on timeout."""
    with subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # soffice -> oosplash -> soffice.bin: kill them all together
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise LibreOfficeError(
                f"soffice did not finish within {timeout:g} s: {' '.join(args)}"
            ) from exc
        return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def convert_to_xlsx(path: Path, outdir: Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Recalculate ``path`` in LibreOffice and save it as xlsx in ``outdir``; return the result.

    ``path`` is copied first, so the original is never opened (nor locked) by LibreOffice.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice/libreoffice not found on PATH")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iku-lo-in-") as indir:
        source = Path(indir) / path.name
        shutil.copyfile(path, source)
        expected = outdir / f"{source.stem}.xlsx"
        expected.unlink(missing_ok=True)
        with _lock:
            args = [
                soffice,
                f"-env:UserInstallation={_profile_dir().as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--convert-to",
                f"xlsx:{_XLSX_FILTER}",
                "--outdir",
                str(outdir),
                str(source),
            ]
            result = _run_soffice(args, timeout)
    if result.returncode != 0 or not expected.is_file():
        raise LibreOfficeError(
            f"soffice could not convert {path} (exit code {result.returncode}).\n"
            f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
        )
    return expected


def recalculated_values(
    path: Path, sheets: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, dict[str, object]]:
    """Values of every non-empty cell after LibreOffice recomputed every formula.

    Returns ``{sheet title: {"A1": value}}`` for ``sheets`` (all sheets when None). Raises
    :class:`LibreOfficeError` when soffice is missing or fails, ``KeyError`` for an unknown sheet.
    """
    with tempfile.TemporaryDirectory(prefix="iku-lo-out-") as outdir:
        converted = convert_to_xlsx(Path(path), Path(outdir), timeout)
        values_book = openpyxl.load_workbook(converted, data_only=True)
        formula_book = openpyxl.load_workbook(converted, data_only=False)
        try:
            names = values_book.sheetnames if sheets is None else sheets
            unknown = [name for name in names if name not in values_book.sheetnames]
            if unknown:
                raise KeyError(f"sheets {unknown} not in {values_book.sheetnames}")
            result: dict[str, dict[str, object]] = {}
            for name in names:
                cells: dict[str, object] = {}
                formula_sheet = formula_book[name]
                for row in values_book[name].iter_rows():
                    for cell in row:
                        value = cell.value
                        if value is None:
                            # A formula that returned "" is stored with an empty <v>.
                            if formula_sheet[cell.coordinate].data_type != "f":
                                continue
                            value = ""
                        cells[cell.coordinate] = value
                result[name] = cells
            return result
        finally:
            values_book.close()
            formula_book.close()


def formulas(path: Path, sheet: str) -> dict[str, str]:
    """Formula text (with the leading ``=``) of every formula cell of ``sheet``, by coordinate.

    A plain openpyxl read of the file itself; LibreOffice is not involved.
    """
    book = openpyxl.load_workbook(Path(path), data_only=False)
    try:
        result: dict[str, str] = {}
        for row in book[sheet].iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                value = cell.value
                text = value.text if isinstance(value, ArrayFormula) else value
                if isinstance(text, str):
                    result[cell.coordinate] = text
        return result
    finally:
        book.close()
