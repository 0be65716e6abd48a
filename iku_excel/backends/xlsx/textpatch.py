"""Cell writes spliced into a worksheet's XML as text: one pass, every other byte kept as it is.

The IKU sheet of a 20,000-indicator workbook is 17 MB of XML; an lxml tree of it costs about
220 MB to change one column. :class:`TextPatcher` instead finds each written ``<c>`` in the
bytes (rows in order, a cell by its ``r``), replaces or inserts it, and joins the untouched
spans around the edits, so the new part costs about its own size. The checks are those of
:class:`~iku_excel.backends.xlsx.cellpatch.SheetPatcher` (merged ranges, tables, array formulas,
data tables, a protected sheet; shared formulas moved), read from a *skeleton* of the sheet (the
part without the inside of ``<sheetData>``, parsed with the safe parser: DOCTYPE refused) and
from regular expressions over the cells.

It takes only sheets laid out as Excel and openpyxl write them: the main namespace as default,
every row and cell with its ``r``, no comments, CDATA, processing instructions or namespace
declarations among the cells. :meth:`TextPatcher.open` returns None for anything else, and the
splice falls back to the tree patcher, which handles every well-formed sheet.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from math import isfinite
from operator import lt
from typing import cast, overload

from lxml import etree

from iku_excel.a1 import cell_address, column_index, column_letter, parse_range, range_address
from iku_excel.backends.xlsx.cellpatch import Table, WriteChecks
from iku_excel.backends.xlsx.cellxml import encode, formula_xml, number_text, xml_text
from iku_excel.backends.xlsx.ooxml import MAIN_NS, is_true, ns_of, q
from iku_excel.backends.xlsx.plan import CellWrite
from iku_excel.backends.xlsx.sheettext import (
    ATTRS,
    CELL_TAG,
    SHEET_DATA,
    attr_value,
    attribute,
    attrs_of,
    element_tag,
    int_attribute,
    next_cell_column,
    quoted,
    set_attr,
    shared_formula_fixes,
    skeleton,
)
from iku_excel.backends.xlsx.styles import StyleBook
from iku_excel.errors import UnsafeWorkbookError

_ROW = re.compile(rb"<row\b" + ATTRS)
_CELL_END = re.compile(rb"</c\s*>")
#: the column letters and row digits of a cell tag's ``r``
_CELL_REF = re.compile(rb'<c\s[^>]*?(?<=\s)r="([A-Z]{1,3})(\d+)"')
_CELL_OPEN = re.compile(rb"<c[\s/>]")
#: :data:`_CELL_REF` for a tag whose ``r`` comes first, as Excel and openpyxl write it: a literal
#: prefix the regular expression engine searches for, about three times faster over a row
_CELL_REF_FIRST = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_ROW_END = re.compile(rb"</row\s*>")
#: A tag starting ``<c`` in the cells not followed by `` r="``: without one, no cell lacks r.
_NOT_R_FIRST = re.compile(rb'<c(?! r=")')
_CELL_WITHOUT_R = re.compile(rb"<c(?:\s+(?!r\s*=)[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_F_SPECIAL = re.compile(rb"<f\b[^>]*?\st\s*=\s*[\"'](array|dataTable)[\"'][^>]*>")
_CONTENT = re.compile(rb"<(f|v|is)\b[^>]*?/>|<(f|v|is)\b[^>]*>.*?</\2\s*>", re.DOTALL)
_DIMENSION = re.compile(rb"<dimension\b" + ATTRS)
_COLATTRS = ("min", "max", "style")
_FORMULA_TAG = re.compile(rb"<f[\s>/]")


class _Row:
    __slots__ = ("attrs", "closed", "number", "start", "tag_end")

    def __init__(self, number: int, start: int, tag_end: int, closed: bool, attrs: bytes) -> None:
        self.number, self.start, self.tag_end, self.closed = number, start, tag_end, closed
        self.attrs = attrs


class TextPatcher:
    """Cell writes into one worksheet part, as text; see the module docstring."""

    def __init__(
        self,
        data: bytes,
        root: etree._Element,
        region: tuple[int, int, bool],
        title: str,
        book: StyleBook,
        date1904: bool,
    ) -> None:
        self.data = data
        self.root = root
        self.start, self.end, self.self_closing = region
        self.title, self.book, self.date1904 = title, book, date1904
        self.rows: list[_Row] = []
        self.row_numbers: list[int] = []
        self._edits: list[tuple[int, int, bytes]] = []
        self._shared_fixes: list[tuple[int, int, bytes]] = []
        self._opened_at: int | None = None  # the edit that opened a <sheetData/>
        self._cols: list[tuple[int, int, int]] | None = None
        self._col_styles: dict[int, int] = {}  # column -> the style of its <col>, met so far
        self._columns: dict[bytes, int] = {}  # column letters -> index, met so far

    @classmethod
    def open(
        cls, data: bytes, root: etree._Element, title: str, book: StyleBook, date1904: bool
    ) -> TextPatcher | None:
        """The patcher of a worksheet part (its bytes ``data``, its :func:`parse_skeleton`
        ``root``), or None when the sheet is not laid out as the text patcher expects (the tree
        patcher takes it then)."""
        cut = skeleton(data)
        if cut is None:
            return None
        _, start, end = cut
        ns = ns_of(root)
        sheet_data = root.find(q("sheetData", ns))
        if ns != MAIN_NS or sheet_data is None or sheet_data.prefix is not None:
            return None
        if data.count(b"<sheetData") != 1:
            return None
        # "!" and "?" looked for first (one byte: memchr), "<!" and "<?" only when there are any
        if any(
            data.find(text[-1:], start, end) >= 0 and data.find(text, start, end) >= 0
            for text in (b"<!", b"<?", b"xmlns")
        ):
            return None
        if (
            _NOT_R_FIRST.search(data, start, end) is not None  # every "<c r=": no need to look
            and _CELL_WITHOUT_R.search(data, start, end) is not None
        ):
            return None
        opening = SHEET_DATA.search(data)
        assert opening is not None
        patcher = cls(data, root, (start, end, bool(opening.group(2))), title, book, date1904)
        if not patcher._read_rows():
            return None
        return patcher

    def _read_rows(self) -> bool:
        previous = 0
        for match in _ROW.finditer(self.data, self.start, self.end):
            attrs = match.group(1)
            quote = attrs.find(b'"', 4) if attrs.startswith(b' r="') else -1
            digits = attrs[4:quote] if quote > 4 else b""
            if digits.isdigit():  # r first, as Excel and openpyxl write it
                value = int(digits)
            else:
                number = attribute(attrs, b"r")
                if number is None:
                    return False  # rows numbered implicitly: the tree patcher numbers them
                value = self._int(number, "r")
            if value <= previous:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': urutan baris rusak di baris {value}."
                )
            previous = value
            self.rows.append(
                _Row(value, match.start(), match.end(), bool(match.group(2)), match.group(1))
            )
            self.row_numbers.append(value)
        return True

    # -- checks --

    def check(self, writes: list[CellWrite], tables: list[Table]) -> None:
        """Raise UnsafeWorkbookError when any write would damage the sheet; changes nothing."""
        checks = WriteChecks(self.title, writes)
        checks.structure(self.root, MAIN_NS, tables)
        for match in _F_SPECIAL.finditer(self.data, self.start, self.end):
            ref = attribute(match.group(0), b"ref")
            if ref:
                checks.special_formula(match.group(1).decode("ascii"), ref)
        written = {(write.row, write.col) for write in writes}
        self._shared_fixes = shared_formula_fixes(
            self.data, self.start, self.end, self.title, written
        )

    # -- writes --

    def apply(self, writes: list[CellWrite]) -> tuple[bytes, bool, bool]:
        """The new part, and (a formula was written, a formula was overwritten)."""
        wrote_formula = overwrote_formula = False
        bounds: list[tuple[int, int]] = []
        by_row: dict[int, list[CellWrite]] = {}
        for write in sorted(writes, key=lambda w: (w.row, w.col)):
            by_row.setdefault(write.row, []).append(write)
        for number, row_writes in by_row.items():
            index = bisect_left(self.row_numbers, number)
            row = self.rows[index] if index < len(self.rows) else None
            if row is not None and row.number != number:
                row = None
            if row is None:
                cells = [self._new_cell(w, None) for w in row_writes if not _empty(w)]
                if not cells:
                    continue
                at = self.rows[index].start if index < len(self.rows) else self.end
                self._insert_row(at, b'<row r="%d">' % number + b"".join(cells) + b"</row>")
                wrote_formula = wrote_formula or any(w.formula is not None for w in row_writes)
                bounds.extend((w.row, w.col) for w in row_writes if not _empty(w))
                continue
            limit = self.rows[index + 1].start if index + 1 < len(self.rows) else self.end
            wrote, overwrote, placed = self._patch_row(row, row_writes, limit)
            wrote_formula, overwrote_formula = (
                wrote_formula or wrote,
                overwrote_formula or overwrote,
            )
            bounds.extend(placed)
        self._edits.extend(self._shared_fixes)
        if bounds:
            self._widen_dimension(bounds)
        return self._joined(), wrote_formula, overwrote_formula

    def _insert_row(self, at: int, row: bytes) -> None:
        if self.self_closing:  # <sheetData/>: open it
            opening = SHEET_DATA.search(self.data)
            assert opening is not None
            tag = self.data[opening.start() : opening.end() - 2].rstrip() + b">"
            self._edits.append((opening.start(), opening.end(), tag + row + b"</sheetData>"))
            self.self_closing = False
            self._opened_at = len(self._edits) - 1
            return
        if self._opened_at is not None:  # append inside the opened element
            start, end, text = self._edits[self._opened_at]
            self._edits[self._opened_at] = (
                start,
                end,
                text[: -len(b"</sheetData>")] + row + b"</sheetData>",
            )
            return
        self._edits.append((at, at, row))

    def _patch_row(
        self, row: _Row, writes: list[CellWrite], limit: int
    ) -> tuple[bool, bool, list[tuple[int, int]]]:
        """Edits for the writes into an existing row (which ends before ``limit``)."""
        data = self.data
        if row.closed:
            content_start = content_end = row.tag_end
        else:
            end = _ROW_END.search(data, row.tag_end, limit)
            if end is None:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': baris {row.number} tanpa penutup."
                )
            content_start, content_end = row.tag_end, end.start()
        wrote = overwrote = False
        placed: list[tuple[int, int]] = []
        cells: tuple[list[int], Sequence[int]] | None = None  # the row's columns and cell starts
        inserts: dict[int, list[bytes]] = {}
        new_cols: list[int] = []
        digits = str(row.number)
        for write in writes:
            ref = (column_letter(write.col) + digits).encode()
            match = self._find_cell(ref, content_start, content_end)
            index = 0
            if match is None:
                if cells is None:
                    cells = self._row_cells(row.number, content_start, content_end)
                index = bisect_left(cells[0], write.col)  # columns ascending: checked
                if index < len(cells[0]) and cells[0][index] == write.col:
                    match = self._cell_at(cells[1][index])
            if match is None:
                if _empty(write):
                    continue
                assert cells is not None
                after = cells[1][index] if index < len(cells[1]) else None
                if after is None:
                    after = self._cells_end(cells[1], content_start)
                inserts.setdefault(after, []).append(self._new_cell(write, row))
                new_cols.append(write.col)
            else:
                cell_end, inner = self._cell_extent(match)
                overwrote = overwrote or (
                    inner is not None and _FORMULA_TAG.search(inner) is not None
                )
                self._edits.append((match.start(), cell_end, self._rewritten(match, inner, write)))
            wrote = wrote or write.formula is not None
            placed.append((write.row, write.col))
        if inserts:
            if row.closed:
                body = b"".join(b"".join(v) for _, v in sorted(inserts.items()))
                tag = self._row_tag(row, new_cols, closed=False)
                self._edits.append((row.start, row.tag_end, tag + body + b"</row>"))
                return wrote, overwrote, placed
            for at, new in inserts.items():
                self._edits.append((at, at, b"".join(new)))
            tag = self._row_tag(row, new_cols, closed=False)
            if tag != self.data[row.start : row.tag_end]:
                self._edits.append((row.start, row.tag_end, tag))
        return wrote, overwrote, placed

    def _find_cell(self, ref: bytes, start: int, end: int) -> re.Match[bytes] | None:
        """The ``<c r="ref">`` tag in ``[start, end)`` by a plain search, verified; None when
        not found that way (the caller then scans the row)."""
        at = self.data.find(b' r="' + ref + b'"', start, end)
        if at < 0:
            return None
        tag = self.data.rfind(b"<", start, at)
        match = CELL_TAG.match(self.data, tag) if tag >= 0 else None
        if match is None or match.end() <= at:
            return None
        ref_value = next((v for k, v in attrs_of(match.group(1)) if k == b"r"), None)
        return match if ref_value == b'"' + ref + b'"' else None

    def _row_cells(self, number: int, start: int, end: int) -> tuple[list[int], Sequence[int]]:
        """The columns of a row's cells and where each starts, checking their order.

        One regular expression reads the ``r`` of each cell tag; when it does not account for
        every ``<c`` of the row (an attribute value holding ``>``, quotes other than ``"``), the
        row is read tag by tag instead."""
        data = self.data
        quick = self._row_cells_quickly(number, start, end)
        if quick is not None:
            return quick
        found = list(_CELL_REF_FIRST.finditer(data, start, end))
        if len(found) != data.count(b"<c", start, end):  # not every "<c" a cell with r first
            found = list(_CELL_REF.finditer(data, start, end))
            if len(found) != len(_CELL_OPEN.findall(data, start, end)):
                return self._row_cells_slowly(number, start, end)
        suffix = str(number).encode()
        cols: list[int] = []
        starts: list[int] = []
        previous = 0
        columns = self._columns
        for match in found:
            letters, digits = match.group(1, 2)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters.decode())
            if digits != suffix:
                ref = (letters + digits).decode()
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': sel {ref!r} di baris {number} tidak valid."
                )
            if col <= previous:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': urutan sel rusak di baris {number}."
                )
            previous = col
            cols.append(col)
            starts.append(match.start())
        return cols, starts

    def _row_cells_quickly(
        self, number: int, start: int, end: int
    ) -> tuple[list[int], Sequence[int]] | None:
        """:meth:`_row_cells` of a row as Excel and openpyxl write it (every cell ``<c r=`` with
        this row's number, columns already met, ascending), each step over the whole row in C
        (a patch of 20,000 rows read each row's dozen cells one by one in Python before); None
        for any other row, which the loop then reads (and refuses with its own message)."""
        data = self.data
        found = _CELL_REF_FIRST.findall(data, start, end)
        if not found or len(found) != data.count(b"<c", start, end):
            return None
        letters, digits = zip(*found, strict=True)
        if digits.count(str(number).encode()) != len(digits):
            return None
        known: list[int | None] = list(map(self._columns.get, letters))
        if None in known:
            return None
        cols = cast("list[int]", known)
        if not all(map(lt, cols, cols[1:])):
            return None
        return cols, _Starts(data, found, start, end)

    def _row_cells_slowly(self, number: int, start: int, end: int) -> tuple[list[int], list[int]]:
        cols: list[int] = []
        starts: list[int] = []
        previous = 0
        position = start
        while True:
            match = CELL_TAG.search(self.data, position, end)
            if match is None:
                return cols, starts
            ref = attribute(match.group(1), b"r") or ""
            col = next_cell_column(self.title, number, ref, previous)
            previous = col
            cols.append(col)
            starts.append(match.start())
            position = self._cell_extent(match)[0]

    def _cells_end(self, starts: Sequence[int], content_start: int) -> int:
        """Where a cell after the row's last cell goes (before a trailing ``<extLst>``)."""
        if not starts:
            return content_start
        return self._cell_extent(self._cell_at(starts[-1]))[0]

    def _cell_at(self, position: int) -> re.Match[bytes]:
        match = CELL_TAG.match(self.data, position)
        if match is None:
            raise UnsafeWorkbookError(f"Sheet '{self.title}': sel rusak.")
        return match

    def _cell_extent(self, match: re.Match[bytes]) -> tuple[int, bytes | None]:
        """(end of the ``<c>`` element, its inner bytes or None when self-closing)."""
        if match.group(2):
            return match.end(), None
        close = _CELL_END.search(self.data, match.end(), self.end)
        if close is None:
            raise UnsafeWorkbookError(f"Sheet '{self.title}': sel tanpa penutup.")
        return close.end(), self.data[match.end() : close.start()]

    def _row_tag(self, row: _Row, cols: list[int], closed: bool) -> bytes:
        """The row's opening tag, its ``spans`` widened to the new cells' columns ``cols``."""
        if closed == row.closed and b"spans" not in row.attrs:  # nothing to change: no spans
            return self.data[row.start : row.tag_end]
        attrs = attrs_of(row.attrs)
        spans = next((attr_value(v) for k, v in attrs if k == b"spans"), None)
        if spans:
            bounds = [int(n) for n in re.findall(r"\d+", spans)]
            if bounds and cols and not min(bounds) <= min(cols) <= max(cols) <= max(bounds):
                new = f"{min(*bounds, *cols)}:{max(*bounds, *cols)}"
                set_attr(attrs, b"spans", quoted(new))
                return element_tag(b"row", attrs, close=closed)
        if closed == row.closed:
            return self.data[row.start : row.tag_end]
        return element_tag(b"row", attrs, close=closed)

    def _inherited_style(self, row: _Row | None, col: int) -> int:
        """The style Excel gives a cell typed into an empty spot: the row's, else the column's."""
        if row is not None and b"customFormat" in row.attrs:
            attrs = dict(attrs_of(row.attrs))
            custom, own = attrs.get(b"customFormat"), attrs.get(b"s")
            if custom is not None and is_true(attr_value(custom)) and own is not None:
                return self._int(attr_value(own), "s")
        if self._cols is None:
            self._cols = []
            cols = self.root.find(q("cols"))
            for element in [] if cols is None else cols.iterfind(q("col")):
                first, last, style = (self._int(element.get(a) or "0", a) for a in _COLATTRS)
                self._cols.append((first, last, style))
        known = self._col_styles.get(col)
        if known is None:
            known = next((style for first, last, style in self._cols if first <= col <= last), 0)
            self._col_styles[col] = known
        return known

    def _int(self, value: str, name: str) -> int:
        return int_attribute(self.title, name, value)

    def _new_cell(self, write: CellWrite, row: _Row | None) -> bytes:
        style = self._inherited_style(row, write.col)
        value, formula, number_format = write.value, write.formula, write.number_format
        if (
            formula is not None
            and number_format is not None
            and (value is None or (type(value) is float and isfinite(value)))
        ):  # the IKU column's cell: what _cell_bytes writes for it, without its general steps
            xf = self.book.xf_with_numfmt(style, number_format)
            cached = b"" if value is None else b"<v>%s</v>" % number_text(value).encode()
            return b'<c r="%s" s="%d"><f>%s</f>%s</c>' % (
                cell_address(write.row, write.col).encode(),
                xf,
                formula_xml(formula).encode("utf-8"),
                cached,
            )
        attrs: list[tuple[bytes, bytes]] = [
            (b"r", b'"' + cell_address(write.row, write.col).encode() + b'"')
        ]
        if style:
            attrs.append((b"s", b'"%d"' % style))
        return self._cell_bytes(attrs, None, write)

    def _rewritten(self, match: re.Match[bytes], inner: bytes | None, write: CellWrite) -> bytes:
        attrs = [a for a in attrs_of(match.group(1)) if a[0] not in (b"t", b"cm", b"vm")]
        return self._cell_bytes(attrs, inner, write)

    def _cell_bytes(
        self, attrs: list[tuple[bytes, bytes]], inner: bytes | None, write: CellWrite
    ) -> bytes:
        """The ``<c>`` of ``write``: ``attrs`` (``t`` set from the content), the new content
        first, then the children of ``inner`` other than ``<f>``, ``<v>`` and ``<is>``."""
        if write.number_format is not None:
            base = next((self._int(attr_value(v), "s") for k, v in attrs if k == b"s"), 0)
            set_attr(attrs, b"s", b'"%d"' % self.book.xf_with_numfmt(base, write.number_format))
        content = encode(write.value, write.formula, self.date1904)
        if content.kind is not None:
            attrs.append((b"t", b'"' + content.kind.encode() + b'"'))
        body = b""
        if content.inline is not None:
            space = b' xml:space="preserve"' if content.preserve else b""
            body += (
                b"<is><t" + space + b">" + xml_text(content.inline).encode("utf-8") + b"</t></is>"
            )
        if content.formula is not None:
            body += b"<f>" + xml_text(content.formula).encode("utf-8") + b"</f>"
        if content.value is not None:
            body += b"<v>" + xml_text(content.value).encode("utf-8") + b"</v>"
        if inner:
            kept = _CONTENT.sub(b"", inner)
            body += kept if kept.strip() else b""
        return (
            element_tag(b"c", attrs) + body + b"</c>"
            if body
            else element_tag(b"c", attrs, close=True)
        )

    def _widen_dimension(self, cells: list[tuple[int, int]]) -> None:
        match = _DIMENSION.search(self.data, 0, self.start)
        if match is None or self.root.find(q("dimension")) is None:
            return
        r1 = min(row for row, _ in cells)
        r2 = max(row for row, _ in cells)
        c1 = min(col for _, col in cells)
        c2 = max(col for _, col in cells)
        attrs = attrs_of(match.group(1))
        old = next((attr_value(v) for k, v in attrs if k == b"ref"), "")
        try:
            o1, p1, o2, p2 = parse_range(old)
        except ValueError:
            o1, p1, o2, p2 = r1, c1, r2, c2
        new = range_address(min(o1, r1), min(p1, c1), max(o2, r2), max(p2, c2))
        if new != old:
            set_attr(attrs, b"ref", quoted(new))
            self._edits.append(
                (match.start(), match.end(), element_tag(b"dimension", attrs, bool(match.group(2))))
            )

    def _joined(self) -> bytes:
        """The part: the original bytes with every edit applied (edits never overlap)."""
        edits = sorted(self._edits, key=lambda e: (e[0], e[1]))
        view = memoryview(self.data)
        pieces: list[bytes | memoryview] = []
        position = 0
        for start, end, text in edits:
            if start < position:
                raise UnsafeWorkbookError(f"Sheet '{self.title}': sel tumpang tindih.")
            pieces.append(view[position:start])
            pieces.append(text)
            position = end
        pieces.append(view[position:])
        return b"".join(pieces)


class _Starts(Sequence[int]):
    """Where each cell of a row read by :meth:`TextPatcher._row_cells_quickly` starts, found
    when asked for (a patch asks for one or two of a row's dozen): the first ``<c r="REF"``
    of the row, which is that cell's tag (the patcher takes no sheet with ``<!`` in its cells,
    so no comment or CDATA holds one; the row's references are distinct, ascending)."""

    __slots__ = ("data", "end", "refs", "start")

    def __init__(self, data: bytes, refs: list[tuple[bytes, bytes]], start: int, end: int) -> None:
        self.data, self.refs, self.start, self.end = data, refs, start, end

    def __len__(self) -> int:
        return len(self.refs)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.refs)))]
        letters, digits = self.refs[index]
        return self.data.find(b'<c r="' + letters + digits + b'"', self.start, self.end)


def _empty(write: CellWrite) -> bool:
    return write.value is None and write.formula is None and write.number_format is None
