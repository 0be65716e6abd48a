#!/usr/bin/env python3
"""Render the pictures of the user guide's "Memakai tabel Anda sendiri" section.

    python scripts/make_adopt_images.py [--out docs/images] [--dpi 90]

Builds a small LKjIP-style capaian table (the planner's own layout: band row for the sasaran,
Rata-rata row, Sumber line), renders it (before), runs ``adopt`` and ``refresh`` on it and
renders the ``Pemetaan`` sheet, the planner's sheet with the added Capaian (%) column (after) and
the ``Capaian`` sheet. Needs what ``scripts/render_sheet.py`` needs (LibreOffice, pdftoppm).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEET = "Tabel 3.2"
PICTURES = {
    "before": ("adopt-sebelum.png", SHEET),
    "pemetaan": ("adopt-pemetaan.png", "Pemetaan"),
    "after": ("adopt-sesudah.png", SHEET),
    "capaian": ("adopt-capaian.png", "Capaian"),
}


def build_table(path: Path) -> None:
    """An LKjIP table as planners type it (values only, their own borders and widths)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    rows: list[list[object]] = [
        ["Tabel 3.2 Pengukuran Kinerja Dinas Sosial Tahun 2023"],
        [],
        ["No", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "% Capaian"],
        ["Sasaran Strategis 1. Meningkatnya penanganan PMKS"],
        [1, "Persentase PMKS yang tertangani", "%", 80, 72, 90],
        [2, "Jumlah penerima bantuan sosial", "orang", 706, 650, 92.07],
        [3, "Angka kemiskinan", "%", 10, 9.2, 108],
        ["Sasaran Strategis 2. Meningkatnya kualitas layanan"],
        [4, "Indeks kepuasan masyarakat", "indeks", 3.5, 3.6, 102.86],
        ["Rata-rata capaian", None, None, None, None, 98.23],
        ["Sumber: Bidang Perencanaan Dinas Sosial"],
    ]
    for line in rows:
        ws.append(line)
    thin = Side(style="thin")
    for r in range(3, 11):
        for c in range(1, 7):
            ws.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
            ws.cell(r, c).alignment = Alignment(wrap_text=c == 2, vertical="top")
    for c in range(1, 7):
        ws.cell(3, c).font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=12)
    for r in (4, 8):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
        ws.cell(r, 1).font = Font(italic=True, bold=True)
    widths = {"A": 6, "B": 40, "C": 9, "D": 9, "E": 10, "F": 11, "G": 12}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    book.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, default=90)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from iku_excel.api import adopt_file, refresh_file
    from scripts.make_docs_images import render

    with tempfile.TemporaryDirectory(prefix="iku-adopt-img-") as tmp:
        workbook = Path(tmp) / "LKjIP_Dinsos_2023.xlsx"
        build_table(workbook)
        render(workbook, SHEET, args.out / PICTURES["before"][0], args.dpi)
        adopt_file(workbook)
        render(workbook, "Pemetaan", args.out / PICTURES["pemetaan"][0], args.dpi)
        refresh_file(workbook)
        for key in ("after", "capaian"):
            name, sheet = PICTURES[key]
            render(workbook, sheet, args.out / name, args.dpi)
        for name, _ in PICTURES.values():
            print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
