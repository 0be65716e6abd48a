"""The one cell encoder: how a Python value becomes a SpreadsheetML ``<c>`` (every writer uses it).

The sheet writer (:mod:`~iku_excel.backends.xlsx.sheet_writer`, cells as text) and the cell
patcher (:mod:`~iku_excel.backends.xlsx.cellpatch`, cells as lxml elements) both go through
:func:`encode`, so a value is written the same way wherever it lands:

* text is an inline string (``t="inlineStr"``), never a formula, even when it starts with ``=``;
  characters XML 1.0 cannot hold and a literal ``_xHHHH_`` are written with Excel's ``_xHHHH_``
  escape (``_x005F_`` for the underscore), so every reader gives back the text that was written;
* numbers as the shortest round-tripping text (integers without ``.0``); a value that is not a
  finite number is the error ``#NUM!``; booleans ``t="b"``; dates as serial numbers in the
  workbook's date system;
* a formula's cached value keeps its type: number, ``t="b"``, ``t="str"``, or ``t="e"`` for the
  Excel error literals such as ``#DIV/0!``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import NamedTuple

from lxml import etree

from iku_excel.backends.xlsx.ooxml import XML_NS, q

#: Cached values (strings) that are written as Excel errors (``t="e"``) in formula cells.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
MAX_TEXT = 32_767
MAX_FORMULA = 8_192

_ESCAPE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
# Characters XML 1.0 forbids: dropped from formula text (a formula cannot hold them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_TEXT_RE = re.compile("[&<>\r]")


def escape_text(text: str) -> str:
    """Excel's ``_xHHHH_`` escaping: characters XML 1.0 cannot hold, and literal ``_xHHHH_``."""
    if _ESCAPE_RE.search(text) is None:
        return text
    return _ESCAPE_RE.sub(
        lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", text
    )


def xml_text(text: str) -> str:
    """``text`` as XML character data (what lxml writes for an element's text)."""
    if _XML_TEXT_RE.search(text) is None:
        return text
    # "&" first, so that the entities written after it are not escaped again
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


#: Any character :func:`escape_text` or :func:`xml_text` changes in a text: without one (nearly
#: every cell) the text is written as it is after a single search.
_TEXT_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
#: Any character :func:`formula_text` or :func:`xml_text` changes in a formula.
_FORMULA_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_xml(text: str) -> str:
    """``xml_text(escape_text(text))``: a cell's text as XML character data."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return xml_text(escape_text(text))


def formula_xml(formula: str) -> str:
    """``xml_text(formula_text(formula))``: a formula as the character data of ``<f>``."""
    text = formula[1:] if formula.startswith("=") else formula
    if _FORMULA_SPECIAL.search(text) is None:
        return text
    return xml_text(formula_text(formula))


def number_text(number: float) -> str:
    """A finite number as the shortest text that reads back as the same float."""
    if isinstance(number, int):
        return str(number)
    if not math.isfinite(number):
        raise ValueError(f"cannot store {number!r} in a cell")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


def formula_text(formula: str) -> str:
    """The ``<f>`` text of a formula: without its leading ``=``, illegal characters dropped."""
    text = formula[1:] if formula.startswith("=") else formula
    return text if _ILLEGAL.search(text) is None else _ILLEGAL.sub("", text)


class Encoded(NamedTuple):
    """A cell's content: ``t`` attribute, ``<f>`` and ``<v>`` texts, or inline-string text.

    Texts are already ``_xHHHH_``-escaped but not XML-escaped (lxml or :func:`xml_text` does).
    """

    kind: str | None = None
    formula: str | None = None
    value: str | None = None
    inline: str | None = None
    preserve: bool = False  # the inline text needs xml:space="preserve"


def _number(value: object, date1904: bool) -> tuple[str | None, str]:
    """(``t``, ``<v>``) of a number, date or number-like value."""
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

        value = to_excel(value, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    if not isinstance(value, int | float):
        try:
            value = float(value)  # type: ignore[arg-type]  # Decimal, numpy
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cannot store a {type(value).__name__} in a cell") from exc
    if not math.isfinite(value):
        return "e", "#NUM!"
    return None, number_text(value)


def encode(value: object, formula: str | None = None, date1904: bool = False) -> Encoded:
    """The content of a cell holding ``value``, or ``formula`` with ``value`` as its cached value.

    None is an empty cell (or a formula without a cached value). Raises ValueError for text
    longer than Excel allows and for values that are not text, numbers, booleans or dates.
    """
    f = None if formula is None else formula_text(formula)
    if type(value) is float and math.isfinite(value):  # the common case first
        return Encoded(None, f, number_text(value))
    if value is None:
        return Encoded(formula=f)
    if isinstance(value, bool):
        return Encoded("b", f, "1" if value else "0")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"text longer than {MAX_TEXT} characters")
        if f is not None and value in EXCEL_ERRORS:
            return Encoded("e", f, value)
        if f is not None:
            return Encoded("str", f, escape_text(value))
        preserve = value != value.strip() or "\n" in value
        return Encoded("inlineStr", inline=escape_text(value), preserve=preserve)
    kind, text = _number(value, date1904)
    return Encoded(kind, f, text)


def cell_xml(
    ref: str, style: int | None, value: object, formula: str | None = None, date1904: bool = False
) -> str:
    """The ``<c>`` of ``value`` (or ``formula`` with ``value`` cached) as text; style 0: no ``s``.

    Exactly :func:`encode`'s content (a test holds them equal); plain text and finite numbers,
    nearly every cell of a sheet, take a short path.
    """
    head = f'<c r="{ref}" s="{style}"' if style else f'<c r="{ref}"'
    kind = type(value)
    if formula is None:
        if kind is str and len(value) <= MAX_TEXT:  # type: ignore[arg-type]
            text: str = value  # type: ignore[assignment]
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            return f'{head} t="inlineStr"><is><t{space}>{text_xml(text)}</t></is></c>'
        if (kind is float or kind is int) and math.isfinite(value):  # type: ignore[arg-type]
            return f"{head}><v>{number_text(value)}</v></c>"  # type: ignore[arg-type]
    elif value is None:
        return f"{head}><f>{formula_xml(formula)}</f></c>"
    elif (kind is float or kind is int) and math.isfinite(value):  # type: ignore[arg-type]
        number = number_text(value)  # type: ignore[arg-type]
        return f"{head}><f>{formula_xml(formula)}</f><v>{number}</v></c>"
    elif kind is str and len(value) <= MAX_TEXT and value not in EXCEL_ERRORS:  # type: ignore[arg-type]
        cached = text_xml(value)  # type: ignore[arg-type]
        return f'{head} t="str"><f>{formula_xml(formula)}</f><v>{cached}</v></c>'
    return encoded_xml(head, encode(value, formula, date1904))


def encoded_xml(head: str, content: Encoded) -> str:
    """The ``<c>`` of an encoded content as text, after its opening ``head`` (``<c r=.. s=..``)."""
    if content.kind is not None:
        head += f' t="{content.kind}"'
    body = ""
    if content.formula is not None:
        body += f"<f>{xml_text(content.formula)}</f>"
    if content.value is not None:
        body += f"<v>{xml_text(content.value)}</v>"
    if content.inline is not None:
        space = ' xml:space="preserve"' if content.preserve else ""
        body += f"<is><t{space}>{xml_text(content.inline)}</t></is>"
    return f"{head}>{body}</c>" if body else f"{head}/>"


def inline_string(ns: str, content: Encoded) -> etree._Element:
    """The ``<is>`` element of an encoded text."""
    inline = etree.Element(q("is", ns))
    node = etree.SubElement(inline, q("t", ns))
    node.text = content.inline
    if content.preserve:
        node.set(q("space", XML_NS), "preserve")
    return inline
