"""Adopting a planner's own workbook: find the capaian table, map its columns, classify its rows.

Pure: works on :class:`~iku_excel.model.SheetGrid` values plus merged ranges and returns
dataclasses (:mod:`iku_excel.adopt.mapping`); no Excel, no file writing.
:mod:`iku_excel.adopt.workbook` reads an adopted workbook through its ``Pemetaan`` sheet into the
normal model and describes that sheet; :func:`iku_excel.api.adopt_file` writes it.
"""

from iku_excel.adopt.detect import default_infer_polarity, detect_table
from iku_excel.adopt.mapping import (
    ColumnRole,
    DetectionResult,
    IndicatorRow,
    MappingConfig,
    Refusal,
    SkippedRow,
    TableMapping,
    from_rows,
    render_text,
    to_dict,
    to_rows,
)

__all__ = [
    "ColumnRole",
    "DetectionResult",
    "IndicatorRow",
    "MappingConfig",
    "Refusal",
    "SkippedRow",
    "TableMapping",
    "default_infer_polarity",
    "detect_table",
    "from_rows",
    "render_text",
    "to_dict",
    "to_rows",
]
