"""The xlwings engine: read and refresh a workbook that is open in Excel, through xlwings.

The ribbon (:mod:`iku_excel.ribbon`) and ``iku-excel refresh --engine excel`` use it. It applies
the same :class:`~iku_excel.layout.Outputs` as the file engine; only the means differ. Every
call crosses a process boundary (COM on Windows, AppleScript on a Mac), so the engine keeps the
number of calls small and independent of the number of indicators where it can:

- **reading**: one value read per sheet (from A1 to the used range's last cell). Number formats
  matter (a percent-formatted ``0.8`` means 80 %): on desktop Excel they are read per column,
  one call for a column whose cells share a format, splitting a mixed column in halves within a
  small budget of calls. Engines that cannot read formats (xlwings' remote engine) give
  ``formats=None``: a percent-formatted cell is then read as ``0.8``, not 80.
- **writing**: the IKU ``Capaian (%)`` cells go as one block per run of consecutive rows; each
  output sheet is cleared (or added, last) and gets all its values and formulas in ONE 2-D
  block (the Validasi links included: they are ``HYPERLINK`` formulas); formats are applied to
  rectangles of cells sharing one attribute (bold, fill, border, number format...), so a table
  costs a few calls per sasaran group, not per indicator: on desktop Excel one call per
  attribute for all groups (multi-area ranges; one longer than Excel's 255-character address
  is reached through temporary defined names, :mod:`~iku_excel.backends.areas`), elsewhere one
  copy of formats per group's rata-rata row (:func:`~iku_excel.backends.paint.copy_plan`), and
  copies and widths that cut what every refresh does once (:mod:`~iku_excel.backends.remote_plan`).
  Nothing that varies row by row is a cell format: predikat colours are conditional formats
  (one call per predikat band, and they follow the predikat when a planner edits a
  realisasi), and the rows of wrapped text get their heights from ONE AutoFit call (Excel
  measures the text; the file engine, which cannot, writes the layout's estimates). Only the
  heights of merged text, which AutoFit ignores, are set row by row, and there are a fixed
  number of those (the footnote).
- screen updating and automatic calculation are suspended during the build and the user's
  settings restored afterwards, even on error (where the engine can read them).

Existing ``Capaian``/``Validasi`` sheets are cleared, not deleted: formulas elsewhere that point
at them keep working (deleting would turn them into ``#REF!``). Clearing removes values, formats
(conditional ones too), merges and hyperlinks; row heights are reset by an AutoFit and hidden
columns shown again.

Some things have no xlwings API and are set through the native object model on Windows only
(skipped elsewhere): freeze panes (where xlwings has no implementation), underline, tab colour
and the page setup (orientation, A4, fit to width, print titles, margins). Nothing here needs
xlwings' licensed ``pro`` package; the remote engine is only used by the tests.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iku_excel.a1 import cell_address, column_letter
from iku_excel.backends.areas import AreaNames, Rect, schedule
from iku_excel.backends.base import SheetSelector
from iku_excel.backends.format_reads import (
    FORMAT_READS_PER_COLUMN,
    fill_format_runs,
    number_rows,
    read_format_runs,
)
from iku_excel.backends.paint import (
    Copy,
    fit_rows,
    format_layers,
    height_runs,
    merge_groups,
    row_runs,
)
from iku_excel.backends.remote_plan import cross_sheet_plan, width_paints
from iku_excel.backends.xlwings_charts import draw_charts
from iku_excel.model import SheetGrid
from iku_excel.reader import find_sheet
from iku_excel.sheets.spec import CellValue, ConditionalFill, SheetSpec

if TYPE_CHECKING:
    import xlwings as xw

    from iku_excel.sheets.spec import Outputs

#: Integral floats below this are read as ``int``, as openpyxl reads what Excel wrote.
_EXACT_INT_LIMIT = 1e15
#: Words Excel turns into booleans when typed (English and Indonesian Excel).
_BOOLEAN_WORDS = frozenset({"TRUE", "FALSE", "BENAR", "SALAH"})
#: Excel's ``xlUnderlineStyleSingle``, ``xlLandscape``/``xlPortrait``, ``xlPaperA4``.
_XL_UNDERLINE_SINGLE = 2
_XL_ORIENTATION = {"landscape": 2, "portrait": 1}
_XL_PAPER = {"A4": 9, "Letter": 1, "Legal": 5, "Folio": 14}
_BORDER_COLOR = "#808080"  # the file engine's thin grey border
#: ``Range.copy_from``'s copy type for formats only, spelled as Office.js' ``RangeCopyType``
#: (https://learn.microsoft.com/en-us/javascript/api/excel/excel.rangecopytype), which the
#: remote engine hands to ``Range.copyFrom`` unchanged.
COPY_FORMATS = "Formats"
_MAC = sys.platform == "darwin"  # where xlwings' Sheet.range mangles "A1:B1,A3:B3"


# --- Values ---------------------------------------------------------------------------------------


def excel_input(value: CellValue) -> CellValue:
    """``value`` as it must be written through Excel so that it stays what it is.

    Excel parses what is written to a cell as if typed: ``"=..."``, ``"+1"``, ``"-"``, ``"@x"``
    become formulas, ``"1.1"``/``"80%"``/``"1/2"`` numbers or dates, ``"TRUE"`` a boolean,
    ``"#N/A"`` an error. Such text gets a leading apostrophe, which Excel stores as "this is
    text" and does not show. Other values pass unchanged.
    """
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    risky = (
        value[0] in "=+-@'#"
        or any(ch.isdigit() for ch in value)
        or value.strip().upper() in _BOOLEAN_WORDS
    )
    return "'" + value if risky else value


def _read_value(value: object) -> object:
    """A value read from Excel, normalised as the file engine's reader gives it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return int(value)
    return value


# --- Shapes (the format plan is :mod:`iku_excel.backends.paint`) --------------------------------


def value_block(spec: SheetSpec) -> list[list[CellValue]]:
    """The sheet's values and formulas as one rectangle from A1 (text protected)."""
    if not spec.cells:
        return []
    n_rows = max(c.row for c in spec.cells)
    n_cols = max(c.col for c in spec.cells)
    block: list[list[CellValue]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in spec.cells:
        block[cell.row - 1][cell.col - 1] = (
            cell.formula if cell.formula is not None else excel_input(cell.value)
        )
    return block


def frozen_range(row: int, col: int) -> str | None:
    """The cells above and left of ``(row, col)`` (what Excel freezes), as an address."""
    if row <= 1 and col <= 1:
        return None
    if col <= 1:
        return f"1:{row - 1}"
    if row <= 1:
        return f"A:{column_letter(col - 1)}"
    return f"A1:{cell_address(row - 1, col - 1)}"


# --- Application settings -------------------------------------------------------------------------


def _read_setting(app: xw.App, name: str) -> object:
    try:
        return getattr(app, name)
    except NotImplementedError:
        return None


@contextmanager
def suspended(app: xw.App) -> Iterator[None]:
    """Screen updating off and manual calculation while the block runs; the user's settings
    are restored afterwards, even on error. An engine that cannot report a setting keeps it
    (the remote engine suspends screen updating only until its next sync, so it is set there
    without being restored)."""
    restore: list[Callable[[], None]] = []
    try:
        screen = _read_setting(app, "screen_updating")
        if screen is not False:
            app.screen_updating = False
            if screen is not None:
                restore.append(lambda: setattr(app, "screen_updating", screen))
        calculation = _read_setting(app, "calculation")
        if isinstance(calculation, str) and calculation != "manual":
            app.calculation = "manual"
            restore.append(lambda: setattr(app, "calculation", calculation))
        yield
    except BaseException:
        _undo(restore, quiet=True)
        raise
    _undo(restore, quiet=False)


def _undo(steps: list[Callable[[], None]], *, quiet: bool) -> None:
    """Run every step (last first) even if one fails; re-raise the first failure unless quiet."""
    failure: Exception | None = None
    for step in reversed(steps):
        try:
            step()
        except Exception as exc:
            failure = failure or exc
    if failure is not None and not quiet:
        raise failure


# --- The engine -----------------------------------------------------------------------------------


class XlwingsEngine:
    """A workbook open in Excel (or any xlwings engine): implements ``WorkbookEngine``."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self._formats_readable: bool | None = None  # unknown until the first try
        self._names = AreaNames(book)  # the temporary names of long layers (areas.py)
        self._built: list[tuple[SheetSpec, Any]] = []  # sheets of this apply, to copy from

    @property
    def label(self) -> str:
        try:
            return str(self.book.fullname)
        except (NotImplementedError, AttributeError):
            return str(self.book.name)

    @property
    def native(self) -> bool:
        """Whether Excel's own object model (COM, Windows) is reachable through ``.api``."""
        return sys.platform == "win32" and self.book.app.engine.name == "excel"

    # -- reading --

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read(self, select: SheetSelector) -> tuple[list[str], dict[str, SheetGrid]]:
        names = self.sheet_names()
        grids = {name: self.read_sheet(name) for name in select(names)}
        return names, grids

    def read_sheet(self, name: str) -> SheetGrid:
        """One sheet's values from A1 (one read), and its number formats where readable."""
        sheet = self.book.sheets[name]
        last = sheet.used_range.last_cell
        raw = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
        values: list[list[object]] = [[_read_value(v) for v in line] for line in raw or []]
        while values and all(v is None or v == "" for v in values[-1]):
            values.pop()
        if not values:
            return SheetGrid(name, [], [])
        return SheetGrid(name, values, self._read_formats(sheet, values))

    def read_merges(self, sheets: Sequence[str]) -> dict[str, list[tuple[int, int, int, int]]]:
        """Merged ranges of ``sheets`` (for ``adopt``), read from the book's file on disk.

        Excel's object model has no list of a sheet's merged areas (only a per-cell test, one
        call per cell); the saved file has them. A book never saved, or one Excel opened from
        elsewhere (the web), gives none: the detector then reads a parent header that is not
        merged over its children the same way.
        """
        from iku_excel.backends.xlsx.reader import read_merges

        try:
            path = Path(self.book.fullname)
        except (NotImplementedError, AttributeError):
            return {}
        if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
            return {}
        try:
            return read_merges(path, sheets)
        except Exception:  # unreadable file on disk: detect without merges
            return {}

    def read_formulas(self, sheet: str, col: int) -> dict[int, str]:
        """Row -> formula (``"=..."``) of the cells of column ``col`` that hold one (one read).

        Engines that cannot read formulas (the remote engine) give ``{}``: every formula the
        refresh writes then counts as a change.
        """
        target = self.book.sheets[sheet]
        last = target.used_range.last_cell.row
        try:
            raw = target.range((1, col), (last, col)).formula
        except NotImplementedError:
            return {}
        lines = [raw] if isinstance(raw, str) else list(raw or [])
        out: dict[int, str] = {}
        for row, line in enumerate(lines, start=1):
            text = line[0] if isinstance(line, list | tuple) else line
            if isinstance(text, str) and text.startswith("="):
                out[row] = text
        return out

    def _read_formats(
        self, sheet: xw.Sheet, values: list[list[object]]
    ) -> list[list[str | None]] | None:
        if self._formats_readable is False:
            return None
        formats: list[list[str | None]] = [[None] * len(line) for line in values]
        n_cols = max(len(line) for line in values)
        for col in range(1, n_cols + 1):
            rows = number_rows(values, col)
            if not rows:
                continue

            def get(r1: int, r2: int, col: int = col) -> object:
                return sheet.range((r1, col), (r2, col)).number_format

            try:
                runs = read_format_runs(get, rows[0], rows[-1], FORMAT_READS_PER_COLUMN)
            except NotImplementedError:
                self._formats_readable = False
                return None
            self._formats_readable = True
            fill_format_runs(formats, col, runs)
        return formats

    # -- writing --

    def apply(self, outputs: Outputs) -> None:
        """Write the IKU Capaian (%) cells, then (re)build the Capaian and Validasi sheets."""
        self._built = []  # only sheets written now are copied from (a planner may edit others)
        with self.building(), self._names.scope():
            iku = self.book.sheets[outputs.iku_sheet]
            if outputs.iku_header is not None:
                h = outputs.iku_header
                iku.range((h.row, h.col)).formula = [[excel_input(h.value)]]
            # One block per run of consecutive rows, with the number format of the cells' style
            # (only the format: the planner's font and fill in the IKU sheet stay).
            styles = outputs.capaian.styles
            runs: dict[tuple[int, str | None], dict[int, CellValue]] = {}
            for cell in outputs.iku_cells:
                fmt = styles[cell.style].number_format if cell.style in styles else None
                value = cell.formula if cell.formula is not None else excel_input(cell.value)
                runs.setdefault((cell.col, fmt), {})[cell.row] = value
            for (col, fmt), cells in sorted(runs.items(), key=lambda i: (i[0][0], i[0][1] or "")):
                for r1, r2 in row_runs(cells):
                    target = iku.range((r1, col), (r2, col))
                    target.formula = [[cells[r]] for r in range(r1, r2 + 1)]
                    if fmt is not None:
                        target.number_format = fmt
            for spec in outputs.sheets:
                self.write_sheet(spec)

    @contextmanager
    def building(self) -> Iterator[None]:
        """Settings suspended, and the user's active sheet active again afterwards."""
        try:
            active: str | None = self.book.sheets.active.name
        except (NotImplementedError, AttributeError):
            active = None
        with suspended(self.book.app):
            yield
            if active is not None and active in self.sheet_names():
                self.book.sheets[active].activate()

    def write_sheet(self, spec: SheetSpec) -> xw.Sheet:
        """Clear (or add, last) the sheet named like ``spec`` and render ``spec`` into it."""
        with self._names.scope():
            sheet, title = self._fresh_sheet(spec.name)
            block = value_block(spec)
            if block:
                sheet.range((1, 1), (len(block), len(block[0]))).formula = block
            self._paint(sheet, title, spec)
            for fill in spec.conditional_fills:
                add_conditional_fill(sheet, fill)
            for across, rects in merge_groups(spec.merges, multi_area=self.multi_area):
                for target in self._ranges(sheet, title, rects):
                    target.merge(across) if across else target.merge()
            self._widths(sheet, title, spec.column_widths)
            hidden = [(1, c1, 1, c2) for c1, c2 in row_runs(spec.hidden_columns)]
            for target in self._ranges(sheet, title, hidden):
                target.columns.hidden = True
        fitted = fit_rows(spec)
        if fitted is not None:  # after widths and wrapping: AutoFit measures with them
            r1, c1, r2, c2 = fitted
            sheet.range((r1, c1), (r2, c2)).rows.autofit()
        for r1, r2, height in height_runs(spec.row_heights):
            sheet.range((r1, 1), (r2, 1)).row_height = height
        draw_charts(sheet, spec)  # backends/xlwings_charts.py
        self._finish(sheet, spec)
        self._built.append((spec, sheet))
        return sheet

    def _widths(self, sheet: xw.Sheet, title: str, widths: dict[int, float]) -> None:
        """Column widths: on desktop Excel one call per width (its columns as one multi-area
        range); elsewhere runs painted over and the exceptions after (remote_plan.py)."""
        if not self.multi_area:
            for c1, c2, width in width_paints(widths):
                sheet.range((1, c1), (1, c2)).column_width = width
            return
        by_width: dict[float, list[int]] = {}
        for col, width in widths.items():
            by_width.setdefault(width, []).append(col)
        for width, cols in sorted(by_width.items()):
            columns = [(1, c1, 1, c2) for c1, c2 in row_runs(cols)]
            for target in self._ranges(sheet, title, columns):
                target.column_width = width

    def _fresh_sheet(self, name: str) -> tuple[xw.Sheet, str]:
        """The sheet to render ``name`` into, and its name as the book spells it."""
        existing = find_sheet(self.sheet_names(), name)
        if existing is None:
            sheets = self.book.sheets
            return sheets.add(name, after=sheets[len(sheets) - 1]), name
        sheet = self.book.sheets[existing]
        sheet.clear()  # values, formats, merges, hyperlinks
        sheet.autofit("rows")  # the old rows' custom heights
        sheet.cells.columns.hidden = False
        return sheet, existing

    @property
    def multi_area(self) -> bool:
        """Whether a range may have several areas (``"A5:A9,A12:A20"``): desktop Excel, not the
        remote engine (nor xlwings Lite)."""
        try:
            return str(self.book.app.engine.name) == "excel"
        except (AttributeError, NotImplementedError):
            return False

    def _paint(self, sheet: xw.Sheet, title: str, spec: SheetSpec) -> None:
        """Every cell's format (:mod:`~iku_excel.backends.paint`): on desktop Excel layers of
        multi-area ranges; elsewhere layers of rectangles, then the copies of repeated rows
        (``copy_from`` with the formats only, ONE action each, remote engine and xlwings Lite;
        before the merges and the conditional formats, so a copy carries neither)."""
        copies: list[Copy] = []
        across: list[tuple[int, Copy]] = []  # from sheets written before (remote_plan.py)
        if self.multi_area:  # layers of the same long areas next to each other (areas.py)
            layers = schedule(format_layers(spec, multi_area=True))
        else:
            earlier = [built for built, _ in self._built]
            layers, copies, across = cross_sheet_plan(spec, earlier)
        for name, value, rects in layers:
            if name == "underline" and not self.native:  # no xlwings property: no lookup
                continue
            for target in self._ranges(sheet, title, rects):
                self._format(target, name, value)
        for (s1, t1, s2, t2), (r1, c1, r2, c2) in copies:
            source = sheet.range((s1, t1), (s2, t2))
            # Office.js RangeCopyType "Formats": font, fill, borders, alignment, number format
            sheet.range((r1, c1), (r2, c2)).copy_from(source, copy_type=COPY_FORMATS)
        for k, ((s1, t1, s2, t2), (r1, c1, r2, c2)) in across:
            source = self._built[k][1].range((s1, t1), (s2, t2))
            sheet.range((r1, c1), (r2, c2)).copy_from(source, copy_type=COPY_FORMATS)

    def _ranges(self, sheet: xw.Sheet, title: str, rects: Sequence[Rect]) -> Iterator[Any]:
        """The ranges to make one call each on (sheet ``title``): one per rectangle, or on
        desktop Excel ONE multi-area range, whatever the number of areas: an address of up to
        255 characters, or the union of the temporary names ``_IkuExcelAreas``...
        (:meth:`~iku_excel.backends.areas.AreaNames.ranges`)."""
        if not self.multi_area or len(rects) == 1:
            for r1, c1, r2, c2 in rects:
                yield sheet.range((r1, c1), (r2, c2))
            return
        yield from self._names.ranges(sheet, title, rects, _MAC)

    def _format(self, target: Any, name: str, value: object) -> None:
        """Set one format attribute of ``target`` (xlwings' setters take literal types); the
        values of :data:`~iku_excel.backends.paint.RESETS` give a cell back its fresh look."""
        if name == "bold":
            target.font.bold = bool(value)
        elif name == "italic":
            target.font.italic = bool(value)
        elif name == "underline":
            if self.native:  # xlwings has no underline property
                target.api.Font.Underline = _XL_UNDERLINE_SINGLE
        elif name == "size":
            target.font.size = value
        elif name == "font_color":
            target.font.color = f"#{value}"
        elif name == "fill":
            target.color = None if value is None else f"#{value}"
        elif name == "h_align":
            target.horizontal_alignment = value
        elif name == "v_align":
            target.vertical_alignment = value
        elif name == "wrap":
            target.wrap_text = bool(value)
        elif name == "border":
            # a continuous line is thin unless told otherwise: two properties a side, not three
            target.borders.set("all", line_style="continuous", color=_BORDER_COLOR)
        elif name == "number_format":
            target.number_format = value
        else:  # pragma: no cover - style_attributes and this function list the same names
            raise ValueError(f"unknown format attribute {name!r}")

    def _finish(self, sheet: xw.Sheet, spec: SheetSpec) -> None:
        """Freeze panes, print area and, on Windows, page setup and tab colour."""
        if spec.freeze is not None:
            self._freeze(sheet, *spec.freeze)
        ps = spec.print_setup
        if ps.area is not None:
            r1, c1, r2, c2 = ps.area
            address = f"${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"
            with suppress(NotImplementedError):
                sheet.page_setup.print_area = address
        if not self.native:
            return
        _com_page_setup(self.book.app.api, sheet.api, spec)
        if spec.tab_color:
            sheet.api.Tab.Color = _bgr(spec.tab_color)

    def _freeze(self, sheet: xw.Sheet, row: int, col: int) -> None:
        frozen = frozen_range(row, col)
        try:
            if frozen is None:
                sheet.freeze_panes.unfreeze()
            else:
                sheet.freeze_panes.freeze_at(frozen)
            return
        except NotImplementedError:
            if not self.native:
                return
        sheet.activate()  # Excel freezes panes on a window, which shows the active sheet
        window = self.book.api.Windows(1)  # this book's window, even if another one is active
        window.FreezePanes = False
        window.ScrollRow = 1
        window.ScrollColumn = 1
        if frozen is not None:
            window.SplitRow = row - 1
            window.SplitColumn = col - 1
            window.FreezePanes = True


def add_conditional_fill(sheet: xw.Sheet, fill: ConditionalFill) -> None:
    """One "cell value equals" conditional format (xlwings >= 0.37.5 on every engine: on
    Windows ``FormatConditions.Add`` with the colours converted to Excel's BGR integers, on a
    Mac through AppleScript, on the remote engine an ``addConditionalFormat`` action)."""
    target = sheet.range((fill.first_row, fill.first_col), (fill.last_row, fill.last_col))
    target.conditional_formats.add_cell_value(
        "equal_to",
        "=" + fill.operand,
        fill_color=f"#{fill.fill}",
        font_color=f"#{fill.font_color}" if fill.font_color else None,
        font_bold=True if fill.bold else None,
    )


def _bgr(hex_colour: str) -> int:
    """``"1F4E78"`` as the integer Excel's COM colours use (red in the low byte)."""
    value = hex_colour.lstrip("#")[-6:]
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return red + green * 256 + blue * 65536


def _com_page_setup(app_api: Any, sheet_api: Any, spec: SheetSpec) -> None:
    """The page setup the file engine writes, through Excel's PageSetup object (Windows)."""
    ps = spec.print_setup
    with suppress(Exception):  # Excel 2010+: one printer round trip, not one per property
        app_api.PrintCommunication = False
    try:
        setup = sheet_api.PageSetup
        setup.Orientation = _XL_ORIENTATION.get(ps.orientation, 2)
        if ps.paper in _XL_PAPER:
            setup.PaperSize = _XL_PAPER[ps.paper]
        if ps.fit_to_width:
            setup.Zoom = False
            setup.FitToPagesWide = 1
            setup.FitToPagesTall = False
        setup.PrintTitleRows = f"${ps.title_rows[0]}:${ps.title_rows[1]}" if ps.title_rows else ""
        setup.CenterHorizontally = True
        setup.LeftMargin = setup.RightMargin = app_api.InchesToPoints(0.4)
        setup.TopMargin = setup.BottomMargin = app_api.InchesToPoints(0.5)
    finally:
        with suppress(Exception):
            app_api.PrintCommunication = True


__all__: Sequence[str] = (
    "FORMAT_READS_PER_COLUMN",
    "XlwingsEngine",
    "add_conditional_fill",
    "excel_input",
    "frozen_range",
    "read_format_runs",
    "suspended",
    "value_block",
)
