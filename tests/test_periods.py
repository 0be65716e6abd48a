"""Periods (Periode Laporan) and the optional LKjIP columns of the Capaian sheet."""

from __future__ import annotations

from typing import Any

import pytest

from iku_excel.report import indicator_json
from iku_excel.sheets import build_outputs
from iku_excel.sheets.capaian import COL_CAPAIAN, COL_REALISASI, COL_TARGET, COL_WEIGHT
from tests.conftest import evaluate_rows, iku, rpjmd

R = [rpjmd()]
# A PK appendix written per triwulan (25 each, summing to the yearly 100) and one written
# cumulatively (25/50/75/100); realisasi TW I 20, TW II 30.
PER_TW = {"tw_target1": 25, "tw_target2": 25, "tw_target3": 25, "tw_target4": 25}
CUMULATIVE = {"tw_target1": 25, "tw_target2": 50, "tw_target3": 75, "tw_target4": 100}
MID = {"tw1": 20, "tw2": 30, "realisasi": None}


def _ev(period: str, **row: Any) -> Any:
    return evaluate_rows(
        iku_rows=[iku(**MID, **row)], rpjmd_rows=R, settings={"year": 2023, "report_period": period}
    )


@pytest.mark.parametrize("targets", [PER_TW, CUMULATIVE])
def test_tw_ii_by_hand(targets: dict[str, int]) -> None:
    # Agregasi Jumlah (unit Orang): realisasi s.d. TW II = 20 + 30 = 50;
    # target s.d. TW II = 25 + 25 (per triwulan) or 50 (cumulative) = 50;
    # capaian s.d. TW II = 50 × 100 / 50 = 100 % (Sangat Tinggi); yearly: 50 × 100 / 100 = 50 %.
    (r,) = _ev("TW II", **targets).indicators
    assert (r.target, r.realisasi, r.capaian) == (50, 50, 100)
    assert r.predicate == "Sangat Tinggi"
    doc = indicator_json(r)
    assert (doc["capaian"], doc["capaian_tahunan"]) == (100, 50)


def test_tahunan_gives_the_yearly_figures() -> None:
    (r,) = _ev("Tahunan", **CUMULATIVE).indicators
    assert (r.target, r.realisasi, r.capaian, r.period) == (100, 50, 50, None)
    doc = indicator_json(r)
    assert doc["capaian"] == doc["capaian_tahunan"] == 50


def test_nilai_akhir_uses_the_periods_own_target() -> None:
    # Unit %: Agregasi Nilai Akhir; s.d. TW I the level is TW I's 20 against Target TW I 40.
    row = {**CUMULATIVE, "tw_target1": 40, "unit": "%"}
    ev = evaluate_rows(
        iku_rows=[iku(**MID, **row)],
        rpjmd_rows=[rpjmd(unit="%")],
        settings={"year": 2023, "report_period": "TW I"},
    )
    (r,) = ev.indicators
    assert (r.target, r.realisasi, r.capaian) == (40, 20, 50)


def test_without_tw_targets_one_info_and_the_yearly_comparison() -> None:
    ev = _ev("TW II")
    assert [f.rule for f in ev.findings].count("no-period-targets") == 1
    (r,) = ev.indicators
    assert (r.capaian, r.period) == (50, None)


def test_capaian_sheet_of_a_period_report() -> None:
    ev = _ev("TW II", **CUMULATIVE)
    sheet = build_outputs(ev).capaian
    cells = {(c.row, c.col): c for c in sheet.cells}
    assert cells[(3, 1)].value == "TAHUN 2023 S.D. TRIWULAN II"
    assert "S.D. TRIWULAN II" in str(cells[(5, COL_CAPAIAN)].value)
    assert cells[(7, COL_TARGET)].value == 50
    assert cells[(7, COL_REALISASI)].value == 50
    assert cells[(7, COL_CAPAIAN)].value == 100
    assert cells[(5, COL_WEIGHT + 1)].value == "TARGET 2023"
    assert cells[(7, COL_WEIGHT + 2)].value == 50  # against the yearly target


def test_efficiency_and_analysis_columns() -> None:
    row = {"budget": 1000, "budget_spent": 800, "obstacles": "Cuaca", "follow_up": "Ulang"}
    ev = evaluate_rows(iku_rows=[iku(**row)], rpjmd_rows=R)
    sheet = build_outputs(ev).capaian
    cells = {(c.row, c.col): c for c in sheet.cells}
    headers = [cells[(5, c)].value for c in range(COL_WEIGHT + 1, COL_WEIGHT + 7)]
    assert headers[:4] == [
        "PAGU (RP)",
        "REALISASI ANGGARAN (RP)",
        "% SERAPAN ANGGARAN",
        "EFISIENSI (% CAPAIAN − % SERAPAN)",
    ]
    assert cells[(7, COL_WEIGHT + 3)].value == 80  # 800 × 100 / 1000
    assert cells[(7, COL_WEIGHT + 4)].value == pytest.approx(10)  # 90 − 80
    assert cells[(7, COL_WEIGHT + 5)].value == "Cuaca"


def test_no_optional_column_gives_the_same_sheet() -> None:
    plain = build_outputs(evaluate_rows(iku_rows=[iku()], rpjmd_rows=R)).capaian
    # the scale table where it was; the chart's data block (this round) two columns right of it
    table = [c.col for c in plain.cells if c.row > 4 and c.col < 20]
    assert max(table) == 18
    assert min(c.col for c in plain.cells if c.col > 18) == 20
    assert plain.print_setup.area is not None and plain.print_setup.area[3] == 13
