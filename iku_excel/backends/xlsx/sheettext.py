"""Worksheet XML read as bytes: tags and their attributes, and the sheet without its cells.

The helpers of the text patcher (:mod:`~iku_excel.backends.xlsx.textpatch`; with the edits that
move shared formulas, :func:`shared_formula_fixes`) and of the splice's checks:
:func:`skeleton` cuts the inside of ``<sheetData>`` out of a worksheet part, so that
:func:`parse_skeleton` parses what the checks read (protection, merges, columns, views) at the
cost of the part's head and tail; attributes are kept as written (quotes included) so that a
rewritten tag changes only what it must.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from lxml import etree

from iku_excel.a1 import cell_address, column_index, range_address
from iku_excel.backends.xlsx.cellxml import xml_text
from iku_excel.backends.xlsx.ooxml import is_true, parse_part
from iku_excel.errors import UnsafeWorkbookError

ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b" + ATTRS)
SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_ATTR = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def attrs_of(raw: bytes) -> list[tuple[bytes, bytes]]:
    """(name, the value as written, quotes included) of each attribute of a tag."""
    return [
        (m.group(1), m.group(0)[m.group(0).index(b"=") + 1 :].strip()) for m in _ATTR.finditer(raw)
    ]


def attr_value(raw: bytes) -> str:
    return unescape(raw[1:-1].decode("utf-8"))


def attribute(raw: bytes, name: bytes) -> str | None:
    """The value of attribute ``name`` in a tag's attribute bytes ``raw``, or None."""
    return next((attr_value(v) for k, v in attrs_of(raw) if k == name), None)


def unescape(text: str) -> str:
    """XML character data to text: the five named entities and character references."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED.get(name, match.group(0))


def quoted(text: str) -> bytes:
    return b'"' + xml_text(text).replace('"', "&quot;").encode("utf-8") + b'"'


def element_tag(name: bytes, attrs: list[tuple[bytes, bytes]], close: bool = False) -> bytes:
    body = b"".join(b" " + key + b"=" + value for key, value in attrs)
    return b"<" + name + body + (b"/>" if close else b">")


def set_attr(attrs: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Set attribute ``name`` in place, or append it (as lxml's ``set`` does)."""
    for index, (key, _) in enumerate(attrs):
        if key == name:
            attrs[index] = (name, value)
            return
    attrs.append((name, value))


def skeleton(data: bytes) -> tuple[bytes, int, int] | None:
    """The sheet without the inside of ``<sheetData>``, and where that inside was (start, end);
    None when the sheet holds no ``<sheetData>`` or markup that could hide one (a comment or
    CDATA before it)."""
    found = SHEET_DATA.search(data)
    if found is None or data.find(b"<!--", 0, found.start()) >= 0:
        return None
    if data.find(b"<![CDATA[", 0, found.start()) >= 0:
        return None
    if found.group(2):
        return data, found.end(), found.end()
    end = sheet_data_end(data, found.end())
    if end is None:
        return None
    return data[: found.end()] + data[end:], found.end(), end


def sheet_data_end(data: bytes, start: int) -> int | None:
    """Where the first ``</sheetData>`` (any prefix, :data:`SHEET_DATA_END`) after ``start``
    begins, or None: the name found by a plain byte search, then the tag checked around it (the
    regular expression over a 17 MB sheet's cells took three times as long)."""
    at = data.find(b"sheetData", start)
    while at >= 0:
        tag = data.rfind(b"</", start, at)
        match = SHEET_DATA_END.match(data, tag) if tag >= 0 else None
        if match is not None and match.end() > at:
            return tag
        at = data.find(b"sheetData", at + 1)
    return None


def parse_skeleton(name: str, data: bytes) -> etree._Element:
    """The worksheet part ``name`` parsed without its cells (the whole part when it cannot be
    cut safely), by :func:`~iku_excel.backends.xlsx.ooxml.parse_part`."""
    cut = skeleton(data)
    return parse_part(name, data if cut is None else cut[0])


_SHEET_VIEW = re.compile(rb"<sheetView\b" + ATTRS)


def set_tab_selected(data: bytes, selected: bool) -> bytes:
    """A text-patched part with its sheet views' ``tabSelected`` set (or cleared) as text."""
    found = SHEET_DATA.search(data)
    limit = found.start() if found is not None else len(data)
    pieces: list[bytes] = []
    position = 0
    for match in _SHEET_VIEW.finditer(data, 0, limit):
        attrs = attrs_of(match.group(1))
        flag = next((attr_value(v) for k, v in attrs if k == b"tabSelected"), None)
        if selected and not is_true(flag):
            set_attr(attrs, b"tabSelected", b'"1"')
        elif not selected and flag is not None:
            attrs = [a for a in attrs if a[0] != b"tabSelected"]
        else:
            continue
        pieces += [
            data[position : match.start()],
            element_tag(b"sheetView", attrs, bool(match.group(2))),
        ]
        position = match.end()
    return b"".join([*pieces, data[position:]]) if pieces else data


# --- Shared formulas ----------------------------------------------------------------------

#: A cell's start tag, its attributes in group 1.
CELL_TAG = re.compile(rb"<c\b" + ATTRS)
_F_SHARED = re.compile(rb"<f\b" + ATTRS)
_F_SHARED_HINT = re.compile(rb"<f\b[^>]*?\st\s*=\s*[\"']shared[\"']")


def int_attribute(title: str, name: str, value: str) -> int:
    """An integer attribute of the sheet; UnsafeWorkbookError when it is not one."""
    try:
        return int(value)
    except ValueError:
        raise UnsafeWorkbookError(
            f"Sheet '{title}': atribut {name}={value!r} tidak valid."
        ) from None


def next_cell_column(title: str, number: int, ref: str | None, previous: int) -> int:
    """The column of the next cell of row ``number`` (after column ``previous``): its ``r``
    attribute's, or the next column when it has none. UnsafeWorkbookError when ``r`` is not a
    cell of that row or the cells are out of order (both sheet patchers read rows this way)."""
    if ref is None:
        col = previous + 1
    else:
        letters = ref.rstrip("0123456789")
        if not letters.isalpha() or ref[len(letters) :] != str(number):
            raise UnsafeWorkbookError(
                f"Sheet '{title}': sel {ref!r} di baris {number} tidak valid."
            )
        col = column_index(letters)
    if col <= previous:
        raise UnsafeWorkbookError(f"Sheet '{title}': urutan sel rusak di baris {number}.")
    return col


Member = TypeVar("Member", bound=tuple[Any, ...])


def shared_group_left(
    members: list[Member], written: set[tuple[int, int]]
) -> tuple[list[Member], str] | None:
    """The members of a shared-formula group (tuples starting with row, column) that no write
    covers, and the ``ref`` spanning them; None when the writes leave the group whole or empty
    (nothing to move). Both sheet patchers plan their shared-formula fixes from it."""
    remaining = [m for m in members if (m[0], m[1]) not in written]
    if len(remaining) == len(members) or not remaining:
        return None
    rows, cols = [m[0] for m in remaining], [m[1] for m in remaining]
    return remaining, range_address(min(rows), min(cols), max(rows), max(cols))


def shared_formula_fixes(
    data: bytes, start: int, end: int, title: str, written: set[tuple[int, int]]
) -> list[tuple[int, int, bytes]]:
    """The edits (start, end, new bytes) that move shared formulas when the cells ``written``
    are overwritten, as :meth:`SheetPatcher._plan_shared_formulas` plans them: overwritten
    members leave their group; an overwritten master hands over to the first remaining member
    (its formula translated)."""
    fixes: list[tuple[int, int, bytes]] = []
    if _F_SHARED_HINT.search(data, start, end) is None:
        return fixes
    # (row, col, start and end of the <f>, its attributes, its text or None)
    groups: dict[str, list[tuple[int, int, int, int, list[tuple[bytes, bytes]], str | None]]]
    groups = {}
    for match in _F_SHARED.finditer(data, start, end):
        attrs = attrs_of(match.group(1))
        if not any(k == b"t" and attr_value(v) == "shared" for k, v in attrs):
            continue
        cell = _cell_of(data, start, match.start(), title)
        if match.group(2):
            end, text = match.end(), None
        else:
            close = data.find(b"</f>", match.end(), end)
            if close < 0:
                raise UnsafeWorkbookError(f"Sheet '{title}': rumus tanpa penutup.")
            end = close + 4
            text = unescape(data[match.end() : close].decode("utf-8"))
        si = next((attr_value(v) for k, v in attrs if k == b"si"), "")
        groups.setdefault(si, []).append((*cell, match.start(), end, attrs, text))
    for members in groups.values():
        left = shared_group_left(members, written)
        if left is None:
            continue
        remaining, new_ref = left[0], left[1].encode()
        master = next((m for m in members if any(k == b"ref" for k, _ in m[4])), None)
        if master is None:
            continue
        if (master[0], master[1]) not in written:
            attrs = list(master[4])
            set_attr(attrs, b"ref", b'"' + new_ref + b'"')
            text = master[5]
            fixes.append((master[2], master[3], _formula(attrs, text)))
            continue
        anchor = min(remaining, key=lambda m: (m[0], m[1]))
        origin, target = cell_address(master[0], master[1]), cell_address(anchor[0], anchor[1])
        try:
            from openpyxl.formula.translate import Translator

            moved = Translator("=" + (master[5] or ""), origin=origin).translate_formula(target)
        except Exception:
            raise UnsafeWorkbookError(
                f"Sel {title}!{origin} berisi rumus bersama (shared formula) yang tidak "
                f"dapat dipindahkan ke {target}: salin kolom itu lalu Paste Values, atau "
                f"kosongkan, lalu coba lagi."
            ) from None
        attrs = list(anchor[4])
        set_attr(attrs, b"ref", b'"' + new_ref + b'"')
        text = moved[1:] if moved.startswith("=") else moved
        fixes.append((anchor[2], anchor[3], _formula(attrs, text)))
    return fixes


def _formula(attrs: list[tuple[bytes, bytes]], text: str | None) -> bytes:
    if text is None:
        return element_tag(b"f", attrs, close=True)
    return element_tag(b"f", attrs) + xml_text(text).encode("utf-8") + b"</f>"


def _cell_of(data: bytes, start: int, position: int, title: str) -> tuple[int, int]:
    """(row, col) of the cell whose ``<f>`` starts at ``position``."""
    at = data.rfind(b"<c", start, position)
    match = CELL_TAG.match(data, at) if at >= 0 else None
    ref = None
    if match is not None and not data[match.end() : position].strip():
        ref = attribute(match.group(1), b"r")
    if ref is None:
        raise UnsafeWorkbookError(
            f"Sheet '{title}': rumus bersama (shared formula) tanpa alamat sel."
        )
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), column_index(letters)
