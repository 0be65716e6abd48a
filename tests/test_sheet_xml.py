"""The sheet writer (XML as text) gives the same sheets as the openpyxl reference renderer.

Both render the same :class:`~iku_excel.layout.SheetSpec`; compared here as openpyxl reads the
refreshed files: values, formulas, cached values, every style attribute, merges, sizes, hidden
columns, freeze panes, print setup, defined names and conditional formats.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from benchmarks.generate import generate_workbook
from iku_excel.api import refresh_with
from iku_excel.backends.file_engine import FileEngine
from iku_excel.backends.safe_io import atomic_write
from iku_excel.backends.xlsx import sheet_writer as sheet_xml
from iku_excel.backends.xlsx.splice import apply_plan
from iku_excel.contract import SHEET_CAPAIAN, SHEET_IKU, SHEET_VALIDASI
from iku_excel.sheets.spec import Outputs
from tests.helpers import openpyxl_render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"


class ReferenceEngine(FileEngine):
    """The file engine with the openpyxl reference renderer (tests/helpers/openpyxl_render)."""

    def apply(self, outputs: Outputs) -> None:
        plan = openpyxl_render.make_plan(outputs)
        atomic_write(self.path, lambda tmp: apply_plan(self.path, plan, tmp))


def _style(cell: Any) -> tuple[object, ...]:
    f, a, b = cell.font, cell.alignment, cell.border
    return (
        cell.number_format,
        bool(f.b),
        bool(f.i),
        f.u,
        f.sz,
        f.color.rgb if f.color is not None else None,
        cell.fill.fill_type,
        cell.fill.fgColor.rgb if cell.fill.fill_type else None,
        a.horizontal,
        a.vertical,
        bool(a.wrap_text),
        tuple(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
    )


def _cells(ws: Any) -> Iterator[tuple[str, tuple[object, ...]]]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None or cell.has_style:
                yield cell.coordinate, (cell.value, *_style(cell))


def _sheet_view(ws: Any) -> dict[str, object]:
    return {
        "cells": dict(_cells(ws)),
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items() if d.width},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "freeze": ws.freeze_panes,
        "print_titles": ws.print_title_rows,
        "print_area": ws.print_area,
        "orientation": ws.page_setup.orientation,
        "paper": str(ws.page_setup.paperSize),
        "fit": (
            ws.page_setup.fitToWidth,
            ws.page_setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
        ),
        "tab": ws.sheet_properties.tabColor.rgb[-6:] if ws.sheet_properties.tabColor else None,
        "cf": sorted(
            (
                str(rng.sqref),
                rule.operator,
                tuple(rule.formula),
                rule.dxf.fill.fgColor.rgb if rule.dxf and rule.dxf.fill else None,
                rule.dxf.font.color.rgb
                if rule.dxf and rule.dxf.font and rule.dxf.font.color
                else None,
            )
            for rng in ws.conditional_formatting
            for rule in rng.rules
        ),
    }


def _view(path: Path, data_only: bool) -> dict[str, dict[str, object]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, data_only=data_only)
    return {name: _sheet_view(book[name]) for name in (SHEET_CAPAIAN, SHEET_VALIDASI, SHEET_IKU)}


@pytest.fixture(scope="module", params=["example", "generated-300"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    source = folder / "source.xlsx"
    if request.param == "example":
        shutil.copyfile(EXAMPLE, source)
    else:
        generate_workbook(source, 300, seed=7)
    reference, fast = folder / "reference.xlsx", folder / "fast.xlsx"
    shutil.copyfile(source, reference)
    shutil.copyfile(source, fast)
    refresh_with(ReferenceEngine(reference))
    refresh_with(FileEngine(fast))
    return reference, fast


@pytest.mark.parametrize("data_only", [False, True], ids=["formulas", "cached-values"])
def test_fast_writer_matches_reference(pair: tuple[Path, Path], data_only: bool) -> None:
    reference, fast = pair
    expected, got = _view(reference, data_only), _view(fast, data_only)
    for sheet in expected:
        for key in expected[sheet]:
            assert got[sheet][key] == expected[sheet][key], (sheet, key)


def test_file_engine_uses_the_fast_writer() -> None:
    import inspect

    from iku_excel.backends import file_engine

    assert "sheet_writer" in inspect.getsource(file_engine.FileEngine.apply)
    package = ROOT / "iku_excel"
    importers = [p for p in package.rglob("*.py") if "openpyxl_render" in p.read_text("utf-8")]
    assert importers == []  # the reference renderer is a test helper only


def test_text_is_escaped_and_never_a_formula() -> None:
    from iku_excel.sheets.spec import BASE_STYLES, SheetSpec

    spec = SheetSpec("X", dict(BASE_STYLES))
    spec.put(1, 1, '=HYPERLINK("http://x","<y> & z")', "text")
    spec.put(1, 2, "  spaced\x01 ", "text")
    index = sheet_xml.probe_styles([spec])
    xml = sheet_xml.sheet_xml(spec, index).decode()
    assert "<f>" not in xml
    assert "&lt;y&gt; &amp; z" in xml
    assert '<t xml:space="preserve">  spaced_x0001_ </t>' in xml  # kept, escaped as Excel does


def test_cell_spec_is_the_frozen_cell() -> None:
    """``spec.cell_spec`` (slots set directly) builds the CellSpec the constructor builds: equal,
    same hash, still frozen."""
    import dataclasses

    import pytest

    from iku_excel.sheets.spec import CellSpec, cell_spec

    fast = cell_spec(3, 4, 1.5, "=A1", "percent")
    assert fast == CellSpec(3, 4, 1.5, "=A1", "percent")
    assert hash(fast) == hash(CellSpec(3, 4, 1.5, "=A1", "percent"))
    assert fast.address == "D3"
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.value = 2  # type: ignore[misc]
