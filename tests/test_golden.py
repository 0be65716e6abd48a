"""What a refresh writes for an existing workbook does not change unnoticed.

The Capaian sheet's XML and its chart, refreshed from the example workbook and from a generated
workbook of the earlier rounds, equal the goldens in ``tests/golden`` byte for byte. Rebuild
them with ``python tests/golden/build_goldens.py`` only for a change meant to alter them (see
that script's docstring).
"""

from __future__ import annotations

import pytest

from tests.golden import build_goldens as bg


@pytest.mark.parametrize("name", bg.INPUTS)
def test_capaian_sheet_equals_the_golden(name: str) -> None:
    parts = bg.refreshed_parts(name)
    folder = bg.HERE / name
    assert sorted(parts) == sorted(p.name for p in folder.iterdir())
    for part, data in parts.items():
        assert data == (folder / part).read_bytes(), (
            f"{name}/{part} differs from the golden: if the change is meant, run "
            "python tests/golden/build_goldens.py and say why in the commit"
        )
