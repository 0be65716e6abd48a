"""The xlwings engine's charts: a :class:`~iku_excel.sheets.spec.ChartSpec` drawn through xlwings.

xlwings ≥ 0.37.5 has the same chart calls on every engine (Windows: COM ``ChartObjects``; Mac:
AppleScript; the remote engine of xlwings Server/Lite records ``addChart``,
``setChartXAxisValues``, ``setChartTitle`` and ``setChartSeries`` actions, which the replay test
compares with the file engine's chart). The chart is made from one rectangle: the series' name
row above the values and the line column beside them (how
:func:`iku_excel.sheets.capaian_chart.add_capaian_chart` lays its data block out), plotted by
columns; the category column is set separately, so Excel never takes the numbers 1..n for a
series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iku_excel.a1 import cell_address

if TYPE_CHECKING:
    import xlwings as xw

    from iku_excel.sheets.spec import ChartSpec, SheetSpec

#: The file engine's colours (backends/xlsx/chart.py), so both engines draw the same chart.
BAR_COLOUR = "#2E75B6"
LINE_COLOUR = "#C00000"


def draw_charts(sheet: xw.Sheet, spec: SheetSpec) -> None:
    """Remove the sheet's old charts (a rebuilt sheet starts empty, as in the file engine) and
    draw ``spec``'s."""
    old: Any = sheet.charts
    for i in range(len(old) - 1, -1, -1):
        old[i].delete()
    for chart in spec.charts:
        add_chart(sheet, chart)


def add_chart(sheet: xw.Sheet, chart: ChartSpec) -> None:
    r1, c1, r2, _ = chart.values
    last_col = chart.line[3] if chart.line is not None else c1
    name_row = chart.names[0][0] if chart.names[0] is not None else r1
    source = sheet.range(cell_address(name_row, c1) + ":" + cell_address(r2, last_col))
    drawn: Any = sheet.charts.add(
        width=chart.width,
        height=chart.height,
        chart_type="column_clustered",
        source=source,
        plot_by="columns",
        name=chart.name,
        anchor=sheet.range(cell_address(*chart.anchor)),
    )
    k1, kc, k2, _ = chart.categories
    drawn.set_x_axis_values(sheet.range(cell_address(k1, kc) + ":" + cell_address(k2, kc)))
    drawn.title = chart.title
    series = _series(drawn, 1 if chart.line is None else 2)
    series[0].set(fill_color=BAR_COLOUR)
    if chart.line is not None:
        series[1].set(chart_type="line", line_color=LINE_COLOUR)


def _series(drawn: Any, n: int) -> Any:
    """The chart's series. The remote engine cannot count them synchronously (only xlwings
    Lite's ``await chart.get_series()`` can); a chart it has just made from ``n`` columns has
    ``n``, so its collection is made with that count (the constructor's own argument)."""
    import xlwings as xw

    series = drawn.series
    try:
        len(series)
    except NotImplementedError:
        impl = type(drawn.impl.series)(drawn.impl, count=n)
        series = xw.main.ChartSeriesCollection(impl=impl)
    return series
