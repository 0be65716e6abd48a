"""A folder of varied OPD workbooks for the recap (tests and benchmark), built from the template.

:func:`build_corpus` writes ``n`` files: workbooks of different OPDs (``Nama Instansi``) made by
:func:`benchmarks.generate.generate_workbook` with different sizes (so different sasaran counts,
and the planted findings of the larger ones), a few OPDs again for the year before (targets from
the RPJMD of that year), and two files that cannot be read (a truncated zip, a workbook without
an IKU sheet). Deterministic for a seed.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.generate import RPJMD_END, RPJMD_START, YEAR, generate_workbook
from iku_excel import contract
from iku_excel.template import build_template, iku_layout, rpjmd_layout, save_reproducible

_DINAS = (
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Sosial",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Perhubungan",
    "Dinas Lingkungan Hidup",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Pengendalian Penduduk dan Keluarga Berencana",
    "Dinas Komunikasi dan Informatika",
    "Dinas Koperasi dan UKM",
    "Dinas Penanaman Modal dan PTSP",
    "Dinas Pemuda dan Olahraga",
    "Dinas Pariwisata",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Perikanan",
    "Dinas Pertanian",
    "Dinas Perdagangan",
    "Dinas Perindustrian",
    "Dinas Tenaga Kerja",
    "Dinas Pangan",
    "Badan Kepegawaian Daerah",
    "Badan Keuangan Daerah",
    "Badan Penanggulangan Bencana Daerah",
    "Satuan Polisi Pamong Praja",
    "Inspektorat Daerah",
    "Sekretariat DPRD",
    "Badan Kesatuan Bangsa dan Politik",
    "Badan Pendapatan Daerah",
)
_REGIONS = ("Kabupaten Contoh", "Kota Contoh")
SIZES = (3, 5, 8, 12, 20, 25, 40)
PERFORMANCE = (1.0, 1.0, 1.0, 0.9, 0.75, 0.6)
#: OPDs (by index) that also get a workbook for the year before.
PREVIOUS_YEAR = (0, 7, 21)


@dataclass
class Corpus:
    """What :func:`build_corpus` wrote."""

    folder: Path
    readable: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    #: agency -> the files of that OPD (this year first).
    by_agency: dict[str, list[Path]] = field(default_factory=dict)


def agency_name(index: int) -> str:
    return f"{_DINAS[index % len(_DINAS)]} {_REGIONS[index // len(_DINAS) % len(_REGIONS)]}"


def _set_settings(
    path: Path, agency: str, year: int, previous: bool, performance: float = 1.0
) -> None:
    """Set ``Nama Instansi`` and ``Tahun``; for the year before, targets from that RPJMD year.

    ``performance`` scales every numeric realisasi (and clears the typed capaian), so that the
    OPDs do not all get the same predikat.
    """
    wb = load_workbook(path)
    by_key = {s.key: s.attr for s in contract.SETTINGS}
    ws = wb[contract.SHEET_PENGATURAN]
    for row in range(2, ws.max_row + 1):
        attr = by_key.get(str(ws.cell(row=row, column=1).value or ""))
        if attr == "agency":
            ws.cell(row=row, column=2, value=agency)
        elif attr == "year":
            ws.cell(row=row, column=2, value=year)
    if previous or performance != 1.0:
        iku = {c.key: i for i, c in enumerate(iku_layout(), start=1)}
        rp = {c.key: i for i, c in enumerate(rpjmd_layout(RPJMD_START, RPJMD_END), start=1)}
        ws_iku, ws_rp = wb[contract.SHEET_IKU], wb[contract.SHEET_RPJMD]
        factor = performance * (0.95 if previous else 1.0)
        for row in range(2, ws_iku.max_row + 1):
            if previous:
                target = ws_rp.cell(row=row, column=rp[f"target_{year}"]).value
                if target is not None:
                    ws_iku.cell(row=row, column=iku["target"], value=target)
            realisasi = ws_iku.cell(row=row, column=iku["realisasi"])
            if isinstance(realisasi.value, int | float):
                ws_iku.cell(row=row, column=iku["reported_capaian"]).value = None
                realisasi.value = round(realisasi.value * factor, 1)
    save_reproducible(wb, path)


def build_corpus(folder: Path, n: int = 60, *, seed: int = 1) -> Corpus:
    """Write ``n`` workbooks (``n >= 8``) to ``folder``: see the module docstring."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(folder)
    n_current = n - 2 - len(PREVIOUS_YEAR)
    for i in range(n_current):
        agency = agency_name(i)
        size = SIZES[rng.randrange(len(SIZES))]
        performance = PERFORMANCE[rng.randrange(len(PERFORMANCE))]
        path = folder / f"IKU_{i + 1:03d}_{YEAR}.xlsx"
        generate_workbook(path, size, seed=seed * 1000 + i)
        _set_settings(path, agency, YEAR, previous=False, performance=performance)
        corpus.readable.append(path)
        corpus.by_agency[agency] = [path]
        if i in PREVIOUS_YEAR:
            before = folder / f"IKU_{i + 1:03d}_{YEAR - 1}.xlsx"
            shutil.copyfile(path, before)
            _set_settings(before, agency, YEAR - 1, previous=True, performance=performance)
            corpus.readable.append(before)
            corpus.by_agency[agency].append(before)
    truncated = folder / "IKU_rusak.xlsx"
    data = corpus.readable[0].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    no_iku = folder / "IKU_tanpa_sheet_IKU.xlsx"
    build_template(no_iku, year=YEAR, agency="Dinas Tanpa IKU")
    wb = load_workbook(no_iku)
    del wb[contract.SHEET_IKU]
    save_reproducible(wb, no_iku)
    corpus.unreadable += [truncated, no_iku]
    return corpus
