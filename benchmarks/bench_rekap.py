"""Benchmark ``iku-excel rekap``, and the folder of varied OPD workbooks it (and the tests) use.

    python benchmarks/bench_rekap.py                 # 60 and 600 workbooks (a few minutes)
    python benchmarks/bench_rekap.py --sizes 60      # quick
    python benchmarks/bench_rekap.py --json out.json

The baseline, measured in the same run, is the sum of single :func:`iku_excel.api.check_file`
runs over the same files; the recap (collect) is timed with ``jobs=1`` and ``jobs=2`` and given
as a ratio to it. The recap workbook's write is timed separately, and the four table sheets are
also written with XlsxWriter (when installed) to compare the two writer libraries. The 600 are
ten copies of the 60. This is a script, not a test: it asserts no timing.

The corpus:

:func:`build_corpus` writes ``n`` files: workbooks of different OPDs (``Nama Instansi``) made by
:func:`benchmarks.generate.generate_workbook` with different sizes (so different sasaran counts,
and the planted findings of the larger ones), a few OPDs again for the year before (targets from
the RPJMD of that year), and two files that cannot be read (a truncated zip, a workbook without
an IKU sheet). Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from benchmarks.generate import RPJMD_END, RPJMD_START, YEAR, generate_workbook  # noqa: E402
from iku_excel import contract  # noqa: E402
from iku_excel.template import (  # noqa: E402
    build_template,
    iku_layout,
    rpjmd_layout,
    save_reproducible,
)

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


# --- The benchmark --------------------------------------------------------------------------------


def _xlsxwriter_recap(r: Any, out: Path) -> None:
    """The four table sheets written with XlsxWriter (same rows, formats and links), to compare."""
    import xlsxwriter

    from iku_excel.rekap.frames import (
        FINDING_COLUMNS,
        INDICATOR_COLUMNS,
        OPD_COLUMNS,
        SASARAN_COLUMNS,
    )
    from iku_excel.rekap.workbook import link_target, plain

    base = out.resolve().parent
    wb = xlsxwriter.Workbook(str(out), {"strings_to_urls": False, "strings_to_formulas": False})
    percent = wb.add_format({"num_format": "0.00"})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    sheets = (
        ("Ringkasan", OPD_COLUMNS, r.opd),
        ("Per Sasaran", SASARAN_COLUMNS, r.sasaran),
        ("Per Indikator", INDICATOR_COLUMNS, r.indicators),
        ("Temuan", FINDING_COLUMNS, r.findings),
    )
    for name, columns, frame in sheets:
        ws = wb.add_worksheet(name)
        names = [c.name for c in columns]
        ws.write_row(0, 0, [c.header for c in columns], bold)
        fmt = [percent if "capaian" in c.name else None for c in columns]
        file_col = names.index("file")
        for i, record in enumerate(frame[names].itertuples(index=False, name=None), start=1):
            for j, value in enumerate(record):
                v = plain(value)
                if j == file_col:
                    ws.write_url(i, j, "external:" + link_target(v, base), string=Path(v).name)
                else:
                    ws.write(i, j, v, fmt[j])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
    wb.close()


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench(n_files: int, base: Corpus, work: Path) -> dict[str, Any]:
    """Time the recap of ``n_files`` workbooks (copies of ``base``) against single checks."""
    from iku_excel.api import check_file
    from iku_excel.rekap.collect import expand_inputs, rekap
    from iku_excel.rekap.workbook import write_rekap

    folder = work / f"opd_{n_files}"
    sources = sorted(base.folder.iterdir())
    for k in range(n_files // len(sources)):
        shutil.copytree(base.folder, folder / f"batch_{k:02d}")
    files = expand_inputs([folder])
    rekap([folder], jobs=1)  # warm-up (imports, caches, the OS file cache): not timed
    singles = 0.0
    for f in files:
        t, _ = _timed(lambda f=f: _check_or_none(check_file, f))
        singles += t
    out: dict[str, Any] = {"files": len(files), "sum_of_single_checks_s": singles}
    for jobs in (1, 2):
        t, r = _timed(lambda jobs=jobs: rekap([folder], jobs=jobs))
        out[f"collect_jobs{jobs}_s"] = t
    t, _ = _timed(lambda: write_rekap(r, work / f"rekap_{n_files}.xlsx"))
    out["write_openpyxl_s"] = t
    try:
        t, _ = _timed(lambda: _xlsxwriter_recap(r, work / f"rekap_{n_files}_xw.xlsx"))
        out["write_xlsxwriter_tables_s"] = t
        t, _ = _timed(lambda: _openpyxl_tables_only(r, work / f"rekap_{n_files}_tables.xlsx"))
        out["write_openpyxl_tables_s"] = t
    except ImportError:
        out["write_xlsxwriter_tables_s"] = None
    out["rows"] = {"indicators": len(r.indicators), "findings": len(r.findings)}
    return out


def _check_or_none(check: Callable[[Path], Any], path: Path) -> Any:
    from iku_excel.errors import IkuError

    try:
        return check(path)
    except IkuError:
        return None


def _openpyxl_tables_only(r: Any, out: Path) -> None:
    """The same four table sheets as :func:`_xlsxwriter_recap`, with the recap's own writer."""
    from openpyxl import Workbook

    from iku_excel.rekap.frames import (
        FINDING_COLUMNS,
        INDICATOR_COLUMNS,
        OPD_COLUMNS,
        SASARAN_COLUMNS,
    )
    from iku_excel.rekap.workbook import _table_sheet

    wb = Workbook()
    base = out.resolve().parent
    first = wb.active
    assert first is not None
    first.title = "Ringkasan"
    _table_sheet(first, OPD_COLUMNS, r.opd, base)
    _table_sheet(wb.create_sheet("Per Sasaran"), SASARAN_COLUMNS, r.sasaran, base)
    _table_sheet(wb.create_sheet("Per Indikator"), INDICATOR_COLUMNS, r.indicators, base)
    _table_sheet(wb.create_sheet("Temuan"), FINDING_COLUMNS, r.findings, base)
    wb.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time iku-excel rekap (see benchmarks/README.md).")
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 600])
    parser.add_argument("--json", type=Path, help="also save the results")
    args = parser.parse_args(argv)
    print(f"{platform.processor() or platform.machine()} | CPUs: {os.cpu_count()} | "
          f"Python {platform.python_version()}")  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="iku-bench-rekap-") as tmp:
        work = Path(tmp)
        base = build_corpus(work / "corpus", 60, seed=1)
        for n in args.sizes:
            print(f"… {n} workbooks", file=sys.stderr)
            results.append(bench(n, base, work))
    head = (
        f"{'files':>5} {'checks s':>9} {'jobs1 s':>8} {'ratio':>6} {'jobs2 s':>8} {'ratio':>6} "
        f"{'write s':>8} {'tables: openpyxl s':>18} {'XlsxWriter s':>12}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        base_s = r["sum_of_single_checks_s"]
        xw = r["write_xlsxwriter_tables_s"]
        print(
            f"{r['files']:>5} {base_s:>9.2f} {r['collect_jobs1_s']:>8.2f} "
            f"{r['collect_jobs1_s'] / base_s:>6.2f} {r['collect_jobs2_s']:>8.2f} "
            f"{r['collect_jobs2_s'] / base_s:>6.2f} {r['write_openpyxl_s']:>8.2f} "
            f"{r.get('write_openpyxl_tables_s') or 0:>18.2f} "
            f"{'-' if xw is None else f'{xw:.2f}':>12}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
