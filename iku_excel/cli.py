"""The ``iku-excel`` command line: a thin layer over :mod:`iku_excel.api`.

Exit codes (documented in ``docs/cli.md``, generated from :data:`EXIT_CODES`):

- 0: every file was read and has no error finding;
- 1: at least one file has an error finding;
- 2: at least one file could not be read or written (the reason is printed, one line per file);
- 3: an unexpected internal problem (a bug): a one-line message names the log file with details.

No traceback ever reaches the user: :func:`main` catches everything.
"""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from iku_excel import __version__
from iku_excel.model import Evaluation, Finding, IndicatorResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2
EXIT_INTERNAL = 3
EXIT_CODES = {
    EXIT_OK: "semua file terbaca dan tidak ada temuan berjenis error",
    EXIT_FINDINGS: "ada sedikitnya satu temuan berjenis error",
    EXIT_UNREADABLE: "ada file yang tidak dapat dibaca atau ditulis (alasannya dicetak satu baris)",
    EXIT_INTERNAL: "kesalahan internal iku-excel (rinciannya di file log yang disebutkan)",
}


class Exit(click.exceptions.Exit):
    """Leave with an exit code (click's own class, named for readability)."""


def _number(x: float | None) -> float | None:
    """A JSON number: unrounded float, or None."""
    if x is None:
        return None
    return float(x)


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "sheet": f.sheet,
        "cell": f.cell,
        "code": f.code,
        "message": f.message,
    }


def indicator_json(r: IndicatorResult) -> dict[str, Any]:
    ind = r.indicator
    return {
        "code": ind.code,
        "sasaran": ind.sasaran,
        "indicator": ind.indicator,
        "unit": ind.unit or (ind.target.parsed.unit or ""),
        "polarity": ind.polarity,
        "target": _number(r.target),
        "target_low": _number(r.target_low),
        "target_high": _number(r.target_high),
        "realisasi": _number(r.realisasi),
        "capaian": _number(r.capaian),
        "capaian_raw": _number(r.capaian_raw),
        "capaian_vs_final": _number(r.capaian_vs_final),
        "predicate": r.predicate,
        "row": ind.row,
    }


def evaluation_json(path: Path, ev: Evaluation) -> dict[str, Any]:
    """The JSON document of one file (the shape is documented in docs/cli.md)."""
    return {
        "file": str(path),
        "year": ev.workbook.settings.year,
        "indicators": [indicator_json(r) for r in ev.indicators],
        "sasaran": [
            {"name": g.name, "capaian": _number(g.capaian), "predicate": g.predicate}
            for g in ev.sasaran
        ],
        "overall": {"capaian": _number(ev.overall.capaian), "predicate": ev.overall.predicate},
        "findings": [finding_json(f) for f in ev.findings],
    }


def _fmt(x: float | None, decimals: int = 2) -> str:
    from iku_excel.numbers import format_number

    return "-" if x is None else format_number(x, decimals)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_summary(path: Path, ev: Evaluation) -> str:
    """The readable summary of one file (Indonesian, plain text)."""
    s = ev.workbook.settings
    lines = [f"== {path}", f"   {s.agency or '(Nama Instansi kosong)'} — tahun {s.year or '?'}", ""]
    header = (
        f"   {'Kode':<8} {'Indikator':<44} {'Target':>10} {'Realisasi':>10} "
        f"{'Capaian %':>10}  Predikat"
    )
    lines.append(header)
    lines.append("   " + "-" * (len(header) - 3))
    for r in ev.indicators:
        target = (
            _fmt(r.target)
            if r.target is not None
            else (
                f"{_fmt(r.target_low)}–{_fmt(r.target_high)}" if r.target_low is not None else "-"
            )
        )
        lines.append(
            f"   {_clip(r.indicator.code, 8):<8} {_clip(r.indicator.indicator, 44):<44} "
            f"{target:>10} {_fmt(r.realisasi):>10} {_fmt(r.capaian):>10}  {r.predicate or '-'}"
        )
    lines.append("")
    for g in ev.sasaran:
        lines.append(
            f"   Sasaran: {_clip(g.name, 60):<60} {_fmt(g.capaian):>10}  {g.predicate or '-'}"
        )
    lines.append(
        f"   {'Keseluruhan:':<69} {_fmt(ev.overall.capaian):>10}  {ev.overall.predicate or '-'}"
    )
    lines.append("")
    if ev.findings:
        lines.append(
            f"   Temuan: {ev.n_errors} error, {ev.n_warnings} peringatan, "
            f"{len(ev.findings) - ev.n_errors - ev.n_warnings} info"
        )
        for f in ev.findings:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            lines.append(f"   {SEVERITY_WORD[f.severity]:<10} {where:<12} [{f.rule}] {f.message}")
    else:
        lines.append("   Tidak ada temuan.")
    return "\n".join(lines)


def _log_internal_error(exc: BaseException) -> Path:
    log_dir = Path(tempfile.gettempdir()) / "iku-excel"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"error-{datetime.now():%Y%m%d-%H%M%S}.log"
    log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return log


def describe_failure(path: Path, exc: BaseException) -> str:
    """One line naming the file and why it could not be processed."""
    return f"{path}: {exc}"


def is_cannot_proceed(exc: BaseException) -> bool:
    from iku_excel.errors import IkuError

    return isinstance(exc, IkuError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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

    code = EXIT_OK
    documents: list[dict[str, Any]] = []
    for path in files:
        try:
            ev = check_file(path)
        except Exception as exc:
            if not is_cannot_proceed(exc):
                raise
            click.echo(describe_failure(path, exc), err=True)
            documents.append({"file": str(path), "error": str(exc)})
            code = max(code, EXIT_UNREADABLE)
            continue
        if ev.n_errors:
            code = max(code, EXIT_FINDINGS)
        if as_json:
            documents.append(evaluation_json(path, ev))
        else:
            click.echo(render_summary(path, ev))
            click.echo("")
    if as_json:
        click.echo(json.dumps({"files": documents}, ensure_ascii=False, indent=2))
    raise Exit(code)


SEVERITY_WORD = {"error": "error", "warning": "peringatan", "info": "info"}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def expand_inputs(items: Sequence[Path]) -> list[Path]:
    """Files as given, and every .xlsx/.xlsm below each folder (recursively, sorted).

    Excel's lock files (``~$...``) and iku-excel's own temporary files are skipped.
    """
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted(
                p
                for p in item.rglob("*")
                if p.suffix.lower() in WORKBOOK_SUFFIXES
                and p.is_file()
                and not p.name.startswith(("~$", ".~iku-"))
            )
            out.extend(found)
        else:
            out.append(item)
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def refresh_one(path: Path, backup: bool, dry_run: bool, engine: str = "file") -> dict[str, Any]:
    """Refresh one file; returns a picklable summary (used by --jobs worker processes)."""
    from iku_excel.api import refresh_file, refresh_in_excel

    run = refresh_in_excel if engine == "excel" else refresh_file
    try:
        result = run(path, backup=backup, dry_run=dry_run)
    except Exception as exc:
        if not is_cannot_proceed(exc):
            log = _log_internal_error(exc)
            return {
                "file": str(path),
                "failed": f"kesalahan internal ({exc}); rincian: {log}",
                "internal": True,
            }
        return {"file": str(path), "failed": str(exc)}
    ev = result.evaluation
    return {
        "file": str(path),
        "failed": None,
        "indicators": len(ev.indicators),
        "errors": ev.n_errors,
        "warnings": ev.n_warnings,
        "changed_cells": list(result.changed_cells),
        "sheets_created": list(result.sheets_created),
        "sheets_replaced": list(result.sheets_replaced),
        "written": result.written,
        "backup": str(result.backup) if result.backup else None,
        "findings": [finding_json(f) for f in ev.findings],
    }


def _run_batch(
    files: list[Path], jobs: int, backup: bool, dry_run: bool, progress: bool, engine: str
) -> list[dict[str, Any]]:
    from tqdm import tqdm

    bar = tqdm(
        total=len(files), unit="file", disable=not progress, file=sys.stderr, desc="iku-excel"
    )
    results: dict[int, dict[str, Any]] = {}
    try:
        if jobs <= 1 or len(files) <= 1:
            for i, path in enumerate(files):
                results[i] = refresh_one(path, backup, dry_run, engine)
                bar.update()
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {
                    pool.submit(refresh_one, path, backup, dry_run, engine): i
                    for i, path in enumerate(files)
                }
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.update()
    finally:
        bar.close()
    return [results[i] for i in range(len(files))]


def write_report(path: Path, results: list[dict[str, Any]]) -> None:
    """Every finding of every file: JSON (by suffix .json) or CSV (anything else)."""
    if path.suffix.lower() == ".json":
        path.write_text(
            json.dumps({"files": results}, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for r in results:
        if r["failed"]:
            rows.append(
                {
                    "file": r["file"],
                    "rule": "file-failed",
                    "severity": "error",
                    "sheet": "",
                    "cell": "",
                    "code": "",
                    "message": r["failed"],
                }
            )
        for f in r.get("findings", []):
            rows.append({"file": r["file"], **f})
    frame = pd.DataFrame(
        rows, columns=["file", "rule", "severity", "sheet", "cell", "code", "message"]
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8


def render_batch_summary(results: list[dict[str, Any]], dry_run: bool) -> str:
    """The closing table of a refresh run."""
    width = min(max((len(r["file"]) for r in results), default=4), 60)
    head = f"{'File':<{width}}  {'Indikator':>9}  {'Error':>5}  {'Peringatan':>10}  Status"
    lines = [head, "-" * len(head)]
    tot = {"ind": 0, "err": 0, "warn": 0, "fail": 0}
    for r in results:
        name = r["file"] if len(r["file"]) <= width else "…" + r["file"][-(width - 1) :]
        if r["failed"]:
            tot["fail"] += 1
            lines.append(f"{name:<{width}}  {'-':>9}  {'-':>5}  {'-':>10}  GAGAL: {r['failed']}")
            continue
        tot["ind"] += r["indicators"]
        tot["err"] += r["errors"]
        tot["warn"] += r["warnings"]
        if dry_run:
            status = (
                f"akan mengubah {len(r['changed_cells'])} sel IKU; sheet baru: "
                f"{', '.join(r['sheets_created']) or '-'}; diganti: "
                f"{', '.join(r['sheets_replaced']) or '-'}"
            )
        else:
            status = "diperbarui" + (f" (cadangan: {r['backup']})" if r.get("backup") else "")
        lines.append(
            f"{name:<{width}}  {r['indicators']:>9}  {r['errors']:>5}  "
            f"{r['warnings']:>10}  {status}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{f'{len(results)} file':<{width}}  {tot['ind']:>9}  {tot['err']:>5}  "
        f"{tot['warn']:>10}  {tot['fail']} gagal"
    )
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
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
    files = expand_inputs(paths)
    if not files:
        click.echo("Tidak ada file .xlsx/.xlsm yang ditemukan.", err=True)
        raise Exit(EXIT_UNREADABLE)
    show = sys.stderr.isatty() if progress is None else progress
    if engine == "excel" and jobs > 1:
        click.echo("--engine excel memakai satu Excel: --jobs diabaikan.", err=True)
        jobs = 1
    results = _run_batch(files, jobs, backup, dry_run, show, engine)
    for r in results:
        if r["failed"]:
            click.echo(f"{r['file']}: {r['failed']}", err=True)
    if report is not None:
        write_report(report, results)
    click.echo(render_batch_summary(results, dry_run))
    if report is not None:
        click.echo(f"Laporan: {report}")
    if any(r.get("internal") for r in results):
        code = EXIT_INTERNAL
    elif any(r["failed"] for r in results):
        code = EXIT_UNREADABLE
    elif any(r["errors"] for r in results):
        code = EXIT_FINDINGS
    else:
        code = EXIT_OK
    raise Exit(code)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code, never raises."""
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
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if is_cannot_proceed(exc):
            click.echo(f"iku-excel: {exc}", err=True)
            return EXIT_UNREADABLE
        log = _log_internal_error(exc)
        click.echo(
            f"iku-excel: kesalahan internal ({type(exc).__name__}: {exc}). Rincian: {log}", err=True
        )
        return EXIT_INTERNAL
    return rv if isinstance(rv, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
