"""Resource limits for untrusted workbooks, checked before anything is inflated or densely read.

A 10 KB .xlsx can claim gigabytes: a deflate member that inflates 1000x, a bzip2 member nobody
reads but ``testzip`` inflates anyway, duplicate central-directory entries that multiply the work,
or one stray value at ``XFD1048576`` that makes a dense reader allocate 16384 x 1048576 cells.
This module is pure (no file IO): it judges what the zip central directory and the first bytes
of a sheet part *declare*, so the caller can refuse, or pick the sparse reader
(:mod:`iku_excel.backends.sparse_sheet`), before any memory is spent.

Every limit is far above what a real IKU workbook needs (a few dozen members, well under 10 MB
inflated, sheets of a few hundred rows by a few dozen columns) and far below what hurts a
planner's laptop or a 1 GiB server worker. A refusal is a :class:`ResourceLimit`, a
:class:`~iku_excel.errors.CannotProceed` (CLI exit 2), whose message names the limit, the value
found and the bound, in Indonesian.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from iku_excel.errors import CannotProceed, WorkbookCorrupt

__all__ = [
    "ALLOWED_COMPRESSION",
    "HEAD_BYTES",
    "MAX_CELLS_DENSE",
    "MAX_CELLS_SPARSE",
    "MAX_COLUMN",
    "MAX_MEMBERS",
    "MAX_MEMBER_UNCOMPRESSED",
    "MAX_RATIO",
    "MAX_ROW",
    "MAX_TOTAL_UNCOMPRESSED",
    "RATIO_MIN_SIZE",
    "Dimension",
    "ResourceLimit",
    "check_dense_area",
    "check_zip_directory",
    "declared_dimension",
    "needs_sparse_read",
]

#: Most members a package may have. Real IKU workbooks have 10-60 (sheets, styles, themes, a few
#: drawings); big corporate workbooks a few thousand. 10,000 leaves room for those while keeping
#: the per-member work (CRC checks, name lookups) of a hostile directory bounded.
MAX_MEMBERS = 10_000

#: Largest inflated size of any one member. An IKU sheet is well under 1 MB of XML; a dense
#: 100,000-row x 20-column sheet is about 150 MB. 256 MiB admits that and refuses the 3 GiB
#: whitespace-padded sheet, which would otherwise end in MemoryError.
MAX_MEMBER_UNCOMPRESSED = 256 * 1024 * 1024

#: Largest inflated size of the whole package: two maximal members plus change. Keeps the CRC
#: check of every member (``testzip``) to seconds, and stays under a 1 GiB address-space cap.
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024

#: Largest compression ratio (inflated / compressed) of a member bigger than
#: :data:`RATIO_MIN_SIZE`. SpreadsheetML deflates 5-30x, very repetitive styles or shared
#: strings up to about 100x; deflate's own ceiling is about 1032x, which only padding reaches.
MAX_RATIO = 200

#: Members smaller than this are not ratio-checked: a 1 MiB member cannot hurt, and tiny XML
#: parts (an empty ``calcChain``) legitimately reach high ratios.
RATIO_MIN_SIZE = 1024 * 1024

#: Compression methods a package may use: stored (0) and deflate (8) are what Excel, LibreOffice
#: and openpyxl write. bzip2 (12) and lzma (14) are legal zip but never OOXML, and a bzip2 bomb
#: is far cheaper to build than a deflate one.
ALLOWED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

#: Largest used range (rows x columns) read into a dense grid. A dense grid costs about 40 bytes
#: per cell in the reader (CV1048576 took 4.1 GB); 4,000,000 cells is about 160 MB. An agency's
#: IKU sheet is a few thousand cells; the limit leaves room for the 100,000-indicator stress
#: workbook of ``benchmarks/bench_speed.py`` (2.1 million cells, which 2,000,000 refused). A
#: bigger used range goes through the sparse reader instead.
MAX_CELLS_DENSE = 4_000_000

#: Most non-empty cells the sparse reader keeps (about 200 bytes each in a dict, so ~100 MB). A
#: sheet with more real values than this is no IKU sheet and is refused.
MAX_CELLS_SPARSE = 500_000

#: Excel's own grid: 1,048,576 rows by 16,384 columns (XFD). Cells outside are damage.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384

#: How much of a sheet part to inflate to find ``<dimension>``: it precedes ``<sheetData>`` and
#: comes after only ``<sheetPr>`` (a few hundred bytes at most).
HEAD_BYTES = 4096


class ResourceLimit(CannotProceed):
    """The file declares or holds more than iku-excel will read (a zip bomb, a runaway range)."""

    def __init__(self, label: str, what: str, value: int, limit: int) -> None:
        self.label, self.what, self.value, self.limit = label, what, value, limit
        super().__init__(
            f"File melebihi batas {what}: {_number(value)}, batas {_number(limit)} "
            f"(kemungkinan file rusak atau sengaja dibuat berbahaya): {label}"
        )


def _number(value: int) -> str:
    """An integer with Indonesian thousands separators (1.048.576)."""
    return f"{value:,}".replace(",", ".")


def check_zip_directory(infos: Sequence[zipfile.ZipInfo], label: str) -> None:
    """Refuse a package whose central directory is hostile, before any member is inflated.

    Checks, in order: member count, duplicate names (case-insensitive, as OPC part names are),
    compression methods, each member's declared inflated size and ratio, and the total. Raises
    :class:`ResourceLimit` for sizes and counts, :class:`~iku_excel.errors.WorkbookCorrupt` for
    duplicates and foreign compression methods. ``label`` names the file in the message.

    The declared sizes are trustworthy enough: :mod:`zipfile` never inflates past a member's
    declared ``file_size`` (a lying member then fails its CRC check as corrupt).
    """
    if len(infos) > MAX_MEMBERS:
        raise ResourceLimit(label, "jumlah bagian zip", len(infos), MAX_MEMBERS)
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = info.filename.lower()
        if key in seen:
            raise WorkbookCorrupt(
                f"File rusak: bagian zip {info.filename} muncul lebih dari sekali: {label}"
            )
        seen.add(key)
        if info.compress_type not in ALLOWED_COMPRESSION:
            raise WorkbookCorrupt(
                f"File rusak atau bukan buatan Excel: bagian {info.filename} memakai metode "
                f"kompresi {info.compress_type} (hanya stored/deflate yang didukung): {label}"
            )
        size = info.file_size
        if size > MAX_MEMBER_UNCOMPRESSED:
            raise ResourceLimit(
                label, f"ukuran bagian {info.filename} (byte)", size, MAX_MEMBER_UNCOMPRESSED
            )
        if size > RATIO_MIN_SIZE and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise ResourceLimit(label, f"rasio kompresi bagian {info.filename}", ratio, MAX_RATIO)
        total += size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise ResourceLimit(label, "ukuran total isi zip (byte)", total, MAX_TOTAL_UNCOMPRESSED)


@dataclass(frozen=True)
class Dimension:
    """A rectangle of cells, 1-based and inclusive (``A1:C10`` is rows 1-10, columns 1-3)."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def cells(self) -> int:
        """Number of cells in the rectangle."""
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)


_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _parse_ref(text: str) -> tuple[int, int] | None:
    match = _CELL_REF.fullmatch(text.strip())
    if match is None:
        return None
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col


def declared_dimension(sheet_xml_head: bytes) -> Dimension | None:
    """The ``<dimension ref="A1:D20">`` a worksheet part declares, from its first bytes.

    Give it the first :data:`HEAD_BYTES` of the inflated part; nothing else is needed because
    ``<dimension>`` precedes ``<sheetData>``. Returns None when absent or unreadable (the
    element is optional and Excel itself does not trust it). A single-cell ref (``A1``) gives a
    one-cell rectangle; refs beyond Excel's grid are clamped to it.
    """
    match = _DIMENSION.search(sheet_xml_head)
    if match is None:
        return None
    text = match.group(1).decode("ascii", "replace")
    first, _, last = text.partition(":")
    start = _parse_ref(first)
    end = _parse_ref(last) if last else start
    if start is None or end is None:
        return None
    rows = sorted((min(start[0], MAX_ROW), min(end[0], MAX_ROW)))
    cols = sorted((min(start[1], MAX_COLUMN), min(end[1], MAX_COLUMN)))
    return Dimension(max(rows[0], 1), max(cols[0], 1), max(rows[1], 1), max(cols[1], 1))


def needs_sparse_read(dimension: Dimension | None) -> bool:
    """True when a dense read of a sheet with this used range would exceed :data:`MAX_CELLS_DENSE`.

    The used range a dense reader allocates runs from A1 to the bottom-right cell, so the
    rectangle counted here is ``A1:<max>``, not the declared one. An absent dimension says
    nothing: the caller must then find the used range itself (the sparse reader's
    :func:`~iku_excel.backends.sparse_sheet.scan_used_range` is a cheap first pass).
    """
    if dimension is None:
        return False
    return dimension.max_row * dimension.max_col > MAX_CELLS_DENSE


def check_dense_area(rows: int, cols: int, label: str, sheet: str) -> None:
    """Refuse to allocate a dense ``rows`` x ``cols`` grid beyond :data:`MAX_CELLS_DENSE`."""
    if rows * cols > MAX_CELLS_DENSE:
        raise ResourceLimit(
            label, f"luas sheet {sheet} (baris x kolom)", rows * cols, MAX_CELLS_DENSE
        )
