"""How many calls the xlwings engine makes, counted where it meets xlwings.

Desktop Excel is a test double that records every property set and method call the engine
makes on xlwings' objects (``sheet.range(...)`` lookups counted apart): with multi-area ranges
the count does not grow with the number of sasaran groups. xlwings' remote engine (also what
xlwings Lite runs on) records its own actions; it cannot take multi-area ranges, so its count
grows with the groups, by a few actions each. The format plan itself is checked by painting it
onto a grid: every cell ends with exactly its style's format.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from iku_excel.api import check_file
from iku_excel.backends import paint
from iku_excel.backends.paint import RESETS, area_addresses, format_layers, style_attributes
from iku_excel.backends.xlwings_engine import XlwingsEngine, merge_groups
from iku_excel.sheets import build_outputs
from iku_excel.sheets.spec import BASE_STYLES, SheetSpec
from tests.test_xlwings_engine import refresh_actions, remote_engine, varied_workbook

__all__ = ["remote_engine"]  # the fixture, used by name below

#: Desktop Excel (multi-area ranges): calls up to 20 sasaran groups (measured: 66 at one group,
#: 80 at five and twenty); beyond, only the address limit adds a call per 25 groups and layer.
DESKTOP_CALLS = 85
#: Remote engine: at most REMOTE_BASE + REMOTE_PER_GROUP * groups recorded actions. The base
#: includes the Capaian chart (12 actions: add, x-axis values, title, three series, the old
#: chart's deletion...), fixed whatever the number of indicators or groups.
REMOTE_BASE = 152
REMOTE_PER_GROUP = 9


class Recorder:
    """Stands for any xlwings object: records sets and calls, answers every lookup."""

    def __init__(self, log: list[tuple[str, str]], path: str) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Recorder:
        return Recorder(self._log, f"{self._path}.{name}")

    def __setattr__(self, name: str, value: object) -> None:
        self._log.append(("set", f"{self._path}.{name}"))

    def __call__(self, *args: object, **kwargs: object) -> Recorder:
        self._log.append(("call", self._path))
        return Recorder(self._log, f"{self._path}()")

    def __getitem__(self, key: object) -> Recorder:
        return Recorder(self._log, f"{self._path}[]")

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


def desktop_book(log: list[tuple[str, str]]) -> Recorder:
    book = Recorder(log, "book")
    app = Recorder(log, "app")
    object.__setattr__(app, "engine", SimpleNamespace(name="excel"))
    object.__setattr__(book, "app", app)
    return book


def desktop_calls(path: Path) -> list[tuple[str, str]]:
    """What the engine does to desktop Excel (not Windows' native extras) applying ``path``'s
    outputs; ``range`` lookups left out."""
    outputs = build_outputs(check_file(path), {})
    log: list[tuple[str, str]] = []
    XlwingsEngine(desktop_book(log)).apply(outputs)  # type: ignore[arg-type]
    return [entry for entry in log if not entry[1].endswith(".range")]


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("groups")
    return {n: varied_workbook(folder / f"g{n}.xlsx", n, 3) for n in (1, 5, 20, 80)}


@pytest.mark.skipif(sys.platform == "win32", reason="the double stands for non-native Excel")
def test_desktop_calls_do_not_grow_with_groups(grouped: dict[int, Path]) -> None:
    """One call per layer of one format value for all groups; only the 255-character limit of
    an address splits a layer of many groups' rectangles (about 25 areas a call)."""
    counts = {n: len(desktop_calls(path)) for n, path in grouped.items()}
    assert all(counts[n] <= DESKTOP_CALLS for n in (1, 5, 20)), counts
    assert counts[80] <= DESKTOP_CALLS + 80 // 3, counts


@pytest.mark.skipif(sys.platform == "win32", reason="the double stands for non-native Excel")
def test_per_group_design_breaks_the_desktop_bound(
    grouped: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound has teeth: one call per rectangle (the remote engine's way) on desktop."""
    monkeypatch.setattr(XlwingsEngine, "multi_area", property(lambda self: False))
    assert len(desktop_calls(grouped[20])) > 2 * DESKTOP_CALLS


def test_remote_actions_grow_by_a_few_per_group(grouped: dict[int, Path]) -> None:
    counts = {n: len(refresh_actions(path)[0]) for n, path in grouped.items()}
    for n, count in counts.items():
        assert count <= REMOTE_BASE + REMOTE_PER_GROUP * n, counts
    assert counts[80] - counts[20] <= REMOTE_PER_GROUP * 60


def test_multi_area_addresses_stay_under_excels_limit() -> None:
    rects = [(r, 1, r + 1, 3) for r in range(5, 5000, 3)]
    addresses = area_addresses(rects)
    assert all(len(a) <= paint.MAX_AREA_ADDRESS for a in addresses)
    back = [part for a in addresses for part in a.split(",")]
    assert back[0] == "A5:C6" and len(back) == len(rects)


def test_merges_of_consecutive_rows_are_one_call() -> None:
    merges = [(r, 1, r, 13) for r in range(17, 26)] + [(7, 2, 9, 2), (10, 2, 10, 3)]
    assert merge_groups(merges) == [
        (True, [(17, 1, 25, 13)]),
        (False, [(7, 2, 9, 2), (10, 2, 10, 3)]),
    ]


# --- the plan paints every cell right -------------------------------------------------------------


def _painted(spec: SheetSpec) -> dict[tuple[str, int, int], object]:
    grid: dict[tuple[str, int, int], object] = {}
    for name, value, rects in format_layers(spec):
        for r1, c1, r2, c2 in rects:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    grid[(name, r, c)] = value
    return grid


def _assert_exact(spec: SheetSpec) -> None:
    grid = _painted(spec)
    wanted: dict[tuple[str, int, int], object] = {}
    for cell in spec.cells:
        for name, value in style_attributes(spec.styles[cell.style]) if cell.style else ():
            wanted[(name, cell.row, cell.col)] = value
    for key, value in grid.items():
        fresh = RESETS.get(key[0], "<never painted back>")
        assert wanted.get(key, fresh) == value, key
    assert all(grid.get(key) == value for key, value in wanted.items())


def test_the_plan_gives_every_cell_its_format(grouped: dict[int, Path]) -> None:
    outputs = build_outputs(check_file(grouped[20]), {})
    for spec in outputs.sheets:
        _assert_exact(spec)


@pytest.mark.parametrize("seed", range(20))
def test_the_plan_of_random_sheets_is_exact(seed: int) -> None:
    rnd = random.Random(seed)
    names = list(BASE_STYLES)
    spec = SheetSpec("Acak", dict(BASE_STYLES))
    for row in range(1, rnd.randint(2, 30)):
        for col in range(1, rnd.randint(2, 12)):
            if rnd.random() < 0.8:
                spec.put(row, col, "x", rnd.choice(names))
    _assert_exact(spec)
