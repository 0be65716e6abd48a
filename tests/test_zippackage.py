"""The file engine reads the workbook once and inflates each member at most once per refresh."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from iku_excel.api import refresh_file
from iku_excel.backends.safe_io import temp_path_for
from iku_excel.backends.xlsx.zippackage import XlsxPackage
from iku_excel.errors import WorkbookCorrupt
from tests.helpers import xlsx_build as xb


def test_a_refresh_reads_the_file_once_and_checks_each_crc_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xb.save(xb.iku_workbook(5), tmp_path / "iku.xlsx")
    original_open = zipfile.ZipFile.open
    inflated: Counter[tuple[object, str]] = Counter()

    def counting_open(self: zipfile.ZipFile, name: object, *args: object, **kw: object) -> object:
        label = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        where = "output" if self.filename == str(temp_path_for(path)) else self.filename
        inflated[(where or id(self), label)] += 1
        return original_open(self, name, *args, **kw)  # type: ignore[arg-type]

    opened: list[XlsxPackage] = []
    original_package_open = XlsxPackage.open.__func__  # type: ignore[attr-defined]

    def counting_package_open(cls: type[XlsxPackage], p: Path) -> XlsxPackage:
        opened.append(original_package_open(cls, p))
        return opened[-1]

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    monkeypatch.setattr(XlsxPackage, "open", classmethod(counting_package_open))
    refresh_file(path)
    # check_writable, read, read_formulas and apply share one package
    assert [package.path for package in opened] == [path]
    source = {name: n for (where, name), n in inflated.items() if where == id(opened[0].zip)}
    with zipfile.ZipFile(path) as archive:
        after = set(archive.namelist())
    assert source and max(source.values()) == 1, source  # every member inflated at most once
    assert not any(where == str(path) for where, _ in inflated)  # the file is not re-opened
    output = {name for (where, name) in inflated if where == "output"}
    assert output < after  # only new and changed members re-verified after the write
    assert "docProps/core.xml" not in output  # raw-copied members were verified at open


def test_a_damaged_member_is_reported_when_the_package_is_opened(tmp_path: Path) -> None:
    path = xb.save(xb.iku_workbook(2), tmp_path / "iku.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(xb.IKU_PART)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10] ^= 0xFF  # flip a byte of the compressed data
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookCorrupt):
        XlsxPackage.open(path)
