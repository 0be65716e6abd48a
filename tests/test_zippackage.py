"""The file engine reads the workbook once and inflates each member at most once per refresh."""

from __future__ import annotations

import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
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


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def test_deflating_in_a_helper_thread_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from iku_excel.backends.xlsx import zippackage

    rows = (b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(9000))
    data = b"".join(rows)
    chunks = _chunked(data, list(range(1000, len(data), 4000)))
    inline = zippackage.Deflated.of(chunks)
    monkeypatch.setattr(zippackage, "THREAD_FROM", 1)  # a helper from the first chunk on
    threaded = zippackage.Deflated.of(chunks)
    assert threaded == inline
    assert zipfile._get_decompressor(zipfile.ZIP_DEFLATED).decompress(inline.payload) == data  # type: ignore[attr-defined]
    assert zippackage.Deflating(data).result() == zippackage.Deflated.of([data])

    def failing() -> Iterator[bytes]:
        yield data
        yield data
        raise ValueError("render failed")

    with pytest.raises(ValueError, match="render failed"):  # the helper is stopped, not left
        zippackage.Deflated.of(failing())

    def no_thread(self: object) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)  # deflated in the caller then
    assert zippackage.Deflated.of(chunks) == inline
    assert zippackage.Deflating(data).result() == zippackage.Deflated.of([data])


def test_a_member_rendered_as_it_was_is_not_deflated_again() -> None:
    from iku_excel.backends.xlsx.zippackage import Deflated

    old = bytes(range(256)) * 400
    cuts = [100, 5000, 50_000]
    assert Deflated.unless_same(_chunked(old, cuts), old) is None
    assert Deflated.unless_same([], b"") is None
    for new in (
        b"x" + old[1:],  # differs in the first chunk
        old[:60_000] + b"x" + old[60_001:],  # in the last
        old + b"tail",  # longer
        old[:-1],  # shorter
        old[:5000],  # a prefix ending on a chunk boundary
        b"",
    ):
        chunks = _chunked(new, [c for c in cuts if c < len(new)])
        assert Deflated.unless_same(chunks, old) == Deflated.of([new])


def test_a_second_refresh_copies_the_unchanged_sheets_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iku_excel.backends.xlsx import splice
    from iku_excel.backends.xlsx.reader import sheet_parts

    path = xb.save(xb.iku_workbook(5), tmp_path / "iku.xlsx")
    refresh_file(path)
    refresh_file(path)  # Validasi changes once (the first refresh's Capaian sheet is read)
    before = path.read_bytes()
    written: list[list[str]] = []
    original = splice.write_zip

    def recording(*args: object) -> list[str]:
        written.append(original(*args))  # type: ignore[arg-type]
        return written[-1]

    monkeypatch.setattr(splice, "write_zip", recording)
    refresh_file(path)
    assert path.read_bytes() == before
    parts = sheet_parts(XlsxPackage.open(path))
    # the IKU part left as the text patch found it, Capaian and Validasi rendered as they were:
    # all copied as stored, not deflated and verified again
    assert {parts["iku"], parts["capaian"], parts["validasi"]}.isdisjoint(written[0]), written
