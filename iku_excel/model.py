"""Plain data the engine works on: what was read from a workbook, and what was computed from it.

Every class here is a dataclass holding plain Python values. Nothing in this module knows about
Excel, openpyxl or xlwings: an engine turns a workbook into :class:`SheetGrid` objects, and
everything after that (``reader`` -> ``evaluate`` -> ``sheets``) works on these classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from iku_excel.a1 import cell_address
from iku_excel.grades import DEFAULT_SCALES, GradeScale
from iku_excel.numbers import ParsedNumber
from iku_excel.slots import slot_setters

if TYPE_CHECKING:
    from iku_excel.rekap.frames import EvaluationFrames

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class SheetGrid:
    """The cells of one sheet, as read by an engine, from A1.

    ``values[r][c]`` is the value of cell (row r+1, column c+1): ``None``, ``str``, ``int``,
    ``float``, ``bool`` or ``datetime``. For a formula cell it is the cached result.
    ``formats`` has the same shape with each cell's number format, or is ``None`` when the engine
    cannot tell (then a percent-formatted 0.8 is read as 0.8).
    """

    name: str
    values: Sequence[Sequence[object]]
    formats: Sequence[Sequence[str | None]] | None = None

    @property
    def n_rows(self) -> int:
        return len(self.values)

    def value(self, row: int, col: int) -> object:
        if row < 1 or col < 1 or row > len(self.values):
            return None
        line = self.values[row - 1]
        return line[col - 1] if col <= len(line) else None

    def number_format(self, row: int, col: int) -> str | None:
        if self.formats is None or row < 1 or col < 1 or row > len(self.formats):
            return None
        line = self.formats[row - 1]
        return line[col - 1] if col <= len(line) else None


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a value came from."""

    sheet: str
    row: int
    col: int

    @property
    def address(self) -> str:
        return cell_address(self.row, self.col)

    def __str__(self) -> str:
        return f"{self.sheet}!{self.address}"


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed input cell and where it sits (``ref`` is None when the column does not exist)."""

    parsed: ParsedNumber
    ref: CellRef | None

    @property
    def number(self) -> float | None:
        """The point value when the cell holds one usable number, else None."""
        p = self.parsed
        return p.value if p.status == "ok" and p.kind in ("number", "ratio") else None

    @property
    def is_blank(self) -> bool:
        return self.parsed.status == "missing"


_new = object.__new__
_set_sheet, _set_row, _set_col = slot_setters(CellRef)
_set_parsed, _set_ref = slot_setters(Value)


def cell_value(parsed: ParsedNumber, sheet: str, row: int, col: int) -> Value:
    """``Value(parsed, CellRef(sheet, row, col))`` in about half the time of the two frozen
    ``__init__`` calls (a 20,000-indicator workbook reads 380,000 cells): each slot set through
    its descriptor, as :func:`iku_excel.numbers.parse_number` builds its plain numbers. Equal to
    the one built the ordinary way (tests/test_reader.py); a field added to either class breaks
    the unpacking above at import."""
    ref: CellRef = _new(CellRef)
    _set_sheet(ref, sheet)
    _set_row(ref, row)
    _set_col(ref, col)
    value: Value = _new(Value)
    _set_parsed(value, parsed)
    _set_ref(value, ref)
    return value


# --- Inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PredicateBand:
    """One band of a predikat scale: capaian ``> lower`` (strict) or ``>= lower`` gets ``label``.

    ``lower`` None is the catch-all bottom band.
    """

    label: str
    lower: float | None
    strict: bool = False
    colour: str = ""

    def admits(self, x: float) -> bool:
        if self.lower is None:
            return True
        return x > self.lower if self.strict else x >= self.lower


@dataclass(frozen=True)
class PredicateScale:
    name: str
    bands: tuple[PredicateBand, ...]  # highest band first

    def label(self, capaian: float | None) -> str | None:
        if capaian is None:
            return None
        for band in self.bands:
            if band.admits(capaian):
                return band.label
        return None


@dataclass(frozen=True)
class Settings:
    """The ``Pengaturan`` sheet, with defaults filled in."""

    agency: str = ""
    government: str = ""
    year: int | None = None
    rpjmd_start: int | None = None
    rpjmd_end: int | None = None
    negative_formula: Literal["A", "B", "C"] = "A"
    cap: float | None = None
    predicate_scale: PredicateScale | None = None
    sasaran_aggregation: str = "Rata-rata"
    city: str = ""
    report_date: str = ""
    signer_title: str = ""
    signer_name: str = ""
    signer_rank: str = ""
    signer_nip: str = ""
    #: Where each setting's value sits (key -> cell), for findings and live formulas.
    refs: dict[str, CellRef] = field(default_factory=dict)
    #: ``Format Angka``: how text numbers are read ("id" Indonesian, "en" English).
    number_style: Literal["id", "en"] = "id"
    #: ``Capaian Nilai di Bawah Target``: "Rasio" or "Nol" (grade indicators below target).
    grade_mode: str = "Rasio"
    #: The grade scales in effect (the ``Skala Nilai`` block of Pengaturan, else built-ins).
    grade_scales: tuple[GradeScale, ...] = DEFAULT_SCALES
    #: ``Periode Laporan``: "TW I" | "TW II" | "TW III" | "Tahunan".
    report_period: str = "Tahunan"


@dataclass(frozen=True)
class HistoryYear:
    """One earlier year of an indicator (``Realisasi 2021`` / ``Capaian 2021`` columns)."""

    year: int
    realisasi: Value | None
    capaian: Value | None


@dataclass(frozen=True)
class IkuExtras:
    """The optional LKjIP columns of an IKU row (``contract.LKJIP_OPTIONAL_COLUMNS``); each is
    None or empty when its column is absent."""

    tw_targets: tuple[Value, Value, Value, Value] | None = None
    national_standard: Value | None = None
    budget: Value | None = None
    budget_spent: Value | None = None
    drivers: str = ""
    obstacles: str = ""
    follow_up: str = ""
    history: tuple[HistoryYear, ...] = ()


@dataclass(frozen=True, slots=True)
class IkuIndicator:
    """One row of the ``IKU`` sheet."""

    row: int
    code: str
    sasaran: str
    indicator: str
    definition: str
    unit: str
    polarity: Literal["Positif", "Negatif"]
    #: False when the Polaritas cell was empty (Positif is then assumed).
    polarity_given: bool
    quarterly_aggregation: str  # "Jumlah" | "Nilai Akhir" | "Rata-rata" (default applied)
    weight: Value
    target: Value
    quarters: tuple[Value, Value, Value, Value]
    realisasi: Value
    capaian_last_year: Value
    reported_capaian: Value
    data_source: str = ""
    responsible: str = ""
    note: str = ""
    #: Composite indicators: ``Pembilang`` and ``Penyebut`` (None when the columns are absent).
    numerator: Value | None = None
    denominator: Value | None = None
    extras: IkuExtras = field(default_factory=IkuExtras)


@dataclass(frozen=True, slots=True)
class RpjmdIndicator:
    """One row of the ``RPJMD`` sheet."""

    row: int
    code: str
    misi: str
    tujuan: str
    sasaran: str
    indicator: str
    unit: str
    polarity: Literal["Positif", "Negatif"]
    baseline: Value
    targets: dict[int, Value]
    final_target: Value
    #: False when the RPJMD's Polaritas cell was empty (Positif assumed).
    polarity_given: bool = True


@dataclass(frozen=True)
class TableLayout:
    """Where a table sits in its sheet: header row and column of each key (1-based)."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    year_columns: dict[int, int] = field(default_factory=dict)
    last_row: int = 0
    #: Width of the sheet's used area: the first free column is ``last_col + 1``.
    last_col: int = 0


@dataclass(frozen=True)
class TypedAggregate:
    """A typed sasaran or overall average in the IKU table (a ``Rata-rata capaian`` row).

    ``sasaran`` is the group it follows; ``None`` means the overall capaian."""

    row: int
    label: str
    sasaran: str | None
    value: Value


@dataclass(frozen=True)
class IkuWorkbook:
    """Everything read from one workbook."""

    sheet_names: tuple[str, ...]
    settings: Settings
    indicators: tuple[IkuIndicator, ...]
    rpjmd: tuple[RpjmdIndicator, ...]
    iku_layout: TableLayout
    rpjmd_layout: TableLayout | None
    #: Typed averages found in the IKU table (``Rata-rata capaian`` rows), checked, not counted.
    typed_aggregates: tuple[TypedAggregate, ...] = ()


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a workbook: a stable rule id, where, and what to do."""

    rule: str
    severity: Severity
    sheet: str
    cell: str
    code: str
    message: str

    def sort_key(self) -> tuple[int, str, int, str, str]:
        first = self.cell.split(":")[0]  # a folded finding's cell is a range
        row = int("".join(ch for ch in first if ch.isdigit()) or 0)
        return (SEVERITY_ORDER[self.severity], self.sheet, row, self.cell, self.rule)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """The computed figures of one indicator."""

    indicator: IkuIndicator
    target: float | None  # point target (None for a range target or when missing)
    target_low: float | None
    target_high: float | None
    realisasi: float | None
    realisasi_from_quarters: bool
    capaian_raw: float | None
    capaian: float | None  # capped (equals raw when no cap is set); used by averages and predikat
    capaian_vs_final: float | None
    predicate: str | None
    rpjmd: RpjmdIndicator | None
    final_target: float | None
    baseline: Value | None
    #: The target used by the formula (for a range: the bound that applied).
    effective_target: float | None = None
    #: "number", "ratio" or "grade"; a grade indicator's target/realisasi are its positions.
    kind: str = "number"
    grade_scale: str | None = None
    grade_target: str | None = None
    grade_realisasi: str | None = None
    #: In a period report (``Periode Laporan`` TW I..III with TW targets) this result holds the
    #: figures s.d. the period, and ``annual`` the yearly ones; None in a yearly report.
    annual: IndicatorResult | None = None
    #: The period (1..3) this result is s.d., or None for a yearly result.
    period: int | None = None


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A sasaran (or the whole workbook) and its aggregated capaian."""

    name: str
    indicators: tuple[IndicatorResult, ...]
    capaian: float | None
    predicate: str | None


@dataclass(frozen=True)
class Evaluation:
    """Everything the engine computed for one workbook."""

    workbook: IkuWorkbook
    indicators: tuple[IndicatorResult, ...]
    sasaran: tuple[GroupResult, ...]
    overall: GroupResult
    findings: tuple[Finding, ...]

    @property
    def n_errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def n_warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def to_frame(self, file: str = "") -> EvaluationFrames:
        """This workbook as pandas DataFrames (``.opd``, ``.sasaran``, ``.indicators``,
        ``.findings``), with the columns of docs/rekap.md. Imports pandas on first use."""
        from iku_excel.rekap.frames import evaluation_frames

        return evaluation_frames(self, file=file)
