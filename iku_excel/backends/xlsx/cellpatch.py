"""Patching cells into an existing worksheet part, keeping every other element as it is.

The part is parsed with lxml (never the standard library's ElementTree, which renames namespace
prefixes and breaks ``mc:Ignorable``); ``<c>`` elements are set or inserted in row/column order
with the content :func:`~iku_excel.backends.xlsx.cellxml.encode` gives. :meth:`SheetPatcher.check`
refuses writes that would damage the sheet (merged ranges, table headers, totals and calculated
columns, array formulas, data tables, a protected sheet) before anything changes; writes over a
shared formula are allowed (see :meth:`SheetPatcher._plan_shared_formulas`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from iku_excel.a1 import cell_address, column_index, parse_range, parse_ref, range_address
from iku_excel.backends.xlsx.cellxml import encode, inline_string
from iku_excel.backends.xlsx.ooxml import RT_TABLE, XmlPart, elements, is_true, local, ns_of, q
from iku_excel.backends.xlsx.package_edit import PackageEdit
from iku_excel.backends.xlsx.plan import CellWrite
from iku_excel.backends.xlsx.sheettext import (
    int_attribute,
    next_cell_column,
    shared_group_left,
)
from iku_excel.backends.xlsx.styles import StyleBook
from iku_excel.errors import UnsafeWorkbookError


@dataclass(frozen=True)
class Table:
    name: str
    ref: tuple[int, int, int, int]
    header_rows: int
    totals_rows: int
    calculated_cols: frozenset[int]


def read_tables(edit: PackageEdit, sheet_part: str) -> list[Table]:
    """The tables (Format as Table) of worksheet part ``sheet_part``, from its relationships."""
    tables: list[Table] = []
    _, rels = edit.rels(sheet_part)
    for rel in rels:
        name = edit.target(sheet_part, rel) if rel.type == RT_TABLE else None
        if name is None:
            continue
        root = edit.part(name).root
        try:
            ref = parse_range(root.get("ref") or "")
            header = int(root.get("headerRowCount") or 1)
            totals = int(root.get("totalsRowCount") or 0)
        except ValueError:
            raise UnsafeWorkbookError(f"Tabel {name} rusak (ref tidak valid).") from None
        columns = root.find(q("tableColumns", ns_of(root)))
        calculated = frozenset(
            ref[1] + index
            for index, column in enumerate([] if columns is None else elements(columns))
            if column.find(q("calculatedColumnFormula", ns_of(root))) is not None
        )
        label = root.get("displayName") or root.get("name") or name
        tables.append(Table(label, ref, header, totals, calculated))
    return tables


class WriteChecks:
    """The refusals both sheet patchers make before writing (this module's tree patcher and
    :mod:`~iku_excel.backends.xlsx.textpatch`): a protected sheet, a write inside a merged range
    (but its top-left cell), into a table's header, totals or calculated column, or into an
    array formula or a What-If data table. Each raises UnsafeWorkbookError naming the cell."""

    def __init__(self, title: str, writes: list[CellWrite]) -> None:
        self.title = title
        self._by_col: dict[int, list[int]] = {}
        for write in writes:
            self._by_col.setdefault(write.col, []).append(write.row)
        for rows in self._by_col.values():
            rows.sort()

    def sheet_range(self, ref: str) -> tuple[int, int, int, int]:
        """A range attribute of the sheet (its first area); UnsafeWorkbookError when broken."""
        try:
            return parse_range(ref.split()[0] if ref.split() else ref)
        except ValueError:
            raise UnsafeWorkbookError(
                f"Sheet '{self.title}': rentang {ref!r} tidak valid."
            ) from None

    def _hits(self, r1: int, c1: int, r2: int, c2: int) -> Iterator[tuple[int, int]]:
        for col, rows in self._by_col.items():
            if c1 <= col <= c2:
                for row in rows[bisect_left(rows, r1) : bisect_right(rows, r2)]:
                    yield row, col

    def _refuse(self, found: tuple[int, int] | None, problem: str) -> None:
        if found is not None:
            raise UnsafeWorkbookError(f"Sel {self.title}!{cell_address(*found)} {problem}")

    def structure(self, root: etree._Element, ns: str, tables: list[Table]) -> None:
        """Protection, merged ranges and tables (``root``: the worksheet, cells or not)."""
        protection = root.find(q("sheetProtection", ns))
        if protection is not None and is_true(protection.get("sheet")):
            raise UnsafeWorkbookError(
                f"Sheet '{self.title}' diproteksi (protected): buka proteksinya dulu (Review > "
                f"Unprotect Sheet), simpan, lalu coba lagi."
            )
        for merge in root.iterfind(f"{{{ns}}}mergeCells/{{{ns}}}mergeCell"):
            r1, c1, r2, c2 = self.sheet_range(merge.get("ref") or "")
            self._refuse(
                next((hit for hit in self._hits(r1, c1, r2, c2) if hit != (r1, c1)), None),
                f"ada di dalam sel gabungan (merge) {range_address(r1, c1, r2, c2)}; hanya sel "
                f"kiri-atasnya yang boleh diisi: pisahkan (unmerge) sel itu dulu.",
            )
        for table in tables:
            r1, c1, r2, c2 = table.ref
            label = f"tabel '{table.name}' ({range_address(*table.ref)})"
            header_end = r1 + table.header_rows - 1
            self._refuse(
                next(self._hits(r1, c1, header_end, c2), None), f"adalah judul kolom {label}."
            )
            totals_start = r2 - table.totals_rows + 1
            self._refuse(
                next(self._hits(totals_start, c1, r2, c2), None), f"ada di baris total {label}."
            )
            for col in table.calculated_cols:
                self._refuse(
                    next(self._hits(r1, col, r2, col), None),
                    f"ada di kolom {label} yang berisi rumus kolom terhitung (calculated "
                    f"column): hapus rumus kolom itu dulu.",
                )

    def special_formula(self, kind: str, ref: str) -> None:
        """An ``array`` or ``dataTable`` formula over ``ref``: no write may land in it."""
        r1, c1, r2, c2 = self.sheet_range(ref)
        what = "rumus array" if kind == "array" else "tabel data (What-If)"
        self._refuse(
            next(self._hits(r1, c1, r2, c2), None),
            f"bagian dari {what} {range_address(r1, c1, r2, c2)}: hapus rumus itu dulu.",
        )


class SheetPatcher:
    """Cell writes into one existing worksheet part, keeping everything else as it is."""

    def __init__(self, part: XmlPart, title: str, book: StyleBook, date1904: bool) -> None:
        self.part = part
        self.title = title
        self.book = book
        self.date1904 = date1904
        self.root = part.root
        self.ns = ns_of(self.root)
        sheet_data = self.root.find(q("sheetData", self.ns))
        if sheet_data is None:
            raise UnsafeWorkbookError(f"Sheet '{title}' tanpa sheetData: file rusak?")
        self.sheet_data = sheet_data
        self._c_tag, self._f_tag, self._v_tag = q("c", self.ns), q("f", self.ns), q("v", self.ns)
        self._content_tags = {self._f_tag, self._v_tag, q("is", self.ns)}
        self.rows = sheet_data.findall(q("row", self.ns))
        self.row_numbers: list[int] = []
        previous = 0
        for row in self.rows:
            number = self._int_attr(row, "r", previous + 1)
            if number <= previous:
                raise UnsafeWorkbookError(f"Sheet '{title}': urutan baris rusak di baris {number}.")
            if row.get("r") is None:
                row.set("r", str(number))  # implicit numbering made explicit before inserting
            self.row_numbers.append(number)
            previous = number
        self._implicit_refs = bool(
            sheet_data.xpath("boolean(m:row/m:c[not(@r)])", namespaces={"m": self.ns})
        )
        self._cols: list[tuple[int, int, int]] | None = None
        #: (``<f>`` to change, its new text or None, its new ``ref``), from :meth:`check`.
        self._shared_fixes: list[tuple[etree._Element, str | None, str]] = []

    def _int_attr(self, element: etree._Element, name: str, default: int) -> int:
        value = element.get(name)
        if value is None:
            return default
        return int_attribute(self.title, name, value)

    def _row(self, number: int) -> etree._Element | None:
        index = bisect_left(self.row_numbers, number)
        if index < len(self.row_numbers) and self.row_numbers[index] == number:
            return self.rows[index]
        return None

    def _locate(
        self, row: etree._Element, number: int, col: int
    ) -> tuple[int, etree._Element | None]:
        """(child index where column ``col`` is or belongs, the cell if it exists).

        A binary search over the row's children reading only a few ``r`` attributes; a full
        scan (which also makes implicit ``r`` explicit) when the sheet has cells without ``r``
        or the row holds something unexpected.
        """
        if not self._implicit_refs:
            lo, hi = 0, len(row)
            while hi > lo and row[hi - 1].tag != self._c_tag:  # a trailing <extLst>
                hi -= 1
            while lo < hi:
                mid = (lo + hi) // 2
                child = row[mid]
                ref = child.get("r") if child.tag == self._c_tag else None
                letters = "" if ref is None else ref.rstrip("0123456789")
                if not letters.isalpha():
                    break  # something unexpected: scan the row
                found = column_index(letters)
                if found < col:
                    lo = mid + 1
                elif found > col:
                    hi = mid
                else:
                    return mid, child
            else:
                return lo, None
        return self._scan(row, number, col)

    def _scan(
        self, row: etree._Element, number: int, col: int
    ) -> tuple[int, etree._Element | None]:
        previous = 0
        result: tuple[int, etree._Element | None] | None = None
        for index, child in enumerate(row):
            if child.tag != self._c_tag:
                if result is None and local(child.tag) == "extLst":
                    result = (index, None)
                continue
            ref = child.get("r")
            found = next_cell_column(self.title, number, ref, previous)
            if ref is None:
                child.set("r", cell_address(number, found))
            previous = found
            if result is None and found >= col:
                result = (index, child if found == col else None)
        return result if result is not None else (len(row), None)

    def _new_cell(
        self, row: int, col: int, row_element: etree._Element | None, position: int
    ) -> etree._Element:
        """A new ``<c>`` at child ``position`` of ``row_element`` (created when None)."""
        if row_element is None:
            row_element = etree.Element(q("row", self.ns))
            row_element.set("r", str(row))
            index = bisect_left(self.row_numbers, row)
            if index < len(self.rows):
                self.rows[index].addprevious(row_element)
            else:
                self.sheet_data.append(row_element)
            self.rows.insert(index, row_element)
            self.row_numbers.insert(index, row)
            position = 0
        cell = etree.Element(self._c_tag)
        cell.set("r", cell_address(row, col))
        row_element.insert(position, cell)
        style = self._inherited_style(row_element, col)
        if style:
            cell.set("s", str(style))
        spans = row_element.get("spans")
        if spans:
            bounds = [int(n) for n in re.findall(r"\d+", spans)]
            if bounds and not min(bounds) <= col <= max(bounds):
                row_element.set("spans", f"{min(*bounds, col)}:{max(*bounds, col)}")
        return cell

    def _inherited_style(self, row: etree._Element, col: int) -> int:
        """The style Excel gives a cell typed into an empty spot: the row's, else the column's."""
        if is_true(row.get("customFormat")) and row.get("s"):
            return self._int_attr(row, "s", 0)
        if self._cols is None:
            self._cols = []
            cols = self.root.find(q("cols", self.ns))
            for element in [] if cols is None else elements(cols, "col"):
                self._cols.append(
                    (
                        self._int_attr(element, "min", 0),
                        self._int_attr(element, "max", 0),
                        self._int_attr(element, "style", 0),
                    )
                )
        for first, last, style in self._cols:
            if first <= col <= last:
                return style
        return 0

    # -- checks --

    def check(self, writes: list[CellWrite], tables: list[Table]) -> None:
        """Raise UnsafeWorkbookError when any write would damage the sheet; changes nothing."""
        checks = WriteChecks(self.title, writes)
        checks.structure(self.root, self.ns, tables)
        for formula in self.root.iter(q("f", self.ns)):
            kind = formula.get("t")
            if kind in ("array", "dataTable") and formula.get("ref"):
                checks.special_formula(kind, formula.get("ref") or "")
        self._plan_shared_formulas({(write.row, write.col) for write in writes})

    def _plan_shared_formulas(self, written: set[tuple[int, int]]) -> None:
        """Prepare writes over cells of a shared formula (how Excel saves a filled-down column).

        Overwritten members simply leave the group. When the group's master is overwritten and
        other members remain, the first remaining member becomes the master: the formula text is
        translated to its position (openpyxl's Translator) and ``ref`` shrinks to the remaining
        cells. Nothing changes here; :meth:`apply` carries it out.
        """
        groups: dict[str, list[tuple[int, int, etree._Element]]] = {}
        shared_cells = self.sheet_data.xpath(
            "m:row/m:c[m:f/@t='shared']", namespaces={"m": self.ns}
        )
        for cell in shared_cells:
            formula = cell.find(self._f_tag)
            ref = cell.get("r")
            if formula is None or ref is None:
                raise UnsafeWorkbookError(
                    f"Sheet '{self.title}': rumus bersama (shared formula) tanpa alamat sel."
                )
            row, col = parse_ref(ref)
            groups.setdefault(formula.get("si") or "", []).append((row, col, formula))
        for members in groups.values():
            left = shared_group_left(members, written)
            if left is None:
                continue
            remaining, new_ref = left
            master = next((m for m in members if m[2].get("ref") is not None), None)
            if master is None:
                continue  # a group without master: nothing to move
            if (master[0], master[1]) not in written:
                self._shared_fixes.append((master[2], None, new_ref))
                continue
            anchor = min(remaining, key=lambda m: (m[0], m[1]))
            origin, target = cell_address(master[0], master[1]), cell_address(anchor[0], anchor[1])
            try:
                from openpyxl.formula.translate import Translator

                text = Translator("=" + (master[2].text or ""), origin=origin).translate_formula(
                    target
                )
            except Exception:
                raise UnsafeWorkbookError(
                    f"Sel {self.title}!{origin} berisi rumus bersama (shared formula) yang tidak "
                    f"dapat dipindahkan ke {target}: salin kolom itu lalu Paste Values, atau "
                    f"kosongkan, lalu coba lagi."
                ) from None
            self._shared_fixes.append(
                (anchor[2], text[1:] if text.startswith("=") else text, new_ref)
            )

    def _range(self, ref: str) -> tuple[int, int, int, int]:
        return WriteChecks(self.title, []).sheet_range(ref)

    # -- writes --

    def apply(self, writes: list[CellWrite]) -> tuple[bool, bool]:
        """Set the cells; returns (a formula was written, a formula was overwritten)."""
        wrote_formula = overwrote_formula = False
        bounds: list[tuple[int, int]] = []
        for write in sorted(writes, key=lambda w: (w.row, w.col)):
            row = self._row(write.row)
            position, cell = (0, None) if row is None else self._locate(row, write.row, write.col)
            if cell is None:
                if write.value is None and write.formula is None and write.number_format is None:
                    continue
                cell = self._new_cell(write.row, write.col, row, position)
            elif cell.find(self._f_tag) is not None:
                overwrote_formula = True
            if write.number_format is not None:
                base = self._int_attr(cell, "s", 0)
                cell.set("s", str(self.book.xf_with_numfmt(base, write.number_format)))
            self._set_content(cell, write)
            wrote_formula = wrote_formula or write.formula is not None
            bounds.append((write.row, write.col))
        for formula, text, ref in self._shared_fixes:
            formula.set("ref", ref)
            if text is not None:
                formula.text = text
        if bounds:
            self._widen_dimension(bounds)
        self.part.dirty = True
        return wrote_formula, overwrote_formula

    def _set_content(self, cell: etree._Element, write: CellWrite) -> None:
        for child in list(cell):
            if child.tag in self._content_tags:
                cell.remove(child)
        for attribute in ("t", "cm", "vm"):
            cell.attrib.pop(attribute, None)
        content = encode(write.value, write.formula, self.date1904)
        if content.kind is not None:
            cell.set("t", content.kind)
        position = 0
        if content.formula is not None:
            formula = etree.Element(self._f_tag)
            formula.text = content.formula
            cell.insert(position, formula)
            position += 1
        if content.value is not None:
            node = etree.Element(self._v_tag)
            node.text = content.value
            cell.insert(position, node)
        if content.inline is not None:
            cell.insert(0, inline_string(self.ns, content))

    def _widen_dimension(self, cells: list[tuple[int, int]]) -> None:
        dimension = self.root.find(q("dimension", self.ns))
        if dimension is None:
            return
        rows = [row for row, _ in cells]
        cols = [col for _, col in cells]
        r1, c1, r2, c2 = min(rows), min(cols), max(rows), max(cols)
        try:
            o1, p1, o2, p2 = parse_range(dimension.get("ref") or "")
        except ValueError:
            o1, p1, o2, p2 = r1, c1, r2, c2
        new = range_address(min(o1, r1), min(p1, c1), max(o2, r2), max(p2, c2))
        if new != dimension.get("ref"):
            dimension.set("ref", new)


# --- The scratch workbook -------------------------------------------------------------------------
