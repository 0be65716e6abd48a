"""DrawingML for the file engine: a sheet's ChartSpecs as chart and drawing parts.

:func:`chart_xml` writes one ``chartN.xml`` (a clustered column chart with an optional line series
on the same axes: the 100 % target line), its series referring to the sheet's cells and carrying
their cached values (so a reader that does not recalculate still draws the bars);
:func:`drawing_xml` the sheet's ``drawingN.xml`` with one anchored frame per chart. The splice
(:mod:`~iku_excel.backends.xlsx.splice`) names the parts, links them and registers their
content types. Elements are written in the schema's order (openxml-audit checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iku_excel.a1 import absolute_range, quote_sheet
from iku_excel.backends.xlsx.cellxml import xml_text
from iku_excel.backends.xlsx.ooxml import R_NS, xml_attr
from iku_excel.sheets.spec import CellValue, ChartSpec, Rect, SheetSpec

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
RT_DRAWING = R_NS + "/drawing"
RT_CHART = R_NS + "/chart"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
EMU_PER_POINT = 12_700
BAR_COLOUR = "2E75B6"
LINE_COLOUR = "C00000"
_CAT_AX, _VAL_AX = 500_100, 500_200


@dataclass(frozen=True)
class RenderedCharts:
    """A sheet's charts as parts: the drawing (its chart relationships numbered ``rId1``..
    in the order of ``charts``) and one chart part each."""

    drawing: bytes
    charts: tuple[bytes, ...]


def render_charts(spec: SheetSpec) -> RenderedCharts | None:
    """The drawing and chart parts of ``spec``'s charts, None for a sheet without charts."""
    if not spec.charts:
        return None
    spec.index_columns(
        col
        for chart in spec.charts
        for rect in (chart.categories, chart.values, chart.line)
        if rect is not None
        for col in range(rect[1], rect[3] + 1)
    )
    return RenderedCharts(
        drawing_xml(spec.charts), tuple(chart_xml(spec, chart) for chart in spec.charts)
    )


def _ref(sheet: str, rect: Rect) -> str:
    return f"{quote_sheet(sheet)}!{absolute_range(*rect)}"


def _cells(spec: SheetSpec, rect: Rect) -> list[CellValue]:
    r1, c1, r2, c2 = rect
    if c1 == c2:  # one column, as every series is
        return spec.column_values(c1, r1, r2)
    return [spec.value_at(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _num_ref(spec: SheetSpec, rect: Rect) -> str:
    points = [
        f'<c:pt idx="{i}"><c:v>{value!r}</c:v></c:pt>'
        for i, value in enumerate(_cells(spec, rect))
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    n = rect[2] - rect[0] + 1
    return (
        f"<c:numRef><c:f>{xml_text(_ref(spec.name, rect))}</c:f><c:numCache>"
        f'<c:formatCode>General</c:formatCode><c:ptCount val="{n}"/>{"".join(points)}'
        "</c:numCache></c:numRef>"
    )


def _str_ref(spec: SheetSpec, rect: Rect) -> str:
    values = _cells(spec, rect)
    points = [
        f'<c:pt idx="{i}"><c:v>{xml_text(_text(value))}</c:v></c:pt>'
        for i, value in enumerate(values)
        if value not in (None, "")
    ]
    return (
        f"<c:strRef><c:f>{xml_text(_ref(spec.name, rect))}</c:f><c:strCache>"
        f'<c:ptCount val="{len(values)}"/>{"".join(points)}</c:strCache></c:strRef>'
    )


def _text(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _series(
    spec: SheetSpec, chart: ChartSpec, index: int, values: Rect, style: str, tail: str = ""
) -> str:
    name_cell = chart.names[index]
    tx = ""
    if name_cell is not None:
        r, c = name_cell
        tx = f"<c:tx>{_str_ref(spec, (r, c, r, c))}</c:tx>"
    head = f'<c:idx val="{index}"/><c:order val="{index}"/>{tx}{style}'
    body = (
        f"<c:cat>{_str_ref(spec, chart.categories)}</c:cat><c:val>{_num_ref(spec, values)}</c:val>"
    )
    return f"<c:ser>{head}{body}{tail}</c:ser>"


def _rich(text: str, bold: bool, size: int) -> str:
    return (
        "<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{size}" b="{int(bold)}"/></a:pPr>'
        f'<a:r><a:rPr lang="id-ID" sz="{size}" b="{int(bold)}"/><a:t>{xml_text(text)}</a:t></a:r>'
        "</a:p></c:rich></c:tx>"
    )


def chart_xml(spec: SheetSpec, chart: ChartSpec) -> bytes:
    """The chart part: columns of ``chart.values``, the line of ``chart.line`` (if any)."""
    bar_fill = f'<c:spPr><a:solidFill><a:srgbClr val="{BAR_COLOUR}"/></a:solidFill></c:spPr>'
    bar = _series(spec, chart, 0, chart.values, bar_fill + '<c:invertIfNegative val="0"/>')
    axes = f'<c:axId val="{_CAT_AX}"/><c:axId val="{_VAL_AX}"/>'
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">',
        '<c:roundedCorners val="0"/><c:chart>',
        f'<c:title>{_rich(chart.title, True, 1200)}<c:overlay val="0"/></c:title>',
        '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>',
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>',
        bar,
        f'<c:gapWidth val="60"/>{axes}</c:barChart>',
    ]
    if chart.line is not None:
        line_style = (
            f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{LINE_COLOUR}"/></a:solidFill>'
            '<a:prstDash val="dash"/></a:ln></c:spPr><c:marker><c:symbol val="none"/></c:marker>'
        )
        line = _series(spec, chart, 1, chart.line, line_style, '<c:smooth val="0"/>')
        parts.append(
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
            f'{line}<c:marker val="1"/>{axes}</c:lineChart>'
        )
    parts += [
        f'<c:catAx><c:axId val="{_CAT_AX}"/><c:scaling><c:orientation val="minMax"/></c:scaling>',
        '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/>',
        '<c:tickLblPos val="nextTo"/>',
        f'<c:crossAx val="{_VAL_AX}"/><c:crosses val="autoZero"/><c:auto val="1"/>',
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>',
        f'<c:valAx><c:axId val="{_VAL_AX}"/><c:scaling><c:orientation val="minMax"/>',
        '<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>',
        '<c:numFmt formatCode="#,##0" sourceLinked="0"/><c:tickLblPos val="nextTo"/>',
        f'<c:crossAx val="{_CAT_AX}"/><c:crosses val="autoZero"/>',
        '<c:crossBetween val="between"/></c:valAx></c:plotArea>',
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>',
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>',
    ]
    return "".join(parts).encode("utf-8")


def drawing_xml(charts: Sequence[ChartSpec]) -> bytes:
    """The drawing part: one frame per chart, anchored at its cell, sized in points; chart
    ``i`` (0-based) is relationship ``rId{i+1}`` of the drawing."""
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">',
    ]
    for i, chart in enumerate(charts):
        row, col = chart.anchor
        cx, cy = round(chart.width * EMU_PER_POINT), round(chart.height * EMU_PER_POINT)
        out.append(
            "<xdr:oneCellAnchor>"
            f"<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{cx}" cy="{cy}"/>'
            '<xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" name="{xml_attr(chart.name)}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="rId{i + 1}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:oneCellAnchor>"
        )
    out.append("</xdr:wsDr>")
    return "".join(out).encode("utf-8")


def drawing_rels(chart_targets: Sequence[str]) -> bytes:
    """The drawing's relationships: ``rId{i+1}`` to ``chart_targets[i]`` (relative paths)."""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RT_CHART}" Target="{xml_attr(target)}"/>'
        for i, target in enumerate(chart_targets, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    ).encode()
