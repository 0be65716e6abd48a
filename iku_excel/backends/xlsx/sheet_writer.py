"""The sheet writer: a :class:`~iku_excel.layout.SheetSpec` rendered straight to worksheet XML.

The worksheet XML is written as text, in one pass, every cell through the one cell encoder
(:mod:`~iku_excel.backends.xlsx.cellxml`). The *styles* are what openpyxl would write for a tiny
probe workbook holding one cell per distinct style (and one rule per conditional fill), so that
``styles.xml`` and the style indices are exactly openpyxl's: :func:`probe_styles` is that probe,
kept as the reference; the refresh writes the same bytes without openpyxl
(:mod:`~iku_excel.backends.xlsx.stylesheet`). The splice merges that ``styles.xml`` into the
user's. :func:`make_plan` turns a layout's outputs into the
:class:`~iku_excel.backends.xlsx.plan.PackagePlan` the splice applies."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING

from iku_excel.a1 import cell_address, column_letter, quote_sheet
from iku_excel.backends.xlsx.cellxml import cell_xml
from iku_excel.backends.xlsx.ooxml import MAIN_NS, R_NS, xml_attr
from iku_excel.backends.xlsx.plan import (
    CellWrite,
    PackagePlan,
    RenderedSheet,
    RenderedSheets,
    StyleMaps,
)
from iku_excel.sheets.spec import CellSpec, ConditionalFill, Outputs, SheetSpec, Style
from iku_excel.slots import slot_builder

if TYPE_CHECKING:
    from lxml import etree
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill


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


def apply_style(cell: Cell | MergedCell, style: Style) -> None:
    """Give an openpyxl cell ``style`` (the probe's cells; the reference renderer's in tests)."""
    objects = _style_objects(style)
    cell.font = objects.font
    if objects.fill is not None:
        cell.fill = objects.fill
    cell.alignment = objects.alignment
    if objects.border is not None:
        cell.border = objects.border
    cell.number_format = objects.number_format


@dataclass
class StyleIndex:
    """Where each style and each conditional fill landed in the probe's ``styles.xml``."""

    styles_xml: bytes
    xf: dict[Style, int]
    dxf: dict[ConditionalFill, int]


def probe_styles(specs: Sequence[SheetSpec]) -> StyleIndex:
    """``styles.xml`` holding every style the sheets use, via a tiny openpyxl workbook."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill

    styles: list[Style] = []
    seen: set[Style] = set()
    for spec in specs:
        for cell in spec.cells:
            style = spec.styles[cell.style] if cell.style else None
            if style is not None and style not in seen:
                seen.add(style)
                styles.append(style)
    fills = [rule for spec in specs for rule in spec.conditional_fills]
    book = Workbook()
    ws = book.active
    assert ws is not None
    for i, style in enumerate(styles, start=1):
        apply_style(ws.cell(row=i, column=1), style)
    for i, rule in enumerate(fills, start=1):
        ws.conditional_formatting.add(
            f"B{i}",
            CellIsRule(
                operator="equal",
                formula=[rule.operand],
                fill=PatternFill("solid", fgColor=rule.fill, bgColor=rule.fill),
                font=Font(color=rule.font_color, bold=rule.bold or None),
            ),
        )
    buffer = io.BytesIO()
    book.save(buffer)
    from lxml import etree

    with zipfile.ZipFile(buffer) as archive:
        styles_xml = archive.read("xl/styles.xml")
        sheet = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    xf: dict[Style, int] = {}
    for c in sheet.iter(f"{{{MAIN_NS}}}c"):
        row = int("".join(ch for ch in c.get("r", "") if ch.isdigit()))
        if c.get("r", "").startswith("A") and 1 <= row <= len(styles):
            xf[styles[row - 1]] = int(c.get("s", "0"))
    dxf: dict[ConditionalFill, int] = {}
    for block in sheet.iter(f"{{{MAIN_NS}}}conditionalFormatting"):
        row = int(block.get("sqref", "B0")[1:])
        rule_el = block.find(f"{{{MAIN_NS}}}cfRule")
        if rule_el is not None and 1 <= row <= len(fills):
            dxf[fills[row - 1]] = int(rule_el.get("dxfId", "0"))
    return StyleIndex(styles_xml, xf, dxf)


#: Rows of ``<sheetData>`` rendered per chunk of :func:`sheet_chunks` (about 100 KB of XML).
ROWS_PER_CHUNK = 500


def _sheet_data(
    spec: SheetSpec,
    cells: list[CellSpec],
    heights: dict[int, float],
    xf: dict[Style, int],
) -> Iterator[str]:
    """The rows of ``<sheetData>`` (``cells`` sorted by row and column), a few hundred rows per
    piece of text, so that no list of every cell's text is ever held."""
    # per style name and per column once, not per cell
    style_ids = {name: xf.get(style) for name, style in spec.styles.items()}
    letters: dict[int, str] = {}
    out: list[str] = []
    append = out.append
    index, n = 0, len(cells)
    for rows_done, row in enumerate(sorted({cell.row for cell in cells} | set(heights)), 1):
        height = heights.get(row)
        attrs = f' ht="{_width(height)}" customHeight="1"' if height is not None else ""
        if index >= n or cells[index].row != row:
            append(f'<row r="{row}"{attrs}/>')
        else:
            append(f'<row r="{row}"{attrs}>')
            digits = str(row)
            while index < n and cells[index].row == row:
                cell = cells[index]
                index += 1
                s = style_ids[cell.style] if cell.style else None
                letter = letters.get(cell.col)
                if letter is None:
                    letter = letters[cell.col] = column_letter(cell.col)
                ref = letter + digits
                if cell.formula is None and (cell.value is None or cell.value == ""):
                    append(f'<c r="{ref}" s="{s}"/>' if s else f'<c r="{ref}"/>')
                else:
                    append(cell_xml(ref, s, cell.value, cell.formula))
            append("</row>")
        if rows_done % ROWS_PER_CHUNK == 0:
            yield "".join(out)
            out.clear()
    yield "".join(out)


def _text(text: str) -> str:
    """``text`` escaped for XML character data (what ``xml.sax.saxutils.escape`` does, without
    importing it: it pulls in urllib.request and ssl)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _width(width: float) -> str:
    return repr(float(width)).removesuffix(".0")


def sheet_xml(
    spec: SheetSpec,
    index: StyleIndex,
    maps: StyleMaps | None = None,
    code_name: str | None = None,
    tab_selected: bool = False,
) -> bytes:
    """The worksheet part of ``spec``, formulas with their cached values.

    ``maps`` maps the probe's style indices to the target package's (the splicer's mapping);
    ``code_name`` keeps a replaced sheet's VBA code name; ``tab_selected`` selects the tab.
    """
    return b"".join(sheet_chunks(spec, index, maps, code_name, tab_selected))


def sheet_chunks(
    spec: SheetSpec,
    index: StyleIndex,
    maps: StyleMaps | None = None,
    code_name: str | None = None,
    tab_selected: bool = False,
    drawing: str | None = None,
) -> Iterator[bytes]:
    """:func:`sheet_xml` as a stream of UTF-8 chunks (a few hundred rows each), for a writer that
    deflates them as they come; ``drawing``: the relationship id of the sheet's drawing part,
    written as its ``<drawing>`` element (last, where the schema puts it after ``pageSetup``)."""
    xf = {style: (maps.xf(i) if maps else i) for style, i in index.xf.items()}
    dxf = {rule: (maps.dxf(i) if maps else i) for rule, i in index.dxf.items()}
    cells = sorted(spec.cells, key=_position)
    heights = {**spec.estimated_heights, **spec.row_heights}
    last_row = max(max((c.row for c in cells), default=1), max(heights, default=1))
    last_col = max((c.col for c in cells), default=1)
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{R_NS}">',
        f'<sheetPr codeName="{xml_attr(code_name)}">' if code_name else "<sheetPr>",
    ]
    if spec.tab_color:
        out.append(f'<tabColor rgb="FF{spec.tab_color}"/>')
    if spec.print_setup.fit_to_width:
        out.append('<pageSetUpPr fitToPage="1"/>')
    out.append("</sheetPr>")
    out.append(f'<dimension ref="A1:{cell_address(last_row, last_col)}"/>')
    selected = ' tabSelected="1"' if tab_selected else ""
    out.append(f'<sheetViews><sheetView{selected} workbookViewId="0">')
    if spec.freeze and spec.freeze != (1, 1):
        row, col = spec.freeze
        top_left = cell_address(row, col)
        x, y = col - 1, row - 1
        pane = "bottomRight" if x and y else ("topRight" if x else "bottomLeft")
        split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
        out.append(
            f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>'
        )
    out.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    columns = sorted(set(spec.column_widths) | spec.hidden_columns)
    if columns:
        out.append("<cols>")
        for col in columns:
            attrs = f' min="{col}" max="{col}"'
            if col in spec.column_widths:
                attrs += f' width="{_width(spec.column_widths[col])}" customWidth="1"'
            if col in spec.hidden_columns:
                attrs += ' hidden="1"'
            out.append(f"<col{attrs}/>")
        out.append("</cols>")
    out.append("<sheetData>")
    yield "".join(out).encode("utf-8")
    for text in _sheet_data(spec, cells, heights, xf):
        yield text.encode("utf-8")
    del cells
    yield _tail(spec, dxf, drawing).encode("utf-8")


def _tail(spec: SheetSpec, dxf: dict[ConditionalFill, int], drawing: str | None) -> str:
    """Everything after the cells: merges, conditional formats, print setup, the drawing."""
    out = ["</sheetData>"]
    if spec.merges:
        out.append(f'<mergeCells count="{len(spec.merges)}">')
        for r1, c1, r2, c2 in spec.merges:
            out.append(f'<mergeCell ref="{cell_address(r1, c1)}:{cell_address(r2, c2)}"/>')
        out.append("</mergeCells>")
    for priority, rule in enumerate(spec.conditional_fills, start=1):
        ref = f"{cell_address(rule.first_row, rule.first_col)}:" + cell_address(
            rule.last_row, rule.last_col
        )
        out.append(
            f'<conditionalFormatting sqref="{ref}"><cfRule type="cellIs" '
            f'dxfId="{dxf[rule]}" priority="{priority}" operator="equal">'
            f"<formula>{_text(rule.operand)}</formula></cfRule></conditionalFormatting>"
        )
    out.append('<printOptions horizontalCentered="1"/>')
    out.append(
        '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
    )
    ps = spec.print_setup
    fit = ' fitToWidth="1" fitToHeight="0"' if ps.fit_to_width else ""
    paper = ' paperSize="9"' if ps.paper == "A4" else ""
    out.append(f'<pageSetup orientation="{ps.orientation}"{paper}{fit}/>')
    if drawing is not None:
        out.append(f'<drawing r:id="{xml_attr(drawing)}"/>')
    out.append("</worksheet>")
    return "".join(out)


def _position(cell: CellSpec) -> int:
    """A sort key of a cell's place, row-major (an int: no tuple per cell)."""
    return cell.row * 16_384 + cell.col


def defined_names(spec: SheetSpec, local_sheet_id: int) -> list[etree._Element]:
    """The sheet's print titles and print area as ``definedName`` elements."""
    from lxml import etree

    names: list[etree._Element] = []
    sheet = quote_sheet(spec.name)
    if sheet == spec.name:
        sheet = "'" + spec.name + "'"  # openpyxl always quotes; keep the same text
    ps = spec.print_setup
    if ps.title_rows:
        el = etree.Element(
            f"{{{MAIN_NS}}}definedName", name="_xlnm.Print_Titles", localSheetId=str(local_sheet_id)
        )
        el.text = f"{sheet}!${ps.title_rows[0]}:${ps.title_rows[1]}"
        names.append(el)
    if ps.area:
        r1, c1, r2, c2 = ps.area
        el = etree.Element(
            f"{{{MAIN_NS}}}definedName", name="_xlnm.Print_Area", localSheetId=str(local_sheet_id)
        )
        el.text = f"{sheet}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"
        names.append(el)
    return names


def iku_cell_writes(outputs: Outputs) -> list[CellWrite]:
    """The IKU sheet's cells: the Capaian (%) header when added, and the column's cells."""
    writes: list[CellWrite] = []
    if outputs.iku_header is not None:
        h = outputs.iku_header
        writes.append(CellWrite(h.row, h.col, h.value))
    build = slot_builder(CellWrite)  # one per indicator row
    styles = outputs.capaian.styles
    for cell in outputs.iku_cells:
        style = styles.get(cell.style)
        writes.append(
            build(
                row=cell.row,
                col=cell.col,
                value=cell.value,
                formula=cell.formula,
                number_format=style.number_format if style else None,
            )
        )
    return writes


def with_charts(sheet: RenderedSheet, spec: SheetSpec) -> RenderedSheet:
    """``sheet`` with the drawing and chart parts of ``spec``'s charts (unchanged: none)."""
    from dataclasses import replace

    from iku_excel.backends.xlsx.chart import render_charts

    rendered = render_charts(spec)
    if rendered is None:
        return sheet
    return replace(sheet, drawing=rendered.drawing, charts=rendered.charts)


def make_plan(outputs: Outputs, *, activate: str | None = None) -> PackagePlan:
    """The package plan for ``outputs``: its sheets (Capaian, Validasi, ...) and IKU cells."""
    from iku_excel.backends.xlsx.stylesheet import style_index

    specs = outputs.sheets
    index = style_index(specs)  # equal to probe_styles(specs), without openpyxl
    rendered = RenderedSheets(
        tuple(
            with_charts(
                RenderedSheet(
                    spec.name,
                    render=partial(sheet_xml, spec, index),
                    stream=partial(sheet_chunks, spec, index),
                    defined_names=tuple(defined_names(spec, i)),
                ),
                spec,
            )
            for i, spec in enumerate(specs)
        ),
        index.styles_xml,
    )
    return PackagePlan(
        cell_writes={outputs.iku_sheet: iku_cell_writes(outputs)},
        activate=activate,
        rendered=rendered,
    )
