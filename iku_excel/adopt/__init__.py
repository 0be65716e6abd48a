"""Adopting a planner's own workbook: find the capaian table, map its columns, classify its rows.

Pure: works on :class:`~iku_excel.model.SheetGrid` values plus merged ranges and returns
dataclasses (:mod:`iku_excel.adopt.mapping`); no Excel, no file writing.
:mod:`iku_excel.adopt.workbook` reads an adopted workbook through its ``Pemetaan`` sheet into the
normal model and describes that sheet; :func:`iku_excel.api.adopt_file` writes it.
"""

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from iku_excel.adopt.detect import default_infer_polarity, detect_table

#: Names loaded on first use: detection (``detect``, ``header_rows``, ``rows``) is needed only by
#: ``adopt`` itself, not by every ``check`` and ``refresh`` that reads an adopted workbook's
#: ``Pemetaan`` sheet through :mod:`iku_excel.adopt.mapping` (about 12 ms of start-up).
_LAZY = {
    "default_infer_polarity": "iku_excel.adopt.detect",
    "detect_table": "iku_excel.adopt.detect",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
