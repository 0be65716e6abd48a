"""What the command line prints and writes: JSON documents, text summaries, the --report file.

Pure rendering of :class:`~iku_excel.model.Evaluation` and :class:`~iku_excel.batch.FileOutcome`
values, plus :func:`check_report_path` (run before any workbook is touched) and
:func:`write_report` (atomic: a temporary file in the same folder, then ``os.replace``). CSV
reports are written with the standard ``csv`` module; every cell that a spreadsheet would run as a
formula is neutralised (OWASP "CSV injection": a leading ``'``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iku_excel.errors import CannotProceed
from iku_excel.model import Evaluation, Finding, IndicatorResult

if TYPE_CHECKING:
    from iku_excel.batch import FileOutcome

SEVERITY_WORD = {"error": "error", "warning": "peringatan", "info": "info"}
#: Report formats by file extension.
REPORT_FORMATS = {".json": "json", ".csv": "csv"}
#: Extensions a report must never get: it would replace (or look like) a workbook.
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx", ".xltm", ".xlam")
CSV_COLUMNS = ("file", "rule", "severity", "sheet", "cell", "code", "message")
#: A CSV cell starting with one of these is run as a formula by Excel / LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# --- JSON documents -------------------------------------------------------------------------------


def _number(x: float | None) -> float | None:
    """A JSON number: unrounded float, or None."""
    return None if x is None else float(x)


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
        # the yearly capaian; equals "capaian" except in a period report (Periode Laporan TW ..)
        "capaian_tahunan": _number((r.annual or r).capaian),
        "predicate": r.predicate,
        "row": ind.row,
    }


def evaluation_json(path: Path, ev: Evaluation) -> dict[str, Any]:
    """The JSON document of one checked file (the shape is documented in docs/cli.md)."""
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


def outcome_json(o: FileOutcome) -> dict[str, Any]:
    """One file of a refresh report (keys as in earlier versions)."""
    if o.failed is not None:
        doc: dict[str, Any] = {"file": o.file, "failed": o.failed}
        if o.internal:
            doc["internal"] = True
        return doc
    return {
        "file": o.file,
        "failed": None,
        "indicators": o.indicators,
        "errors": o.errors,
        "warnings": o.warnings,
        "changed_cells": list(o.changed_cells),
        "sheets_created": list(o.sheets_created),
        "sheets_replaced": list(o.sheets_replaced),
        "written": o.written,
        "backup": o.backup,
        "findings": [finding_json(f) for f in o.findings],
    }


# --- Text summaries -------------------------------------------------------------------------------


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
        if r.target is not None:
            target = _fmt(r.target)
        elif r.target_low is not None:
            target = f"{_fmt(r.target_low)}–{_fmt(r.target_high)}"
        else:
            target = "-"
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


def render_batch_summary(outcomes: Sequence[FileOutcome], dry_run: bool) -> str:
    """The closing table of a refresh run."""
    width = min(max((len(o.file) for o in outcomes), default=4), 60)
    head = f"{'File':<{width}}  {'Indikator':>9}  {'Error':>5}  {'Peringatan':>10}  Status"
    lines = [head, "-" * len(head)]
    n_ind = n_err = n_warn = n_fail = 0
    for o in outcomes:
        name = o.file if len(o.file) <= width else "…" + o.file[-(width - 1) :]
        if o.failed is not None:
            n_fail += 1
            lines.append(f"{name:<{width}}  {'-':>9}  {'-':>5}  {'-':>10}  GAGAL: {o.failed}")
            continue
        n_ind += o.indicators
        n_err += o.errors
        n_warn += o.warnings
        if dry_run:
            status = (
                f"akan mengubah {len(o.changed_cells)} sel IKU; sheet baru: "
                f"{', '.join(o.sheets_created) or '-'}; diganti: "
                f"{', '.join(o.sheets_replaced) or '-'}"
            )
        else:
            status = "diperbarui" + (f" (cadangan: {o.backup})" if o.backup else "")
        lines.append(
            f"{name:<{width}}  {o.indicators:>9}  {o.errors:>5}  {o.warnings:>10}  {status}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{f'{len(outcomes)} file':<{width}}  {n_ind:>9}  {n_err:>5}  {n_warn:>10}  {n_fail} gagal"
    )
    return "\n".join(lines)


# --- The --report file ----------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: ``'`` before a leading formula character."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def report_csv(outcomes: Sequence[FileOutcome]) -> str:
    """Every finding of every file, one row each; a failed file is one ``file-failed`` row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for o in outcomes:
        rows: list[tuple[str, ...]] = []
        if o.failed is not None:
            rows.append((o.file, "file-failed", "error", "", "", "", o.failed))
        for f in o.findings:
            rows.append(
                (o.file, f.rule, f.severity, f.sheet, f.cell or "", f.code or "", f.message)
            )
        writer.writerows(tuple(neutralise(str(v)) for v in row) for row in rows)
    return buffer.getvalue()


def report_json(outcomes: Sequence[FileOutcome]) -> str:
    import json  # only when a JSON report is asked for

    return json.dumps({"files": [outcome_json(o) for o in outcomes]}, ensure_ascii=False, indent=2)


def check_report_path(report: Path, inputs: Sequence[Path]) -> str:
    """The report's format (``json`` or ``csv``), after checking that it can be written there.

    Runs before any workbook is touched. Raises :class:`CannotProceed` (one line) when the
    extension is not .json/.csv (a workbook extension above all), when the path is one of the
    ``inputs`` or a folder, or when its folder does not exist or cannot be written.
    """
    suffix = report.suffix.lower()
    if suffix in WORKBOOK_EXTENSIONS:
        raise CannotProceed(
            f"{report}: laporan tidak boleh berakhiran {suffix} (itu nama workbook); "
            "pakai .csv atau .json."
        )
    fmt = REPORT_FORMATS.get(suffix)
    if fmt is None:
        raise CannotProceed(f"{report}: laporan harus berakhiran .csv atau .json.")
    target = report.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise CannotProceed(f"{report}: laporan tidak boleh menimpa file yang diproses.")
    if report.is_dir():
        raise CannotProceed(f"{report}: jalur laporan adalah sebuah folder.")
    folder = target.parent
    if not folder.is_dir():
        raise CannotProceed(f"{report}: folder {report.parent} tidak ada.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CannotProceed(f"{report}: tidak ada izin menulis di folder {report.parent}.")
    return fmt


@contextlib.contextmanager
def replaced_atomically(target: Path, prefix: str, suffix: str = ".tmp") -> Iterator[Path]:
    """A new temporary file beside ``target`` for the caller to write; when the block ends
    without an error it is flushed to disk, given the mode a new file gets (``mkstemp`` makes it
    0600) and renamed over ``target``, so ``target`` is never half written. On any error it is
    removed and ``target`` stays as it was. For the reports and the recap, which are the
    program's own new files; a planner's workbook goes through
    :func:`iku_excel.backends.safe_io.atomic_write` (lock, identity check, metadata kept).
    """
    fd, name = tempfile.mkstemp(dir=target.resolve().parent, prefix=prefix, suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_report(report: Path, outcomes: Sequence[FileOutcome]) -> None:
    """Write the report atomically: JSON by ``.json``, else CSV (UTF-8 with BOM for Excel).

    Raises OSError (disk full, ...); the old report, if any, then stays as it was.
    """
    if report.suffix.lower() == ".json":
        data = report_json(outcomes).encode("utf-8")
    else:
        data = report_csv(outcomes).encode("utf-8-sig")  # BOM: Excel opens it as UTF-8
    with replaced_atomically(report, ".~iku-report-") as tmp:
        tmp.write_bytes(data)
