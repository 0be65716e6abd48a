"""What keeps a workbook write honest: identity of what was read, one writer, no litter, metadata.

Helpers of :func:`iku_excel.backends.safe_io.atomic_write`, kept apart so that module stays
about checks and the replace itself:

* :func:`file_identity` / :func:`refuse_if_changed`: a file saved by a colleague between our
  read and our write is refused (:class:`SourceChanged`), never overwritten (no lost update);
* :func:`workbook_lock`: an advisory lock beside the workbook (``.~iku-<name>.lock``,
  ``flock`` on POSIX, ``msvcrt.locking`` on Windows) so concurrent runs refuse cleanly;
* :func:`temp_files_for` / :func:`remove_stale_temps`: our unique temp files, and the removal
  of those a killed run left;
* :func:`resolve_link` and :func:`copy_metadata`: a symlink stays a link, and the new file gets
  the old one's mode, owner, group and extended attributes where the OS allows.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from iku_excel.errors import CannotProceed, WorkbookLocked

TEMP_PREFIX = ".~iku-"
#: A temp file of ours older than this is stale even when we could not take the lock (a file
#: system without working ``flock``): no refresh takes anywhere near 15 minutes to write.
STALE_TEMP_SECONDS = 15 * 60
#: Longest file name kept verbatim inside temp and lock names (most file systems allow 255
#: bytes per name; ours add up to 30). Longer names are shortened with a hash of the whole.
_MAX_TAG_BYTES = 200


class DiskFull(CannotProceed):
    """The disk (or the user's quota) filled up while writing; the original is untouched."""


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left on device" and "disk quota exceeded"."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1))


class SourceChanged(CannotProceed):
    """The workbook was saved by someone else between our read and our write; nothing written."""


@dataclass(frozen=True)
class FileIdentity:
    """What a file was when it was read: size, modification time (ns) and SHA-256 of its bytes."""

    size: int
    mtime_ns: int
    sha256: str


def file_identity(path: Path) -> FileIdentity:
    """The identity of ``path`` now; capture it when reading, pass it to :func:`atomic_write`."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        info = os.fstat(handle.fileno())
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return FileIdentity(info.st_size, info.st_mtime_ns, digest.hexdigest())


def refuse_if_changed(path: Path, expected: FileIdentity) -> None:
    """Raise :class:`SourceChanged` unless ``path`` still has the bytes that were read.

    Size and mtime decide quickly when they differ; equal ones are confirmed by the hash (an
    edit within the file system's timestamp granularity keeps the mtime).
    """
    try:
        now = path.stat()
        same = (now.st_size, now.st_mtime_ns) == (expected.size, expected.mtime_ns) and (
            file_identity(path).sha256 == expected.sha256
        )
    except FileNotFoundError:
        same = False
    if not same:
        raise SourceChanged(
            f"File {path} diubah orang lain sejak dibaca; jalankan lagi (tidak ada yang ditulis)."
        )


def resolve_link(path: Path) -> Path:
    """The file a symlink points to (so the target is replaced and the link kept), else ``path``."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def file_tag(name: str) -> str:
    """``name`` as used inside temp and lock names: verbatim, or shortened plus a hash."""
    if len(name.encode("utf-8", "surrogateescape")) <= _MAX_TAG_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"{name[:60]}~{digest}"


def lock_path_for(path: Path) -> Path:
    """The advisory lock file beside ``path``: ``.~iku-<name>.lock``."""
    path = Path(path)
    return path.with_name(f"{TEMP_PREFIX}{file_tag(path.name)}.lock")


def _try_lock(fd: int) -> None:
    """Lock the open file ``fd`` without waiting; BlockingIOError/PermissionError if held."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextlib.contextmanager
def workbook_lock(path: Path) -> Iterator[bool]:
    """Hold the advisory lock of ``path`` for the block; yields whether a lock is held.

    Non-blocking by choice: a second run that waited would then write a plan computed from the
    bytes it read before the first run replaced them, which the identity check refuses anyway;
    refusing at once with :class:`WorkbookLocked` says why, sooner. Where no lock can be made
    (a read-only folder, a file system without locks) it yields False and the write goes on:
    unique temp names and the identity check still keep the file whole.

    The lock file is removed on release. A run that opened it just before removal would lock a
    deleted file; it notices (the path no longer names its inode) and takes the lock again.
    """
    lock = lock_path_for(path)
    for _attempt in range(10):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield False
            return
        try:
            _try_lock(fd)
        except (BlockingIOError, PermissionError) as exc:
            os.close(fd)
            raise WorkbookLocked(
                f"File sedang diperbarui oleh proses iku-excel lain: {path}. Tunggu sampai "
                f"selesai, lalu coba lagi."
            ) from exc
        except OSError:
            os.close(fd)
            yield False
            return
        try:
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            break
        os.close(fd)  # removed by the previous holder after we opened it: try again
    else:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # before the unlock, so a waiter sees the inode change
        os.close(fd)


def temp_files_for(path: Path) -> list[Path]:
    """Our temp files for ``path`` in its folder (including the fixed name older versions used)."""
    path = Path(path)
    tag = file_tag(path.name)
    pattern = re.compile(re.escape(f"{TEMP_PREFIX}{tag}") + r"(\.[0-9a-f]{16})?\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return sorted(path.with_name(name) for name in names if pattern.fullmatch(name))


def remove_stale_temps(path: Path, *, any_age: bool) -> None:
    """Remove temps a killed run left for ``path``: all of them when we hold the lock (nobody
    else can be writing one), else those older than :data:`STALE_TEMP_SECONDS`."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in temp_files_for(path):
        with contextlib.suppress(OSError):
            if any_age or temp.stat().st_mtime < cutoff:
                temp.unlink()


def copy_metadata(source: Path, before: os.stat_result, target: Path) -> None:
    """Give ``target`` the mode, owner, group and extended attributes ``source`` had.

    Each is best effort: an unprivileged user cannot give a file away, some file systems have no
    xattrs, and Windows has neither; the refresh goes on with what the OS allowed.
    """
    with contextlib.suppress(OSError):
        os.chmod(target, stat.S_IMODE(before.st_mode))
    if hasattr(os, "chown"):
        now = target.stat()
        if (now.st_uid, now.st_gid) != (before.st_uid, before.st_gid):
            with contextlib.suppress(OSError):
                os.chown(target, before.st_uid, before.st_gid)
            with contextlib.suppress(OSError):
                os.chown(target, -1, before.st_gid)  # at least the group, if we may
            with contextlib.suppress(OSError):
                os.chmod(target, stat.S_IMODE(before.st_mode))  # chown clears setgid bits
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(source)
        except OSError:
            return
        for name in names:
            with contextlib.suppress(OSError):
                os.setxattr(target, name, os.getxattr(source, name))
