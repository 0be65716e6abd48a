#!/usr/bin/env python3
"""Regenerate the pictures of the refreshed example workbook in ``docs/images``.

    python scripts/make_docs_images.py [--dpi 90] [--out docs/images]

Copies the example workbook (``workbook/contoh/IKU_Dinsos_Kota_Jambi_2023.xlsx``) to a temporary
folder, refreshes it with :func:`iku_excel.api.refresh_file`, and renders two sheets with
``scripts/render_sheet.py`` (LibreOffice headless, then ``pdftoppm``), each sheet's own print
setup deciding the page:

- ``Capaian``  -> ``docs/images/capaian-example.png`` (linked from the README; with its chart);
- ``Validasi`` -> ``docs/images/validasi-example.png``;

and a period report, the fixture ``tests/fixtures/pk-tw-targets-tw2.xlsx`` (a Perjanjian Kinerja
with Target TW I..IV, ``Periode Laporan`` = TW II), refreshed the same way:

- ``Capaian``    -> ``docs/images/capaian-tw2-example.png`` (s.d. triwulan II, with the chart);
- ``Capaian TW`` -> ``docs/images/capaian-tw-example.png`` (target/realisasi/capaian per TW).

Only the first page of each sheet is kept (the script says so when a sheet prints on more).
Needs what ``render_sheet.py`` needs: LibreOffice, poppler-utils and a Python with ``uno``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
RENDER = ROOT / "scripts" / "render_sheet.py"
DEFAULT_OUT = ROOT / "docs" / "images"
DEFAULT_DPI = 90
PK_TW2 = ROOT / "tests" / "fixtures" / "pk-tw-targets-tw2.xlsx"
#: Workbook -> {sheet: picture file name}.
PICTURES = {
    EXAMPLE: {"Capaian": "capaian-example.png", "Validasi": "validasi-example.png"},
    PK_TW2: {"Capaian": "capaian-tw2-example.png", "Capaian TW": "capaian-tw-example.png"},
}


def render(workbook: Path, sheet: str, out: Path, dpi: int) -> None:
    """Render page 1 of ``sheet`` to ``out`` (extra pages are reported, not kept)."""
    with tempfile.TemporaryDirectory(prefix="iku-docs-img-") as tmp:
        page = Path(tmp) / out.name
        done = subprocess.run(
            [sys.executable, str(RENDER), str(workbook), sheet, str(page), "--dpi", str(dpi)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not page.is_file():
            raise SystemExit(f"make_docs_images: rendering {sheet} failed:\n{done.stderr.strip()}")
        pages = sorted(Path(tmp).glob(f"{page.stem}-*.png"))
        if pages:
            print(f"{sheet} prints on {len(pages)} pages; keeping page 1", file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, default=DEFAULT_DPI, help="resolution (default 90)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the pictures")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))  # run from a source checkout without installing
    from iku_excel.api import refresh_file

    for source, pictures in PICTURES.items():
        with tempfile.TemporaryDirectory(prefix="iku-docs-wb-") as tmp:
            workbook = Path(tmp) / source.name
            shutil.copyfile(source, workbook)
            refresh_file(workbook)
            for sheet, name in pictures.items():
                target = args.out / name
                render(workbook, sheet, target, args.dpi)
                print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
