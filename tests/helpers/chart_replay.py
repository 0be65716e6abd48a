"""Test-only: charts in the replay, as comparable descriptions.

The remote engine records ``addChart`` (name, type, source rectangle, size, anchor),
``setChartXAxisValues``, ``setChartTitle`` and ``setChartSeries``. :func:`replay_chart_action`
keeps what they describe per replayed sheet; :func:`file_charts` reads the same description
from a workbook file's charts through openpyxl (the file engine's DrawingML), so the replay test
compares the two engines' charts: anchor cell, size, title, category cells and, per series, its
value cells, name cell, kind (bar/line) and colour.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

EMU_PER_POINT = 12_700

#: Charts drawn on each replayed sheet, as descriptions (see :func:`file_charts`).
CHARTS: weakref.WeakKeyDictionary[Worksheet, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


def _plain(ref: str) -> str:
    return ref.split("!")[-1].replace("$", "").upper()


def _rect(top: int, col: int, bottom: int) -> str:
    letter = get_column_letter(col)
    return f"{letter}{top}" if top == bottom else f"{letter}{top}:{letter}{bottom}"


def replay_chart_action(ws: Worksheet, func: str, args: list[Any]) -> None:
    """Apply one recorded chart action to ``ws``'s chart descriptions."""
    if ws not in CHARTS:  # the charts the sheet had before the refresh
        CHARTS[ws] = file_charts(ws)
    charts = CHARTS[ws]
    if func == "addChart":
        name, chart_type, _sheet, address, _left, _top, width, height, plot_by, anchor = args[:10]
        assert chart_type == "ColumnClustered" and plot_by == "Columns", args
        c1, r1, c2, r2 = range_boundaries(_plain(address))
        assert None not in (c1, r1, c2, r2)
        series = [
            {"values": _rect(r1 + 1, c, r2), "name": f"{get_column_letter(c)}{r1}", "kind": "bar"}
            for c in range(c1, c2 + 1)  # type: ignore[arg-type]
        ]
        charts.append(
            {
                "name": name,
                "anchor": _plain(anchor),
                "size": (round(width), round(height)),
                "title": None,
                "categories": None,
                "series": series,
            }
        )
        return
    index = args[0]
    chart = charts[index]
    if func == "setChartXAxisValues":
        chart["categories"] = _plain(args[2])
    elif func == "setChartTitle":
        chart["title"] = args[1]
    elif func == "setChartSeries":
        values: Mapping[str, Any] = args[2]
        series = chart["series"][args[1]]
        if values.get("chart_type") == "Line":
            series["kind"] = "line"
        for key in ("fill_color", "line_color"):
            if key in values:
                series["colour"] = values[key].lstrip("#").upper()
    elif func == "deleteChart":
        del charts[index]
    else:
        raise NotImplementedError(f"replayer: unknown chart action {func!r}")


def file_charts(ws: Worksheet) -> list[dict[str, Any]]:
    """The charts of a sheet loaded by openpyxl from a file, described like the replay's."""
    out = []
    for chart in ws._charts:
        anchor = chart.anchor
        start = f"{get_column_letter(anchor._from.col + 1)}{anchor._from.row + 1}"
        series = []
        for part in chart._charts:
            kind = "line" if type(part).__name__ == "LineChart" else "bar"
            for s in part.series:
                sp = s.spPr
                fill = sp.solidFill if kind == "bar" else sp.ln.solidFill
                series.append(
                    {
                        "values": _plain(s.val.numRef.f),
                        "name": _plain(s.tx.strRef.f),
                        "kind": kind,
                        "colour": (fill.srgbClr if isinstance(fill.srgbClr, str) else "").upper(),
                    }
                )
        cat = chart.series[0].cat
        ref = cat.strRef.f if cat.strRef is not None else cat.numRef.f
        out.append(
            {
                "name": "Grafik Capaian",  # the frame's name is not read by openpyxl
                "anchor": start,
                "size": (
                    round(anchor.ext.width / EMU_PER_POINT),
                    round(anchor.ext.height / EMU_PER_POINT),
                ),
                "title": chart.title.tx.rich.p[0].r[0].t,
                "categories": _plain(ref),
                "series": series,
            }
        )
    return out


def replayed_charts(ws: Worksheet) -> list[dict[str, Any]]:
    return CHARTS.get(ws, [])
