"""Tests of iku_excel.backends.safe_io: pre-flight refusals and crash-safe replacement."""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from iku_excel.backends import safe_io
from iku_excel.backends.safe_io import atomic_write, check_readable, check_writable, temp_path_for
from iku_excel.backends.xlsx.zippackage import XlsxPackage
from iku_excel.errors import (
    CannotProceed,
    EncryptedWorkbook,
    FileNotFound,
    NotAnXlsx,
    ReadOnlyFile,
    UnsafeWorkbookError,
    WorkbookCorrupt,
    WorkbookLocked,
)
from tests.helpers import xlsx_build as xb

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")


def refused(path: Path, error: type[CannotProceed], check: object = check_readable) -> str:
    message = _refused_by(check, path, error)
    if check is check_readable:  # the file engine's single open refuses the same way
        assert _refused_by(XlsxPackage.open, path, error) == message
    return message


def _refused_by(check: object, path: Path, error: type[CannotProceed]) -> str:
    with pytest.raises(error) as caught:
        check(path)  # type: ignore[operator]
    message = str(caught.value)
    assert message and "\n" not in message
    assert caught.value.exit_code == 2
    return message


# --- check_readable -------------------------------------------------------------------------------


def test_a_good_xlsx_and_xlsm_pass(workbook: Path) -> None:
    check_readable(workbook)
    check_writable(workbook)
    xb.make_xlsm(workbook)
    check_readable(workbook)


def test_missing_file(tmp_path: Path) -> None:
    assert "tidak-ada.xlsx" in refused(tmp_path / "tidak-ada.xlsx", FileNotFound)


def test_a_folder_is_not_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    refused(folder, NotAnXlsx)


def test_random_bytes_and_an_empty_file(tmp_path: Path) -> None:
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(os.urandom(4096).replace(b"PK", b"pk"))
    refused(noise, NotAnXlsx)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    refused(empty, WorkbookCorrupt)


def test_a_truncated_package_is_corrupt(workbook: Path) -> None:
    data = workbook.read_bytes()
    workbook.write_bytes(data[: len(data) // 2])
    refused(workbook, WorkbookCorrupt)


def test_a_damaged_member_is_corrupt(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    data = bytearray(workbook.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    for offset in range(start, start + 16):
        data[offset] ^= 0xFF
    workbook.write_bytes(bytes(data))
    refused(workbook, WorkbookCorrupt)


def test_verify_checks_only_the_members_it_is_given(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    data = bytearray(workbook.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    for offset in range(start, start + 16):
        data[offset] ^= 0xFF
    workbook.write_bytes(bytes(data))
    safe_io.verify_xlsx(workbook, members=["xl/workbook.xml", "[Content_Types].xml"])
    with pytest.raises(WorkbookCorrupt):
        safe_io.verify_xlsx(workbook, members=["xl/worksheets/sheet2.xml"])
    with pytest.raises(WorkbookCorrupt):
        safe_io.verify_xlsx(workbook)


def test_other_zip_packages_are_not_workbooks(tmp_path: Path, workbook: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("data.txt", "bukan excel")
    refused(plain, NotAnXlsx)
    document = tmp_path / "laporan.xlsx"
    document.write_bytes(workbook.read_bytes())
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    binary = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    for content_type, needle in ((word, "Bukan file Excel"), (binary, ".xlsb")):
        members = xb.read_members(workbook)
        types = members["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            content_type.encode(),
        )
        xb.rewrite(document, {"[Content_Types].xml": types})
        assert needle in refused(document, NotAnXlsx)


def test_an_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    import olefile

    data = xb.ole_file({"Workbook": b"\x09\x08" + b"\0" * 200, "\x05SummaryInformation": b"x"})
    assert ["Workbook"] in olefile.OleFileIO(io.BytesIO(data)).listdir()  # a real OLE file
    legacy = tmp_path / "lama.xls"
    legacy.write_bytes(data)
    assert ".xlsx" in refused(legacy, NotAnXlsx)


def test_an_encrypted_workbook_is_refused(tmp_path: Path, workbook: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    encrypted = tmp_path / "rahasia.xlsx"
    with workbook.open("rb") as source, encrypted.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("sandi", target)
    assert "kata sandi" in refused(encrypted, EncryptedWorkbook)
    synthetic = tmp_path / "sintetis.xlsx"
    synthetic.write_bytes(xb.ole_file({"EncryptionInfo": b"\4\0", "EncryptedPackage": b"\0" * 64}))
    refused(synthetic, EncryptedWorkbook)


@pytest.mark.skipif(IS_ROOT, reason="root reads every file")
def test_an_unreadable_file(workbook: Path) -> None:
    workbook.chmod(0)
    try:
        refused(workbook, ReadOnlyFile)
    finally:
        workbook.chmod(0o644)


# --- check_writable -------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", ["~${name}", ".~lock.{name}#"], ids=["excel", "libreoffice"])
def test_a_workbook_open_in_excel_is_locked(workbook: Path, lock: str) -> None:
    check_readable(workbook)  # reading is fine while it is open
    (workbook.parent / lock.format(name=workbook.name)).write_bytes(b"operator")
    assert "tutup file di Excel" in refused(workbook, WorkbookLocked, check_writable)


def test_a_read_only_file(workbook: Path) -> None:
    workbook.chmod(0o444)  # root included: the mode is checked, not only os.access
    try:
        assert "read-only" in refused(workbook, ReadOnlyFile, check_writable)
    finally:
        workbook.chmod(0o644)


@pytest.mark.skipif(IS_ROOT, reason="root writes into every folder")
def test_a_read_only_folder(workbook: Path) -> None:
    workbook.parent.chmod(0o555)
    try:
        refused(workbook, ReadOnlyFile, check_writable)
    finally:
        workbook.parent.chmod(0o755)


def test_every_refusal_is_exit_code_2() -> None:
    for error in (
        FileNotFound,
        NotAnXlsx,
        EncryptedWorkbook,
        WorkbookLocked,
        ReadOnlyFile,
        WorkbookCorrupt,
        UnsafeWorkbookError,
    ):
        assert issubclass(error, CannotProceed) and error.exit_code == 2


# --- atomic_write ---------------------------------------------------------------------------------


def new_workbook_bytes(tmp_path: Path, rows: int = 30) -> bytes:
    return xb.save(xb.iku_workbook(rows), tmp_path / "baru-sumber.xlsx").read_bytes()


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path, workbook: Path) -> None:
    new = new_workbook_bytes(tmp_path)
    workbook.chmod(0o640)
    assert atomic_write(workbook, lambda tmp: tmp.write_bytes(new)) is None
    assert workbook.read_bytes() == new
    assert stat.S_IMODE(workbook.stat().st_mode) == 0o640
    assert safe_io.temp_files_for(workbook) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baru-sumber.xlsx", "iku.xlsx"]


def test_atomic_write_keeps_a_backup(tmp_path: Path, workbook: Path) -> None:
    old = workbook.read_bytes()
    new = new_workbook_bytes(tmp_path)
    backup = atomic_write(workbook, lambda tmp: tmp.write_bytes(new), backup=True)
    assert backup is not None and backup.parent == workbook.parent
    assert re.fullmatch(r"iku\.backup-\d{8}-\d{6}\.xlsx", backup.name)
    assert backup.read_bytes() == old and workbook.read_bytes() == new
    second = atomic_write(workbook, lambda tmp: tmp.write_bytes(old), backup=True)
    assert second is not None and second != backup and second.read_bytes() == new


@pytest.mark.parametrize("failure", ["write", "verify", "garbage"])
def test_a_failed_write_leaves_the_original(tmp_path: Path, workbook: Path, failure: str) -> None:
    old = workbook.read_bytes()
    new = new_workbook_bytes(tmp_path)

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"bukan zip" if failure == "garbage" else new[:100])
        if failure == "write":
            raise OSError("disk penuh")

    def verify(tmp: Path) -> None:
        raise ValueError("hasil ditolak")

    expected = {"write": OSError, "verify": ValueError, "garbage": WorkbookCorrupt}[failure]
    with pytest.raises(expected):
        atomic_write(workbook, write, backup=True, verify=verify if failure == "verify" else None)
    assert workbook.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baru-sumber.xlsx", "iku.xlsx"]


def test_a_stale_temp_is_removed_before_writing(tmp_path: Path, workbook: Path) -> None:
    stale = temp_path_for(workbook)
    assert re.fullmatch(r"\.~iku-iku\.xlsx\.[0-9a-f]{16}\.tmp", stale.name)
    stale.write_bytes(b"sisa proses yang dibunuh")
    legacy = workbook.with_name(".~iku-iku.xlsx.tmp")  # the fixed name of older versions
    legacy.write_bytes(b"sisa versi lama")
    new = new_workbook_bytes(tmp_path)
    seen: list[bool] = []

    def write(tmp: Path) -> None:
        seen.append(tmp.exists())
        tmp.write_bytes(new)

    atomic_write(workbook, write)
    assert seen == [False] and not stale.exists() and workbook.read_bytes() == new
    assert not legacy.exists() and safe_io.temp_files_for(workbook) == []


def test_atomic_write_creates_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "baru.xlsx"
    new = new_workbook_bytes(tmp_path)
    assert atomic_write(target, lambda tmp: tmp.write_bytes(new), backup=True) is None
    assert target.read_bytes() == new


# --- Killed writers -------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from iku_excel.backends.safe_io import atomic_write, verify_xlsx

    target, source = Path(sys.argv[1]), Path(sys.argv[2])
    data = source.read_bytes()

    def stage(name):
        print(name, flush=True)
        sys.stdin.readline()  # the test decides: go on, or SIGKILL us here

    def write(tmp):
        stage("before-write")
        with tmp.open("wb") as handle:
            step = -(-len(data) // 4)  # exactly four chunks
            for start in range(0, len(data), step):
                handle.write(data[start : start + step])
                handle.flush()
                stage("chunk")

    def verify(tmp):
        verify_xlsx(tmp)
        stage("before-replace")

    atomic_write(target, write, verify=verify, backup=True)
    stage("done")
    """
)

STAGES = ["before-write", "chunk", "chunk", "chunk", "chunk", "before-replace", "done"]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    "kill_at",
    [0, 1, 3, 5, 6],
    ids=["before-write", "first-chunk", "mid-write", "before-replace", "after-replace"],
)
def test_a_killed_writer_leaves_old_or_new_bytes(
    tmp_path: Path, workbook: Path, kill_at: int
) -> None:
    old = workbook.read_bytes()
    source = tmp_path / "sumber.xlsx"
    source.write_bytes(new_workbook_bytes(tmp_path, rows=3000))
    new = source.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(workbook), str(source)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        for index, expected in enumerate(STAGES):
            assert child.stdout.readline().strip() == expected
            if index == kill_at:
                child.send_signal(signal.SIGKILL)
                break
            child.stdin.write("\n")
            child.stdin.flush()
        child.wait(timeout=60)
    final = workbook.read_bytes()
    assert final == (new if kill_at == 6 else old)
    assert openpyxl.load_workbook(workbook).sheetnames  # it opens
    stale = safe_io.temp_files_for(workbook)
    assert len(stale) == (1 if 1 <= kill_at <= 5 else 0)
    # The next run removes the stale temp first and completes.
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new))
    assert workbook.read_bytes() == new and safe_io.temp_files_for(workbook) == []


def test_lock_file_names() -> None:
    names = [p.name for p in safe_io.lock_files(Path("/data/IKU 2024.xlsx"))]
    assert names == ["~$IKU 2024.xlsx", ".~lock.IKU 2024.xlsx#"]
