"""The text LibreOffice holds in each cell, as UTF-8 CSV (no xlsx escaping in between).

:func:`sheet_texts` converts a copy of a workbook with ``soffice --headless --convert-to csv``,
one file per sheet (filter option token 12 = -1), and reads the cells back with :mod:`csv`. CSV
is plain text, so what comes back is what LibreOffice read from the file, before any writer of
its own escapes anything again.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from tests.helpers import libreoffice

# separator ",", quote '"', UTF-8 (76), from line 1, ..., all sheets (-1), one file each
_CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def sheet_texts(path: Path, timeout: float = libreoffice.DEFAULT_TIMEOUT) -> dict[str, set[str]]:
    """Sheet name -> the set of cell texts LibreOffice shows in it."""
    soffice = libreoffice.soffice_path()
    if soffice is None:
        raise libreoffice.LibreOfficeError("soffice/libreoffice not found on PATH")
    with tempfile.TemporaryDirectory(prefix="iku-lo-csv-") as work:
        source = Path(work) / "in" / path.name
        source.parent.mkdir()
        shutil.copyfile(path, source)
        outdir = Path(work) / "out"
        with libreoffice._lock:
            args = [
                soffice,
                f"-env:UserInstallation={libreoffice._profile_dir().as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--convert-to",
                f"csv:{_CSV_FILTER}",
                "--outdir",
                str(outdir),
                str(source),
            ]
            result = libreoffice._run_soffice(args, timeout)
        files = sorted(outdir.glob(f"{source.stem}-*.csv"))
        if result.returncode != 0 or not files:
            raise libreoffice.LibreOfficeError(
                f"soffice could not convert {path} to csv (exit code {result.returncode}): "
                f"{result.stderr.strip()}"
            )
        texts: dict[str, set[str]] = {}
        for file in files:
            sheet = file.stem[len(source.stem) + 1 :]
            with file.open(encoding="utf-8", newline="") as handle:
                texts[sheet] = {cell for row in csv.reader(handle) for cell in row}
        return texts
