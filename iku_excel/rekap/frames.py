"""The recap's tables: typed column specs, one file's rows, pandas frames, and their docs page.

Every frame of :class:`~iku_excel.rekap.collect.Rekap` (and of :func:`evaluation_frames`) is
built from the column specs below, so names, dtypes, the Indonesian header in the recap workbook
and the documentation (``docs/rekap.md``, :func:`rekap_docs`) cannot drift apart. The column
names of the indicator, sasaran and finding frames are exactly the keys of
``iku-excel check --json``.

Figures: the engine computes every capaian in exact decimal arithmetic and rounds it *once* to
the nearest float (:mod:`iku_excel.capaian`); those floats are what ``check --json`` prints and
what the frames hold (pandas ``Float64``, a missing value is ``<NA>``, never 0). Nothing is
rounded on the way: rounding to 2 decimals happens only in the recap workbook's number format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from iku_excel.report import finding_json, indicator_json

if TYPE_CHECKING:
    import pandas as pd

    from iku_excel.model import Evaluation, Finding, IndicatorResult


@dataclass(frozen=True)
class Column:
    """One column of a recap frame: its name, pandas dtype, workbook header and meaning."""

    name: str
    dtype: str  # "string" | "Float64" | "Int64" (pandas nullable dtypes)
    header: str  # the column's header in the recap workbook (Indonesian)
    doc: str


def _c(name: str, dtype: str, header: str, doc: str) -> Column:
    return Column(name, dtype, header, doc)


_FILE = _c("file", "string", "File", "Path of the workbook as given (folders expanded).")
_AGENCY = _c("agency", "string", "Instansi", "`Nama Instansi` from the Pengaturan sheet.")
_YEAR = _c("year", "Int64", "Tahun", "`Tahun` from the Pengaturan sheet (`<NA>` when empty).")

#: One row per workbook read.
OPD_COLUMNS: tuple[Column, ...] = (
    _AGENCY,
    _YEAR,
    _c("indicators", "Int64", "Jumlah Indikator", "Number of IKU indicators read."),
    _c(
        "capaian",
        "Float64",
        "Capaian Keseluruhan (%)",
        "Overall capaian (`overall.capaian` of check --json), percent.",
    ),
    _c("predicate", "string", "Predikat", "Predikat of the overall capaian."),
    _c("errors", "Int64", "Error", "Findings of severity error."),
    _c("warnings", "Int64", "Peringatan", "Findings of severity warning."),
    _c("infos", "Int64", "Info", "Findings of severity info."),
    _FILE,
    _c(
        "sha256",
        "string",
        "SHA-256",
        "SHA-256 of the file's bytes, taken before and after reading (a file that changed "
        "while it was read is reported as unreadable).",
    ),
)

#: One row per sasaran of every workbook (``sasaran`` of check --json).
SASARAN_COLUMNS: tuple[Column, ...] = (
    _AGENCY,
    _YEAR,
    _c("name", "string", "Sasaran", "Name of the sasaran."),
    _c("indicators", "Int64", "Jumlah Indikator", "Indicators of the sasaran."),
    _c("capaian", "Float64", "Capaian (%)", "Aggregated capaian (`Agregasi Sasaran`), percent."),
    _c("predicate", "string", "Predikat", "Predikat of the sasaran's capaian."),
    _FILE,
)

#: One row per IKU indicator of every workbook (``indicators`` of check --json, plus ``findings``).
INDICATOR_COLUMNS: tuple[Column, ...] = (
    _AGENCY,
    _YEAR,
    _c("code", "string", "Kode", "Indicator code (`Kode`)."),
    _c("sasaran", "string", "Sasaran", "Sasaran the indicator belongs to."),
    _c("indicator", "string", "Indikator", "Indicator name."),
    _c("unit", "string", "Satuan", "Unit (`Satuan`, else the unit typed with the target)."),
    _c("polarity", "string", "Polaritas", "`Positif` or `Negatif`."),
    _c("target", "Float64", "Target", "Point target (`<NA>` for a range target)."),
    _c("target_low", "Float64", "Target Bawah", "Lower bound of a range target."),
    _c("target_high", "Float64", "Target Atas", "Upper bound of a range target."),
    _c("realisasi", "Float64", "Realisasi", "Realisasi (annual, or from the triwulan)."),
    _c("capaian", "Float64", "Capaian (%)", "Capaian after the cap; averages use it."),
    _c("capaian_raw", "Float64", "Capaian Mentah (%)", "Capaian before the cap."),
    _c(
        "capaian_vs_final",
        "Float64",
        "Capaian thd Target Akhir (%)",
        "Realisasi against the RPJMD final target.",
    ),
    _c(
        "capaian_tahunan",
        "Float64",
        "Capaian Tahunan (%)",
        "Capaian against the yearly target (equals `capaian` except in a period report).",
    ),
    _c("predicate", "string", "Predikat", "Predikat of `capaian`."),
    _c("row", "Int64", "Baris", "Row of the indicator in the IKU sheet."),
    _c(
        "findings",
        "Int64",
        "Temuan",
        "Findings whose `code` is this indicator's code (0 for an empty code).",
    ),
    _FILE,
)

#: One row per finding of every workbook (``findings`` of check --json).
FINDING_COLUMNS: tuple[Column, ...] = (
    _AGENCY,
    _YEAR,
    _FILE,
    _c("sheet", "string", "Sheet", "Sheet of the finding."),
    _c("cell", "string", "Sel", "Cell address (empty for a whole-sheet finding)."),
    _c("code", "string", "Kode", "Indicator code the finding is about (may be empty)."),
    _c("rule", "string", "Aturan", "Stable rule id (see docs/rules.md)."),
    _c("severity", "string", "Tingkat", "`error`, `warning` or `info`."),
    _c("message", "string", "Pesan", "The Indonesian message for the planner."),
)

#: One row per file that could not be read.
FAILURE_COLUMNS: tuple[Column, ...] = (
    _FILE,
    _c("error", "string", "Alasan", "Why the file could not be read (one Indonesian line)."),
)

#: One row per OPD and pair of consecutive years found in the inputs.
CHANGE_COLUMNS: tuple[Column, ...] = (
    _AGENCY,
    _c("year_before", "Int64", "Tahun Sebelumnya", "The earlier year."),
    _c("capaian_before", "Float64", "Capaian Sebelumnya (%)", "Overall capaian of that year."),
    _c("predicate_before", "string", "Predikat Sebelumnya", "Its predikat."),
    _YEAR,
    _c("capaian", "Float64", "Capaian (%)", "Overall capaian of the later year."),
    _c("predicate", "string", "Predikat", "Its predikat."),
    _c(
        "change",
        "Float64",
        "Perubahan (poin)",
        "`capaian - capaian_before`, in percentage points (`<NA>` when either is missing).",
    ),
    _c("file_before", "string", "File Sebelumnya", "Workbook of the earlier year."),
    _FILE,
)

FRAMES: dict[str, tuple[Column, ...]] = {
    "opd": OPD_COLUMNS,
    "sasaran": SASARAN_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "findings": FINDING_COLUMNS,
    "failures": FAILURE_COLUMNS,
    "changes": CHANGE_COLUMNS,
}

Row = dict[str, Any]


# --- One workbook's rows (plain data: what a worker process sends back) -------------------------


@dataclass(frozen=True)
class FileRows:
    """The rows one workbook contributes to each frame (plain, picklable values)."""

    opd: Row
    sasaran: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)


def _number(x: float | None) -> float | None:
    return None if x is None else float(x)


def indicator_row(r: IndicatorResult) -> Row:
    """The check --json keys of one indicator (same names, same values: one function makes both)."""
    return dict(indicator_json(r))


def finding_row(f: Finding) -> Row:
    """The check --json keys of one finding (made by the same function as check --json)."""
    return dict(finding_json(f))


def file_rows(ev: Evaluation, file: str = "", sha256: str = "") -> FileRows:
    """Every row one evaluated workbook contributes to the recap."""
    settings = ev.workbook.settings
    who = {"agency": settings.agency, "year": settings.year}
    per_code: dict[str, int] = {}
    for f in ev.findings:
        if f.code:
            per_code[f.code] = per_code.get(f.code, 0) + 1
    n_info = len(ev.findings) - ev.n_errors - ev.n_warnings
    opd = {
        **who,
        "indicators": len(ev.indicators),
        "capaian": _number(ev.overall.capaian),
        "predicate": ev.overall.predicate,
        "errors": ev.n_errors,
        "warnings": ev.n_warnings,
        "infos": n_info,
        "file": file,
        "sha256": sha256,
    }
    sasaran = [
        {
            **who,
            "name": g.name,
            "indicators": len(g.indicators),
            "capaian": _number(g.capaian),
            "predicate": g.predicate,
            "file": file,
        }
        for g in ev.sasaran
    ]
    indicators = [
        {
            **who,
            **indicator_row(r),
            "findings": per_code.get(r.indicator.code, 0) if r.indicator.code else 0,
            "file": file,
        }
        for r in ev.indicators
    ]
    findings = [{**who, "file": file, **finding_row(f)} for f in ev.findings]
    return FileRows(opd, sasaran, indicators, findings)


# --- Frames ---------------------------------------------------------------------------------------


def make_frame(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame with exactly ``columns`` (in order) and their dtypes; None becomes ``<NA>``."""
    import pandas as pd

    names = [c.name for c in columns]
    data: dict[str, list[Any]] = {name: [] for name in names}
    for row in rows:
        for name in names:
            data[name].append(row.get(name))
    return pd.DataFrame(
        {c.name: pd.array(data[c.name], dtype=cast(Any, c.dtype)) for c in columns},
        columns=names,
    )


@dataclass(frozen=True)
class EvaluationFrames:
    """One workbook (or many) as frames: ``opd``, ``sasaran``, ``indicators``, ``findings``.

    Columns and dtypes: :data:`FRAMES` (documented in docs/rekap.md).
    """

    opd: pd.DataFrame
    sasaran: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame


def frames_of(rows: Sequence[FileRows]) -> EvaluationFrames:
    """The four frames of several workbooks, in the order given."""
    return EvaluationFrames(
        opd=make_frame(OPD_COLUMNS, (r.opd for r in rows)),
        sasaran=make_frame(SASARAN_COLUMNS, (s for r in rows for s in r.sasaran)),
        indicators=make_frame(INDICATOR_COLUMNS, (i for r in rows for i in r.indicators)),
        findings=make_frame(FINDING_COLUMNS, (f for r in rows for f in r.findings)),
    )


def evaluation_frames(ev: Evaluation, file: str = "") -> EvaluationFrames:
    """One evaluated workbook as frames (the future ``Evaluation.to_frame()``).

    ``file`` fills the ``file`` column; ``sha256`` stays empty (nothing was read here).
    """
    return frames_of([file_rows(ev, file)])


# --- Documentation --------------------------------------------------------------------------------

_FRAME_DOCS = {
    "opd": "One row per workbook read (the `Ringkasan` sheet).",
    "sasaran": "One row per sasaran of every workbook (the `Per Sasaran` sheet).",
    "indicators": "One row per IKU indicator of every workbook (the `Per Indikator` sheet).",
    "findings": "One row per finding of every workbook (the `Temuan` sheet).",
    "failures": "One row per file that could not be read (listed under the `Ringkasan` table).",
    "changes": "One row per OPD and pair of consecutive years (the `Tahun ke Tahun` sheet).",
}


def _md(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("|", "\\|"))


def rekap_docs() -> str:
    """The page ``docs/rekap.md``, generated from the column specs."""
    lines = [
        "# Rekap: the recap of many IKU workbooks",
        "",
        "<!-- Generated by `iku_excel.rekap.frames.rekap_docs()` from the code. "
        "Do not edit by hand. -->",
        "",
        "`iku-excel rekap PATH... -o rekap.xlsx` reads many IKU workbooks (folders expand to the "
        ".xlsx/.xlsm files in them) and writes one recap workbook; the same data is available "
        "in Python:",
        "",
        "```python",
        "from iku_excel.api import rekap",
        "",
        'r = rekap(["data/opd/"], jobs=2)',
        "r.opd           # one row per workbook",
        'r.indicators.sort_values("capaian").head(10)   # the ten lowest capaian',
        "```",
        "",
        "and for one workbook `iku_excel.rekap.evaluation_frames(check_file(path))` gives the "
        "same `opd`, `sasaran`, `indicators` and `findings` frames.",
        "",
        "Column names are the keys of `iku-excel check --json` (English); the recap workbook "
        "shows the Indonesian header. Dtypes are pandas nullable dtypes: `string`, `Int64` and "
        "`Float64`; a missing value is `<NA>`, never 0.",
        "",
        "Figures: the engine computes each capaian in exact decimal arithmetic and rounds it "
        "once to the nearest float; the frames hold those floats unchanged (the same numbers as "
        "`check --json`, in percent: 125.0, not 1.25). Conversion to float happens only there, "
        "at the edge; the recap workbook stores the same floats and rounds only in its number "
        "format (2 decimals).",
        "",
    ]
    for name, columns in FRAMES.items():
        lines += [f"## `{name}`", "", _FRAME_DOCS[name], ""]
        lines += ["| column | dtype | workbook header | meaning |", "|---|---|---|---|"]
        for c in columns:
            lines.append(f"| `{c.name}` | {c.dtype} | {_md(c.header)} | {_md(c.doc)} |")
        lines.append("")
    return "\n".join(lines)
