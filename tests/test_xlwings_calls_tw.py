"""The Capaian TW sheet and the chart keep the xlwings engine's call bound: calls grow with
sasaran groups, not indicators (see ``tests/test_xlwings_engine.py``, "How many calls")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from iku_excel import contract as c
from iku_excel.sheets.capaian_tw import SHEET_CAPAIAN_TW
from tests.fixtures.build_fixtures import IKU_COL
from tests.helpers.xlwings_replay import enable_remote_engine
from tests.test_xlwings_engine import BASE_CALLS, CALLS_PER_GROUP, refresh_actions, varied_workbook

#: What the Capaian TW sheet adds, measured: 61 calls (its values, formats, merged headers
#: and widths in rectangles) and one merge per sasaran (within CALLS_PER_GROUP's margin).
TW_CALLS = 70


def with_tw_targets(path: Path) -> Path:
    """``path`` with Target TW I..IV (25/50/75/100) on every indicator row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[c.SHEET_IKU]
    for k, q in enumerate(("I", "II", "III", "IV")):
        col = len(IKU_COL) + 1 + k
        ws.cell(row=1, column=col, value=f"Target TW {q}")
        for row in range(2, ws.max_row + 1):
            if ws.cell(row=row, column=IKU_COL["indicator"]).value:
                ws.cell(row=row, column=col, value=25 * (k + 1))
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def _remote(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()


@pytest.mark.parametrize("n_groups", [1, 3, 6])
def test_capaian_tw_calls_grow_with_groups_not_indicators(n_groups: int, tmp_path: Path) -> None:
    counts = {}
    for n in (12, 1200):
        src = with_tw_targets(
            varied_workbook(tmp_path / f"g{n_groups}-{n}.xlsx", n_groups, n // n_groups)
        )
        actions, _ = refresh_actions(src)
        assert any(a["func"] == "addSheet" and a["args"][1] == SHEET_CAPAIAN_TW for a in actions)
        assert any(a["func"] == "addChart" for a in actions)
        counts[n] = len(actions)
        bound = BASE_CALLS + TW_CALLS + CALLS_PER_GROUP * n_groups
        assert counts[n] <= bound, Counter(a["func"] for a in actions)
    assert counts[1200] <= counts[12]
