"""The engine-neutral vocabulary of output sheets: styles, cells, sheets, outputs, shared formats.

:class:`SheetSpec` describes a whole sheet as plain data; the file engine
(:mod:`iku_excel.backends.sheet_xml`, with :mod:`iku_excel.backends.openpyxl_writer` as the
reference) and the live-Excel engine (:mod:`iku_excel.backends.xlwings_engine`) apply it, and
differ only in how. What varies from row to row is described so that an engine can apply it in a
number of calls that does not grow with the number of indicators: colours that depend on a value
are :class:`ConditionalFill` rules over a rectangle, and heights of rows of wrapped text are
estimates an engine that can measure text replaces with one AutoFit
(:attr:`SheetSpec.estimated_heights`). No workbook library is imported here.

Excel's limits are enforced here, where every cell passes, so that no engine can write a file
Excel repairs or refuses: :meth:`SheetSpec.put` writes a formula longer than
:data:`~iku_excel.sheets.formulas.MAX_FORMULA_CHARS` or nested deeper than
:data:`~iku_excel.sheets.formulas.MAX_NESTING` as its cached value, and cuts text longer than
:data:`MAX_CELL_TEXT` with "…"; each time it says so in :attr:`SheetSpec.limit_notes`, which the
sheets print. Sheet names are checked (:func:`check_sheet_name`), row heights capped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter

from iku_excel.a1 import cell_address
from iku_excel.sheets.formulas import formula_fits, text_literal
from iku_excel.slots import slot_setters

CellValue = str | float | int | bool | None

#: Excel's limits: characters in a cell, in a sheet name, and the height of a row in points.
MAX_CELL_TEXT = 32_767
MAX_SHEET_NAME = 31
MAX_ROW_HEIGHT = 409.0
_ILLEGAL_SHEET_CHARS = frozenset("[]:*?/\\")


def check_sheet_name(name: str) -> str:
    """``name`` when Excel accepts it as a sheet name (1..31 characters, none of ``[]:*?/\\``,
    not starting or ending with an apostrophe, not ``History``); else ValueError."""
    if (
        not 0 < len(name) <= MAX_SHEET_NAME
        or set(name) & _ILLEGAL_SHEET_CHARS
        or name.startswith("'")
        or name.endswith("'")
        or name.casefold() == "history"
    ):
        raise ValueError(f"not a sheet name Excel accepts: {name!r}")
    return name


def clip_text(text: str) -> str:
    """``text`` cut to :data:`MAX_CELL_TEXT` characters, ending with "…" when it was cut."""
    if len(text) <= MAX_CELL_TEXT:
        return text
    return text[: MAX_CELL_TEXT - 1] + "…"


@dataclass(frozen=True, slots=True)
class Style:
    """An engine-neutral cell style."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    font_color: str | None = None
    fill: str | None = None
    h_align: str | None = None  # "left" | "center" | "right"
    v_align: str | None = "center"
    wrap: bool = False
    border: bool = False
    number_format: str = "General"


@dataclass(frozen=True, slots=True)
class CellSpec:
    """One cell to write. ``value`` is the value, or a formula's cached value."""

    row: int
    col: int
    value: CellValue
    formula: str | None = None
    style: str = ""

    @property
    def address(self) -> str:
        return cell_address(self.row, self.col)


_new = object.__new__
_col_of = attrgetter("col")
_set_row, _set_col, _set_value, _set_formula, _set_style = slot_setters(CellSpec)


def cell_spec(row: int, col: int, value: CellValue, formula: str | None, style: str) -> CellSpec:
    """``CellSpec(row, col, value, formula, style)`` in about half the time of its frozen
    ``__init__``, each slot set through its descriptor (a 20,000-indicator refresh describes
    420,000 cells); equal to the one built the ordinary way (tests/test_sheet_xml.py). A field
    added to CellSpec breaks the unpacking above at import."""
    cell: CellSpec = _new(CellSpec)
    _set_row(cell, row)
    _set_col(cell, col)
    _set_value(cell, value)
    _set_formula(cell, formula)
    _set_style(cell, style)
    return cell


@dataclass(frozen=True)
class PrintSetup:
    orientation: str = "landscape"
    paper: str = "A4"
    fit_to_width: bool = True
    title_rows: tuple[int, int] | None = None
    area: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col


@dataclass(frozen=True, slots=True)
class ConditionalFill:
    """A conditional format: the cells of a rectangle whose value equals ``equals`` (as Excel
    compares text: ignoring case) get ``fill`` and, when given, ``font_color`` and bold."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    equals: str
    fill: str
    font_color: str | None = None
    bold: bool = False

    @property
    def operand(self) -> str:
        """``equals`` as an Excel text literal (``"Sangat Tinggi"``), the rule's operand."""
        return text_literal(self.equals)


Rect = tuple[int, int, int, int]  # first row, first col, last row, last col


@dataclass(frozen=True)
class ChartSpec:
    """A native chart: clustered columns of ``values`` over ``categories`` (one column of cells
    each, same rows), and optionally a line series ``line`` (e.g. a column of 100: the target
    line). ``names`` are the cells holding the two series' names. ``anchor`` is the top-left
    cell, ``width``/``height`` the size in points. Every engine draws the same chart from this.
    """

    title: str
    categories: Rect
    values: Rect
    line: Rect | None
    names: tuple[tuple[int, int], tuple[int, int] | None]
    anchor: tuple[int, int]
    width: float = 620.0
    height: float = 300.0
    name: str = "Grafik Capaian"


@dataclass
class SheetSpec:
    """A whole sheet: cells, merges, conditional fills, sizes, freeze panes and print setup.

    Row heights come in two kinds. ``row_heights`` are set by every engine: a designed height
    (a header) or rows of merged cells, whose wrapped text Excel's AutoFit does not measure.
    ``estimated_heights`` are rows sized to their wrapped text: the file engine writes these
    estimates (a file cannot measure text); an engine running in Excel lets Excel AutoFit the
    rows instead, which measures the text better than the estimate.
    """

    name: str
    styles: dict[str, Style]
    cells: list[CellSpec] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    conditional_fills: list[ConditionalFill] = field(default_factory=list)
    column_widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    row_heights: dict[int, float] = field(default_factory=dict)
    estimated_heights: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None  # the top-left cell that is not frozen
    print_setup: PrintSetup = field(default_factory=PrintSetup)
    tab_color: str | None = None
    #: What :meth:`put` had to change to stay within Excel's limits, in Indonesian.
    limit_notes: list[str] = field(default_factory=list)
    #: Native charts drawn on the sheet (the Capaian sheet's capaian per indicator).
    charts: tuple[ChartSpec, ...] = ()
    #: column -> row -> value of the columns :meth:`value_at` was asked about, kept up to date
    #: by :meth:`put` (a scan of every cell per lookup made the chart's block quadratic).
    _columns: dict[int, dict[int, CellValue]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        check_sheet_name(self.name)

    def value_at(self, row: int, col: int) -> CellValue:
        """The (cached) value of a cell written with :meth:`put`, None when none was."""
        return self._column(col).get(row)

    def column_values(self, col: int, first: int, last: int) -> list[CellValue]:
        """:meth:`value_at` of rows ``first`` to ``last`` of column ``col``, in one call (a
        chart's series: 20,000 lookups)."""
        return list(map(self._column(col).get, range(first, last + 1)))

    def _column(self, col: int) -> dict[int, CellValue]:
        """Row -> value of column ``col``, indexed on first use."""
        column = self._columns.get(col)
        if column is None:
            self.index_columns((col,))
            column = self._columns[col]
        return column

    def index_columns(self, cols: Iterable[int]) -> None:
        """Make :meth:`value_at` ready for the columns ``cols`` in one pass over the cells (a
        chart asks for three columns of a 400,000-cell sheet)."""
        wanted: dict[int, dict[int, CellValue]] = {
            col: {} for col in cols if col not in self._columns
        }
        if not wanted:
            return
        # the cells of those columns picked out in C, then only they are read in Python
        picked = compress(self.cells, map(wanted.__contains__, map(_col_of, self.cells)))
        for c in picked:
            wanted[c.col][c.row] = c.value
        self._columns.update(wanted)

    def put(
        self,
        row: int,
        col: int,
        value: CellValue,
        style: str = "",
        *,
        formula: str | None = None,
    ) -> CellSpec:
        if style and style not in self.styles:
            raise KeyError(f"unknown style {style!r}")
        if formula is not None:
            if value is None:
                value = ""  # what the formula computes when its inputs are empty
            if not formula_fits(formula):
                formula = None
                self.limit_notes.append(
                    f"Sel {cell_address(row, col)} berisi nilai tetap: rumusnya melampaui batas "
                    "Excel (8.192 karakter atau 64 tingkat fungsi); jalankan Perbarui Capaian "
                    "setelah mengubah data."
                )
        if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
            value = clip_text(value)
            self.limit_notes.append(
                f"Teks sel {cell_address(row, col)} dipotong (…) pada {MAX_CELL_TEXT:,} karakter, "
                "batas Excel untuk satu sel.".replace(",", ".")
            )
        cell: CellSpec = _new(CellSpec)  # cell_spec(...), inlined: put is called for every cell
        _set_row(cell, row)
        _set_col(cell, col)
        _set_value(cell, value)
        _set_formula(cell, formula)
        _set_style(cell, style)
        self.cells.append(cell)
        if self._columns:
            column = self._columns.get(col)
            if column is not None:
                column[row] = value
        return cell


@dataclass(frozen=True)
class Outputs:
    """Everything ``refresh`` writes."""

    iku_sheet: str
    iku_header: CellSpec | None  # the "Capaian (%)" header, when the column had to be added
    iku_cells: list[CellSpec]
    capaian: SheetSpec
    validasi: SheetSpec
    #: More sheets (re)built the same way, after Validasi (e.g. Capaian TW, Pemetaan).
    extra: tuple[SheetSpec, ...] = ()

    @property
    def sheets(self) -> tuple[SheetSpec, ...]:
        """Every sheet to (re)build, in the order they are written."""
        return (self.capaian, self.validasi, *self.extra)


# --- Styles ---------------------------------------------------------------------------------------

PERCENT_FORMAT = "#,##0.00"
HEADER_FILL = "D9E1F2"
GROUP_FILL = "F2F2F2"
OVERALL_FILL = "DDEBF7"

BASE_STYLES: dict[str, Style] = {
    "title": Style(bold=True, size=14, h_align="center"),
    "subtitle": Style(bold=True, size=12, h_align="center"),
    "header": Style(bold=True, fill=HEADER_FILL, h_align="center", wrap=True, border=True),
    "colnum": Style(italic=True, size=9, fill=GROUP_FILL, h_align="center", border=True),
    "text": Style(wrap=True, v_align="top", border=True),
    "text_center": Style(h_align="center", v_align="top", border=True),
    "number": Style(h_align="right", v_align="top", border=True),
    "percent": Style(h_align="right", v_align="top", border=True, number_format=PERCENT_FORMAT),
    "predikat": Style(bold=True, h_align="center", v_align="top", border=True),
    "group_label": Style(bold=True, italic=True, fill=GROUP_FILL, border=True),
    "group_percent": Style(
        bold=True, fill=GROUP_FILL, border=True, h_align="right", number_format=PERCENT_FORMAT
    ),
    "group_blank": Style(fill=GROUP_FILL, border=True),
    "overall_label": Style(bold=True, fill=OVERALL_FILL, border=True),
    "overall_percent": Style(
        bold=True, fill=OVERALL_FILL, border=True, h_align="right", number_format=PERCENT_FORMAT
    ),
    "overall_blank": Style(fill=OVERALL_FILL, border=True),
    "footnote": Style(italic=True, size=9, wrap=True, v_align="top"),
    "signature": Style(h_align="center"),
    "signature_name": Style(bold=True, underline=True, h_align="center"),
    "summary": Style(bold=True),
    "link": Style(font_color="0563C1", underline=True, border=True, v_align="top"),
    "sev_error": Style(bold=True, font_color="922B21", fill="FADBD8", border=True, v_align="top"),
    "sev_warning": Style(bold=True, font_color="7D6608", fill="FCF3CF", border=True, v_align="top"),
    "sev_info": Style(bold=True, font_color="1B4F72", fill="D6EAF8", border=True, v_align="top"),
    "ok": Style(bold=True, font_color="1E8449", size=12),
    "iku_percent": Style(v_align=None, number_format=PERCENT_FORMAT),
    # wrapped, so the hidden code never overflows into the printed columns
    "code": Style(wrap=True, v_align="top", border=True),
    # the predikat scale table beside the Capaian table: few formats, few Excel calls
    "scale_bound": Style(h_align="right", number_format=PERCENT_FORMAT),
}

#: Predikat colours dark enough to need white text.
DARK_FILLS = frozenset({"1E8449", "E74C3C"})


def estimate_height(text: str, width: float, line: float = 15.0) -> float:
    """Height in points of ``text`` wrapped in a column ``width`` characters wide (an estimate)."""
    chars_per_line = max(int(width * 1.1), 1)
    if "\n" in text:
        lines = sum(max(1, -(-len(part) // chars_per_line)) for part in text.split("\n"))
    else:  # one paragraph (nearly every cell): the same count without the generator
        lines = max(1, -(-len(text) // chars_per_line))
    return min(max(line, lines * line), MAX_ROW_HEIGHT)
