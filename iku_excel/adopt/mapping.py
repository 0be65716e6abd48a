"""The result of adopting a planner's table: which column holds what, row by row, as plain data.

:class:`TableMapping` says where the capaian table sits (sheet, header rows), what each column
holds, where sasaran came from, which rows were skipped and why, and the figures read per
indicator; :class:`Refusal` says why no mapping was made. Both render as Indonesian text for the
planner (:func:`render_text`) and as a JSON-able dict (:func:`to_dict`).

The mapping is stored in the workbook as a visible ``Pemetaan`` sheet of key/value rows
(:func:`to_rows` / :func:`from_rows`) rather than as ``Pengaturan`` keys: it is per column and
per sheet (tens of rows), the planner must be able to read and correct it next to the table, and
keeping it apart leaves the ``Pengaturan`` contract unchanged.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from iku_excel.a1 import column_index, column_letter
from iku_excel.contract import SHEET_PEMETAAN as SHEET_PEMETAAN  # re-exported

#: A merged range, 1-based and inclusive: (min_row, min_col, max_row, max_col).
CellRange = tuple[int, int, int, int]

FIELD_LABELS: dict[str, str] = {
    "no": "Nomor",
    "code": "Kode",
    "sasaran": "Sasaran",
    "indicator": "Indikator",
    "unit": "Satuan",
    "polaritas": "Polaritas",
    "baseline": "Kondisi Awal",
    "target": "Target",
    "realisasi": "Realisasi",
    "capaian": "Capaian (tertulis)",
    "final_target": "Target Akhir",
    "final_capaian": "Capaian thd Target Akhir",
    "tw_target": "Target Triwulan",
    "tw_realisasi": "Realisasi Triwulan",
    "program": "Program",
    "anggaran": "Anggaran",
    "weight": "Bobot",
    "definition": "Penjelasan",
    "data_source": "Sumber Data",
    "responsible": "Penanggung Jawab",
    "note": "Keterangan",
}


@dataclass(frozen=True)
class ColumnRole:
    """What one column holds: a field, optionally for one year and one quarter."""

    col: int
    field: str
    year: int | None = None
    quarter: int | None = None
    header: str = ""

    def describe(self) -> str:
        text = FIELD_LABELS.get(self.field, self.field)
        if self.quarter is not None:
            text += f" TW {['I', 'II', 'III', 'IV'][self.quarter - 1]}"
        if self.year is not None:
            text += f" {self.year}"
        return text


@dataclass(frozen=True)
class SkippedRow:
    """A row inside or below the table that is not an indicator, and why."""

    row: int
    kind: str  # total | sumber | note | signature | band | heading | column-numbers | efficiency
    reason: str
    text: str = ""


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as read from the planner's table."""

    row: int
    sasaran: str
    name: str
    unit: str
    polarity: str | None  # "Positif" | "Negatif" | None (unknown: Positif assumed)
    polarity_source: str  # "kolom" | "disimpulkan" | "tidak diketahui"
    polarity_reason: str
    target: float | None
    realisasi: float | None
    reported_capaian: float | None
    capaian: float | None
    quarterly_aggregation: str | None = None  # "Nilai Akhir" | "Jumlah" | None
    realisasi_from_quarters: bool = False
    tw_targets: tuple[float | None, ...] = ()
    tw_realisasi: tuple[float | None, ...] = ()
    history: dict[int, dict[str, float | None]] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TableMapping:
    """Where the capaian table is and how it reads."""

    sheet: str
    header_rows: tuple[int, ...]
    columns: tuple[ColumnRole, ...]
    reporting_year: int | None
    history_years: tuple[int, ...]
    sasaran_source: str | None  # "kolom" | "baris pita" | "sel gabungan" | "judul" | None
    indicators: tuple[IndicatorRow, ...]
    skipped: tuple[SkippedRow, ...]
    title_lines: tuple[str, ...] = ()
    efficiency: tuple[dict[str, object], ...] = ()
    warnings: tuple[str, ...] = ()

    def column_of(
        self, fld: str, year: int | None = None, quarter: int | None = None
    ) -> int | None:
        for role in self.columns:
            if role.field == fld and role.year == year and role.quarter == quarter:
                return role.col
        return None

    def field_map(self) -> dict[str, str]:
        """Column letter -> ``field[@year][#quarter]`` for every placed column."""
        out: dict[str, str] = {}
        for role in self.columns:
            key = role.field
            if role.year is not None:
                key += f"@{role.year}"
            if role.quarter is not None:
                key += f"#{role.quarter}"
            out[column_letter(role.col)] = key
        return out


@dataclass(frozen=True)
class Refusal:
    """Why no mapping was made: a stable code, and the header it could not place."""

    code: str  # no-header | no-indicator | no-target | duplicate-header | year-unlabelled | ...
    message: str
    sheet: str = ""
    header_row: int | None = None
    header: str = ""
    nearest: str | None = None


@dataclass(frozen=True)
class DetectionResult:
    mapping: TableMapping | None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.mapping is not None


# --- Rendering ------------------------------------------------------------------------------------


def render_text(result: DetectionResult) -> str:
    """The mapping (or the refusal) as Indonesian lines for the planner."""
    if result.refusal is not None:
        r = result.refusal
        lines = [f"Tabel tidak dapat dipetakan: {r.message}"]
        if r.header_row:
            lines.append(f"Baris yang dibaca sebagai judul kolom: {r.sheet} baris {r.header_row}.")
        if r.nearest:
            lines.append(f'Judul kolom terdekat yang terlihat: "{r.nearest}".')
        return "\n".join(lines)
    m = result.mapping
    assert m is not None
    rows = ", ".join(str(r) for r in m.header_rows)
    lines = [f'Sheet "{m.sheet}", judul kolom di baris {rows}.']
    if m.reporting_year is not None:
        lines.append(f"Tahun laporan: {m.reporting_year}.")
    if m.history_years:
        lines.append("Tahun lain (riwayat): " + ", ".join(str(y) for y in m.history_years) + ".")
    lines.append("Kolom:")
    for role in m.columns:
        lines.append(f'  {column_letter(role.col)} "{role.header}" -> {role.describe()}')
    lines.append(f"Sasaran diambil dari: {m.sasaran_source or 'tidak ada'}.")
    inferred = [i for i in m.indicators if i.polarity_source == "disimpulkan"]
    for ind in inferred:
        lines.append(
            f'Polaritas "{ind.name}" disimpulkan {ind.polarity} dari nama indikator'
            f" ({ind.polarity_reason}); periksa."
        )
    for sk in m.skipped:
        lines.append(f"Baris {sk.row} dilewati: {sk.reason}.")
    lines.extend(f"Peringatan: {w}" for w in m.warnings)
    return "\n".join(lines)


def to_dict(result: DetectionResult) -> dict[str, object]:
    """JSON-able dict of the result (year keys of ``history`` become strings)."""
    if result.mapping is None:
        assert result.refusal is not None
        return {"ok": False, "refusal": asdict(result.refusal)}
    data = asdict(result.mapping)
    for ind in data["indicators"]:
        ind["history"] = {str(k): v for k, v in ind["history"].items()}
        ind["raw"] = {k: _jsonable(v) for k, v in ind["raw"].items()}
    data["efficiency"] = [{k: _jsonable(v) for k, v in e.items()} for e in data["efficiency"]]
    data["field_map"] = result.mapping.field_map()
    return {"ok": True, "mapping": data}


def _jsonable(value: object) -> object:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


# --- The Pemetaan sheet ---------------------------------------------------------------------------


#: The ``Pemetaan`` key of the column where ``refresh`` writes its live Capaian (%) formulas.
RESULT_KEY = "Kolom Hasil Capaian (%)"
_COLUMN_KEY = re.compile(r"^Kolom ([A-Z]{1,3})$")


def to_rows(mapping: TableMapping, result_col: int | None = None) -> list[tuple[str, str]]:
    """Key/value rows for a visible ``Pemetaan`` sheet (what :func:`from_rows` reads back).

    Every indicator whose polaritas is not in a column of the table gets a ``Polaritas Baris n``
    row (inferred, or Positif assumed), so the planner sees it and can correct it there.
    """
    rows = [
        ("Sheet", mapping.sheet),
        ("Baris Judul", ",".join(str(r) for r in mapping.header_rows)),
        ("Tahun Laporan", "" if mapping.reporting_year is None else str(mapping.reporting_year)),
        ("Sumber Sasaran", mapping.sasaran_source or ""),
    ]
    if result_col is not None:
        rows.append((RESULT_KEY, column_letter(result_col)))
    for role in mapping.columns:
        value = role.field
        if role.year is not None:
            value += f"@{role.year}"
        if role.quarter is not None:
            value += f"#{role.quarter}"
        rows.append((f"Kolom {column_letter(role.col)}", value))
    for ind in mapping.indicators:
        if ind.quarterly_aggregation:
            rows.append((f"Agregasi Baris {ind.row}", ind.quarterly_aggregation))
        elif any(v is not None for v in (*ind.tw_targets, *ind.tw_realisasi)):
            rows.append((f"Agregasi Baris {ind.row}", ""))  # undecided: the planner says
        if ind.polarity_source == "disimpulkan" and ind.polarity:
            rows.append((f"Polaritas Baris {ind.row}", f"{ind.polarity} (disimpulkan)"))
        elif ind.polarity_source == "tidak diketahui":
            rows.append((f"Polaritas Baris {ind.row}", "Positif (dianggap)"))
    return rows


@dataclass(frozen=True)
class MappingConfig:
    """What a ``Pemetaan`` sheet says: enough to read the table again the same way."""

    sheet: str
    header_rows: tuple[int, ...]
    reporting_year: int | None
    sasaran_source: str | None
    columns: tuple[ColumnRole, ...]
    aggregation: dict[int, str] = field(default_factory=dict)
    polarity: dict[int, str] = field(default_factory=dict)
    result_col: int | None = None


def field_of(value: str) -> str | None:
    """The field a ``Pemetaan`` value names: ``target``, or its label ``Target`` (any case)."""
    key = " ".join(value.split()).casefold()
    for fld, label in FIELD_LABELS.items():
        if key in (fld, label.casefold()):
            return fld
    return None


def from_rows(rows: list[tuple[str, str]]) -> MappingConfig:
    """Read back :func:`to_rows`; unknown keys are ignored."""
    values = dict(rows)
    columns: list[ColumnRole] = []
    aggregation: dict[int, str] = {}
    polarity: dict[int, str] = {}
    for key, value in rows:
        col_key = _COLUMN_KEY.match(key)
        if col_key and value:
            spec, quarter = ([*value.split("#"), ""])[:2]
            fld, year = ([*spec.split("@"), ""])[:2]
            columns.append(
                ColumnRole(
                    column_index(col_key.group(1)),
                    field_of(fld) or fld.strip(),
                    int(year) if year.strip().isdigit() else None,
                    int(quarter) if quarter.strip().isdigit() else None,
                )
            )
        elif key.startswith("Agregasi Baris ") and key[15:].strip().isdigit() and value:
            aggregation[int(key[15:])] = value
        elif key.startswith("Polaritas Baris ") and key[16:].strip().isdigit() and value:
            polarity[int(key[16:])] = value.split()[0]
    year = values.get("Tahun Laporan", "").strip()
    return MappingConfig(
        sheet=values.get("Sheet", ""),
        header_rows=tuple(
            int(x) for x in values.get("Baris Judul", "").replace(" ", "").split(",") if x.isdigit()
        ),
        reporting_year=int(year) if year.isdigit() else None,
        sasaran_source=values.get("Sumber Sasaran") or None,
        columns=tuple(columns),
        aggregation=aggregation,
        polarity=polarity,
        result_col=column_index(result)
        if re.fullmatch(r"[A-Z]{1,3}", result := values.get(RESULT_KEY, "").strip().upper())
        else None,
    )
