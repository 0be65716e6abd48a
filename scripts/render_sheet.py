#!/usr/bin/env python3
"""Render one sheet of a workbook to PNG through LibreOffice, for screenshots in the docs.

    python scripts/render_sheet.py WORKBOOK SHEET OUT.png [--dpi 110] [--pdf OUT.pdf]

The script starts ``soffice --headless`` with a private profile, listening on a private pipe,
loads a copy of the workbook (formulas are recalculated on load), exports only SHEET with the
``calc_pdf_Export`` filter (``Selection`` = that sheet, so the sheet's print setup is honoured:
paper size and orientation, fit to width, print area, repeated header rows), terminates soffice
and turns the PDF into PNG with ``pdftoppm``.

``OUT.png`` is always the first page. When the sheet prints on several pages, every page is also
written as ``OUT-1.png``, ``OUT-2.png``, ... and the script says so on stderr.

UNO needs a Python with the ``uno`` module (Debian/Ubuntu: package ``python3-uno`` for
``/usr/bin/python3``). If the running interpreter has none, the script runs itself again with
``$IKU_UNO_PYTHON``, ``/usr/bin/python3`` or LibreOffice's bundled Python, whichever has it.
Only the standard library is used, so any of those interpreters will do.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

DEFAULT_DPI = 110
DEFAULT_TIMEOUT = 120.0
_REEXEC_FLAG = "IKU_RENDER_SHEET_REEXEC"

#: Private profile: always recalculate OOXML and ODF documents on load (0 = always), so the
#: rendered values are computed, not stale cached ones. Same settings as
#: tests/helpers/libreoffice.py.
_REGISTRY_MODIFICATIONS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" \
oor:op="fuse"><value>id-ID</value></prop></item>
</oor:items>
"""
# The locale is Indonesian so that numbers render as a planner's Excel shows them (108,33).


class RenderError(RuntimeError):
    """Rendering failed; the message says why."""


# --- finding soffice and a Python with uno -------------------------------------------------------


def soffice_path() -> str | None:
    """Path of soffice/libreoffice on PATH, else None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _uno_python_candidates() -> list[str]:
    candidates = [os.environ.get("IKU_UNO_PYTHON", ""), "/usr/bin/python3"]
    soffice = soffice_path()
    if soffice:
        program = Path(os.path.realpath(soffice)).parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    return [c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)]


def _run_with_uno_python(argv: list[str]) -> int:
    """Run this script again with an interpreter that has ``uno``; return its exit code."""
    if os.environ.get(_REEXEC_FLAG):
        raise RenderError(f"{sys.executable} has no 'uno' module either")
    current = os.path.realpath(sys.executable)
    for python in _uno_python_candidates():
        if os.path.realpath(python) == current:
            continue
        probe = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
        if probe.returncode == 0:
            env = {**os.environ, _REEXEC_FLAG: "1"}
            return subprocess.call([python, str(Path(__file__).resolve()), *argv], env=env)
    raise RenderError(
        "no Python with the 'uno' module found (install python3-uno, or set IKU_UNO_PYTHON)"
    )


# --- soffice process -----------------------------------------------------------------------------


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and its children (soffice -> oosplash -> soffice.bin)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _start_office(soffice: str, profile: Path, pipe: str) -> subprocess.Popen[bytes]:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY_MODIFICATIONS, encoding="utf-8")
    args = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    return subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # own process group, so _kill_group reaches every child
    )


def _connect(uno: Any, pipe: str, proc: subprocess.Popen[bytes], deadline: float) -> Any:
    """Return LibreOffice's Desktop once soffice accepts connections on ``pipe``."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception as exc:  # NoConnectException until soffice is ready
            if proc.poll() is not None:
                raise RenderError(f"soffice exited early (exit code {proc.returncode})") from exc
            if time.monotonic() > deadline:
                raise RenderError("soffice did not accept a connection in time") from exc
            time.sleep(0.1)


def _shutdown(desktop: Any, proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Ask soffice to quit; kill its process group if it is still there after ``grace`` s."""
    if desktop is not None and proc.poll() is None:
        # The bridge often reports DisposedException while soffice quits.
        with contextlib.suppress(Exception):
            desktop.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    _kill_group(proc)


# --- export --------------------------------------------------------------------------------------


def _property(uno: Any, name: str, value: Any) -> Any:
    prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    prop.Name = name
    prop.Value = value
    return prop


def _export_sheet(uno: Any, desktop: Any, workbook: Path, sheet: str, pdf: Path) -> None:
    """Load ``workbook`` hidden and export only ``sheet`` to ``pdf``."""
    url = uno.systemPathToFileUrl(str(workbook))
    try:
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (_property(uno, "Hidden", True),))
    except Exception as exc:
        raise RenderError(f"LibreOffice could not open {workbook.name}: {exc}") from exc
    if doc is None or not hasattr(doc, "Sheets"):
        if doc is not None:
            doc.close(True)
        raise RenderError(f"LibreOffice could not open {workbook.name} as a spreadsheet")
    try:
        sheets = doc.Sheets
        if not sheets.hasByName(sheet):
            names = ", ".join(sheets.ElementNames)
            raise RenderError(f"no sheet {sheet!r} in {workbook.name} (sheets: {names})")
        target = sheets.getByName(sheet)
        if not target.IsVisible:
            target.IsVisible = True  # in memory only; the copy is never saved
        # Selection = the sheet object: the export uses that sheet's page style and print ranges
        # (a Selection of a cell range would ignore the print area).
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue", (_property(uno, "Selection", target),)
        )
        args = (
            _property(uno, "FilterName", "calc_pdf_Export"),
            _property(uno, "FilterData", filter_data),
        )
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(str(pdf)), args))
    finally:
        doc.close(True)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise RenderError("LibreOffice wrote no PDF")


def sheet_to_pdf(workbook: Path, sheet: str, pdf: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Export one sheet of ``workbook`` to ``pdf`` with a private, short-lived soffice."""
    import uno

    soffice = soffice_path()
    if soffice is None:
        raise RenderError("soffice/libreoffice not found on PATH")
    with tempfile.TemporaryDirectory(prefix="iku-render-") as tmp:
        work = Path(tmp)
        copy = work / "in" / workbook.name  # soffice never opens (nor locks) the original
        copy.parent.mkdir()
        shutil.copyfile(workbook, copy)
        out = work / "sheet.pdf"
        pipe = f"iku_render_{os.getpid()}_{uuid.uuid4().hex}"
        proc = _start_office(soffice, work / "profile", pipe)
        # Watchdog: a hung soffice is killed, which makes any blocked UNO call fail.
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            _kill_group(proc)

        watchdog = threading.Timer(timeout, on_timeout)
        watchdog.start()
        desktop = None
        try:
            desktop = _connect(uno, pipe, proc, time.monotonic() + timeout)
            _export_sheet(uno, desktop, copy, sheet, out)
        except Exception as exc:
            if timed_out.is_set():
                raise RenderError(f"soffice did not finish within {timeout:g} s") from exc
            raise
        finally:
            watchdog.cancel()
            _shutdown(desktop, proc)
        shutil.copyfile(out, pdf)


def pdf_to_pngs(pdf: Path, out: Path, dpi: int) -> list[Path]:
    """Write page 1 to ``out``, with several pages also ``out-1.png``...; return the files."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RenderError("pdftoppm not found (install poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="iku-render-png-") as tmp:
        prefix = Path(tmp) / "page"
        result = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)],
            capture_output=True,
            text=True,
            check=False,
        )
        # pdftoppm pads page numbers to the width of the page count: page-1.png or page-01.png.
        pages = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if result.returncode != 0 or not pages:
            raise RenderError(f"pdftoppm failed: {result.stderr.strip()}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pages[0], out)
        written = [out]
        if len(pages) > 1:
            for number, page in enumerate(pages, start=1):
                target = out.with_name(f"{out.stem}-{number}{out.suffix}")
                shutil.copyfile(page, target)
                written.append(target)
        return written


# --- command line --------------------------------------------------------------------------------


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Render one sheet of a workbook to PNG.")
    parser.add_argument("workbook", type=Path, help="xlsx/xlsm/ods file")
    parser.add_argument("sheet", help="name of the sheet to render")
    parser.add_argument("out", type=Path, help="PNG to write (first page)")
    parser.add_argument("--dpi", type=int, default=DEFAULT_DPI, help="resolution (default 110)")
    parser.add_argument("--pdf", type=Path, help="also keep the PDF at this path")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds before soffice is killed"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parse_args(argv)
    try:
        if importlib.util.find_spec("uno") is None:
            return _run_with_uno_python(argv)
        workbook = args.workbook.resolve()
        if not workbook.is_file():
            raise RenderError(f"{args.workbook} not found")
        with tempfile.TemporaryDirectory(prefix="iku-render-pdf-") as tmp:
            pdf = args.pdf.resolve() if args.pdf else Path(tmp) / "sheet.pdf"
            pdf.parent.mkdir(parents=True, exist_ok=True)
            sheet_to_pdf(workbook, args.sheet, pdf, args.timeout)
            written = pdf_to_pngs(pdf, args.out, args.dpi)
    except RenderError as exc:
        print(f"render_sheet: error: {exc}", file=sys.stderr)
        return 1
    if len(written) > 1:
        pages = ", ".join(str(p) for p in written[1:])
        print(
            f"render_sheet: {args.sheet!r} prints on {len(written) - 1} pages; "
            f"{written[0]} is page 1, all pages: {pages}",
            file=sys.stderr,
        )
    print(written[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
