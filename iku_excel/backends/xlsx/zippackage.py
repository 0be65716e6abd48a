"""The zip package: a workbook read once, members inflated at most once; writing a new zip.

:class:`XlsxPackage` holds the file's bytes and zip directory and a cache of inflated members;
:meth:`XlsxPackage.open` also runs :func:`~iku_excel.backends.safe_io.check_readable`'s checks,
testing every member's CRC once (by inflating it). :func:`write_zip` writes a new package:
members that did not change are copied compressed as they are stored (same CRC, same bytes),
new and changed ones are deflated.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from iku_excel.backends.write_guard import FileIdentity
from iku_excel.errors import UnsafeWorkbookError, WorkbookCorrupt
from iku_excel.limits import check_zip_directory

#: Members kept inflated after the CRC check (the XML parts a reader or the splice may parse).
_CACHED_SUFFIXES = (".xml", ".rels", ".vml")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class XlsxPackage:
    """A zip package in memory: members in order, case-insensitive lookup, cached reads."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = Path(path)
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise UnsafeWorkbookError(f"Bukan paket zip yang valid (file rusak?): {path}") from exc
        self.infos = self.zip.infolist()
        self.info_by_name = {info.filename: info for info in self.infos}
        self.by_lower: dict[str, str] = {}
        for info in self.infos:
            self.by_lower.setdefault(info.filename.lower(), info.filename)
        self._members: dict[str, bytes] = {}
        self.verified = False  # every member's CRC checked
        self._stamp = _stamp(self.path)

    @classmethod
    def load(cls, path: Path) -> XlsxPackage:
        """Read ``path`` as it is (no checks beyond a readable zip directory)."""
        return cls(Path(path), Path(path).read_bytes())

    @classmethod
    def open(cls, path: Path) -> XlsxPackage:
        """Read ``path`` once after :func:`~iku_excel.backends.safe_io.check_readable`'s checks.

        Every member's CRC is checked here, once. Raises the right
        :class:`~iku_excel.errors.CannotProceed` subclass.
        """
        from iku_excel.backends import safe_io

        path = Path(path)
        data = safe_io.check_file_head(path, whole=True)
        try:
            package = cls(path, data)
        except UnsafeWorkbookError as exc:
            raise WorkbookCorrupt(
                f"File rusak atau tidak lengkap (zip tidak valid): {path}"
            ) from exc.__cause__
        except (EOFError, zlib.error, zipfile.LargeZipFile, NotImplementedError) as exc:
            raise WorkbookCorrupt(f"File rusak atau tidak lengkap: {path} ({exc})") from exc
        check_zip_directory(package.infos, str(path))  # before any member is inflated
        safe_io.check_archive(package.zip, path, package.verify_and_refuse_doctype, package.read)
        return package

    def identity(self) -> FileIdentity:
        """What the file was when read: the bytes this package holds (size and SHA-256) and the
        modification time seen right after reading them. Passed to
        :func:`~iku_excel.backends.safe_io.atomic_write` so that a colleague's save between this
        read and the write is refused, never overwritten (the hash is of the bytes read, so a
        save racing the read itself is refused too)."""
        import hashlib

        mtime = self._stamp[1] if self._stamp is not None else -1
        return FileIdentity(len(self.data), mtime, hashlib.sha256(self.data).hexdigest())

    def is_current(self) -> bool:
        """The file on disk is still the one read (same size and modification time)."""
        return _stamp(self.path) == self._stamp

    def verify_members(self) -> str | None:
        """Inflate every member once, checking its CRC; the first damaged member's name or None.

        XML members stay cached for later reads.
        """
        for info in self.infos:
            if info.filename in self._members:
                continue
            try:
                data = self.zip.read(info)
            except zipfile.BadZipFile:
                return info.filename
            if info.filename.lower().endswith(_CACHED_SUFFIXES):
                self._members[info.filename] = data
        self.verified = True
        return None

    def verify_and_refuse_doctype(self) -> str | None:
        """:meth:`verify_members`, then refuse XML parts that declare a DTD (OOXML forbids them;
        Excel refuses them): an entity bomb or an external entity, whichever reader meets it."""
        bad = self.verify_members()
        if bad is not None:
            return bad
        for name, data in self._members.items():
            if b"!" in data and _DOCTYPE.search(data):  # "!" first: one memchr, no regex
                raise WorkbookCorrupt(
                    f"File rusak: bagian {name} berisi DOCTYPE (tidak diizinkan dalam file "
                    f"Excel): {self.path}"
                )
        return None

    def check_for_splice(self) -> None:
        """Refuse packages the splice cannot rewrite safely: duplicate or encrypted members."""
        seen: set[str] = set()
        for info in self.infos:
            key = info.filename.lower()
            problem = "ganda" if key in seen else ""
            problem = problem or ("terenkripsi" if info.flag_bits & 0x1 else "")
            if problem:
                raise UnsafeWorkbookError(f"Paket rusak: bagian {info.filename} {problem}.")
            seen.add(key)

    def close(self) -> None:
        self.zip.close()

    def find(self, name: str) -> str | None:
        """The exact member name of ``name`` (case-insensitive), or None."""
        return self.by_lower.get(name.lower())

    def cached(self, name: str) -> bytes | None:
        """The inflated member ``name`` when it is in the cache (never inflates it)."""
        return self._members.get(name)

    def read(self, name: str) -> bytes:
        """The inflated member ``name`` (inflated once, then cached)."""
        data = self._members.get(name)
        if data is None:
            try:
                data = self.zip.read(name)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise UnsafeWorkbookError(
                    f"Paket rusak: bagian {name} tidak utuh ({exc})."
                ) from exc
            self._members[name] = data
        return data

    def forget(self, names: Iterable[str]) -> None:
        """Drop the inflated copies of members no longer needed (read again if asked for)."""
        for name in names:
            self._members.pop(self.find(name) or name, None)

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """The compressed data of a member exactly as stored."""
        header = self.data[info.header_offset : info.header_offset + 30]
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise UnsafeWorkbookError(f"Paket rusak: header lokal {info.filename} tidak valid.")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        data = self.data[start : start + info.compress_size]
        if len(data) != info.compress_size:
            raise UnsafeWorkbookError(f"Paket rusak: bagian {info.filename} terpotong.")
        return data


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


#: A member that reaches this many inflated bytes is deflated from there on by a helper thread,
#: while the caller renders its next rows (zlib lets go of the GIL while it compresses, so the
#: two run on two cores); smaller members are deflated inline (a thread costs more than they do).
THREAD_FROM = 1 << 20
#: Chunks rendered but not yet deflated, at most (memory stays bounded when deflating lags).
_AHEAD = 8


@dataclass(frozen=True)
class Deflated:
    """A member already deflated (raw deflate), with the CRC and size of its inflated bytes."""

    crc: int
    size: int
    payload: bytes

    @classmethod
    def of(cls, chunks: Iterable[bytes]) -> Deflated:
        """Deflate ``chunks`` as they come: the whole inflated member is never held. From
        :data:`THREAD_FROM` bytes on, a helper thread deflates while ``chunks`` renders the next
        ones; the bytes are the same either way (one compressor, the chunks in order)."""
        deflater = _Deflater()
        iterator = iter(chunks)
        for chunk in iterator:
            deflater.add(chunk)
            if deflater.size >= THREAD_FROM:
                following = next(iterator, None)
                if following is not None:  # a helper only when there is more to come
                    _deflate_behind(deflater, following, iterator)
                break
        return deflater.result()

    @classmethod
    def unless_same(cls, chunks: Iterable[bytes], old: bytes) -> Deflated | None:
        """:meth:`of`, or None when ``chunks`` join to exactly ``old`` (a sheet rebuilt as it
        was: its member is then copied as stored, neither deflated nor verified again). The
        chunks are compared as they come; at the first difference the part that matched is
        deflated from ``old`` and the rest as it comes (the same bytes as :meth:`of`: raw
        deflate does not depend on how its input is cut)."""
        view = memoryview(old)
        iterator = iter(chunks)
        position = 0
        for chunk in iterator:
            end = position + len(chunk)
            if end <= len(old) and view[position:end] == chunk:
                position = end
                continue
            return cls.of(itertools.chain((view[:position], chunk), iterator))  # type: ignore[arg-type]
        return None if position == len(old) else cls.of([view[:position]])  # type: ignore[list-item]


class _Deflater:
    """One raw-deflate stream and the CRC and size of what went in."""

    def __init__(self) -> None:
        self.compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.crc = self.size = 0
        self.parts: list[bytes] = []

    def add(self, chunk: bytes) -> None:
        self.crc = zlib.crc32(chunk, self.crc)
        self.size += len(chunk)
        self.parts.append(self.compressor.compress(chunk))

    def result(self) -> Deflated:
        self.parts.append(self.compressor.flush())
        return Deflated(self.crc, self.size, b"".join(self.parts))


def _deflate_behind(deflater: _Deflater, first: bytes, chunks: Iterator[bytes]) -> None:
    """``first`` and the rest of ``chunks`` into ``deflater``, deflated by a helper thread as
    they come."""
    import queue
    import threading

    todo: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    room = threading.BoundedSemaphore(_AHEAD)
    failed: list[BaseException] = []

    def work() -> None:
        while (chunk := todo.get()) is not None:
            if not failed:
                try:
                    deflater.add(chunk)
                except BaseException as exc:  # raised in the caller's thread below
                    failed.append(exc)
            room.release()

    worker = threading.Thread(target=work, name="iku-deflate", daemon=True)
    try:
        worker.start()
    except RuntimeError:  # no thread to be had: deflate here
        for chunk in itertools.chain((first,), chunks):
            deflater.add(chunk)
        return
    try:
        room.acquire()
        todo.put(first)
        for chunk in chunks:
            room.acquire()
            todo.put(chunk)
            if failed:
                break
    finally:
        todo.put(None)
        worker.join()
    if failed:
        raise failed[0]


class Deflating:
    """A member's bytes being deflated by a helper thread while the caller goes on (the patched
    IKU sheet, deflated while the output sheets are rendered); :meth:`result` waits for it."""

    def __init__(self, data: bytes) -> None:
        import threading

        self.data = data
        self._result: Deflated | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, name="iku-deflate", daemon=True
        )
        try:
            self._thread.start()
        except RuntimeError:  # no thread to be had: deflated when the result is asked for
            self._thread = None

    def _run(self) -> None:
        try:
            deflater = _Deflater()
            deflater.add(self.data)
            self._result = deflater.result()
        except BaseException as exc:  # raised in the caller's thread by result()
            self._error = exc

    def result(self) -> Deflated:
        if self._thread is None:
            self._run()
        else:
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


@dataclass
class ZipEntry:
    """One member of the new package."""

    name: str
    info: zipfile.ZipInfo  # zip metadata to keep (the member replaced, else the workbook part's)
    data: bytes | Deflated | None  # None: copy the source member as stored


_ZIP_LIMIT = 0xFFFFFFFF


def _dos_datetime(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if year < 1980:
        return 0, (1 << 5) | 1
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


@dataclass
class _Prepared:
    name: bytes
    flags: int
    method: int
    crc: int
    size: int
    compressed_size: int
    payload: bytes | None  # None: copy the source member's stored data
    info: zipfile.ZipInfo


def _prepare(package: XlsxPackage, entries: Iterable[ZipEntry]) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    total = 0
    for entry in entries:
        info = entry.info
        payload: bytes | None
        if entry.data is None and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            payload, flags, method = None, info.flag_bits & 0x0006, info.compress_type
            crc, size, compressed_size = info.CRC, info.file_size, info.compress_size
        else:
            deflated = entry.data
            if not isinstance(deflated, Deflated):
                data = deflated if deflated is not None else package.read(entry.name)
                deflated = Deflated.of([data])
                entry.data = deflated  # the inflated bytes can go now
            payload, flags, method = deflated.payload, 0, zipfile.ZIP_DEFLATED
            crc, size, compressed_size = deflated.crc, deflated.size, len(payload)
        try:
            name = entry.name.encode("ascii")
        except UnicodeEncodeError:
            name, flags = entry.name.encode("utf-8"), flags | 0x800
        total += 76 + 2 * len(name) + compressed_size
        if size > _ZIP_LIMIT or total > _ZIP_LIMIT or len(prepared) >= 0xFFFF:
            raise UnsafeWorkbookError("Paket hasil terlalu besar (perlu zip64): tidak didukung.")
        prepared.append(_Prepared(name, flags, method, crc, size, compressed_size, payload, info))
    return prepared


def write_zip(package: XlsxPackage, entries: list[ZipEntry], dst: Path) -> list[str]:
    """Write the package: stored members are copied compressed as they are, new ones deflated.

    Returns the names of the members written from new data (the ones to re-verify).
    """
    prepared = _prepare(package, entries)  # every size check before the first byte
    central = io.BytesIO()
    with dst.open("wb") as out:
        for item in prepared:
            offset = out.tell()
            time, date = _dos_datetime(item.info.date_time)
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    item.flags,
                    item.method,
                    time,
                    date,
                    item.crc,
                    item.compressed_size,
                    item.size,
                    len(item.name),
                    0,
                )
            )
            out.write(item.name)
            out.write(item.payload if item.payload is not None else package.raw(item.info))
            version_made_by = (item.info.create_system << 8) | min(item.info.create_version, 63)
            central.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    version_made_by,
                    20,
                    item.flags,
                    item.method,
                    time,
                    date,
                    item.crc,
                    item.compressed_size,
                    item.size,
                    len(item.name),
                    0,
                    0,
                    0,
                    item.info.internal_attr,
                    item.info.external_attr & 0xFFFFFFFF,
                    offset,
                )
            )
            central.write(item.name)
        directory_offset = out.tell()
        out.write(central.getvalue())
        out.write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                len(prepared),
                len(prepared),
                len(central.getvalue()),
                directory_offset,
                0,
            )
        )
    fresh = zip(entries, prepared, strict=True)
    return [entry.name for entry, item in fresh if item.payload is not None]
