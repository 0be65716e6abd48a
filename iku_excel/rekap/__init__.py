"""The recap of many IKU workbooks (Bappeda): frames, the recap workbook, the ``rekap`` command.

- :mod:`~iku_excel.rekap.frames`: column specs (names, dtypes, docs), one file's rows, frames;
- :mod:`~iku_excel.rekap.collect`: input expansion, parallel checks, :class:`Rekap`;
- :mod:`~iku_excel.rekap.workbook`: the recap workbook (openpyxl);
- :mod:`~iku_excel.rekap.command`: ``iku-excel rekap`` (``rekap_command``);
- :mod:`~iku_excel.rekap.ribbon`: the ribbon's "Rekap Folder" (``rekap_folder``).
"""

from __future__ import annotations

from iku_excel.rekap.collect import Rekap, rekap
from iku_excel.rekap.frames import EvaluationFrames, evaluation_frames, rekap_docs

__all__ = ["EvaluationFrames", "Rekap", "evaluation_frames", "rekap", "rekap_docs"]
