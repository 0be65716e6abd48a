"""Faults of the machine, not the file: a disk that fills up while a refresh writes.

A small tmpfs is mounted for the test (needs root and a kernel that allows it; skipped with the
reason otherwise), filled almost to the brim, and a refresh of a workbook on it must end with
exit 2 and one Indonesian line, the workbook's bytes unchanged and no temp file left.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from iku_excel.backends.safe_io import atomic_write
from iku_excel.backends.write_guard import DiskFull

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "iku_excel" / "data" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
SIZE = 64 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("no mount/umount command")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Write a filler file so that only about ``leave`` bytes stay free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "pengisi.bin").write_bytes(b"\0" * max(0, free - leave))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_refresh_on_a_full_disk_refuses_and_keeps_the_file(small_disk: Path) -> None:
    workbook = small_disk / "IKU.xlsx"
    shutil.copy(EXAMPLE, workbook)
    fill(small_disk, leave=8 * 1024)  # the refreshed workbook needs about 20 KB
    before = digest(workbook)
    done = subprocess.run(
        [sys.executable, "-m", "iku_excel.cli", "refresh", str(workbook)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "disk penuh" in done.stderr
    assert digest(workbook) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["IKU.xlsx", "pengisi.bin"]


def test_check_on_a_full_disk_still_reads(small_disk: Path) -> None:
    workbook = small_disk / "IKU.xlsx"
    shutil.copy(EXAMPLE, workbook)
    fill(small_disk, leave=0)
    done = subprocess.run(
        [sys.executable, "-m", "iku_excel.cli", "check", str(workbook)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


def test_atomic_write_turns_enospc_into_disk_full(small_disk: Path) -> None:
    workbook = small_disk / "IKU.xlsx"
    shutil.copy(EXAMPLE, workbook)
    fill(small_disk, leave=4 * 1024)
    before = digest(workbook)
    with pytest.raises(DiskFull, match="disk penuh"):
        atomic_write(workbook, lambda tmp: tmp.write_bytes(b"\1" * 200_000))
    assert digest(workbook) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["IKU.xlsx", "pengisi.bin"]
