"""Desktop Excel's multi-area ranges: addresses, the temporary names that reach long ones, and
the order of layers that lets layers of the same areas share one pointing of those names.

On desktop Excel a range may have several areas (``"A5:A9,A12:A20"``), and a call on it formats
every area: a layer of paint (:mod:`iku_excel.backends.paint`) is ONE call whatever its number
of rectangles. ``Range("...")`` takes an address of up to 255 characters (xlwings issue 2353: a
longer one fails on Windows with a COM error; Range.Address itself stops at 255,
MicrosoftDocs/VBA-Docs issue 49). A longer union goes through workbook-level defined names
whose formulas hold it (up to Excel's 8,192 characters of a formula, MS-OI29500 2.1.1085):
``Range("name")`` gives the multi-area range, and ``Range("name1,name2")`` the union of several
named ranges of one sheet (Microsoft's "Refer to multiple ranges": ``Range("MyRange, YourRange,
HisRange")``, learn.microsoft.com/office/vba/excel/concepts/cells-and-ranges/refer-to-multiple-
ranges). So a layer of any length costs one call on the range plus one pointing per formula,
and the next layer of the same areas costs one call: :class:`AreaNames` remembers what each name
points at, and :func:`schedule` puts layers of the same areas next to each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from iku_excel.a1 import absolute_range, quote_sheet, range_address

#: A rectangle of cells: first row, first column, last row, last column (1-based, inclusive).
Rect = tuple[int, int, int, int]
#: One call's worth of paint: attribute, value, rectangles (in the order they are painted).
Layer = tuple[str, object, list[Rect]]

#: Longest multi-area address Excel takes in one ``Range("...")`` (module docstring).
MAX_AREA_ADDRESS = 255
#: Longest formula Excel keeps, a defined name's included (MS-OI29500 2.1.1085, ST_Formula).
MAX_NAME_FORMULA = 8192
#: The workbook-level defined names through which long layers are formatted: the first is
#: this, the next ``_IkuExcelAreas2``... They are deleted before the refresh ends: the
#: planner's book gains no name. The leading underscore keeps them apart from a planner's.
AREA_NAME = "_IkuExcelAreas"


def area_addresses(rects: Sequence[Rect], limit: int = MAX_AREA_ADDRESS) -> list[str]:
    """``rects`` as multi-area addresses (``"A5:A9,A12:A20"``), each at most ``limit`` long."""
    return _joined([range_address(*rect) for rect in rects], limit)


def name_formulas(sheet: str, rects: Sequence[Rect], limit: int = MAX_NAME_FORMULA) -> list[str]:
    """``rects`` of ``sheet`` as the formulas of defined names (``"=Capaian!$A$5:$A$9,..."``),
    each at most ``limit`` long: one formula holds about 350 areas of a short sheet name.

    A name's formula is not a ``Range("...")`` argument: Excel takes a union of several hundred
    areas there (the 255 characters are the Name Manager's box). Every area names its sheet and
    is absolute: a name's unqualified or relative reference would follow the active sheet and
    cell."""
    prefix = quote_sheet(sheet) + "!"
    parts = [prefix + absolute_range(*rect) for rect in rects]
    return ["=" + joined for joined in _joined(parts, limit - 1)]


def layer_calls(rects: Sequence[Rect], sheet: str = "Capaian") -> int:
    """Calls a layer of ``rects`` of ``sheet`` costs on desktop Excel when no name points at its
    areas yet: one per multi-area address of up to 255 characters; beyond two such addresses,
    one pointing per name formula and ONE call on the union of the names (one per 15 names).
    The plan counts with the default sheet name: the length of a name decides little."""
    if len(rects) < 2:
        return len(rects)
    addresses = len(area_addresses(rects))
    if addresses <= 2:
        return addresses
    formulas = len(name_formulas(sheet, rects))
    return formulas + -(-formulas // NAMES_PER_UNION)


#: Names of :class:`AreaNames` in one ``Range("...")`` union of up to 255 characters.
NAMES_PER_UNION = MAX_AREA_ADDRESS // (len(AREA_NAME) + 4)


def uses_names(rects: Sequence[Rect]) -> bool:
    """Whether a layer of ``rects`` goes through the names (as :meth:`AreaNames.ranges`
    decides off a Mac)."""
    return len(rects) > 1 and len(area_addresses(rects)) > 2


def schedule(layers: Sequence[Layer]) -> list[Layer]:
    """``layers`` in an order that keeps each attribute's layers in their order (layers of
    different attributes do not touch each other's paint) and puts the layers of the same long
    areas next to each other: the names are pointed once for all of them.

    Greedy: the next layers of every attribute that need no name go first; when only long ones
    are left, every attribute whose next layer has the areas most of them share goes."""
    queues: dict[str, list[Layer]] = {}
    for layer in layers:
        queues.setdefault(layer[0], []).append(layer)
    out: list[Layer] = []
    while queues:
        short = [q for q in queues.values() if not uses_names(q[0][2])]
        if short:
            for queue in short:
                out.append(queue.pop(0))
        else:
            counts: dict[tuple[Rect, ...], int] = {}
            for queue in queues.values():
                key = tuple(queue[0][2])
                counts[key] = counts.get(key, 0) + 1
            top = max(counts, key=lambda k: counts[k])
            for queue in queues.values():
                if tuple(queue[0][2]) == top:
                    out.append(queue.pop(0))
        queues = {name: queue for name, queue in queues.items() if queue}
    return out


class AreaNames:
    """The temporary names of one refresh: which formula each points at, and their deletion."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.names: list[Any] = []  # xw.Name objects, AREA_NAME first
        self.formulas: list[str] = []  # what each points at
        self.depth = 0  # nesting of scope() (apply -> write_sheet)

    def ranges(self, sheet: Any, title: str, rects: Sequence[Rect], mac: bool) -> Iterator[Any]:
        """The ranges to make one call each on: ``Range("...")`` of up to two addresses, or the
        union of the names pointed at the formulas of ``rects`` (pointing only the names that
        point elsewhere). On a Mac an address of two colons or more goes through the names
        too: xlwings 0.37.8's ``Sheet.range`` there cuts a string at its colons and keeps only
        the first cell of ``"A7:O7,A15:O15"``; names have no colon and reach Excel as they are.

        A generator: names are pointed only after the caller is done with the range before
        (on a Mac a range is a reference Excel resolves at each command)."""
        addresses = area_addresses(rects)
        if len(addresses) <= 2 and (not mac or all(a.count(":") < 2 for a in addresses)):
            for address in addresses:
                yield sheet.range(address)
            return
        wanted = name_formulas(title, rects)
        used = [self.formulas.index(f) if f in self.formulas else -1 for f in wanted]
        spare = (i for i in range(len(self.names) + len(wanted)) if i not in used)
        for k, formula in enumerate(wanted):
            if used[k] < 0:
                used[k] = next(spare)
                self._point(used[k], formula)
        # a union of names is an address too: at most 255 characters, about 15 names
        for union in _joined([self._label(i) for i in sorted(used)], MAX_AREA_ADDRESS):
            yield sheet.range(union)

    @staticmethod
    def _label(i: int) -> str:
        return AREA_NAME if i == 0 else f"{AREA_NAME}{i + 1}"

    def _point(self, i: int, formula: str) -> None:
        if i < len(self.names):
            self.names[i].refers_to = formula
            self.formulas[i] = formula
        else:
            self.names.append(self.book.names.add(self._label(i), formula))
            self.formulas.append(formula)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Every name deleted when the outermost block ends, even on error (a failure to
        delete one is raised unless another error is already on its way)."""
        self.depth += 1
        failed = True
        try:
            yield
            failed = False
        finally:
            self.depth -= 1
            if not self.depth and self.names:
                names, self.names, self.formulas = self.names, [], []
                errors: list[Exception] = []
                for name in names:
                    try:
                        name.delete()
                    except Exception as exc:
                        errors.append(exc)
                if errors and not failed:
                    raise errors[0]


def _joined(parts: Sequence[str], limit: int) -> list[str]:
    """``parts`` joined by commas into strings of at most ``limit`` characters each."""
    out: list[str] = []
    current = ""
    for one in parts:
        if current and len(current) + 1 + len(one) > limit:
            out.append(current)
            current = ""
        current = f"{current},{one}" if current else one
    if current:
        out.append(current)
    return out
