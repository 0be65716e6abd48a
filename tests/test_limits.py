"""iku_excel.limits: the zip directory checks and the ``<dimension>`` reader, on synthetic input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from iku_excel import limits
from iku_excel.errors import CannotProceed, WorkbookCorrupt
from iku_excel.limits import Dimension, ResourceLimit, check_zip_directory, declared_dimension


def info(
    name: str, size: int, compressed: int, method: int = zipfile.ZIP_DEFLATED
) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.file_size, entry.compress_size, entry.compress_type = size, compressed, method
    return entry


def test_a_normal_directory_passes() -> None:
    check_zip_directory(
        [info("[Content_Types].xml", 1200, 400), info("xl/worksheets/sheet1.xml", 50_000, 5_000)],
        "iku.xlsx",
    )


def test_a_real_package_passes(tmp_path: object) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<a/>" * 1000)
        archive.writestr("b.bin", b"\0" * 10)
    with zipfile.ZipFile(buffer) as archive:
        check_zip_directory(archive.infolist(), "x")


def test_too_many_members() -> None:
    infos = [info(f"m{i}.xml", 10, 10) for i in range(limits.MAX_MEMBERS + 1)]
    with pytest.raises(ResourceLimit) as caught:
        check_zip_directory(infos, "bom.xlsx")
    assert caught.value.value == limits.MAX_MEMBERS + 1 and caught.value.limit == limits.MAX_MEMBERS
    assert "melebihi batas" in str(caught.value) and "bom.xlsx" in str(caught.value)
    assert "10.001" in str(caught.value)  # Indonesian thousands separator


@pytest.mark.parametrize("second", ["xl/workbook.xml", "XL/Workbook.xml"])
def test_duplicate_names_are_corrupt(second: str) -> None:
    with pytest.raises(WorkbookCorrupt, match="lebih dari sekali"):
        check_zip_directory([info("xl/workbook.xml", 10, 10), info(second, 10, 10)], "x")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, 99])
def test_only_stored_and_deflate(method: int) -> None:
    with pytest.raises(WorkbookCorrupt, match="kompresi"):
        check_zip_directory([info("a.xml", 10, 10, method)], "x")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_stored_and_deflate_pass(method: int) -> None:
    check_zip_directory([info("a.xml", 10, 10, method)], "x")


def test_member_size() -> None:
    size = limits.MAX_MEMBER_UNCOMPRESSED + 1
    with pytest.raises(ResourceLimit) as caught:
        check_zip_directory([info("xl/worksheets/sheet1.xml", size, size)], "x")
    assert caught.value.value == size
    check_zip_directory([info("a", limits.MAX_MEMBER_UNCOMPRESSED, 10**8)], "x")


def test_ratio_only_above_the_minimum_size() -> None:
    small = limits.RATIO_MIN_SIZE
    check_zip_directory([info("a.xml", small, 1)], "x")  # 1 MiB from 1 byte: harmless
    compressed = limits.RATIO_MIN_SIZE // 10
    big = compressed * limits.MAX_RATIO
    check_zip_directory([info("a.xml", big, compressed)], "x")  # exactly the limit
    with pytest.raises(ResourceLimit, match="rasio"):
        check_zip_directory([info("a.xml", big, compressed - 1)], "x")


def test_total_size() -> None:
    part = limits.MAX_MEMBER_UNCOMPRESSED
    count = limits.MAX_TOTAL_UNCOMPRESSED // part
    check_zip_directory([info(f"m{i}", part, part) for i in range(count)], "x")
    with pytest.raises(ResourceLimit, match="total"):
        check_zip_directory([info(f"m{i}", part, part) for i in range(count + 1)], "x")


def test_resource_limit_is_a_cannot_proceed() -> None:
    assert issubclass(ResourceLimit, CannotProceed)
    assert ResourceLimit("f", "x", 1, 0).exit_code == 2


HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>%s<sheetData>'
)


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (b'<dimension ref="A1:D20"/>', Dimension(1, 1, 20, 4)),
        (b'<dimension ref="B3"/>', Dimension(3, 2, 3, 2)),
        (b"<dimension ref='A1:XFD1048576'/>", Dimension(1, 1, 1_048_576, 16_384)),
        (b'<dimension ref="$C$5:$A$1"/>', Dimension(1, 1, 5, 3)),
        (b'<x:dimension ref="A1:CV1048576"/>', Dimension(1, 1, 1_048_576, 100)),
        (b'<dimension ref="A1:ZZZ9999999"/>', Dimension(1, 1, 1_048_576, 16_384)),
        (b'<dimension ref="nonsense"/>', None),
        (b"", None),
    ],
)
def test_declared_dimension(element: bytes, expected: Dimension | None) -> None:
    assert declared_dimension(HEAD % element) == expected


def test_needs_sparse_read() -> None:
    assert not limits.needs_sparse_read(None)
    assert not limits.needs_sparse_read(Dimension(1, 1, 200, 30))
    assert limits.needs_sparse_read(Dimension(1_048_576, 16_384, 1_048_576, 16_384))
    assert limits.needs_sparse_read(Dimension(1, 1, 1_048_576, 100))
    limits.check_dense_area(200, 30, "x", "IKU")
    with pytest.raises(ResourceLimit, match="IKU"):
        limits.check_dense_area(1_048_576, 100, "x", "IKU")


def test_every_public_limit_is_in_the_limits_page() -> None:
    """docs/limits.md (generated, drift-checked by test_docs) names and explains every limit."""
    from iku_excel import docgen, limits

    page = (Path(__file__).resolve().parents[1] / "docs" / "limits.md").read_text("utf-8")
    constants = [name for name in limits.__all__ if name.isupper()]
    assert len(constants) >= 10
    for name in constants:
        row = next((line for line in page.splitlines() if line.startswith(f"| `{name}` |")), "")
        assert row, name
        assert row.rstrip(" |").split("|")[-1].strip(), f"{name} has no explanation"
    assert "## Exit codes" in page and "| 2 |" in page
    assert page == docgen.limits_md()
