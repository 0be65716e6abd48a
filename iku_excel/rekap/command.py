"""The ``iku-excel rekap`` command (a standalone click command the CLI group registers).

Exit codes are the CLI's (docs/cli.md): 0 every file read and no error finding, 1 some error
finding, 2 some file unreadable (the recap is still written) or the recap cannot be written, 3 an
internal problem. Input files are never written; the recap is written atomically (a temporary
file in the same folder, then renamed).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from iku_excel.batch import WORKBOOK_SUFFIXES, FileOutcome, expand_inputs
from iku_excel.cli import CONTEXT_SETTINGS, jobs_option, running_as_command
from iku_excel.errors import CannotProceed
from iku_excel.model import Finding
from iku_excel.rekap.collect import Rekap, rekap
from iku_excel.report import check_report_path, replaced_atomically, write_report

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


def report_outcomes(r: Rekap) -> list[FileOutcome]:
    """The recap's files as ``refresh --report`` outcomes (read files, then failures), so the
    report goes through the same checks, CSV neutralisation and atomic write as refresh's."""
    from iku_excel.rekap.workbook import plain

    keys = ("rule", "severity", "sheet", "cell", "code", "message")
    findings: dict[str, list[Finding]] = {}
    for rec in r.findings.to_dict("records"):
        values = {k: plain(rec[k]) for k in keys}
        finding = Finding(**{k: "" if v is None else str(v) for k, v in values.items()})  # type: ignore[arg-type]
        findings.setdefault(rec["file"], []).append(finding)
    outcomes = [
        FileOutcome(
            file=rec["file"],
            indicators=int(rec["indicators"]),
            errors=int(rec["errors"]),
            warnings=int(rec["warnings"]),
            findings=tuple(findings.get(rec["file"], [])),
        )
        for rec in r.opd.to_dict("records")
    ]
    outcomes += [
        FileOutcome(file=rec["file"], failed=rec["error"], failure_code=EXIT_UNREADABLE)
        for rec in r.failures.to_dict("records")
    ]
    return outcomes


def save_atomically(r: Rekap, out: Path) -> None:
    """Write the recap next to ``out`` and rename it into place (never half a file)."""
    from iku_excel.rekap.workbook import write_rekap  # openpyxl: not for ``iku-excel --help``

    out.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(out, ".~iku-rekap-", suffix=".xlsx") as tmp:
        write_rekap(r, tmp)


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


@click.command("rekap", context_settings=CONTEXT_SETTINGS)
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
@jobs_option
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
    if report is not None:
        try:  # before any reading, like refresh: a bad path is refused at once
            check_report_path(report, [*files, output])
        except CannotProceed as exc:
            click.echo(str(exc), err=True)
            raise click.exceptions.Exit(EXIT_UNREADABLE) from None
    show = sys.stderr.isatty() if progress is None else progress
    # Checked in isolated workers even with --jobs 1 (forked from the command: cheap), so a file
    # that kills its reader costs only itself, as in ``refresh``.
    result = rekap(
        files, jobs=jobs, year=year, progress=show, isolated=True, allow_fork=running_as_command()
    )
    for rec in result.failures.to_dict("records"):
        click.echo(f"{rec['file']}: {rec['error']}", err=True)
    try:
        save_atomically(result, output)
    except OSError as exc:
        click.echo(f"{output}: rekap tidak dapat ditulis ({exc.strerror or exc}).", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE) from exc
    if report is not None:
        try:
            write_report(report, report_outcomes(result))
        except OSError as exc:
            click.echo(f"{report}: laporan tidak dapat ditulis ({exc.strerror or exc}).", err=True)
            raise click.exceptions.Exit(EXIT_UNREADABLE) from exc
    click.echo(render_summary(result))
    click.echo(f"Rekap: {output}")
    if report is not None:
        click.echo(f"Laporan: {report}")
    raise click.exceptions.Exit(exit_code(result))
