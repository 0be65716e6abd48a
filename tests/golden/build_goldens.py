"""Rebuild the golden output parts of ``tests/golden`` (``python tests/golden/build_goldens.py``).

A golden is a part of a refreshed workbook as this code writes it: the ``Capaian`` sheet's XML
and its chart's XML, for the example workbook (``workbook/contoh``) and for a generated one
(``tests/test_refresh.py``'s case ``rich_a``, a workbook of the earlier rounds: no optional
column, no period). ``tests/test_golden.py`` refreshes the same inputs and asserts the parts are
byte-identical, so any change to what a refresh writes for an existing workbook shows up as a
failing test, on purpose.

When to rebuild: only after a change meant to alter the Capaian sheet of existing workbooks
(a new column, a new formula, a layout change), with the change named in the commit message
and CHANGELOG.md. Never to make a failing test pass without knowing why it failed.
"""

from __future__ import annotations

import posixpath
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from iku_excel.api import refresh_file  # noqa: E402

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: golden name -> how its input is made (copied or built into the given path).
INPUTS = ("contoh", "rich_a")


def make_input(name: str, path: Path) -> Path:
    if name == "contoh":
        from tests.test_refresh import EXAMPLE

        shutil.copyfile(EXAMPLE, path)
        return path
    from tests.test_refresh import build_case

    return build_case(name, path)


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if name not in zf.namelist():
        return {}
    root = etree.fromstring(zf.read(name))
    return {
        r.get("Id"): (
            r.get("Type", ""),
            posixpath.normpath(posixpath.join(folder, r.get("Target"))),
        )
        for r in root.iter(f"{{{PKG}}}Relationship")
    }


def capaian_parts(path: Path) -> dict[str, bytes]:
    """``{"capaian.xml": sheet XML, "chart1.xml": ...}`` of the refreshed workbook ``path``."""
    with zipfile.ZipFile(path) as zf:
        wb_rels = _rels(zf, "xl/workbook.xml")
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        sheet = next(s for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == "Capaian")
        part = wb_rels[sheet.get(f"{{{REL}}}id")][1]
        out = {"capaian.xml": zf.read(part)}
        for kind, target in _rels(zf, part).values():
            if kind.endswith("/drawing"):
                charts = [t for k, t in _rels(zf, target).values() if k.endswith("/chart")]
                for i, chart in enumerate(charts, start=1):
                    out[f"chart{i}.xml"] = zf.read(chart)
    return out


def refreshed_parts(name: str) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="iku-golden-") as tmp:
        path = make_input(name, Path(tmp) / f"{name}.xlsx")
        refresh_file(path)
        return capaian_parts(path)


def build_all(out_dir: Path = HERE) -> list[Path]:
    written = []
    for name in INPUTS:
        for part, data in refreshed_parts(name).items():
            target = out_dir / name / part
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
    return written


if __name__ == "__main__":
    for p in build_all():
        print(p.relative_to(ROOT))
