"""Safe file IO for the user's workbook: pre-flight checks and crash-safe replacement.

* :func:`check_readable` / :func:`check_writable` turn the usual reasons a workbook cannot be
  processed (missing, an old ``.xls``, password-protected, open in Excel, read-only, damaged) into
  a :class:`CannotProceed` subclass whose message is one Indonesian line for the planner; the CLI
  maps the whole family to exit code 2. Their two halves, :func:`check_file_head` (the file)
  and :func:`check_archive` (the open zip), let the file engine's package
  (:meth:`~iku_excel.backends.xlsx.zippackage.XlsxPackage.open`) run the same checks on the one
  read of the file, testing each member's CRC once; :func:`check_replaceable` is the rest of
  :func:`check_writable`.
* :func:`atomic_write` writes a new version of a file through a temp file in the same folder and
  swaps it in with :func:`os.replace`. A crash or ``kill -9`` at any moment leaves the original
  either untouched or completely replaced, never half-written. Temp files are unique
  (``.~iku-<name>.<random>.tmp``); stale ones left by a killed run are removed by the next
  :func:`atomic_write` for the same file (and never read). An advisory lock beside the file
  (``.~iku-<name>.lock``) makes a second concurrent run refuse; a file saved by someone else
  since it was read (:func:`file_identity`) is refused, never overwritten; symlinks, owner,
  group, mode and extended attributes are kept. :func:`verify_xlsx` checks the
  written file before the swap (every member, or only the members written from new data).

Password-protected ``.xlsx`` files are not zip packages but OLE compound files holding the
streams ``EncryptionInfo`` and ``EncryptedPackage``; legacy ``.xls`` files are OLE compound files
holding a ``Workbook`` (or ``Book``) stream. A small reader of the compound-file directory tells
them apart without extra dependencies.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from pathlib import Path

from lxml import etree

from iku_excel.backends.write_guard import (
    TEMP_PREFIX,
    DiskFull,
    FileIdentity,
    copy_metadata,
    file_identity,
    file_tag,
    is_disk_full,
    refuse_if_changed,
    remove_stale_temps,
    resolve_link,
    workbook_lock,
)
from iku_excel.backends.write_guard import (
    SourceChanged as SourceChanged,  # re-exported: atomic_write raises it
)
from iku_excel.backends.write_guard import (
    temp_files_for as temp_files_for,  # re-exported for callers and tests
)
from iku_excel.backends.xlsx.ooxml import (
    CT_ADDIN_MAIN,
    CT_NS,
    CT_XLSB_MAIN,
    OFFICE_DOCUMENT_TYPES,
    PARSER,
    PKG_REL_NS,
    WORKBOOK_MAIN_TYPES,
)
from iku_excel.errors import (
    EncryptedWorkbook,
    FileNotFound,
    NotAnXlsx,
    ReadOnlyFile,
    WorkbookCorrupt,
    WorkbookLocked,
)

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_OFFICE_DOCUMENT_TYPES = OFFICE_DOCUMENT_TYPES
_SPREADSHEET_MAIN_TYPES = tuple(sorted(WORKBOOK_MAIN_TYPES))


# --- Checks ---------------------------------------------------------------------------------------


def lock_files(path: Path) -> list[Path]:
    """The lock files Excel (``~$name``) and LibreOffice (``.~lock.name#``) would create."""
    path = Path(path)
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def check_readable(path: Path) -> None:
    """Raise the right :class:`CannotProceed` subclass unless ``path`` is a readable workbook.

    Readable means: an existing regular file, a complete zip package (every member's CRC is
    checked) with ``[Content_Types].xml`` and an xlsx/xlsm/xltx/xltm main part.
    """
    path = Path(path)
    check_file_head(path)
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive, path, archive.testzip)
    except zipfile.BadZipFile as exc:
        raise WorkbookCorrupt(f"File rusak atau tidak lengkap (zip tidak valid): {path}") from exc
    except (OSError, EOFError, zlib.error, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise WorkbookCorrupt(f"File rusak atau tidak lengkap: {path} ({exc})") from exc


def check_file_head(path: Path, *, whole: bool = False) -> bytes:
    """The file-level part of :func:`check_readable`: exists, is a file, starts like a zip.

    Returns the bytes read: the first 8, or with ``whole`` the whole file (read once).
    """
    if not path.exists():
        raise FileNotFound(f"File tidak ditemukan: {path}")
    if not path.is_file():
        raise NotAnXlsx(f"Bukan file (mungkin folder): {path}")
    try:
        with path.open("rb") as handle:
            head = handle.read() if whole else handle.read(8)
    except PermissionError as exc:
        raise ReadOnlyFile(f"File tidak dapat dibaca (izin akses ditolak): {path}") from exc
    except OSError as exc:
        raise WorkbookCorrupt(f"File tidak dapat dibaca ({exc.strerror}): {path}") from exc
    if head.startswith(_OLE_MAGIC):
        _raise_for_ole(path)
    if not (head.startswith(_ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC)):
        if not head:
            raise WorkbookCorrupt(f"File kosong (0 byte): {path}")
        raise NotAnXlsx(f"Bukan file Excel .xlsx/.xlsm: {path}")
    return head


def check_writable(path: Path) -> None:
    """:func:`check_readable`, plus: not open in Excel/LibreOffice, file and folder writable.

    The file's mode is checked besides :func:`os.access` because ``os.access`` says yes to root
    even for a file marked read-only.
    """
    path = Path(path)
    check_readable(path)
    check_replaceable(path)


def check_replaceable(path: Path) -> None:
    """The part of :func:`check_writable` beyond :func:`check_readable`: no lock file, the file
    and its folder writable."""
    path = Path(path)
    for lock in lock_files(path):
        try:
            locked = lock.exists()
        except OSError:  # a name too long to hold ".~lock.<name>#": no program made that lock
            locked = False
        if locked:
            raise WorkbookLocked(
                f"File sedang dibuka di Excel/LibreOffice (ada file kunci {lock.name}): "
                f"tutup file di Excel dulu, lalu coba lagi. Bila Excel sudah tertutup, "
                f"hapus file {lock} lalu coba lagi."
            )
    mode = path.stat().st_mode
    if not os.access(path, os.W_OK) or not mode & stat.S_IWUSR:
        raise ReadOnlyFile(
            f"File hanya-baca (read-only): {path}. Hilangkan tanda read-only "
            f"(Properties) atau simpan salinannya, lalu coba lagi."
        )
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReadOnlyFile(
            f"Folder {folder} tidak dapat ditulisi: pindahkan file ke folder lain, lalu coba lagi."
        )


def check_archive(
    archive: zipfile.ZipFile,
    path: Path,
    test_members: Callable[[], str | None],
    read: Callable[[str], bytes] | None = None,
) -> None:
    """The package-level part of :func:`check_readable` on an open zip.

    ``test_members`` checks every member's CRC and returns the first damaged one (or None):
    ``archive.testzip``, or a package's own pass that keeps what it inflates; ``read`` reads a
    member (default ``archive.read``; a package passes its cached read).
    """
    try:
        names = {name.lower(): name for name in archive.namelist()}
        if any(info.flag_bits & 0x1 for info in archive.infolist()):
            raise NotAnXlsx(f"Arsip zip terenkripsi, bukan file Excel: {path}")
        if "[content_types].xml" not in names:
            raise NotAnXlsx(f"Bukan file Excel .xlsx/.xlsm (zip biasa): {path}")
        bad = test_members()
        if bad is not None:
            raise WorkbookCorrupt(f"File rusak (bagian {bad} tidak utuh): {path}")
        main_type = _main_part_type(read or archive.read, names, path)
    except zipfile.BadZipFile as exc:
        raise WorkbookCorrupt(f"File rusak atau tidak lengkap (zip tidak valid): {path}") from exc
    except (OSError, EOFError, zlib.error, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise WorkbookCorrupt(f"File rusak atau tidak lengkap: {path} ({exc})") from exc
    if main_type == CT_XLSB_MAIN:
        raise NotAnXlsx(
            f"File .xlsb (Excel Binary) tidak didukung: buka di Excel, simpan sebagai .xlsx, "
            f"lalu coba lagi: {path}"
        )
    if main_type == CT_ADDIN_MAIN:
        raise NotAnXlsx(f"File add-in Excel (.xlam), bukan workbook IKU: {path}")
    if main_type not in _SPREADSHEET_MAIN_TYPES:
        raise NotAnXlsx(f"Bukan file Excel .xlsx/.xlsm (jenis isi {main_type}): {path}")


def _office_document_name(read: Callable[[str], bytes], names: dict[str, str]) -> str | None:
    """Zip name of the package's officeDocument part, from ``_rels/.rels`` (None if absent)."""
    rels_name = names.get("_rels/.rels")
    if rels_name is None:
        return None
    rels = etree.fromstring(read(rels_name), PARSER)
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("Type") in _OFFICE_DOCUMENT_TYPES:
            return names.get((rel.get("Target") or "").lstrip("/").lower())
    return None


def _main_part_type(read: Callable[[str], bytes], names: dict[str, str], path: Path) -> str:
    """Content type of the package's officeDocument part."""
    try:
        types = etree.fromstring(read(names["[content_types].xml"]), PARSER)
        main = _office_document_name(read, names)
    except etree.XMLSyntaxError as exc:
        raise WorkbookCorrupt(f"File rusak (XML paket tidak valid): {path}") from exc
    if main is None:
        raise NotAnXlsx(f"Bukan file Excel .xlsx/.xlsm (tanpa bagian workbook): {path}")
    for override in types.iter(f"{{{CT_NS}}}Override"):
        if (override.get("PartName") or "").lstrip("/").lower() == main.lower():
            return override.get("ContentType") or ""
    return ""


def _raise_for_ole(path: Path) -> None:
    """An OLE compound file: encrypted OOXML, or a legacy .xls / other Office file."""
    try:
        streams = {name.lower() for name in ole_stream_names(path.read_bytes())}
    except ValueError as exc:
        raise WorkbookCorrupt(f"File OLE rusak: {path}") from exc
    if {"encryptioninfo", "encryptedpackage"} <= streams:
        raise EncryptedWorkbook(
            f"File dilindungi kata sandi (password): {path}. Buka di Excel, hapus kata sandinya "
            f"(File > Info > Protect Workbook > Encrypt with Password), simpan, lalu coba lagi."
        )
    if streams & {"workbook", "book"}:
        raise NotAnXlsx(
            f"File .xls (Excel 97-2003) tidak didukung: buka di Excel, simpan sebagai .xlsx "
            f"(File > Save As), lalu coba lagi: {path}"
        )
    raise NotAnXlsx(f"Bukan file Excel .xlsx/.xlsm (file OLE/Office lama): {path}")


def ole_stream_names(data: bytes) -> list[str]:
    """Names of all entries in the directory of an OLE compound file (MS-CFB).

    Raises ValueError when ``data`` is not a well-formed compound file.
    """
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        raise ValueError("not an OLE compound file")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << sector_shift
    num_fat, first_dir = (
        struct.unpack_from("<I", data, 0x2C)[0],
        struct.unpack_from("<I", data, 0x30)[0],
    )
    first_difat, num_difat = struct.unpack_from("<II", data, 0x44)

    def sector(index: int) -> bytes:
        start = (index + 1) * size
        if index >= 0xFFFFFFFA or start >= len(data):
            raise ValueError("sector out of range")
        return data[start : start + size].ljust(size, b"\0")

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
    next_difat, seen = first_difat, 0
    while next_difat < 0xFFFFFFFA and seen < num_difat:
        difat = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_sectors.extend(s for s in difat[:-1] if s < 0xFFFFFFFA)
        next_difat, seen = difat[-1], seen + 1
    fat: list[int] = []
    for index in fat_sectors[:num_fat]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(index)))
    names: list[str] = []
    current, visited = first_dir, set()
    while current < 0xFFFFFFFA:
        if current in visited or current >= len(fat):
            raise ValueError("broken directory chain")
        visited.add(current)
        block = sector(current)
        for offset in range(0, len(block) - 127, 128):
            length = struct.unpack_from("<H", block, offset + 0x40)[0]
            kind = block[offset + 0x42]
            if kind == 0 or not 2 <= length <= 64:
                continue
            names.append(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    return names


# --- Atomic replacement ---------------------------------------------------------------------------


def temp_path_for(path: Path) -> Path:
    """A fresh temp name for writing ``path``: ``.~iku-<name>.<random>.tmp`` in the same folder.

    Unique per call, so two runs never write (or delete) each other's temp file; not created.
    :func:`~iku_excel.backends.write_guard.temp_files_for` finds them all again.
    """
    path = Path(path)
    return path.with_name(f"{TEMP_PREFIX}{file_tag(path.name)}.{os.urandom(8).hex()}.tmp")


def backup_path_for(path: Path, when: datetime | None = None) -> Path:
    """``<stem>.backup-YYYYmmdd-HHMMSS<suffix>`` beside ``path`` (with ``-2``... if taken)."""
    path = Path(path)
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{number}{path.suffix}")
        number += 1
    return candidate


def verify_xlsx(path: Path, members: Collection[str] | None = None) -> None:
    """Default check of a freshly written package: every member's CRC (or only those in
    ``members``: the ones written from new data, when the others were copied as stored from a
    package whose CRCs were checked when it was read), and the two key parts
    ``[Content_Types].xml`` and ``xl/workbook.xml`` (or the officeDocument part) parse.

    Raises :class:`WorkbookCorrupt`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            if _first_bad_member(archive, members) is not None:
                raise WorkbookCorrupt(f"Hasil tulis rusak (CRC): {path}")
            names = {name.lower(): name for name in archive.namelist()}
            if "[content_types].xml" not in names:
                raise WorkbookCorrupt(f"Hasil tulis tanpa [Content_Types].xml: {path}")
            etree.fromstring(archive.read(names["[content_types].xml"]), PARSER)
            main = names.get("xl/workbook.xml") or _office_document_name(archive.read, names)
            if main is None:
                raise WorkbookCorrupt(f"Hasil tulis tanpa bagian workbook: {path}")
            etree.fromstring(archive.read(main), PARSER)
    except (
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
        OSError,
        KeyError,
        EOFError,
        zlib.error,
    ) as exc:
        raise WorkbookCorrupt(f"Hasil tulis rusak: {path} ({exc})") from exc


def _first_bad_member(archive: zipfile.ZipFile, members: Collection[str] | None) -> str | None:
    if members is None:
        return archive.testzip()
    for name in members:
        try:
            with archive.open(name) as member:  # read in pieces: the CRC is checked at the end
                while member.read(1 << 20):
                    pass
        except zipfile.BadZipFile:
            return name
    return None


#: Folders whose renames await their flush (:func:`folder_syncs_deferred`); None: flush at once.
_unsynced_folders: set[Path] | None = None


@contextlib.contextmanager
def folder_syncs_deferred() -> Iterator[None]:
    """Within it, each folder :func:`atomic_write` renamed a file in is flushed once, on the way
    out, instead of after every rename (a batch worker: one flush of the folder for all its
    files, not one per file, which two workers' flushes would queue for in the journal).

    Each file's own bytes are still flushed before its rename, so a power cut before the end
    leaves every file whole, the old version or the new, never a damaged one; only the newest
    renames may be undone. Nested uses flush at the outermost exit.
    """
    global _unsynced_folders
    if _unsynced_folders is not None:
        yield
        return
    _unsynced_folders = set()
    try:
        yield
    finally:
        folders, _unsynced_folders = _unsynced_folders, None
        for folder in sorted(folders):
            _fsync_directory(folder)


def _sync_folder(folder: Path) -> None:
    """Flush ``folder`` now, or at the end of :func:`folder_syncs_deferred` when inside it."""
    if _unsynced_folders is None:
        _fsync_directory(folder)
    else:
        _unsynced_folders.add(folder)


def _fsync_directory(folder: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _make_backup(path: Path) -> Path:
    """Copy ``path`` to a fresh backup name; a hard link when the file system allows it.

    The hard link is safe because :func:`atomic_write` never writes into the original inode:
    ``os.replace`` gives ``path`` a new one and the backup keeps the old bytes.
    """
    backup = backup_path_for(path)
    try:
        os.link(path, backup)
    except OSError:
        partial = temp_path_for(backup)
        try:
            shutil.copy2(path, partial)
            with partial.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, backup)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return backup


def atomic_write(
    path: Path,
    write: Callable[[Path], None],
    *,
    backup: bool = False,
    verify: Callable[[Path], None] | None = None,
    expected: FileIdentity | None = None,
) -> Path | None:
    """Replace ``path`` by what ``write(tmp)`` writes into a temp file, atomically and alone.

    Steps: take the advisory lock beside the file (:func:`workbook_lock`; another run holding it
    means :class:`WorkbookLocked` at once); remove our stale temps for this file; ``write(tmp)``
    into a unique temp (:func:`temp_path_for`); fsync it; ``verify(tmp)`` (default
    :func:`verify_xlsx`); give it the original's mode, owner, group and extended attributes
    where the OS allows; check the original is still the file that was read (``expected``,
    captured by the caller with :func:`file_identity` when it read the file; by default the
    identity at the start of this call), else :class:`SourceChanged` and the colleague's bytes
    stay; optionally keep a backup (``<stem>.backup-YYYYmmdd-HHMMSS<suffix>``); ``os.replace``;
    fsync the folder (at once, or once at the end of :func:`folder_syncs_deferred`). On any
    error the temp file is removed, the original is untouched and the error propagates (a full
    disk as :class:`DiskFull`). Returns the backup's path, else None.

    A symlink is followed: its target is replaced (the backup goes beside the target) and the
    link stays a link. ``path`` need not exist yet (then nothing is backed up or compared). On
    Windows a replace that fails because Excel holds the file open raises
    :class:`WorkbookLocked`. The remaining window between the identity check and the replace
    is the time of one ``os.replace`` call; a colleague saving exactly then still loses.
    """
    path = resolve_link(Path(path))
    with workbook_lock(path) as locked:
        remove_stale_temps(path, any_age=locked)
        before = path.stat() if path.exists() else None
        if before is not None and expected is None:
            expected = file_identity(path)
        tmp = temp_path_for(path)
        backup_path: Path | None = None
        try:
            write(tmp)
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
            (verify or verify_xlsx)(tmp)
            if before is not None:
                copy_metadata(path, before, tmp)
            if expected is not None:
                refuse_if_changed(path, expected)
            if backup and before is not None:
                backup_path = _make_backup(path)
            _replace(tmp, path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if is_disk_full(exc):
                raise DiskFull(
                    f"Ruang disk penuh; tidak ada yang ditulis, file tetap seperti semula: {path}. "
                    f"Kosongkan ruang disk, lalu jalankan lagi."
                ) from exc
            raise
        _sync_folder(path.parent)
    return backup_path


def _replace(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        raise WorkbookLocked(
            f"File tidak dapat diganti (sedang dibuka di Excel?): {path}. "
            f"Tutup file di Excel dulu, lalu coba lagi."
        ) from exc
