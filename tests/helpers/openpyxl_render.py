"""The reference renderer: sheets rendered by openpyxl, handed to the splice as rendered sheets.

The production writer (:mod:`iku_excel.backends.xlsx.sheet_writer`) writes worksheet XML as
text. This module renders the same :class:`~iku_excel.layout.SheetSpec` through openpyxl into a
*scratch* workbook instead, saves it, and turns its sheets into the
:class:`~iku_excel.backends.xlsx.plan.RenderedSheets` the production splice takes (shared strings
made inline, style indices mapped, cached values of formula cells added, hyperlink relationships
kept). Tests use it as the reference (``tests/test_sheet_xml.py``) and to build varied rendered
sheets cheaply (``tests/test_xlsx_package.py``). Nothing in ``iku_excel`` imports it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from lxml import etree

from iku_excel.a1 import cell_address, parse_ref
from iku_excel.backends.xlsx.cellxml import encode
from iku_excel.backends.xlsx.ooxml import (
    PARSER,
    PKG_REL_NS,
    R_NS,
    RT_HYPERLINK,
    RT_WORKSHEET,
    XML_DECLARATION,
    detached_copy,
    elements,
    is_true,
    ns_of,
    q,
    rels_name,
    resolve_target,
)
from iku_excel.backends.xlsx.plan import (
    PackagePlan,
    RenderedSheet,
    RenderedSheets,
    StyleMaps,
)
from iku_excel.backends.xlsx.sheet_writer import apply_style, iku_cell_writes
from iku_excel.sheets.spec import CellSpec, ConditionalFill, Outputs, SheetSpec, Style

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import Rule
    from openpyxl.worksheet.worksheet import Worksheet


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
        apply_style(cell, styles[spec.style])


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
    """The package plan for ``outputs`` with both sheets rendered through openpyxl."""
    from openpyxl import Workbook

    scratch = Workbook()
    default = scratch.active
    cached: dict[str, dict[tuple[int, int], object]] = {}
    for spec in outputs.sheets:
        cached[spec.name] = render_sheet(scratch, spec)
    if default is not None:
        scratch.remove(default)
    return PackagePlan(
        cell_writes={outputs.iku_sheet: iku_cell_writes(outputs)},
        activate=activate,
        rendered=rendered_sheets(scratch, cached),
    )


# --- The scratch workbook as rendered sheets ------------------------------------------------------


@dataclass
class _ScratchSheet:
    title: str
    xml: bytes
    rels: bytes | None
    protected: bool
    names: list[etree._Element]


@dataclass
class _Scratch:
    sheets: list[_ScratchSheet]
    styles: etree._Element
    shared_strings: list[etree._Element]


def _read_rels(data: bytes) -> list[tuple[str, str, str, bool]]:
    root = etree.fromstring(data, PARSER)
    return [
        (
            rel.get("Id") or "",
            rel.get("Type") or "",
            rel.get("Target") or "",
            rel.get("TargetMode") == "External",
        )
        for rel in root.iter(q("Relationship", PKG_REL_NS))
    ]


def _load_scratch(workbook: Workbook, date1904: bool) -> _Scratch:
    """Save the scratch workbook (in the original's date system) and read back its parts."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    saved_epoch = workbook.epoch
    workbook.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    finally:
        workbook.epoch = saved_epoch
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        book = etree.fromstring(archive.read("xl/workbook.xml"), PARSER)
        rels = {
            rid: (kind, target)
            for rid, kind, target, _ in _read_rels(archive.read("xl/_rels/workbook.xml.rels"))
        }
        styles = etree.fromstring(archive.read("xl/styles.xml"), PARSER)
        strings: list[etree._Element] = []
        if "xl/sharedStrings.xml" in names:
            strings = elements(etree.fromstring(archive.read("xl/sharedStrings.xml"), PARSER), "si")
        sheets: list[_ScratchSheet] = []
        for sheet in book.iter(q("sheet")):
            title = sheet.get("name") or ""
            kind, target = rels[sheet.get(q("id", R_NS)) or ""]
            if kind != RT_WORKSHEET:
                raise ValueError(f"scratch sheet {title!r} is not a worksheet: not supported")
            part = resolve_target("xl/workbook.xml", target)
            xml = archive.read(part)
            rels_part = rels_name(part)
            sheet_rels = archive.read(rels_part) if rels_part in names else None
            for _, rel_type, _, _ in _read_rels(sheet_rels) if sheet_rels else []:
                if rel_type != RT_HYPERLINK:
                    raise ValueError(
                        f"scratch sheet {title!r} has a {rel_type.rpartition('/')[2]} part: the "
                        f"splice carries only cells, styles and hyperlinks"
                    )
            protection = etree.fromstring(xml, PARSER).find(q("sheetProtection"))
            protected = protection is not None and is_true(protection.get("sheet"))
            sheets.append(_ScratchSheet(title, xml, sheet_rels, protected, []))
        for name in book.iter(q("definedName")):
            local = name.get("localSheetId")
            if local is None or not local.isdigit() or int(local) >= len(sheets):
                raise ValueError(
                    f"scratch defined name {name.get('name')!r} is not local to a sheet: "
                    f"workbook-level names are not carried over"
                )
            sheets[int(local)].names.append(name)
    return _Scratch(sheets, styles, strings)


def _convert_scratch_sheet(
    sheet: _ScratchSheet,
    styles: StyleMaps,
    strings: list[etree._Element],
    cached: Mapping[tuple[int, int], object],
    *,
    code_name: str | None,
    tab_selected: bool,
    date1904: bool,
) -> tuple[bytes, bool]:
    """The scratch sheet's XML ready for the original package; also: has it formulas?"""
    root = etree.fromstring(sheet.xml, PARSER)
    remaining = dict(cached)
    has_formulas = False
    for cell in root.iter(q("c")):
        style = cell.get("s")
        if style is not None:
            cell.set("s", str(styles.xf(int(style))))
        if cell.find(q("f")) is not None:
            has_formulas = True
            value = remaining.pop(parse_ref(cell.get("r") or ""), None)
            _set_formula_value(cell, value, date1904)
        elif cell.get("t") == "s":
            value_node = cell.find(q("v"))
            index = int(value_node.text or 0) if value_node is not None else 0
            for child in elements(cell):
                cell.remove(child)
            inline = etree.SubElement(cell, q("is"))
            for child in elements(strings[index]):
                inline.append(detached_copy(child))
            cell.set("t", "inlineStr")
    if remaining:
        refs = ", ".join(cell_address(*key) for key in sorted(remaining)[:5])
        raise ValueError(f"cached values given for non-formula cells of {sheet.title!r}: {refs}")
    for row in root.iter(q("row")):
        if row.get("s") is not None:
            row.set("s", str(styles.xf(int(row.get("s") or 0))))
    for col in root.iter(q("col")):
        if col.get("style") is not None:
            col.set("style", str(styles.xf(int(col.get("style") or 0))))
    for rule in root.iter(q("cfRule")):
        if rule.get("dxfId") is not None:
            rule.set("dxfId", str(styles.dxf(int(rule.get("dxfId") or 0))))
    for view in root.iter(q("sheetView")):
        if tab_selected:
            view.set("tabSelected", "1")
        else:
            view.attrib.pop("tabSelected", None)
    if code_name:
        properties = root.find(q("sheetPr"))
        if properties is None:
            properties = etree.Element(q("sheetPr"))
            root.insert(0, properties)
        properties.set("codeName", code_name)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8"), has_formulas


# --- The splice -----------------------------------------------------------------------------------


def _set_formula_value(cell: etree._Element, value: object, date1904: bool) -> None:
    """Give the formula cell ``cell`` the cached ``value`` (its ``<f>`` stays)."""
    ns = ns_of(cell)
    for child in elements(cell, "v"):
        cell.remove(child)
    cell.attrib.pop("t", None)
    formula = cell.find(q("f", ns))
    content = encode(value, formula.text if formula is not None else "", date1904)
    if content.kind is not None:
        cell.set("t", content.kind)
    if content.value is not None:
        node = etree.Element(q("v", ns))
        node.text = content.value
        if formula is not None:
            formula.addnext(node)
        else:
            cell.insert(0, node)


def rendered_sheets(
    workbook: Workbook,
    cached_values: Mapping[str, Mapping[tuple[int, int], object]],
    *,
    date1904: bool = False,
) -> RenderedSheets:
    """The scratch workbook's sheets as rendered sheets for the splice.

    ``cached_values``: sheet title -> (row, col) -> cached value of its formula cells (openpyxl
    writes formulas without a value). Raises ValueError for cached values of cells that hold no
    formula, and for scratch content the splice does not carry (see :func:`_load_scratch`).
    """
    scratch = _load_scratch(workbook, date1904)
    titles = {sheet.title.casefold() for sheet in scratch.sheets}
    for title in cached_values:
        if title.casefold() not in titles:
            raise ValueError(f"cached_values: the scratch workbook has no sheet {title!r}")
    by_title = {title.casefold(): values for title, values in cached_values.items()}
    return RenderedSheets(
        tuple(
            RenderedSheet(
                sheet.title,
                render=partial(
                    _render_scratch_sheet,
                    sheet,
                    scratch,
                    by_title.get(sheet.title.casefold(), {}),
                    date1904,
                ),
                defined_names=tuple(sheet.names),
                rels=sheet.rels,
                protected=sheet.protected,
            )
            for sheet in scratch.sheets
        ),
        etree.tostring(scratch.styles),
    )


def _render_scratch_sheet(
    sheet: _ScratchSheet,
    scratch: _Scratch,
    cached: Mapping[tuple[int, int], object],
    date1904: bool,
    maps: StyleMaps,
    code_name: str | None,
    tab_selected: bool,
) -> bytes:
    xml, _ = _convert_scratch_sheet(
        sheet,
        maps,
        scratch.shared_strings,
        cached,
        code_name=code_name,
        tab_selected=tab_selected,
        date1904=date1904,
    )
    return xml
