"""The ``iku-excel`` command line: click options -> :mod:`iku_excel.api` / :mod:`iku_excel.batch`
-> exit code. Rendering lives in :mod:`iku_excel.report`, error messages in :mod:`iku_excel.errors`.

Exit codes (documented in ``docs/cli.md``, generated from :data:`EXIT_CODES`):

- 0: every file was read and has no error finding;
- 1: at least one file has an error finding;
- 2: at least one file could not be read or written (the reason is printed, one line per file);
- 3: an unexpected internal problem (a bug): a one-line message names the log file with details.

No traceback ever reaches the user: :func:`main` catches everything.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from iku_excel import __version__
from iku_excel.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_UNREADABLE,
    describe_error,
)

if TYPE_CHECKING:
    from iku_excel.batch import FileOutcome, RefreshOptions

__all__ = [
    "EXIT_CODES",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "cli",
    "main",
]


def _echo_json(document: object) -> None:
    """``document`` as indented JSON on standard output (json is imported only for it)."""
    import json

    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


EXIT_CODES = {
    EXIT_OK: "semua file terbaca dan tidak ada temuan berjenis error",
    EXIT_FINDINGS: "ada sedikitnya satu temuan berjenis error",
    EXIT_UNREADABLE: "ada file yang tidak dapat dibaca atau ditulis (alasannya dicetak satu baris)",
    EXIT_INTERNAL: "kesalahan internal iku-excel (rinciannya di file log yang disebutkan)",
}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class Exit(click.exceptions.Exit):
    """Leave with an exit code (click's own class, named for readability)."""


def file_line(path: Path | str, message: str) -> str:
    """The one line about a file that could not be processed: ``FILE: why``."""
    return message if message.startswith(f"{path}: ") else f"{path}: {message}"


#: Whether refresh workers may be forked: only when this process is the ``iku-excel`` command
#: (:func:`main`), not when a program (a test's CliRunner) invokes the click command in its own
#: process, whose patched or threaded state a forked worker would inherit (batch.py).
_as_command = False

#: Commands whose modules are imported only when the command runs (they pull in heavy
#: libraries that ``check`` and ``refresh`` do not need): name -> "module:attribute".
LAZY_COMMANDS = {"rekap": "iku_excel.rekap.command:rekap_command"}


class _Commands(click.Group):
    """The command group; an exception of a command becomes one line and its exit code here,
    so that click's test runner sees what the console script shows."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            message, code = describe_error(exc)
            click.echo(f"iku-excel: {message}", err=True)
            raise Exit(code) from None


#: Every command's context: ``-h`` as well as ``--help``. A command run on its own (the lazily
#: imported ones, in tests) needs it too, or click caches a help option without ``-h``.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
#: ``--jobs N``: the same option, and bound, for every command that reads many workbooks.
jobs_option = click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jumlah proses paralel.",
)


@click.group(cls=_Commands, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="iku-excel")
def cli() -> None:
    """Periksa dan perbarui workbook IKU (Indikator Kinerja Utama).

    \b
    Kode keluar: 0 tanpa error; 1 ada temuan error; 2 ada file yang tidak
    dapat dibaca/ditulis; 3 kesalahan internal (lihat file log).
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Cetak hasil sebagai satu dokumen JSON.")
def check(files: Sequence[Path], as_json: bool) -> None:
    """Periksa workbook IKU tanpa mengubahnya.

    Mencetak target, realisasi, capaian dan predikat tiap indikator, lalu semua temuan.

    \b
    Contoh:
        iku-excel check workbook/contoh/IKU_Dinsos_Kota_Jambi_2023.xlsx
        iku-excel check a.xlsx b.xlsx --json > hasil.json
    """
    from iku_excel.api import check_file
    from iku_excel.report import evaluation_json, render_summary

    code = EXIT_OK
    documents: list[dict[str, Any]] = []
    for path in files:
        try:
            ev = check_file(path)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # a native reader's panic too (pyo3's is a BaseException)
            message, failure = describe_error(exc, path)
            click.echo(file_line(path, message), err=True)
            documents.append({"file": str(path), "error": message})
            code = max(code, failure)
            continue
        if ev.n_errors:
            code = max(code, EXIT_FINDINGS)
        if as_json:
            documents.append(evaluation_json(path, ev))
        else:
            click.echo(render_summary(path, ev))
            click.echo("")
    if as_json:
        _echo_json({"files": documents})
    raise Exit(code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@jobs_option
@click.option(
    "--report",
    type=click.Path(path_type=Path),  # checked by report.check_report_path, in one line
    metavar="FILE",
    help="Tulis semua temuan semua file ke report.json atau report.csv.",
)
@click.option("--dry-run", is_flag=True, help="Jangan menulis apa pun; sebutkan yang akan berubah.")
@click.option(
    "--backup", is_flag=True, help="Simpan salinan file asli di sebelahnya sebelum menulis."
)
@click.option(
    "--engine",
    type=click.Choice(["file", "excel"]),
    default="file",
    show_default=True,
    help="file: tulis file langsung (tanpa Excel); excel: lewat Microsoft Excel (Windows/macOS).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Tampilkan bilah kemajuan (bawaan: hanya di terminal).",
)
def refresh(
    paths: Sequence[Path],
    jobs: int,
    report: Path | None,
    dry_run: bool,
    backup: bool,
    engine: str,
    progress: bool | None,
) -> None:
    """Isi Capaian (%), bangun ulang sheet Capaian dan Validasi, langsung di dalam file.

    Menerima file dan folder (semua .xlsx/.xlsm di dalamnya). Bagian lain workbook
    tidak diubah; file ditulis secara atomik (tidak pernah setengah jadi). Satu file
    yang rusak tidak menghentikan file lain.

    \b
    Contoh:
        iku-excel refresh IKU_2024.xlsx
        iku-excel refresh data/opd/ --jobs 2 --report laporan.csv
        iku-excel refresh IKU_2024.xlsx --dry-run
    """
    from iku_excel import batch
    from iku_excel.report import check_report_path, render_batch_summary, write_report

    files = batch.expand_inputs(paths)
    if not files:
        click.echo("Tidak ada file .xlsx/.xlsm yang ditemukan.", err=True)
        raise Exit(EXIT_UNREADABLE)
    if report is not None:
        check_report_path(report, files)  # before any workbook is touched
    if engine == "excel" and jobs > 1:
        click.echo("--engine excel memakai satu Excel: --jobs diabaikan.", err=True)
        jobs = 1
    options = batch.RefreshOptions(backup=backup, dry_run=dry_run, engine=engine)
    outcomes = _run_with_progress(files, options, jobs, progress)
    for o in outcomes:
        if o.failed is not None:
            click.echo(file_line(o.file, o.failed), err=True)
    click.echo(render_batch_summary(outcomes, dry_run))
    code = batch.batch_exit_code(outcomes)
    if report is not None:
        try:
            write_report(report, outcomes)
        except OSError as exc:
            message, failure = describe_error(exc, report)
            click.echo(f"Laporan tidak dapat ditulis: {message}", err=True)
            code = max(code, failure)
        else:
            click.echo(f"Laporan: {report}")
    raise Exit(code)


def _run_with_progress(
    files: list[Path], options: RefreshOptions, jobs: int, progress: bool | None
) -> list[FileOutcome]:
    from iku_excel.batch import run_batch

    show = sys.stderr.isatty() if progress is None else progress
    if not show:  # tqdm (and its imports) only when a bar is shown
        return run_batch(files, options, jobs=jobs, allow_fork=_as_command)
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread: workers may be forked (batch.py)
    bar = tqdm.tqdm(total=len(files), unit="file", file=sys.stderr, desc="iku-excel")
    try:
        return run_batch(
            files, options, jobs=jobs, on_done=lambda _outcome: bar.update(), allow_fork=_as_command
        )
    finally:
        bar.close()


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--sheet", metavar="NAMA", help="Sheet tabel capaian (bawaan: dicari di semua sheet)."
)
@click.option(
    "--year", type=click.IntRange(1990, 2100), help="Tahun laporan (bawaan: tahun terakhir)."
)
@click.option("--yes", "-y", is_flag=True, help="Simpan pemetaan tanpa bertanya.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Cetak pemetaan sebagai JSON (tanpa --yes: tidak disimpan).",
)
def adopt(file: Path, sheet: str | None, year: int | None, yes: bool, as_json: bool) -> None:
    """Pakai tabel capaian Anda sendiri (LKjIP/IKU/PK) tanpa mengetik ulang.

    Mencari tabel capaian di workbook, menunjukkan pemetaan kolom yang
    disimpulkan (judul kolom, sasaran, baris yang dilewati, polaritas), lalu
    setelah dikonfirmasi menyimpannya di sheet baru "Pemetaan". Setelah itu
    check dan refresh bekerja pada tabel Anda; tabel Anda tidak diubah.
    Pemetaan boleh diubah langsung di sheet Pemetaan.

    \b
    Contoh:
        iku-excel adopt LKjIP_2023.xlsx
        iku-excel adopt LKjIP_2023.xlsx --sheet "Tabel 3.1" --year 2023 --yes
        iku-excel adopt LKjIP_2023.xlsx --json > pemetaan.json
    """
    from iku_excel.adopt import render_text, to_dict
    from iku_excel.adopt.workbook import render_indicators
    from iku_excel.api import adopt_file

    found = adopt_file(file, sheet=sheet, year=year, write=False)
    result = found.result
    if as_json and (not yes or result.mapping is None):
        document = {"file": str(file), **to_dict(result), "written": False}
        _echo_json(document)
        raise Exit(EXIT_OK if result.ok else EXIT_UNREADABLE)
    if not as_json:
        click.echo(render_text(result))
    if result.mapping is None:
        raise Exit(EXIT_UNREADABLE)
    if not as_json:
        click.echo(render_indicators(result.mapping))
    if not yes and not click.confirm("Simpan pemetaan ini ke sheet Pemetaan?", default=True):
        click.echo("Tidak disimpan.")
        raise Exit(EXIT_OK)
    done = adopt_file(file, sheet=sheet, year=year, write=True)
    if as_json:
        document = {"file": str(file), **to_dict(done.result), "written": done.written}
        _echo_json(document)
    else:
        click.echo(
            f'Pemetaan disimpan di sheet "Pemetaan" {file}. Jalankan: iku-excel check {file}'
        )
    raise Exit(EXIT_OK)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--year", type=click.IntRange(2000, 2100), help="Tahun anggaran (Pengaturan: Tahun).")
@click.option("--agency", help="Nama instansi (Pengaturan: Nama Instansi).")
@click.option("--force", is_flag=True, help="Timpa file yang sudah ada.")
def new(file: Path, year: int | None, agency: str | None, force: bool) -> None:
    """Buat workbook IKU baru dari templat.

    \b
    Contoh:
        iku-excel new IKU_Dinsos_2026.xlsx --year 2026 --agency "Dinas Sosial Kota Jambi"
    """
    from iku_excel.template import build_template

    if file.suffix.lower() not in WORKBOOK_SUFFIXES:
        click.echo(f"{file}: nama file harus berakhiran .xlsx.", err=True)
        raise Exit(EXIT_UNREADABLE)
    if file.exists() and not force:
        click.echo(f"{file}: file sudah ada; pakai --force untuk menimpanya.", err=True)
        raise Exit(EXIT_UNREADABLE)
    kwargs: dict[str, Any] = {}
    if year is not None and not 2025 <= year <= 2029:
        # Keep the year inside the RPJMD period of the new workbook.
        start = year - (year - 2025) % 5
        kwargs = {"rpjmd_start": start, "rpjmd_end": start + 4}
    build_template(file, year=year, agency=agency, **kwargs)
    click.echo(f"Workbook baru: {file}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def demo(directory: Path) -> None:
    """Salin workbook contoh (Dinas Sosial Kota Jambi 2023) ke DIRECTORY dan perbarui.

    \b
    Contoh:
        iku-excel demo ./coba
    """
    import shutil

    from iku_excel.api import refresh_file
    from iku_excel.report import render_summary
    from iku_excel.template import example_path

    directory.mkdir(parents=True, exist_ok=True)
    target = directory / example_path().name
    shutil.copyfile(example_path(), target)
    result = refresh_file(target)
    ev = result.evaluation
    click.echo(render_summary(target, ev))
    click.echo("")
    click.echo(f"Buka {target} di Excel atau LibreOffice dan lihat:")
    click.echo("  - sheet Capaian: tabel capaian IKU siap cetak (rumus Excel yang hidup);")
    click.echo("  - sheet Validasi: daftar temuan, tiap alamat sel dapat diklik;")
    click.echo("  - sheet IKU, kolom Capaian (%): diisi dengan rumus.")
    raise Exit(EXIT_OK)


@cli.group()
def addin() -> None:
    """Pasang, lepas, atau periksa add-in Excel "IKU" (tab pita IKU).

    Add-in memerlukan Microsoft Excel (Windows atau macOS) dan paket ini terpasang di
    Python yang dipakai Excel (xlwings).
    """


@addin.command("install")
@click.option("--interpreter", help="Python yang dijalankan Excel (bawaan: Python ini).")
def addin_install(interpreter: str | None) -> None:
    """Salin add-in ke folder XLSTART Excel dan atur Python-nya.

    \b
    Contoh:
        iku-excel addin install
    """
    from iku_excel import addin as addin_module

    path = addin_module.install(interpreter=interpreter)
    click.echo(f"Add-in dipasang: {path}")
    click.echo("Tutup lalu buka kembali Excel; tab IKU muncul di pita.")


@addin.command("remove")
def addin_remove() -> None:
    """Lepas add-in IKU dari folder XLSTART Excel."""
    from iku_excel import addin as addin_module

    removed = addin_module.remove()
    click.echo(f"Add-in dilepas: {removed}" if removed else "Add-in IKU tidak terpasang.")


@addin.command("status")
def addin_status() -> None:
    """Tampilkan apakah add-in IKU terpasang, dan di mana."""
    from iku_excel import addin as addin_module

    st = addin_module.status()
    state = "terpasang" if st.installed else "tidak terpasang"
    click.echo(f"Add-in IKU {state}: {st.path}")
    click.echo(f"Pengaturan xlwings add-in: {st.config_path}")


def running_as_command() -> bool:
    """True inside :func:`main` (the ``iku-excel`` command): its process has imported little and
    runs one thread, so batch workers may be forked (:func:`iku_excel.batch.start_method`)."""
    return _as_command


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code, never raises."""
    global _as_command
    previous, _as_command = _as_command, True
    try:
        return _main(argv)
    finally:
        _as_command = previous


def run() -> NoReturn:
    """The ``iku-excel`` console script: :func:`main`, then out without the interpreter's
    teardown.

    By the time :func:`main` returns, everything the command wrote is flushed and closed (the
    atomic writes, the report) and its workers have ended; what the interpreter would still do
    is free every object and module, about 15 ms of the 150 ms a refresh of a small workbook
    takes as a whole process. The standard streams are flushed here (a reader that closed the
    pipe early is no error).
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    try:
        rv = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="iku-excel",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_UNREADABLE
    except click.exceptions.Abort:
        click.echo("Dibatalkan.", err=True)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        click.echo("Dibatalkan.", err=True)
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # the last line of defence: no traceback reaches a user, not
        # even a panic of a native library (pyo3's PanicException is not an Exception)
        message, code = describe_error(exc)
        click.echo(f"iku-excel: {message}", err=True)
        return code
    return rv if isinstance(rv, int) else EXIT_OK


if __name__ == "__main__":
    run()
