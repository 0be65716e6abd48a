"""iku_excel.backends.sparse_sheet: only the non-empty cells, bounded memory, damage refused."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iku_excel.backends import sparse_sheet
from iku_excel.backends.sparse_sheet import read_shared_strings, read_sparse_sheet, scan_used_range
from iku_excel.errors import WorkbookCorrupt
from iku_excel.limits import ResourceLimit, declared_dimension

REPO = Path(__file__).resolve().parents[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(rows: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def sst(*texts: str) -> bytes:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f"<sst {NS}>{items}<si><r><t>a</t></r><r><t>b</t></r></si></sst>".encode()


def archive(members: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return zipfile.ZipFile(buffer)


def read(
    rows: str, strings: list[str] | None = None, **kwargs: int
) -> dict[tuple[int, int], object]:
    with archive({"s.xml": sheet(rows)}) as book:
        return read_sparse_sheet(book, "s.xml", strings or [], label="t.xlsx", **kwargs).cells


def test_value_types() -> None:
    rows = (
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"><v>2.5</v></c>'
        '<c r="C1" t="b"><v>1</v></c><c r="D1" t="inlineStr"><is><t>sebaris</t></is></c>'
        '<c r="E1" t="str"><f>A1&amp;"x"</f><v>hasil</v></c><c r="F1" t="e"><v>#DIV/0!</v></c>'
        '<c r="G1" t="d"><v>2024-03-31T00:00:00</v></c><c r="H1" s="3"/><c r="I1"><f>1+1</f></c>'
        "</row>"
    )
    assert read(rows, ["nol", "satu"]) == {
        (1, 1): "satu",
        (1, 2): 2.5,
        (1, 3): True,
        (1, 4): "sebaris",
        (1, 5): "hasil",
        (1, 6): "#DIV/0!",
        (1, 7): datetime(2024, 3, 31),
    }


def test_rows_and_cells_without_r_follow_the_previous() -> None:
    rows = "<row><c><v>1</v></c><c><v>2</v></c></row><row/><row><c><v>3</v></c></row>"
    rows += '<row r="9"><c r="C9"><v>4</v></c><c><v>5</v></c></row><row><c><v>6</v></c></row>'
    assert read(rows) == {
        (1, 1): 1.0,
        (1, 2): 2.0,
        (3, 1): 3.0,
        (9, 3): 4.0,
        (9, 4): 5.0,
        (10, 1): 6.0,
    }


def test_shared_strings_with_runs() -> None:
    with archive({"xl/sharedStrings.xml": sst("satu", "dua")}) as book:
        assert read_shared_strings(book, label="t") == ["satu", "dua", "ab"]
    with archive({}) as book:
        assert read_shared_strings(book) == []


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ('<row r="1"><c r="A1" t="s"><v>5</v></c></row>', "nomor 5"),
        ('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>', "nomor -1"),
        ('<row r="0"><c r="A0"><v>1</v></c></row>', "baris 0"),
        ('<row r="2147483648"><c r="A2147483648"><v>1</v></c></row>', "luar lembar"),
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "luar lembar"),
        ('<row r="1"><c r="1A"><v>1</v></c></row>', "tidak sah"),
        ('<row r="1"><c r="A1"><v>abc</v></c></row>', "angka"),
        ('<row r="1"><c r="A1"><v>1</v></row>', "tidak valid"),
    ],
)
def test_damage_is_corrupt(rows: str, fragment: str) -> None:
    with pytest.raises(WorkbookCorrupt, match=fragment):
        read(rows, ["x"])


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><worksheet/>',
        b'<?xml version="1.0"?><!doctype x SYSTEM "file:///etc/passwd"><worksheet/>',
    ],
)
def test_a_doctype_is_refused(data: bytes) -> None:
    with archive({"s.xml": data}) as book, pytest.raises(WorkbookCorrupt, match="DOCTYPE"):
        read_sparse_sheet(book, "s.xml", [])


def test_bad_utf8_is_corrupt() -> None:
    data = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>\xff\xfe</t></is></c></row>')
    data = data.replace("\xff\xfe".encode(), b"\xff\xfe")
    with archive({"s.xml": data}) as book, pytest.raises(WorkbookCorrupt, match="tidak valid"):
        read_sparse_sheet(book, "s.xml", [])


def test_a_missing_member_is_corrupt() -> None:
    with archive({}) as book, pytest.raises(WorkbookCorrupt, match="tidak ada"):
        read_sparse_sheet(book, "xl/worksheets/sheet9.xml", [])


def test_the_byte_cap_stops_inflating() -> None:
    padded = sheet(" " * 3_000_000)
    with archive({"s.xml": padded}) as book, pytest.raises(ResourceLimit) as caught:
        read_sparse_sheet(book, "s.xml", [], max_bytes=1_000_000)
    assert caught.value.limit == 1_000_000


def test_the_cell_cap() -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 12))
    assert len(read(rows, max_cells=11)) == 11
    with pytest.raises(ResourceLimit, match="sel terisi"):
        read(rows, max_cells=10)


def test_scan_used_range_counts_styled_empty_cells() -> None:
    rows = '<row r="2"><c r="B2"><v>1</v></c></row><row r="40"><c r="AA7" s="1"/></row>'
    with archive({"s.xml": sheet(rows)}) as book:
        assert scan_used_range(book, "s.xml") == (40, 27)
        assert read_sparse_sheet(book, "s.xml", []).max_row == 2


def stray_cell_package(path: Path, ref: str) -> Path:
    """A complete ~10 KB workbook: a small table plus one value at ``ref``."""
    table = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}"><v>{r * 10 + i}</v></c>' for i, c in enumerate("ABCDEFGH"))
        + "</row>"
        for r in range(1, 200)
    )
    far_row = int("".join(ch for ch in ref if ch.isdigit()))
    rows = table + f'<row r="{far_row}"><c r="{ref}" t="inlineStr"><is><t>nyasar</t></is></c></row>'
    members = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/worksheets/sheet1.xml": sheet(rows, f"A1:{ref}"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


PROBE = textwrap.dedent(
    """
    import sys, zipfile
    from iku_excel.backends.sparse_sheet import read_sparse_sheet
    with zipfile.ZipFile(sys.argv[1]) as book:
        result = read_sparse_sheet(book, "xl/worksheets/sheet1.xml", [], label=sys.argv[1])
    print(len(result.cells), result.max_row, result.max_col, result.cells[(1048576, 16384)])
    # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) peak into ru_maxrss.
    status = open("/proc/self/status").read()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.parametrize("ref", ["XFD1048576", "CV1048576"])
def test_a_far_away_stray_cell_reads_in_little_memory(tmp_path: Path, ref: str) -> None:
    path = stray_cell_package(tmp_path / "nyasar.xlsx", ref)
    assert path.stat().st_size < 12_000
    with zipfile.ZipFile(path) as book:
        head = sparse_sheet.sheet_head(book, "xl/worksheets/sheet1.xml")
    dimension = declared_dimension(head)
    assert dimension is not None and dimension.max_row == 1_048_576
    probe = PROBE.replace("16384", str(dimension.max_col))
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *values, peak_kib = done.stdout.split()
    assert values == ["1593", "1048576", str(dimension.max_col), "nyasar"]
    assert int(peak_kib) < 200 * 1024  # VmHWM is in KiB


# --- inspect_sheet_xml and the sparse branch of read_grids ----------------------------------------


def test_inspect_finds_the_extent_and_refuses_damage() -> None:
    from iku_excel.backends.sparse_sheet import inspect_sheet_xml

    ok = sheet('<row r="3"><c r="B3"><v>1</v></c><c r="AB3" t="s"><v>1</v></c></row>')
    assert inspect_sheet_xml(ok, "s.xml", "t", 2) == (3, 28)
    far = sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert inspect_sheet_xml(far, "s.xml", "t", 0) == (1_048_576, 16_384)
    # another writer's attribute order or a namespace prefix takes the general patterns
    other = sheet('<row spans="1:2" r="7"><c s="1" r="XFD1048576"><v>1</v></c></row>')
    assert inspect_sheet_xml(other, "s.xml", "t", 0) == (1_048_576, 16_384)
    prefixed = other.replace(b"<row", b"<x:row").replace(b"</row", b"</x:row")
    assert inspect_sheet_xml(prefixed, "s.xml", "t", 0) == (1_048_576, 16_384)
    damaged = {
        "zero": sheet('<row r="1"><c r="A0"><v>1</v></c></row>'),
        "past-row": sheet('<row r="1048577"><c r="A1048577"><v>1</v></c></row>'),
        "past-col": sheet('<row r="9"><c r="XFE9"><v>1</v></c></row>'),
        "garbage": sheet('<row r="2"><c r="1I"><v>1</v></c></row>'),
        "index": sheet('<row r="2"><c r="A2" t="s"><v>5</v></c></row>'),
        "utf8": sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>').replace(
            b"<t>x", b"<t>\xff"
        ),
        "cut": sheet('<row r="2"><c r="A2"><v>1</v></c></row>')[:-20],
    }
    for label, data in damaged.items():
        with pytest.raises(WorkbookCorrupt, match=r"^File rusak: bagian s\.xml "):
            inspect_sheet_xml(data, "s.xml", "t", 2)
        assert label


def test_inspect_shortcuts_agree_with_the_full_scans() -> None:
    """The shortcuts of inspect_sheet_xml (colons looked at one by one, one search for an odd or
    wide cell) give what the full scans give, and fall back to them when they cannot decide."""
    from iku_excel.backends.sparse_sheet import _prefixed_tags, inspect_sheet_xml

    narrow = sheet('<row r="4"><c r="A4"><v>1</v></c><c r="Z4"><v>2</v></c></row>')
    assert inspect_sheet_xml(narrow, "s.xml", "t", 0) == (4, 26)
    wide = narrow.replace(b'r="Z4"', b'r="AZ4"')
    assert inspect_sheet_xml(wide, "s.xml", "t", 0) == (4, 52)
    odd_row = sheet('<row r="120000"><c r="A120000"><v>1</v></c></row>')
    assert inspect_sheet_xml(odd_row, "s.xml", "t", 0) == (120_000, 26)
    colons = "".join(f'<c r="A{i}" t="inlineStr"><is><t>a:b</t></is></c>' for i in range(1, 3))
    texts = sheet(f'<row r="1">{colons}</row>')
    assert not _prefixed_tags(texts)
    many = b":" * 1_500 + b'<x:c r="A1"/>'  # past the colons looked at: the full searches
    assert _prefixed_tags(many) and _prefixed_tags(b'<x:row r="1">')
    assert not _prefixed_tags(b":" * 1_500)


def test_read_grids_reads_a_far_stray_cell_sparsely(tmp_path: Path) -> None:
    """Calamine would allocate 17 billion cells; the sparse branch keeps only the values."""
    from iku_excel.backends.xlsx.reader import read_grids
    from tests.hostile.surgery import IKU, add_rows, cell_row, inline, sheet_edit

    path = tmp_path / "IKU.xlsx"
    sheet_edit(add_rows(cell_row(1_048_576, inline("XFD1048576", "nyasar"))), IKU)(path)
    _names, grids = read_grids(path)
    iku = grids["IKU"]
    assert iku.n_rows == 1_048_576
    assert iku.value(1_048_576, 16_384) == "nyasar"
    assert iku.value(2, 3) == grids["IKU"].values[1][2] and iku.value(2, 3)
    assert iku.values[500_000] == ()
    plain = read_grids(REPO / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx")[1]
    for row in range(1, plain["IKU"].n_rows + 1):  # the same values as the dense read
        sparse, dense = list(iku.values[row - 1]), list(plain["IKU"].values[row - 1])
        assert sparse == dense[: len(sparse)] and not any(dense[len(sparse) :])


_LETTERS = ["A", "B", "Z", "AA", "AZ", "ZZ", "AAA", "XFD", "XFE", "", "1", "a"]
_ROWS = ["1", "2", "9", "99999", "100000", "1048576", "1048577", "0", "01", "x", ""]


def _random_sheet(draw: Callable[..., Any]) -> bytes:
    """A sheet of a few rows and cells: half of them as Excel writes them (``r`` first, plain
    addresses, some past column Z), the others with other attribute orders, prefixed tags,
    missing or malformed addresses; shared strings, texts with colons, many colons."""
    excel = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.sampled_from(_ROWS[:4] if excel else _ROWS))
        tag = "row" if excel else draw(st.sampled_from(["row", "row spans", "row no r", "x:row"]))
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            letters = draw(st.sampled_from(_LETTERS[:8] if excel else _LETTERS))
            ref = letters + (r if excel else draw(st.sampled_from([r, r, *_ROWS])))
            t = draw(st.sampled_from(["", ' t="s"', ' t="inlineStr"']))
            openings = [
                ("c", f'<c r="{ref}"{t}'),
                ("c", f'<c s="1" r="{ref}"{t}'),
                ("c", f"<c{t}"),
                ("x:c", f'<x:c r="{ref}"{t}'),
            ]
            name, opening = openings[0] if excel else draw(st.sampled_from(openings))
            value = draw(st.sampled_from(["<v>1</v>", "<v>7</v>", "<is><t>a:b c</t></is>", ""]))
            cells.append(f"{opening}>{value}</{name}>" if value else f"{opening}/>")
        head = {
            "row": f'<row r="{r}"',
            "row spans": f'<row spans="1:2" r="{r}"',
            "row no r": "<row",
            "x:row": f'<x:row r="{r}"',
        }[tag]
        end = "</x:row>" if tag == "x:row" else "</row>"
        rows.append(f"{head}>{''.join(cells)}{end}")
    colons = draw(st.sampled_from(["", "a:b " * 3, ":" * 1_200]))
    prefix = ' xmlns:x="urn:x"' if draw(st.booleans()) else ""
    return (
        f"<worksheet {NS}{prefix}><sheetData>{''.join(rows)}</sheetData>"
        f"<!-- {colons} --></worksheet>"
    ).encode()


@settings(max_examples=600, deadline=None, database=None)
@given(st.data(), st.integers(0, 10))
def test_inspect_shortcuts_change_nothing(data: st.DataObject, n_strings: int) -> None:
    """inspect_sheet_xml with its shortcuts gives what the full scans give (the same extent or
    the same refusal) on random sheets; the full scans are forced by an odd-row search that
    always matches and no colon looked at one by one. Both mutations (the wide-cell search
    allowing two letters, the colon loop missing ``:row``) fail it."""
    from iku_excel.backends.sparse_sheet import inspect_sheet_xml

    sheet_bytes = _random_sheet(data.draw)

    def outcome() -> object:
        try:
            return inspect_sheet_xml(sheet_bytes, "s.xml", "t", n_strings)
        except WorkbookCorrupt as exc:
            return str(exc)

    quick = outcome()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse_sheet, "_ODD_ROW", re.compile(rb""))
        patch.setattr(sparse_sheet, "_FEW_COLONS", 0)
        assert outcome() == quick
