"""Apply :mod:`iku_excel.layout` descriptions to a file: render with openpyxl, splice the parts.

The user's workbook is never loaded and saved by openpyxl (that loses shapes, slicers, cached
values, the ribbon of an .xlsm...). Instead the new sheets are rendered into a *scratch* openpyxl
workbook, and :mod:`iku_excel.backends.xlsx_package` copies only those parts, and the cells of the
IKU ``Capaian (%)`` column, into the original package.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from iku_excel.sheets.spec import CellSpec, ConditionalFill, Outputs, SheetSpec, Style

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import Alignment, Border, Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    from iku_excel.backends.xlsx_package import PackagePlan


@dataclass(frozen=True)
class _StyleObjects:
    font: Font
    fill: PatternFill | None
    alignment: Alignment
    border: Border | None
    number_format: str


@lru_cache(maxsize=256)
def _style_objects(style: Style) -> _StyleObjects:
    """openpyxl objects of a style, built once (they are immutable, so cells can share them)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return _StyleObjects(
        font=Font(
            bold=style.bold,
            italic=style.italic,
            underline="single" if style.underline else None,
            size=style.size,
            color=style.font_color,
        ),
        fill=PatternFill("solid", fgColor=style.fill) if style.fill else None,
        alignment=Alignment(
            horizontal=style.h_align, vertical=style.v_align, wrap_text=style.wrap or None
        ),
        border=Border(left=thin, right=thin, top=thin, bottom=thin) if style.border else None,
        number_format=style.number_format,
    )


def _apply_style(cell: Cell | MergedCell, style: Style) -> None:
    objects = _style_objects(style)
    cell.font = objects.font
    if objects.fill is not None:
        cell.fill = objects.fill
    cell.alignment = objects.alignment
    if objects.border is not None:
        cell.border = objects.border
    cell.number_format = objects.number_format


def _write_cell(
    ws: Worksheet, spec: CellSpec, styles: dict[str, Style], cached: dict[tuple[int, int], object]
) -> None:
    cell = ws.cell(row=spec.row, column=spec.col)
    if spec.formula is not None:
        cell.value = spec.formula
        cached[(spec.row, spec.col)] = spec.value
    else:
        cell.value = spec.value
        if isinstance(spec.value, str):
            cell.data_type = "s"  # text stays text: only spec.formula makes a formula
    if spec.style:
        _apply_style(cell, styles[spec.style])


def _cell_is_rule(fill: ConditionalFill) -> Rule:
    """An openpyxl "cell value equals" rule with its differential style (fill and font)."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill

    return CellIsRule(
        operator="equal",
        formula=[fill.operand],
        # a dxf fill: Excel takes a conditional format's solid colour from bgColor, other
        # readers (LibreOffice) from fgColor; both are set
        fill=PatternFill("solid", start_color=fill.fill, end_color=fill.fill),
        font=Font(color=fill.font_color, bold=fill.bold or None),
    )


def render_sheet(book: Workbook, spec: SheetSpec) -> dict[tuple[int, int], object]:
    """Render ``spec`` as a new sheet of ``book``; returns the formula cells' cached values."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = book.create_sheet(spec.name)
    cached: dict[tuple[int, int], object] = {}
    for cell in spec.cells:
        _write_cell(ws, cell, spec.styles, cached)
    for r1, c1, r2, c2 in spec.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for fill in spec.conditional_fills:
        first = f"{get_column_letter(fill.first_col)}{fill.first_row}"
        last = f"{get_column_letter(fill.last_col)}{fill.last_row}"
        ws.conditional_formatting.add(
            first if first == last else f"{first}:{last}", _cell_is_rule(fill)
        )
    for col, width in spec.column_widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in spec.hidden_columns:
        ws.column_dimensions[get_column_letter(col)].hidden = True
    # openpyxl cannot measure text: the estimates are written; then the heights every engine sets
    for row, height in (spec.estimated_heights | spec.row_heights).items():
        ws.row_dimensions[row].height = height
    if spec.freeze:
        ws.freeze_panes = ws.cell(row=spec.freeze[0], column=spec.freeze[1]).coordinate
    ps = spec.print_setup
    ws.page_setup.orientation = ps.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if ps.fit_to_width:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if ps.title_rows:
        ws.print_title_rows = f"{ps.title_rows[0]}:{ps.title_rows[1]}"
    if ps.area:
        r1, c1, r2, c2 = ps.area
        ws.print_area = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    return cached


def make_plan(outputs: Outputs, *, activate: str | None = None) -> PackagePlan:
    """The package plan for ``outputs``: two rendered sheets and the IKU column cells."""
    from openpyxl import Workbook

    from iku_excel.backends.sheet_xml import iku_cell_writes
    from iku_excel.backends.xlsx_package import PackagePlan

    scratch = Workbook()
    default = scratch.active
    cached: dict[str, dict[tuple[int, int], object]] = {}
    for spec in (outputs.capaian, outputs.validasi):
        cached[spec.name] = render_sheet(scratch, spec)
    if default is not None:
        scratch.remove(default)
    return PackagePlan(
        scratch=scratch,
        cached_values=cached,
        cell_writes={outputs.iku_sheet: iku_cell_writes(outputs)},
        activate=activate,
    )
