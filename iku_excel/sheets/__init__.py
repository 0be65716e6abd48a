"""The output sheets, described once for every engine: :func:`build_outputs` is the entry point.

It turns an :class:`~iku_excel.model.Evaluation` into an :class:`~iku_excel.sheets.spec.Outputs`:
the cells of the IKU sheet's ``Capaian (%)`` column, the ``Capaian`` sheet
(:mod:`iku_excel.sheets.capaian`), the ``Validasi`` sheet (:mod:`iku_excel.sheets.validasi`) and,
when the IKU sheet has Target TW columns, the ``Capaian TW`` sheet
(:mod:`iku_excel.sheets.capaian_tw`).
The vocabulary is in :mod:`iku_excel.sheets.spec`, the Excel formula text in
:mod:`iku_excel.sheets.formulas`.
"""

from __future__ import annotations

from iku_excel import contract
from iku_excel.model import Evaluation
from iku_excel.sheets.capaian import build_capaian_sheet, iku_cells
from iku_excel.sheets.capaian_tw import build_capaian_tw_sheet
from iku_excel.sheets.spec import CellSpec, Outputs
from iku_excel.sheets.validasi import build_validasi_sheet

__all__ = ["build_outputs"]


def build_outputs(
    ev: Evaluation, notes: dict[str, str] | None = None, *, capaian_col: int | None = None
) -> Outputs:
    """Describe everything refresh writes. ``capaian_col`` overrides where Capaian (%) goes."""
    layout = ev.workbook.iku_layout
    header: CellSpec | None = None
    col = layout.columns.get("capaian") if capaian_col is None else capaian_col
    if col is None:
        # The first column right of everything in the sheet: never over the planner's data.
        col = max([layout.last_col, *layout.columns.values()]) + 1
        title = next(c.header for c in contract.IKU_COLUMNS if c.key == "capaian")
        header = CellSpec(layout.header_row, col, title, None, "")
    capaian = build_capaian_sheet(ev, notes or {}, col)
    tw = build_capaian_tw_sheet(ev)
    extra = () if tw is None else (tw,)
    return Outputs(
        layout.sheet, header, iku_cells(ev, col), capaian, build_validasi_sheet(ev), extra
    )
