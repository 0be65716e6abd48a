"""The ``iku-excel rekap`` command (a standalone click command the CLI group registers).

Exit codes are the CLI's (docs/cli.md): 0 every file read and no error finding, 1 some error
finding, 2 some file unreadable (the recap is still written) or the recap cannot be written, 3 an
internal problem. Input files are never written; the recap is written atomically (a temporary
file in the same folder, then renamed).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from iku_excel.batch import WORKBOOK_SUFFIXES, expand_inputs
from iku_excel.rekap.collect import Rekap, rekap
from iku_excel.rekap.workbook import write_rekap

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


def report_documents(r: Rekap) -> list[dict[str, Any]]:
    """One dict per file, the shape of ``refresh --report`` (read files, then failures)."""
    from iku_excel.rekap.workbook import plain

    findings: dict[str, list[dict[str, Any]]] = {}
    keys = ("rule", "severity", "sheet", "cell", "code", "message")
    for rec in r.findings.to_dict("records"):
        findings.setdefault(rec["file"], []).append({k: plain(rec[k]) for k in keys})
    docs: list[dict[str, Any]] = [
        {
            "file": rec["file"],
            "failed": None,
            "indicators": int(rec["indicators"]),
            "errors": int(rec["errors"]),
            "warnings": int(rec["warnings"]),
            "findings": findings.get(rec["file"], []),
        }
        for rec in r.opd.to_dict("records")
    ]
    docs += [{"file": rec["file"], "failed": rec["error"]} for rec in r.failures.to_dict("records")]
    return docs


def write_report(path: Path, r: Rekap) -> None:
    """Every finding of every file: JSON (by suffix .json) or CSV (anything else)."""
    docs = report_documents(r)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"files": docs}, ensure_ascii=False, indent=2), "utf-8")
        return
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for d in docs:
        if d["failed"]:
            rows.append(
                {"file": d["file"], "rule": "file-failed", "severity": "error"}
                | dict.fromkeys(("sheet", "cell", "code"), "")
                | {"message": d["failed"]}
            )
        rows += [{"file": d["file"], **f} for f in d.get("findings", [])]
    columns = ["file", "rule", "severity", "sheet", "cell", "code", "message"]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False, encoding="utf-8-sig")


def save_atomically(r: Rekap, out: Path) -> None:
    """Write the recap next to ``out`` and rename it into place (never half a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~iku-rekap-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        write_rekap(r, Path(tmp))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def exit_code(r: Rekap) -> int:
    if r.internal_errors:
        return EXIT_INTERNAL
    if len(r.failures):
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if r.n_errors else EXIT_OK


def render_summary(r: Rekap) -> str:
    """The closing lines of a run (Indonesian)."""
    lines = [
        f"{len(r.opd)} workbook direkap ({int(r.opd['indicators'].sum()) if len(r.opd) else 0} "
        f"indikator), {len(r.failures)} tidak dapat dibaca"
        + (f", {len(r.skipped)} dilewati (tahun lain)" if r.skipped else "")
        + ".",
        f"Temuan: {int(r.opd['errors'].sum()) if len(r.opd) else 0} error, "
        f"{int(r.opd['warnings'].sum()) if len(r.opd) else 0} peringatan.",
    ]
    if len(r.changes):
        lines.append(f"Perbandingan antartahun: {len(r.changes)} OPD.")
    return "\n".join(lines)


@click.command("rekap")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Workbook rekap yang ditulis (.xlsx).",
)
@click.option(
    "--year", type=click.IntRange(2000, 2100), help="Rekap tahun ini (dan tahun sebelumnya)."
)
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jumlah proses paralel.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Tulis juga semua temuan semua file ke report.json atau report.csv.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Tampilkan bilah kemajuan (bawaan: hanya di terminal).",
)
def rekap_command(
    paths: Sequence[Path],
    output: Path,
    year: int | None,
    jobs: int,
    report: Path | None,
    progress: bool | None,
) -> None:
    """Rekap banyak workbook IKU (semua OPD) ke satu workbook rekap.

    Menerima file dan folder (semua .xlsx/.xlsm di dalamnya). File masukan tidak
    pernah diubah. Hasilnya berisi sheet Ringkasan (satu baris per OPD), Per
    Sasaran, Per Indikator, Temuan, Predikat (dengan grafik) dan, bila ada dua
    tahun dari OPD yang sama, Tahun ke Tahun. File yang tidak terbaca dicantumkan
    beserta alasannya; rekap tetap dibuat dari file lainnya.

    \b
    Contoh:
        iku-excel rekap data/opd/ -o rekap_2024.xlsx --jobs 2
        iku-excel rekap data/opd/ -o rekap.xlsx --year 2024 --report temuan.csv
    """
    if output.suffix.lower() not in WORKBOOK_SUFFIXES[:1]:
        click.echo(f"{output}: nama file rekap harus berakhiran .xlsx.", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE)
    if any(p.resolve() == output.resolve() for p in paths):
        click.echo(f"{output}: file rekap tidak boleh sama dengan file masukan.", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE)
    # A recap written earlier into an input folder is not an input.
    files = [f for f in expand_inputs(paths) if f.resolve() != output.resolve()]
    if not files:
        click.echo("Tidak ada file .xlsx/.xlsm yang ditemukan.", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE)
    show = sys.stderr.isatty() if progress is None else progress
    result = rekap(files, jobs=jobs, year=year, progress=show)
    for rec in result.failures.to_dict("records"):
        click.echo(f"{rec['file']}: {rec['error']}", err=True)
    try:
        save_atomically(result, output)
    except OSError as exc:
        click.echo(f"{output}: rekap tidak dapat ditulis ({exc.strerror or exc}).", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE) from exc
    if report is not None:
        write_report(report, result)
    click.echo(render_summary(result))
    click.echo(f"Rekap: {output}")
    if report is not None:
        click.echo(f"Laporan: {report}")
    raise click.exceptions.Exit(exit_code(result))
