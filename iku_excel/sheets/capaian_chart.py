"""The Capaian sheet's chart: % capaian per indicator as columns, with the 100 % target line.

:func:`add_capaian_chart` writes a small data block right of the predikat scale table (outside
the print area, like the scale): one row per indicator with its number, a live ``% CAPAIAN``
(``=IF(ISNUMBER(I7),I7,"")``, so the chart follows a planner's edit) and a constant 100, the
target line; and describes the chart over it as a :class:`~iku_excel.sheets.spec.ChartSpec`,
anchored under the signature block. A block of its own, not the table's columns: the table has a
"Rata-rata" row after each sasaran, and a chart over the table's rows would draw those too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from iku_excel import contract
from iku_excel.a1 import cell_address
from iku_excel.sheets.spec import ChartSpec, SheetSpec

#: The data block's headers: category, the capaian series, the target line series.
CHART_HEADERS = ("GRAFIK: NO", "% Capaian", "Target 100 %")
CHART_WIDTHS = (10.0, 11.0, 11.0)
TARGET_LINE = 100


def chart_title(year: int | None, period: int | None) -> str:
    when = f"Tahun {year}" if year else "Tahun Ini"
    if period is not None:
        when = contract.PERIOD_TITLES[period].replace("S.D. TRIWULAN", "s.d. Triwulan") + f" {when}"
    return f"% Capaian Indikator Kinerja Utama {when}"


def add_capaian_chart(
    sheet: SheetSpec,
    indicator_rows: Sequence[tuple[int, int]],
    capaian_col: int,
    header_row: int,
    data_col: int,
    anchor_row: int,
    title: str,
) -> int | None:
    """The chart's data block from ``data_col`` (header on ``header_row``) and the chart at
    ``anchor_row``; returns the last row the chart covers (at the default 15-point row height),
    for the print area. ``indicator_rows`` are (table row, indicator number); nothing is added
    for a table without indicators (None)."""
    if not indicator_rows:
        return None
    cat_col, val_col, line_col = data_col, data_col + 1, data_col + 2
    # one pass over the cells for the column read here and the three the chart's parts read
    # (kept up to date by put from now on), instead of a second pass when they are rendered
    sheet.index_columns((capaian_col, cat_col, val_col, line_col))
    for col, text in zip((cat_col, val_col, line_col), CHART_HEADERS, strict=True):
        sheet.put(header_row, col, text, "summary")
    row = header_row + 1
    for table_row, number in indicator_rows:
        ref = cell_address(table_row, capaian_col)
        sheet.put(row, cat_col, number)
        sheet.put(
            row,
            val_col,
            sheet.value_at(table_row, capaian_col),
            "scale_bound",
            formula=f'=IF(ISNUMBER({ref}),{ref},"")',
        )
        sheet.put(row, line_col, TARGET_LINE, "scale_bound")
        row += 1
    first, last = header_row + 1, row - 1
    for col, width in zip((cat_col, val_col, line_col), CHART_WIDTHS, strict=True):
        sheet.column_widths[col] = width
    sheet.charts = (
        *sheet.charts,
        ChartSpec(
            title=title,
            categories=(first, cat_col, last, cat_col),
            values=(first, val_col, last, val_col),
            line=(first, line_col, last, line_col),
            names=((header_row, val_col), (header_row, line_col)),
            anchor=(anchor_row, 2),
            width=max(620.0, 26.0 * len(indicator_rows)),
        ),
    )
    return anchor_row + math.ceil(sheet.charts[-1].height / 15.0)
