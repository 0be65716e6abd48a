"""What the splice is asked to do: cell writes into existing sheets and rendered sheets.

:class:`PackagePlan` is the whole input of :func:`~iku_excel.backends.xlsx.splice.apply_plan`:
:class:`CellWrite` s for existing worksheets and :class:`RenderedSheets` (new worksheets already
written as XML, with the ``styles.xml`` their style indices refer to).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from iku_excel.a1 import MAX_COL, MAX_ROW, cell_address
from iku_excel.backends.xlsx.cellxml import MAX_FORMULA, MAX_TEXT

CellValue = str | float | int | bool | dt.datetime | dt.date | None


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One cell to set in an existing worksheet.

    ``value`` is the plain value, or for a formula its cached value (None: no cached value).
    A ``str`` value is always text, even when it starts with ``=``. ``number_format`` None keeps
    the cell's style; otherwise the format is set on a copy of the cell's xf (font, fill, border,
    alignment stay). A new cell takes the row's style (``customFormat``) or the column's, as
    Excel does for a cell typed into.
    """

    row: int
    col: int
    value: CellValue
    formula: str | None = None
    number_format: str | None = None


@dataclass
class PackagePlan:
    """What :func:`~iku_excel.backends.xlsx.splice.apply_plan` changes.

    ``cell_writes``: existing sheet title -> cells to set. ``rendered``: sheets written as XML;
    each (matched by title, case-insensitively as Excel does) replaces the original sheet of that
    name, keeping its position, or is appended last. ``activate``: make this sheet the active,
    selected tab (else the active tab stays; new sheets are not selected).
    ``full_calc_on_load``: ask Excel to recalculate everything when it opens the file (see the
    splice module's docstring).
    """

    cell_writes: dict[str, list[CellWrite]] = field(default_factory=dict)
    activate: str | None = None
    full_calc_on_load: bool = False
    rendered: RenderedSheets | None = None


@dataclass(frozen=True)
class StyleMaps:
    """Maps a rendered sheet's style indices onto the package's: cell xfs and dxfs."""

    xf: Callable[[int], int]
    dxf: Callable[[int], int]


@dataclass(frozen=True)
class RenderedSheet:
    """A worksheet to put into the package, written by ``render``.

    ``render(maps, code_name, tab_selected)`` returns the final worksheet part: its ``s=`` and
    ``dxfId`` indices mapped through ``maps`` onto the package's styles, the VBA code name of
    the sheet it replaces (or None) kept, the tab selected or not, formula cells with their
    cached values. ``defined_names`` are ``definedName`` elements (print titles, print area)
    local to the sheet. ``rels``: the sheet's relationships part (only hyperlinks are allowed
    in it), None for none. ``protected``: the rendered sheet is itself protected (then a
    protected sheet of that name may be replaced). ``drawing``: the sheet's drawing part, its
    chart ``i`` (0-based) being relationship ``rId{i+1}`` of the drawing and ``charts[i]`` the
    chart part; the splice names the parts (reusing a replaced sheet's), links them and adds
    the ``<drawing>`` element to the sheet. ``stream``, when given, is ``render`` as a stream of
    chunks (a fourth argument: the drawing's relationship id, written as the sheet's
    ``<drawing>``), which the splice deflates as they come instead of holding the whole part.
    """

    title: str
    render: Callable[[StyleMaps, str | None, bool], bytes]
    defined_names: tuple[etree._Element, ...] = ()
    rels: bytes | None = None
    protected: bool = False
    drawing: bytes | None = None
    charts: tuple[bytes, ...] = ()
    stream: Callable[[StyleMaps, str | None, bool, str | None], Iterable[bytes]] | None = None


@dataclass(frozen=True)
class RenderedSheets:
    """Rendered sheets and the ``styles.xml`` their style indices refer to."""

    sheets: tuple[RenderedSheet, ...]
    styles_xml: bytes


def validate_write(title: str, write: CellWrite) -> None:
    """Raise ValueError for a write that is wrong in itself (outside the sheet, too long...)."""
    where = f"{title}!{cell_address(write.row, write.col)}" if write.col > 0 else title
    if not (1 <= write.row <= MAX_ROW and 1 <= write.col <= MAX_COL):
        raise ValueError(f"cell ({write.row}, {write.col}) of {title!r} is outside the sheet")
    if write.formula is not None:
        text = write.formula[1:] if write.formula.startswith("=") else write.formula
        if not text.strip():
            raise ValueError(f"empty formula for {where}")
        if len(text) > MAX_FORMULA:
            raise ValueError(f"formula for {where} is longer than {MAX_FORMULA} characters")
    if isinstance(write.value, str) and len(write.value) > MAX_TEXT:
        raise ValueError(f"text for {where} is longer than {MAX_TEXT} characters")
    if isinstance(write.value, float) and not math.isfinite(write.value):
        raise ValueError(f"{write.value!r} cannot be stored in {where}")
