"""Test-only: drive the xlwings engine without Excel, replay what it did onto openpyxl, compare.

xlwings' remote engine (``xw.Book(json=payload)``, part of xlwings' licensed ``pro`` package;
tests set ``XLWINGS_LICENSE_KEY=noncommercial``) builds a book from the JSON an Excel add-in
client sends and records every write as an action in ``book.json()["actions"]``.

- :func:`payload` makes that JSON from a workbook file (cell values as Excel shows them, read
  with openpyxl ``data_only``; dates as ISO strings, which the remote engine reads back as
  ``datetime``).
- :class:`Replayer` applies recorded actions to an openpyxl workbook the way Excel would: text
  written to a cell is parsed as if typed (``"1.1"`` becomes a number, ``"=..."`` a formula,
  ``"'..."`` stays text), sheets are added at an index, a cleared sheet loses values, formats
  (conditional ones too), merges and hyperlinks but keeps its row heights and column widths,
  conditional formats become openpyxl rules, and so on. An action it does not know raises, so
  nothing the engine does goes unchecked.
- :func:`workbook_differences` compares the result with the file engine's, cell for cell and
  format for format (conditional formats included), except what :data:`EXEMPT` lists.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import warnings
import weakref
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlwings
from openpyxl.cell.cell import Cell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.colors import Color
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from iku_excel import contract
from iku_excel.reader import find_sheet
from iku_excel.sheets.capaian_tw import SHEET_CAPAIAN_TW
from tests.helpers.chart_replay import file_charts, replay_chart_action, replayed_charts

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

#: What :class:`Replayer` stores for text that Excel would have turned into something else.
CONVERTED = "<converted by Excel: {kind} {text!r}>"

_NUMBER = re.compile(r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$")
_DATE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?\s*$")
_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?\s*$")
_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"}
_BOOLEANS = {"TRUE": True, "FALSE": False}


#: Formats the file engine writes that the remote engine cannot record, so the replay cannot
#: show them; they are left out of the comparison. Desktop Excel on Windows gets them through
#: its own object model (``XlwingsEngine.native``); the ``excel`` tests compare them.
EXEMPT = {
    "underline": "xlwings has no underline property (Windows: Font.Underline through COM)",
    "tab_color": "xlwings has no tab colour property (Windows: Tab.Color through COM)",
    "page_setup": "orientation, paper, fit to width, print titles, centring, margins "
    "(Windows: PageSetup through COM); the print area IS compared",
    "cached_values": "Excel computes formula results itself; formulas are compared as text",
    "fitted_row_heights": "rows the xlwings engine has Excel AutoFit (wrapped text, in one "
    "call): Excel measures the text, the file engine writes an estimate (openpyxl cannot "
    "measure) and the replay cannot measure either, so those rows' heights are not compared "
    "(:func:`fitted_rows`); heights every engine sets (header, merged footnote) ARE compared",
}

#: Rows of each replayed sheet whose height came from an AutoFit of rows with content.
_FITTED: weakref.WeakKeyDictionary[Worksheet, set[int]] = weakref.WeakKeyDictionary()

#: Office.js operators of a cell-value conditional format -> OOXML ``cfRule/@operator``.
_CF_OPERATORS = {
    "EqualTo": "equal",
    "NotEqualTo": "notEqual",
    "Between": "between",
    "NotBetween": "notBetween",
    "GreaterThan": "greaterThan",
    "LessThan": "lessThan",
    "GreaterThanOrEqual": "greaterThanOrEqual",
    "LessThanOrEqual": "lessThanOrEqual",
}


def fitted_rows(ws: Worksheet) -> set[int]:
    """Rows of a replayed sheet whose height Excel measures (an AutoFit after the content was
    written), unless a height was set explicitly afterwards."""
    return set(_FITTED.get(ws, ()))


# --- Payload --------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat() if isinstance(value, dt.datetime) else f"{value}T00:00:00"
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def payload(path: Path, *, active: int = 0, calculation: str | None = None) -> dict[str, Any]:
    """The JSON an Office.js client sends for the workbook at ``path``.

    ``calculation`` ("Automatic", "Manual"): the calculation mode newer clients report.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[_json_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
        sheets.append(
            {
                "name": ws.title,
                "values": values or [[""]],
                "pictures": [],
                "tables": [],
                # the sheet's charts as Office.js reports them: name, type and geometry only
                "charts": [
                    {
                        "name": f"Chart {i}",
                        "chart_type": "ColumnClustered",
                        "left": 0,
                        "top": 0,
                        "width": 355,
                        "height": 211,
                    }
                    for i, _ in enumerate(ws._charts, start=1)
                ],
                "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
            }
        )
    book: dict[str, Any] = {"name": path.name, "active_sheet_index": active, "selection": "A1"}
    if calculation is not None:
        book["calculation"] = calculation
    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": book,
        "names": [],
        "sheets": sheets,
    }


def enable_remote_engine() -> None:
    """Make sure xlwings' remote engine is registered.

    xlwings registers it when it is first imported, and only if ``XLWINGS_LICENSE_KEY`` is set
    then; a test module that imported xlwings earlier without the key leaves it out. The caller
    sets the key (tests: ``monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")``).
    """
    if "remote" not in [engine.name for engine in xlwings.engines]:
        from xlwings.pro import _xlremote

        xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))


def remote_book(path: Path, **options: Any) -> xlwings.Book:
    """A remote-engine book holding the workbook at ``path`` (see :func:`payload`)."""
    enable_remote_engine()
    return xlwings.Book(json=payload(path, **options))


# --- Excel's parsing of written values ------------------------------------------------------------


def typed(value: object) -> object:
    """What a cell holds after ``value`` is written to it through Excel (as if typed)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("="):
        return value
    stripped = value.strip()
    if _NUMBER.match(stripped.replace(" ", "")):
        number = float(stripped.replace(" ", "").rstrip("%").replace(",", ""))
        return number / 100 if stripped.endswith("%") else number
    if stripped.upper() in _BOOLEANS:
        return _BOOLEANS[stripped.upper()]
    if stripped.upper() in _ERRORS:
        return CONVERTED.format(kind="error", text=value)
    if _DATE.match(stripped) or _TIME.match(stripped):
        return CONVERTED.format(kind="date", text=value)
    if value[0] in "+-@":
        return CONVERTED.format(kind="formula", text=value)
    return value


# --- The replayer ---------------------------------------------------------------------------------

#: The StyleArray field of each kind of cell style, and the workbook collection it indexes.
_STYLE_COLLECTIONS = {
    "fontId": "_fonts",
    "fillId": "_fills",
    "borderId": "_borders",
    "alignmentId": "_alignments",
}
_LINE_STYLES = {
    ("continuous", "hairline"): "hair",
    ("continuous", "thin"): "thin",
    ("continuous", "medium"): "medium",
    ("continuous", "thick"): "thick",
    ("dash", "thin"): "dashed",
    ("dash", "medium"): "mediumDashed",
    ("dot", "thin"): "dotted",
    ("double", "thick"): "double",
    ("double", "thin"): "double",
    ("dash_dot", "thin"): "dashDot",
    ("dash_dot_dot", "thin"): "dashDotDot",
}


@dataclass
class Replayer:
    """Apply recorded remote-engine actions to ``wb`` (an openpyxl copy of the workbook)."""

    wb: Workbook
    alerts: list[list[Any]] = field(default_factory=list)
    activated: list[str] = field(default_factory=list)
    settings: list[tuple[str, Any]] = field(default_factory=list)
    # (sheet title, row, col, side) -> {"line_style", "weight", "color"}
    _borders: dict[tuple[str, int, int, str], dict[str, Any]] = field(default_factory=dict)
    _memo: dict[tuple[str, int, Hashable], int] = field(default_factory=dict)

    def replay(self, actions: Iterable[Mapping[str, Any]]) -> None:
        """Apply each action with the method named ``_<action name>`` (``_setFormula``...)."""
        for action in actions:
            handler = getattr(self, "_" + action["func"], None)
            if handler is None:
                raise NotImplementedError(f"replayer: unknown action {action['func']!r}")
            handler(action)

    # -- addressing --

    def _sheet(self, action: Mapping[str, Any]) -> Worksheet:
        return self.wb.worksheets[action["sheet_position"]]

    def _bounds(self, action: Mapping[str, Any]) -> tuple[int, int, int, int]:
        r1, c1 = action["start_row"] + 1, action["start_column"] + 1
        return r1, c1, r1 + action["row_count"] - 1, c1 + action["column_count"] - 1

    def _cells(self, action: Mapping[str, Any]) -> Iterable[Cell]:
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        if r2 - r1 >= MAX_ROWS - 1 or c2 - c1 >= MAX_COLUMNS - 1:
            raise NotImplementedError("replayer: cell formats on whole rows/columns")
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                yield ws.cell(row=row, column=col)

    # -- values --

    def _setValues(self, action: Mapping[str, Any]) -> None:
        self._write(action)

    def _setFormula(self, action: Mapping[str, Any]) -> None:
        self._write(action)

    def _write(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        values: Sequence[Sequence[object]] = action["values"]
        assert len(values) == r2 - r1 + 1 and all(len(line) == c2 - c1 + 1 for line in values)
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                cell = ws.cell(row=r1 + i, column=c1 + j)
                cell.value = typed(value)
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    cell.data_type = "s"

    # -- formats --

    def _setNumberFormat(self, action: Mapping[str, Any]) -> None:
        for cell in self._cells(action):
            cell.number_format = action["args"][0]

    def _restyle(self, cell: Cell, slot: str, change: Hashable, edit: Callable[[Any], Any]) -> None:
        """Give ``cell`` a copy of its font/fill/border/alignment changed by ``edit``.

        The same change to the same original is made once and shared (openpyxl keeps one entry
        per distinct style), which keeps a 2,000-row replay fast.
        """
        collection = getattr(self.wb, _STYLE_COLLECTIONS[slot])
        if cell._style is None:
            cell._style = StyleArray()
        old = getattr(cell._style, slot)
        key = (slot, old, change)
        new = self._memo.get(key)
        if new is None:
            changed = copy.copy(collection[old])
            new = self._memo[key] = collection.add(edit(changed) or changed)
        setattr(cell._style, slot, new)

    def _setFontProperty(self, action: Mapping[str, Any]) -> None:
        prop, value = action["args"]
        attr = {"bold": "b", "italic": "i", "size": "sz", "color": "color", "name": "name"}[prop]
        if prop == "color":
            value = None if value is None else "FF" + value.lstrip("#").upper()
        for cell in self._cells(action):
            self._restyle(cell, "fontId", (attr, value), lambda f: setattr(f, attr, value))

    def _setRangeColor(self, action: Mapping[str, Any]) -> None:
        colour = _arg(action)
        if colour is None:
            fill = PatternFill(fill_type=None)
        else:
            fill = PatternFill("solid", fgColor="FF" + colour.lstrip("#").upper())
        for cell in self._cells(action):
            self._restyle(cell, "fillId", colour, lambda _: fill)

    def _align(self, action: Mapping[str, Any], key: str, value: Any) -> None:
        for cell in self._cells(action):
            self._restyle(cell, "alignmentId", (key, value), lambda a: setattr(a, key, value))

    def _setHorizontalAlignment(self, action: Mapping[str, Any]) -> None:
        self._align(action, "horizontal", _arg(action).lower())

    def _setVerticalAlignment(self, action: Mapping[str, Any]) -> None:
        self._align(action, "vertical", _arg(action).lower())

    def _setWrapText(self, action: Mapping[str, Any]) -> None:
        self._align(action, "wrap_text", bool(_arg(action)) or None)

    def _setBorderProperty(self, action: Mapping[str, Any]) -> None:
        side, attr, value = action["args"]
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        targets: list[tuple[int, int, str]] = []
        if side == "edge_top":
            targets = [(r1, c, "top") for c in range(c1, c2 + 1)]
        elif side == "edge_bottom":
            targets = [(r2, c, "bottom") for c in range(c1, c2 + 1)]
        elif side == "edge_left":
            targets = [(r, c1, "left") for r in range(r1, r2 + 1)]
        elif side == "edge_right":
            targets = [(r, c2, "right") for r in range(r1, r2 + 1)]
        elif side == "inside_horizontal":
            for r in range(r1, r2):
                for c in range(c1, c2 + 1):
                    targets += [(r, c, "bottom"), (r + 1, c, "top")]
        elif side == "inside_vertical":
            for r in range(r1, r2 + 1):
                for c in range(c1, c2):
                    targets += [(r, c, "right"), (r, c + 1, "left")]
        else:
            raise NotImplementedError(f"replayer: border side {side!r}")
        for row, col, cell_side in targets:
            state = self._borders.setdefault((ws.title, row, col, cell_side), {})
            state[attr] = value
            line = state.get("line_style")
            if line is None:
                side_now = Side()
            else:
                colour = state.get("color")
                side_now = Side(
                    style=_LINE_STYLES[(line, state.get("weight", "thin"))],
                    color=None if colour is None else colour.lstrip("#").upper(),
                )
            change = (cell_side, side_now.style, colour_key(side_now))
            self._restyle(
                ws.cell(row=row, column=col),
                "borderId",
                change,
                lambda b, name=cell_side, new=side_now: setattr(b, name, new),
            )

    def _copyFromRange(self, action: Mapping[str, Any]) -> None:
        """``Range.copyFrom(source, "Formats")`` as Office.js documents it
        (https://learn.microsoft.com/en-us/javascript/api/excel/excel.range#excel-excel-range-copyfrom-member(1),
        https://learn.microsoft.com/en-us/javascript/api/excel/excel.rangecopytype): each cell
        of the destination takes every format of the source cell at the same offset (font,
        fill, borders, alignment, number format, protection: the whole cell style), values
        untouched; a destination smaller than the source is expanded to the source's size.
        What the documentation leaves open is refused, so the engine never relies on it: a
        destination larger than the source (tiling), other copy types, skip blanks,
        transpose, a source with conditional formats (Excel copies them with the formats).
        Merges go as Excel pastes formats: the destination's merges are undone and the
        source's repeated at the same offsets."""
        sheet_index, address, copy_type, skip_blanks, transpose = action["args"]
        if str(copy_type).lower() != "formats" or skip_blanks or transpose:
            raise NotImplementedError(f"replayer: copyFrom {action['args']!r}")
        source_ws = self.wb.worksheets[sheet_index]
        where = address.replace("$", "").split("!")[-1]
        sc1, sr1, sc2, sr2 = range_boundaries(where if ":" in where else f"{where}:{where}")
        assert None not in (sc1, sr1, sc2, sr2), address
        r1, c1, r2, c2 = self._bounds(action)
        if r2 - r1 > sr2 - sr1 or c2 - c1 > sc2 - sc1:
            raise NotImplementedError("replayer: copyFrom onto a larger destination (tiling)")
        r2, c2 = r1 + sr2 - sr1, c1 + sc2 - sc1  # expanded to the source's size
        for formatting in source_ws.conditional_formatting:
            for cells in formatting.sqref.ranges:
                if not (
                    cells.max_row < sr1
                    or cells.min_row > sr2
                    or cells.max_col < sc1
                    or cells.min_col > sc2
                ):
                    raise NotImplementedError("replayer: copyFrom of conditional formats")
        ws = self._sheet(action)
        for merged in list(ws.merged_cells.ranges):
            rows_meet = merged.min_row <= r2 and merged.max_row >= r1
            if rows_meet and merged.min_col <= c2 and merged.max_col >= c1:
                ws.unmerge_cells(str(merged))
        dr, dc = r1 - sr1, c1 - sc1
        for row in range(sr1, sr2 + 1):
            for col in range(sc1, sc2 + 1):
                src = source_ws.cell(row=row, column=col)
                dst = ws.cell(row=row + dr, column=col + dc)
                dst._style = copy.copy(src._style) if src.has_style else StyleArray()
                for side in ("left", "right", "top", "bottom"):
                    state = self._borders.get((source_ws.title, row, col, side))
                    key = (ws.title, row + dr, col + dc, side)
                    if state is None:
                        self._borders.pop(key, None)
                    else:
                        self._borders[key] = dict(state)
        for merged in list(source_ws.merged_cells.ranges):
            rows_in = sr1 <= merged.min_row and merged.max_row <= sr2
            if rows_in and sc1 <= merged.min_col and merged.max_col <= sc2:
                ws.merge_cells(
                    start_row=merged.min_row + dr,
                    start_column=merged.min_col + dc,
                    end_row=merged.max_row + dr,
                    end_column=merged.max_col + dc,
                )

    def _addConditionalFormat(self, action: Mapping[str, Any]) -> None:
        """A cell-value rule (the only kind the engine adds), as openpyxl's ``CellIsRule``."""
        entry = action["args"][0]
        if entry["type"] != "CellValue":
            raise NotImplementedError(f"replayer: conditional format {entry['type']!r}")
        r1, c1, r2, c2 = self._bounds(action)
        where = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
        if (r1, c1) == (r2, c2):
            where = f"{get_column_letter(c1)}{r1}"
        formulas = [f.removeprefix("=") for f in (entry["formula1"], entry["formula2"]) if f]
        fill = _hex(entry.get("fill_color"))
        rule = CellIsRule(
            operator=_CF_OPERATORS[entry["operator"]],
            formula=formulas,
            stopIfTrue=entry.get("stop_if_true") or None,
            fill=PatternFill("solid", start_color=fill, end_color=fill) if fill else None,
            font=Font(
                color=_hex(entry.get("font_color")),
                bold=entry.get("font_bold"),
                italic=entry.get("font_italic"),
            ),
        )
        self._sheet(action).conditional_formatting.add(where, rule)

    def _rangeMerge(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        r1, c1, r2, c2 = self._bounds(action)
        rows = [(r, r) for r in range(r1, r2 + 1)] if _arg(action) else [(r1, r2)]
        for a, b in rows:
            ws.merge_cells(start_row=a, start_column=c1, end_row=b, end_column=c2)

    # -- rows and columns --

    def _setColumnWidth(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        _, c1, _, c2 = self._bounds(action)
        for col in range(c1, c2 + 1):
            ws.column_dimensions[get_column_letter(col)].width = _arg(action)

    def _setColumnHidden(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        _, c1, _, c2 = self._bounds(action)
        hidden = bool(_arg(action))
        if c2 - c1 >= MAX_COLUMNS - 1:  # the whole sheet: only columns that have settings
            for dim in ws.column_dimensions.values():
                dim.hidden = hidden
            return
        for col in range(c1, c2 + 1):
            ws.column_dimensions[get_column_letter(col)].hidden = hidden

    def _setRowHeight(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        r1, _, r2, _ = self._bounds(action)
        fitted = _FITTED.get(ws, set())
        for row in range(r1, r2 + 1):
            ws.row_dimensions[row].height = _arg(action)
            fitted.discard(row)

    def _setAutofit(self, action: Mapping[str, Any]) -> None:
        """AutoFit of the rows of a range: Excel measures their text, which the replay cannot;
        the rows are recorded as fitted and their heights left out of the comparison."""
        if _arg(action) != "rows":
            raise NotImplementedError("replayer: column autofit needs text metrics")
        ws = self._sheet(action)
        r1, _, r2, _ = self._bounds(action)
        fitted = _FITTED.setdefault(ws, set())
        for row in range(r1, r2 + 1):
            ws.row_dimensions[row].height = None
            fitted.add(row)

    def _setSheetAutofit(self, action: Mapping[str, Any]) -> None:
        if _arg(action) != "rows":
            raise NotImplementedError("replayer: column autofit needs text metrics")
        # Every row of a just-cleared sheet is empty: AutoFit gives them the default height.
        ws = self._sheet(action)
        assert not any(c.value is not None for c in ws._cells.values()), "autofit on content"
        for dim in ws.row_dimensions.values():
            dim.height = None

    # -- sheets --

    def _addSheet(self, action: Mapping[str, Any]) -> None:
        index, name = action["args"]
        self.wb.create_sheet(name, index)

    def _sheetDelete(self, action: Mapping[str, Any]) -> None:
        self.wb.remove(self._sheet(action))

    def _sheetClear(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        ws._cells.clear()
        ws._hyperlinks = []
        ws.conditional_formatting = ConditionalFormattingList()
        _FITTED.pop(ws, None)
        for key in [k for k in self._borders if k[0] == ws.title]:
            del self._borders[key]

    # -- charts (tests/helpers/chart_replay.py) --

    def _chart(self, action: Mapping[str, Any]) -> None:
        replay_chart_action(self._sheet(action), action["func"], list(action["args"]))

    _addChart = _setChartXAxisValues = _setChartTitle = _setChartSeries = _chart
    _deleteChart = _chart

    def _activateSheet(self, action: Mapping[str, Any]) -> None:
        index = action["args"]
        index = index[0] if isinstance(index, list) else index
        self.wb.active = index
        self.activated.append(self.wb.worksheets[index].title)

    def _freezePaneAtRange(self, action: Mapping[str, Any]) -> None:
        ws = self._sheet(action)
        address = _arg(action).replace("$", "")
        if re.fullmatch(r"\d+:\d+", address):  # whole rows
            ws.freeze_panes = f"A{int(address.split(':')[1]) + 1}"
        elif re.fullmatch(r"[A-Z]+:[A-Z]+", address):  # whole columns
            _, _, c2, _ = range_boundaries(f"{address.split(':')[1]}1")
            ws.freeze_panes = f"{get_column_letter(c2 + 1)}1"
        else:
            _, _, c2, r2 = range_boundaries(address)
            ws.freeze_panes = f"{get_column_letter(c2 + 1)}{r2 + 1}"

    def _freezePaneUnfreeze(self, action: Mapping[str, Any]) -> None:
        self._sheet(action).freeze_panes = None

    def _setPrintArea(self, action: Mapping[str, Any]) -> None:
        self._sheet(action).print_area = _arg(action)

    # -- application --

    def _setScreenUpdating(self, action: Mapping[str, Any]) -> None:
        self.settings.append(("screen_updating", _arg(action)))

    def _setCalculation(self, action: Mapping[str, Any]) -> None:
        self.settings.append(("calculation", _arg(action)))

    def _alert(self, action: Mapping[str, Any]) -> None:
        self.alerts.append(list(action["args"]))


def colour_key(side: Side) -> str | None:
    return side.color.rgb if side.color is not None else None


def _hex(colour: str | None) -> str | None:
    """``"#1e8449"`` (as the remote engine records colours) as openpyxl's ``"1E8449"``."""
    return None if colour is None else colour.lstrip("#").upper()


def _arg(action: Mapping[str, Any]) -> Any:
    args = action["args"]
    return args[0] if isinstance(args, list) else args


def replay_onto(path: Path, actions: Iterable[Mapping[str, Any]]) -> tuple[Workbook, Replayer]:
    """Load ``path`` with openpyxl (formulas kept) and replay ``actions`` onto it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    replayer = Replayer(wb)
    replayer.replay(actions)
    return wb, replayer


# --- Comparing with the file engine's result -----------------------------------------------------


def rgb(color: Color | None) -> str | None:
    """A colour as ``RRGGBB`` (None: no colour, or a theme/indexed one)."""
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return color.rgb[-6:].upper()


def cell_format(cell: Cell) -> dict[str, object]:
    """What is compared of a cell's format (underline exempt, see :data:`EXEMPT`)."""
    font, align, border = cell.font, cell.alignment, cell.border
    sides = []
    for name in ("left", "right", "top", "bottom"):
        side = getattr(border, name)
        sides.append((side.style, rgb(side.color) if side.style else None))
    return {
        "number_format": cell.number_format,
        "bold": bool(font.b),
        "italic": bool(font.i),
        "size": float(font.sz or 11),
        "font_color": rgb(font.color),
        "fill": rgb(cell.fill.fgColor) if cell.fill.fill_type == "solid" else None,
        "h_align": None if align.horizontal in (None, "general") else align.horizontal,
        "v_align": None if align.vertical in (None, "bottom") else align.vertical,
        "wrap": bool(align.wrap_text),
        "border": tuple(sides),
        "link": cell.hyperlink.location if cell.hyperlink else None,
    }


def _same_value(a: object, b: object) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        # the file engine's scratch sheets are written by openpyxl with 16 significant digits
        return math.isclose(a, b, rel_tol=1e-15, abs_tol=0.0)
    return a == b


def _columns(ws: Worksheet) -> dict[int, tuple[float | None, bool]]:
    out: dict[int, tuple[float | None, bool]] = {}
    for dim in ws.column_dimensions.values():
        first = dim.min or column_index_from_string(dim.index)
        for col in range(first, (dim.max or first) + 1):
            out[col] = (dim.width if dim.customWidth else None, bool(dim.hidden))
    return {col: props for col, props in out.items() if props != (None, False)}


def conditional_formats(ws: Worksheet) -> list[tuple[object, ...]]:
    """Every conditional-format rule of ``ws``: range, kind, operator, operands, stop-if-true,
    fill (pattern, colours) and font (colour, bold, italic), in a stable order. Compared as a
    set: the rules the layout writes are exclusive (one per predikat label), so their
    priorities do not change what a cell shows."""
    rules: list[tuple[object, ...]] = []
    for formatting in ws.conditional_formatting:
        for rule in formatting.rules:
            dxf = rule.dxf
            fill = dxf.fill if dxf is not None else None
            font = dxf.font if dxf is not None else None
            rules.append(
                (
                    str(formatting.sqref),
                    rule.type,
                    rule.operator,
                    tuple(rule.formula or ()),
                    bool(rule.stopIfTrue),
                    None
                    if fill is None
                    else (fill.fill_type, rgb(fill.fgColor), rgb(fill.bgColor)),
                    None if font is None else (rgb(font.color), bool(font.b), bool(font.i)),
                )
            )
    return sorted(rules, key=repr)


def _print_area(ws: Worksheet) -> str | None:
    area = ws.print_area
    return None if not area else area.split("!")[-1].replace("$", "")


def sheet_differences(
    expected: Worksheet, actual: Worksheet, *, fitted: Collection[int] | None = None
) -> list[str]:
    """Every difference between two sheets, as readable lines (empty: identical).

    Row heights of ``fitted`` rows (default: :func:`fitted_rows` of ``actual``) are not
    compared: Excel measured them (see :data:`EXEMPT`).
    """
    skip = fitted_rows(actual) if fitted is None else set(fitted)
    diffs: list[str] = []
    n_rows = max(expected.max_row, actual.max_row)
    n_cols = max(expected.max_column, actual.max_column)
    for row in range(1, n_rows + 1):
        for col in range(1, n_cols + 1):
            e, a = expected.cell(row=row, column=col), actual.cell(row=row, column=col)
            where = f"{expected.title}!{e.coordinate}"
            if not _same_value(e.value, a.value):
                diffs.append(f"{where} value: {e.value!r} != {a.value!r}")
            fe, fa = cell_format(e), cell_format(a)
            diffs += [f"{where} {k}: {fe[k]!r} != {fa[k]!r}" for k in fe if fe[k] != fa[k]]
    merges_e = sorted(str(m) for m in expected.merged_cells.ranges)
    merges_a = sorted(str(m) for m in actual.merged_cells.ranges)
    if merges_e != merges_a:
        diffs.append(f"{expected.title} merges: {merges_e} != {merges_a}")
    if _columns(expected) != _columns(actual):
        diffs.append(f"{expected.title} columns: {_columns(expected)} != {_columns(actual)}")
    if conditional_formats(expected) != conditional_formats(actual):
        diffs.append(
            f"{expected.title} conditional formats: "
            f"{conditional_formats(expected)} != {conditional_formats(actual)}"
        )
    heights_e = {r: d.height for r, d in expected.row_dimensions.items() if d.height}
    heights_a = {r: d.height for r, d in actual.row_dimensions.items() if d.height}
    heights_e = {r: h for r, h in heights_e.items() if r not in skip}
    heights_a = {r: h for r, h in heights_a.items() if r not in skip}
    if heights_e != heights_a:
        diffs.append(f"{expected.title} row heights: {heights_e} != {heights_a}")
    if expected.freeze_panes != actual.freeze_panes:
        diffs.append(f"{expected.title} freeze: {expected.freeze_panes} != {actual.freeze_panes}")
    if _print_area(expected) != _print_area(actual):
        diffs.append(f"{expected.title} print area: {expected.print_area} != {actual.print_area}")
    return diffs


def workbook_differences(
    expected: Workbook, actual: Workbook, *, fitted: Mapping[str, Collection[int]] | None = None
) -> list[str]:
    """Sheet order, active sheet, and the IKU, Capaian and Validasi sheets.

    ``fitted``: sheet name -> rows whose heights Excel measured, for a workbook that was not
    replayed (saved by a real Excel); a replayed workbook knows its own (:func:`fitted_rows`).
    """
    diffs: list[str] = []
    if expected.sheetnames != actual.sheetnames:
        diffs.append(f"sheets: {expected.sheetnames} != {actual.sheetnames}")
    if expected.active.title != actual.active.title:  # type: ignore[union-attr]
        diffs.append("active sheet differs")
    wanted_sheets = [contract.SHEET_IKU, contract.SHEET_CAPAIAN, contract.SHEET_VALIDASI]
    if find_sheet(expected.sheetnames, SHEET_CAPAIAN_TW) is not None:
        wanted_sheets.append(SHEET_CAPAIAN_TW)
    for wanted in wanted_sheets:
        e_name = find_sheet(expected.sheetnames, wanted)
        a_name = find_sheet(actual.sheetnames, wanted)
        assert e_name is not None and a_name is not None, wanted
        rows = None if fitted is None else fitted.get(a_name, ())
        diffs += sheet_differences(expected[e_name], actual[a_name], fitted=rows)
    # charts: the expected workbook is a file (the file engine's), the actual one replayed
    e_name = find_sheet(expected.sheetnames, contract.SHEET_CAPAIAN)
    a_name = find_sheet(actual.sheetnames, contract.SHEET_CAPAIAN)
    assert e_name is not None and a_name is not None
    e_charts, a_charts = file_charts(expected[e_name]), replayed_charts(actual[a_name])
    replayed = a_charts or not actual[a_name]._charts  # a replay, or a file without charts
    if replayed and e_charts != a_charts:
        diffs.append(f"{e_name} charts: {e_charts} != {a_charts}")
    return diffs
