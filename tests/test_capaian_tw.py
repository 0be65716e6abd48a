"""The Capaian TW sheet (per triwulan I..IV) and the Capaian sheet's chart description."""

from __future__ import annotations

from typing import Any

from iku_excel.sheets import build_outputs
from iku_excel.sheets.capaian_tw import FIRST_TW_COL, SHEET_CAPAIAN_TW
from tests.conftest import evaluate_rows, iku, rpjmd

CUMULATIVE = {"tw_target1": 25, "tw_target2": 50, "tw_target3": 75, "tw_target4": 100}
ROW = {"tw1": 20, "tw2": 30, "tw3": 20, "tw4": 30, "realisasi": None}


def _cells(spec: Any) -> dict[tuple[int, int], Any]:
    return {(c.row, c.col): c for c in spec.cells}


def test_capaian_tw_by_hand() -> None:
    # Agregasi Jumlah (Orang), PK written cumulatively: realisasi s.d. TW k = 20, 50, 70, 100;
    # target s.d. TW k = 25, 50, 75, 100; capaian = 80, 100, 93.33.., 100.
    ev = evaluate_rows(iku_rows=[iku(**ROW, **CUMULATIVE)], rpjmd_rows=[rpjmd()])
    out = build_outputs(ev)
    (tw,) = out.extra
    assert tw.name == SHEET_CAPAIAN_TW
    cells = _cells(tw)
    row = 7
    got = [tuple(cells[row, FIRST_TW_COL + 3 * k + j].value for j in range(3)) for k in range(4)]
    assert got[0] == (25, 20, 80)
    assert got[1] == (50, 50, 100)
    assert got[2][:2] == (75, 70) and abs(got[2][2] - 70 * 100 / 75) < 1e-12
    assert got[3] == (100, 100, 100)
    # live formulas on the IKU cells, the capaian on this row's cells
    assert cells[row, FIRST_TW_COL].formula is not None
    assert "IKU!" in (cells[row, FIRST_TW_COL + 1].formula or "")
    capaian = cells[row, FIRST_TW_COL + 2].formula or ""
    assert "F7" in capaian and "G7" in capaian


def test_no_tw_targets_no_sheet() -> None:
    ev = evaluate_rows(iku_rows=[iku(**ROW)], rpjmd_rows=[rpjmd()])
    assert build_outputs(ev).extra == ()


def test_capaian_chart_covers_the_indicator_rows_only() -> None:
    ev = evaluate_rows(
        iku_rows=[
            iku(code="1.1"),
            iku(code="1.2", indicator="Jumlah B"),
            iku(code="2.1", sasaran="S2"),
        ],
        rpjmd_rows=[rpjmd(code="1.1"), rpjmd(code="1.2", indicator="Jumlah B"), rpjmd(code="2.1")],
    )
    capaian = build_outputs(ev).capaian
    (chart,) = capaian.charts
    r1, c1, r2, c2 = chart.values
    assert (r2 - r1 + 1, c1 == c2) == (3, True)
    cells = _cells(capaian)
    # each value mirrors an indicator row's % CAPAIAN (never a sasaran's Rata-rata row)
    sources = [cells[r, c1].formula for r in range(r1, r2 + 1)]
    rows = [int(f.split("ISNUMBER(")[1].split(")")[0][1:]) for f in sources if f]
    assert [cells[r, 3].value for r in rows] == [i.indicator.indicator for i in ev.indicators]
    assert chart.line is not None
    line = chart.line
    assert {cells[r, line[1]].value for r in range(line[0], line[2] + 1)} == {100}
    # the chart prints: the print area reaches past its anchor
    area = capaian.print_setup.area
    assert area is not None and area[2] > chart.anchor[0]


def test_empty_table_has_no_chart() -> None:
    ev = evaluate_rows(iku_rows=[], rpjmd_rows=[rpjmd()])
    assert build_outputs(ev).capaian.charts == ()
