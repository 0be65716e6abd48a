"""atomic_write under contention and interference: two writers, a colleague's save, symlinks,
owner/mode/xattrs, stale temps and locks, very long names."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from iku_excel.api import check_file, refresh_file
from iku_excel.backends import safe_io, write_guard
from iku_excel.backends.safe_io import (
    SourceChanged,
    atomic_write,
    file_identity,
    temp_files_for,
    temp_path_for,
)
from iku_excel.errors import CannotProceed, WorkbookLocked
from tests.helpers import xlsx_build as xb

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "iku_excel" / "data" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return xb.save(xb.iku_workbook(), tmp_path / "iku.xlsx")


@pytest.fixture
def new_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("sumber")
    return xb.save(xb.iku_workbook(20), folder / "baru.xlsx").read_bytes()


def litter(folder: Path) -> list[str]:
    """Names in ``folder`` that are ours and should not be left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~iku-"))


# --- Two writers ----------------------------------------------------------------------------------


def _slow_writer(path: str, data: bytes, inside: object, release: object, out: object) -> None:
    def write(tmp: Path) -> None:
        inside.set()  # type: ignore[attr-defined]
        release.wait(30)  # type: ignore[attr-defined]
        tmp.write_bytes(data)

    try:
        atomic_write(Path(path), write)
        out.put("written")  # type: ignore[attr-defined]
    except CannotProceed as exc:
        out.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


def test_a_second_writer_refuses_while_the_first_writes(workbook: Path, new_bytes: bytes) -> None:
    ctx = multiprocessing.get_context("spawn")
    inside, release, out = ctx.Event(), ctx.Event(), ctx.Queue()
    first = ctx.Process(target=_slow_writer, args=(str(workbook), new_bytes, inside, release, out))
    first.start()
    assert inside.wait(60)
    second_inside, second_release = ctx.Event(), ctx.Event()
    second_release.set()
    second = ctx.Process(
        target=_slow_writer, args=(str(workbook), b"never", second_inside, second_release, out)
    )
    second.start()
    second.join(60)
    assert not second_inside.is_set()  # refused before writing anything
    refusal = out.get(timeout=10)
    assert refusal.startswith("WorkbookLocked:") and "proses iku-excel lain" in refusal
    release.set()
    first.join(60)
    assert out.get(timeout=10) == "written"
    assert workbook.read_bytes() == new_bytes
    assert litter(workbook.parent) == []


def _refresh(path: str, start: object, out: object) -> None:
    start.wait(30)  # type: ignore[attr-defined]
    try:
        refresh_file(path)
        out.put("written")  # type: ignore[attr-defined]
    except CannotProceed as exc:
        out.put(type(exc).__name__)  # type: ignore[attr-defined]
    except Exception as exc:  # a bug: reported, and the test fails on it
        out.put(f"BUG {type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


@pytest.mark.slow
def test_concurrent_refreshes_serialise_or_refuse_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "IKU.xlsx"
    shutil.copy(EXAMPLE, path)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_refresh, args=(str(path), start, out)) for _ in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)
    start.set()
    for worker in workers:
        worker.join(120)
    outcomes = sorted(out.get(timeout=10) for _ in workers)
    assert "written" in outcomes
    assert set(outcomes) <= {"written", "WorkbookLocked", "SourceChanged"}, outcomes
    # The file is whole and refreshed: a second refresh has nothing to change.
    assert zipfile.ZipFile(path).testzip() is None
    assert openpyxl.load_workbook(path).sheetnames
    assert refresh_file(path, dry_run=True).changed_cells == ()
    assert check_file(path).indicators
    assert litter(tmp_path) == []


# --- Someone else saved the file ------------------------------------------------------------------


def test_a_colleagues_save_between_read_and_write_is_kept(
    workbook: Path, new_bytes: bytes, tmp_path: Path
) -> None:
    read_as = file_identity(workbook)
    colleague = xb.save(xb.iku_workbook(3), tmp_path / "rekan.xlsx").read_bytes()
    time.sleep(0.01)
    workbook.write_bytes(colleague)  # saved by a colleague after we read it
    with pytest.raises(SourceChanged, match="diubah orang lain sejak dibaca; jalankan lagi"):
        atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes), expected=read_as)
    assert workbook.read_bytes() == colleague
    assert litter(tmp_path) == []


def test_a_same_size_same_mtime_edit_is_still_seen(workbook: Path, new_bytes: bytes) -> None:
    read_as = file_identity(workbook)
    data = bytearray(workbook.read_bytes())
    data[-30] ^= 0xFF  # same size
    workbook.write_bytes(bytes(data))
    os.utime(workbook, ns=(read_as.mtime_ns, read_as.mtime_ns))  # same mtime
    with pytest.raises(SourceChanged):
        atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes), expected=read_as)
    assert workbook.read_bytes() == bytes(data)


def test_a_save_during_our_write_is_kept(workbook: Path, new_bytes: bytes) -> None:
    colleague = b"PK" + b"rekan" * 10

    def write(tmp: Path) -> None:
        tmp.write_bytes(new_bytes)
        workbook.write_bytes(colleague)

    with pytest.raises(SourceChanged):
        atomic_write(workbook, write, backup=True)
    assert workbook.read_bytes() == colleague
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["iku.xlsx"]  # no backup either


def test_an_unchanged_identity_writes(workbook: Path, new_bytes: bytes) -> None:
    read_as = file_identity(workbook)
    assert read_as.size == workbook.stat().st_size and len(read_as.sha256) == 64
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes), expected=read_as)
    assert workbook.read_bytes() == new_bytes


def test_a_deleted_source_is_a_change(workbook: Path, new_bytes: bytes) -> None:
    read_as = file_identity(workbook)

    def write(tmp: Path) -> None:
        tmp.write_bytes(new_bytes)
        workbook.unlink()

    with pytest.raises(SourceChanged):
        atomic_write(workbook, write, expected=read_as)
    assert not workbook.exists()


# --- Symlinks, owner, mode, xattrs ----------------------------------------------------------------


@pytest.mark.parametrize("relative", [True, False], ids=["relative", "absolute"])
def test_a_symlink_stays_a_link_and_its_target_is_updated(
    tmp_path: Path, workbook: Path, new_bytes: bytes, relative: bool
) -> None:
    shared = tmp_path / "bersama"
    shared.mkdir()
    target = workbook.rename(shared / "IKU 2024.xlsx")
    link = tmp_path / "pintasan.xlsx"
    link.symlink_to(Path("bersama") / target.name if relative else target)
    backup = atomic_write(link, lambda tmp: tmp.write_bytes(new_bytes), backup=True)
    assert link.is_symlink() and os.readlink(link) == str(
        Path("bersama") / target.name if relative else target
    )
    assert target.read_bytes() == new_bytes and link.read_bytes() == new_bytes
    assert backup is not None and backup.parent == shared
    assert litter(tmp_path) == [] and litter(shared) == []


def test_mode_is_kept(workbook: Path, new_bytes: bytes) -> None:
    workbook.chmod(0o604)
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes))
    assert stat.S_IMODE(workbook.stat().st_mode) == 0o604


def test_xattrs_are_kept(workbook: Path, new_bytes: bytes) -> None:
    if not hasattr(os, "setxattr"):
        pytest.skip("no extended attributes on this OS")
    try:
        os.setxattr(workbook, "user.iku.pemilik", b"Bappeda")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            pytest.skip(f"this file system has no user xattrs ({exc.strerror})")
        raise
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes))
    assert workbook.read_bytes() == new_bytes
    assert os.getxattr(workbook, "user.iku.pemilik") == b"Bappeda"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_owner_and_group_are_kept_when_root_writes(workbook: Path, new_bytes: bytes) -> None:
    os.chown(workbook, 4321, 4322)
    workbook.chmod(0o2640)  # setgid is cleared by chown and must be restored
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes))
    info = workbook.stat()
    assert (info.st_uid, info.st_gid) == (4321, 4322)
    assert stat.S_IMODE(info.st_mode) == 0o2640


# --- Temps and locks ------------------------------------------------------------------------------


def test_temp_names_are_unique(workbook: Path) -> None:
    names = {temp_path_for(workbook) for _ in range(100)}
    assert len(names) == 100 and all(p.parent == workbook.parent for p in names)


def test_stale_temps_without_the_lock_are_removed_only_when_old(workbook: Path) -> None:
    old, fresh = temp_path_for(workbook), temp_path_for(workbook)
    old.write_bytes(b"lama")
    fresh.write_bytes(b"baru")
    stale = time.time() - write_guard.STALE_TEMP_SECONDS - 60
    os.utime(old, (stale, stale))
    other = workbook.with_name(".~iku-lain.xlsx.0123456789abcdef.tmp")
    other.write_bytes(b"milik file lain")
    write_guard.remove_stale_temps(workbook, any_age=False)
    assert temp_files_for(workbook) == [fresh] and other.exists()


def test_a_lock_left_by_a_killed_run_does_not_block(workbook: Path, new_bytes: bytes) -> None:
    write_guard.lock_path_for(workbook).write_bytes(b"")  # the file stays; its flock died
    atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes))
    assert workbook.read_bytes() == new_bytes
    assert litter(workbook.parent) == []


def test_the_lock_is_exclusive_and_released(workbook: Path) -> None:
    with write_guard.workbook_lock(workbook) as held:
        assert held
        with pytest.raises(WorkbookLocked), write_guard.workbook_lock(workbook):
            pass
    with write_guard.workbook_lock(workbook) as again:
        assert again
    assert litter(workbook.parent) == []


def test_a_very_long_file_name(tmp_path: Path, new_bytes: bytes) -> None:
    name = "IKU " + "sangat panjang " * 16 + ".xlsx"
    assert 240 <= len(name.encode()) <= 255
    path = tmp_path / name
    path.write_bytes(b"lama")
    atomic_write(path, lambda tmp: tmp.write_bytes(new_bytes), verify=lambda tmp: None)
    assert path.read_bytes() == new_bytes
    assert all(len(p.name.encode()) <= 255 for p in tmp_path.iterdir())
    assert litter(tmp_path) == []


# --- The file engine carries the identity from its read to its write ------------------------------


class _ColleagueSavesAfterRead:
    """Wraps a FileEngine: right after the engine reads, a colleague saves other bytes."""

    def __init__(self, engine: object, colleague: bytes) -> None:
        self.engine, self.colleague = engine, colleague

    def __getattr__(self, name: str) -> object:
        return getattr(self.engine, name)

    def read(self, select: object) -> object:
        result = self.engine.read(select)  # type: ignore[attr-defined]
        time.sleep(0.01)
        self.engine.path.write_bytes(self.colleague)  # type: ignore[attr-defined]
        return result


def test_refresh_refuses_a_file_saved_by_a_colleague_after_the_read(tmp_path: Path) -> None:
    """Read, colleague saves, apply: refused, the colleague's bytes kept, nothing left behind.

    Before, the identity was captured at write time (and the engine re-opened the changed
    file), so the colleague's save was overwritten by outputs computed from the old bytes.
    """
    from iku_excel.api import refresh_with
    from iku_excel.backends.file_engine import FileEngine

    path = tmp_path / "IKU.xlsx"
    shutil.copy(EXAMPLE, path)
    colleague = xb.save(xb.iku_workbook(3), tmp_path / "rekan.xlsx").read_bytes()
    engine = FileEngine(path)
    engine.check_writable()
    with pytest.raises(SourceChanged, match="diubah orang lain sejak dibaca; jalankan lagi"):
        refresh_with(_ColleagueSavesAfterRead(engine, colleague))  # type: ignore[arg-type]
    assert path.read_bytes() == colleague
    assert litter(tmp_path) == []


def test_refresh_without_interference_still_writes(tmp_path: Path) -> None:
    path = tmp_path / "IKU.xlsx"
    shutil.copy(EXAMPLE, path)
    before = path.read_bytes()
    assert refresh_file(path).written
    assert path.read_bytes() != before
    assert litter(tmp_path) == []


# --- Folder flushes -------------------------------------------------------------------------------


def test_each_write_flushes_its_folder_at_once(
    tmp_path: Path, new_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[Path] = []
    monkeypatch.setattr(safe_io, "_fsync_directory", flushed.append)
    for name in ("a.xlsx", "b.xlsx"):
        atomic_write(tmp_path / name, lambda tmp: tmp.write_bytes(new_bytes))
    assert flushed == [tmp_path, tmp_path]


def test_deferred_folder_flushes_happen_once_per_folder_at_the_end(
    tmp_path: Path, new_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[Path] = []
    monkeypatch.setattr(safe_io, "_fsync_directory", flushed.append)
    other = tmp_path / "lain"
    other.mkdir()
    with safe_io.folder_syncs_deferred():
        for path in (tmp_path / "a.xlsx", other / "b.xlsx", tmp_path / "c.xlsx"):
            atomic_write(path, lambda tmp: tmp.write_bytes(new_bytes))
            assert path.read_bytes() == new_bytes  # replaced already; only the flush waits
        with safe_io.folder_syncs_deferred():  # nested: the outer one flushes
            atomic_write(tmp_path / "d.xlsx", lambda tmp: tmp.write_bytes(new_bytes))
        assert flushed == []
    assert sorted(flushed) == sorted([tmp_path, other])
    atomic_write(tmp_path / "e.xlsx", lambda tmp: tmp.write_bytes(new_bytes))
    assert flushed[-1] == tmp_path and len(flushed) == 3  # outside again: at once


def test_deferred_flushes_still_happen_when_a_write_fails(
    tmp_path: Path, new_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[Path] = []
    monkeypatch.setattr(safe_io, "_fsync_directory", flushed.append)

    def broken(tmp: Path) -> None:
        raise OSError("rusak")

    with pytest.raises(OSError), safe_io.folder_syncs_deferred():
        atomic_write(tmp_path / "a.xlsx", lambda tmp: tmp.write_bytes(new_bytes))
        atomic_write(tmp_path / "b.xlsx", broken)
    assert flushed == [tmp_path]


def test_a_flush_that_fails_for_a_full_disk_leaves_the_original(
    workbook: Path, new_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = workbook.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(safe_io.DiskFull):
        atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes), verify=lambda tmp: None)
    assert workbook.read_bytes() == before
    assert litter(workbook.parent) == []


def test_a_failed_verification_wins_over_the_flush_and_leaves_the_original(
    workbook: Path, new_bytes: bytes
) -> None:
    before = workbook.read_bytes()

    def broken(tmp: Path) -> None:
        raise CannotProceed("rusak")

    with pytest.raises(CannotProceed, match="rusak"):
        atomic_write(workbook, lambda tmp: tmp.write_bytes(new_bytes), verify=broken)
    assert workbook.read_bytes() == before
    assert litter(workbook.parent) == []
