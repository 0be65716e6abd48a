"""Excel formula text: operands, the capaian, cap and predikat formulas, literals, HYPERLINK.

Wherever an input is a clean number (a native number cell, or empty), a cell gets a native Excel
formula that references the ``IKU``/``RPJMD`` cells, so a planner who edits a realisasi sees the
capaian change without running Python. Where an input needed parsing (text such as ``"80 %"``, a
range ``"80–90"``), :func:`operand` gives None and the computed value is written instead (the
finding ``number-stored-as-text`` says so). Settings (negative formula, cap, predikat scale) are
written into the formulas as constants; changing them needs a refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iku_excel.a1 import cell_address, column_index, quote_sheet
from iku_excel.capaian import SHOWN_DECIMALS
from iku_excel.kinds import composite_expr, grade_formula
from iku_excel.model import IndicatorResult, Settings, Value
from iku_excel.slots import slot_setters

#: Excel's limits on a formula: characters, nested functions, characters of a text literal.
MAX_FORMULA_CHARS = 8_192
MAX_NESTING = 64
MAX_LITERAL = 255


def formula_nesting(formula: str) -> int:
    """The deepest parenthesis level of ``formula`` outside text literals: an upper bound of
    its function nesting, which Excel limits to :data:`MAX_NESTING`."""
    depth = deepest = 0
    in_text = False
    for ch in formula:
        if ch == '"':
            in_text = not in_text  # a doubled quote toggles twice
        elif not in_text and ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not in_text and ch == ")":
            depth -= 1
    return deepest


def formula_fits(formula: str) -> bool:
    """True when Excel accepts ``formula``: at most :data:`MAX_FORMULA_CHARS` characters and
    :data:`MAX_NESTING` levels. A formula with no more opening parentheses than that cannot
    nest deeper, so most are answered by a count in C without the scan of every character."""
    if len(formula) > MAX_FORMULA_CHARS:
        return False
    return formula.count("(") <= MAX_NESTING or formula_nesting(formula) <= MAX_NESTING


@dataclass(frozen=True)
class PredikatLookup:
    """Where the predikat scale table sits: absolute ranges of the ascending lower bounds and
    their labels (None when every band is open), and the bottom band's label cell (None when
    values below the lowest bound have no predikat)."""

    bounds: str | None
    labels: str | None
    bottom: str | None


@dataclass(frozen=True, slots=True)
class Operand:
    """An input cell as a formula operand.

    ``expr`` computes with it (``(IKU!I5*100)`` for a percent-formatted cell); ``address`` is the
    bare reference, for emptiness tests (``COUNT``, ``=""``); ``blank`` says the cell is empty now
    (the formula still references it, so typing a value later updates the result).
    """

    expr: str
    address: str
    blank: bool


_new = object.__new__
_set_expr, _set_address, _set_blank = slot_setters(Operand)
#: sheet name -> its quoted form and "!", as a reference to it starts (a handful of sheets, a few
#: hundred thousand references).
_SHEET_PREFIX: dict[str, str] = {}


def _operand(expr: str, address: str, blank: bool) -> Operand:
    """``Operand(expr, address, blank)`` through its slots (as ``model.cell_value``)."""
    op: Operand = _new(Operand)
    _set_expr(op, expr)
    _set_address(op, address)
    _set_blank(op, blank)
    return op


def operand(value: Value | None, *, same_sheet: str | None = None) -> Operand | None:
    """The operand for a clean numeric or empty input cell; None when the value needed parsing
    (text, a range) and must be written as a computed value instead."""
    if value is None or value.ref is None:
        return None
    ref = value.ref
    p = value.parsed
    status = p.status
    if status == "ok":
        if p.kind != "number" or p.from_text:
            return None
    elif status != "missing" or p.from_text or not (p.raw is None or p.raw == ""):
        return None
    sheet = ref.sheet
    addr = cell_address(ref.row, ref.col)
    if same_sheet != sheet:
        prefix = _SHEET_PREFIX.get(sheet)
        if prefix is None:
            prefix = _SHEET_PREFIX[sheet] = quote_sheet(sheet) + "!"
        addr = prefix + addr
    if status == "missing":
        return _operand(addr, addr, True)
    return _operand(f"({addr}*100)" if p.percent_scaled else addr, addr, False)


def capaian_expr(polarity: str, negative_formula: str, t: str, r: str) -> str:
    if polarity != "Negatif":
        return f"{r}*100/{t}"
    return {
        "A": f"(2*{t}-{r})*100/{t}",
        "B": f"{t}*100/{r}",
        "C": f"({t}-{r})*100/{t}",
    }[negative_formula]


def divisor(polarity: str, negative_formula: str, t: str, r: str) -> str:
    return r if (polarity == "Negatif" and negative_formula == "B") else t


def cap_expr(expr: str, cap: float | None) -> str:
    if cap is None:
        return expr
    return f"MIN(MAX({expr},0),{num_literal(cap)})"


def text_literal(text: str) -> str:
    """``text`` as an Excel formula string literal, quotes doubled (``"Sangat Tinggi"``)."""
    return '"' + text.replace('"', '""') + '"'


def num_literal(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(x)


def predikat_formula(ref: str, lookup: PredikatLookup) -> str:
    """The predikat of the capaian in ``ref`` as shown (``ROUND(ref,2)``), looked up in the
    scale table on the sheet ("" for an empty capaian). One ``LOOKUP``, whatever the number of
    bands, so the nesting stays at four levels."""
    x = f"ROUND({ref},{SHOWN_DECIMALS})"
    bottom = lookup.bottom or '""'
    if lookup.bounds is None or lookup.labels is None:
        found = bottom
    else:
        found = f"IFERROR(LOOKUP({x},{lookup.bounds},{lookup.labels}),{bottom})"
    return f'IF({ref}="","",{found})'


def _joined(ops: Sequence[Operand]) -> str:
    """``J5:M5`` for adjacent cells of one row, else ``J5,L5,...``."""
    refs = [o.address for o in ops]
    prefix, _, first = refs[0].rpartition("!")
    cols = [column_index(r.rpartition("!")[2]) for r in refs]
    if cols == list(range(cols[0], cols[0] + len(cols))):
        last = refs[-1].rpartition("!")[2]
        return f"{prefix}!{first}:{last}" if prefix else f"{first}:{last}"
    return ",".join(refs)


def realisasi_operand(r: IndicatorResult, same_sheet: str | None = None) -> tuple[str, str] | None:
    """(expression of the annual realisasi, expression that is 0 when nothing is filled).

    The annual Realisasi wins when filled; otherwise the triwulan values are aggregated by the
    indicator's Agregasi Triwulan. None when an input is not clean (the value is written then).
    """
    ind = r.indicator
    annual = operand(ind.realisasi, same_sheet=same_sheet)
    if annual is None:
        return None
    composite = composite_expr(ind, same_sheet)
    if composite is not None:  # Pembilang / Penyebut win when both are usable
        expr, usable = composite
        count = f"IF({usable},1,COUNT({annual.address}))"
        return f"IF({usable},{expr},{annual.expr})", count
    simple = (annual.expr, f"COUNT({annual.address})")
    cells = ind.quarters
    if any(q.ref is None for q in cells):
        return simple
    if not annual.blank and all(q.parsed.status == "missing" for q in cells):
        # what the lines below give for empty quarters (most rows): the annual realisasi alone,
        # without four operands to build
        return simple
    quarters = [operand(q, same_sheet=same_sheet) for q in cells]
    clean = [q for q in quarters if q is not None and q.expr == q.address]
    if len(clean) != 4:  # text or percent-formatted quarters: write the value
        return None if any(not q.is_blank for q in cells) else simple
    if not annual.blank and all(q.blank for q in clean):
        return simple
    span = _joined(clean)
    if ind.quarterly_aggregation == "Jumlah":
        agg = f"SUM({span})"
    elif ind.quarterly_aggregation == "Rata-rata":
        agg = f"AVERAGE({span})"
    else:  # Nilai Akhir, the last filled quarter: IF(TW4<>"",TW4,IF(TW3<>"",TW3,...TW1))
        agg = clean[0].address
        for q in clean[1:]:
            agg = f'IF({q.address}<>"",{q.address},{agg})'
    return (
        f'IF({annual.address}<>"",{annual.expr},{agg})',
        f"COUNT({annual.address},{span})",
    )


def iku_capaian_formula(r: IndicatorResult, settings: Settings) -> str | None:
    """The live formula of the IKU sheet's Capaian (%) cell (raw, uncapped), or None."""
    if r.kind == "grade":
        return grade_formula(r, settings)
    ind = r.indicator
    sheet = ind.target.ref.sheet if ind.target.ref else None
    t = operand(ind.target, same_sheet=sheet)
    if t is None:
        return None
    rr = realisasi_operand(r, same_sheet=sheet)
    if rr is None:
        return None
    rexpr, count = rr
    f = settings.negative_formula
    expr = capaian_expr(ind.polarity, f, t.expr, rexpr)
    div = divisor(ind.polarity, f, t.expr, rexpr)
    return f'=IF(OR({count}=0,NOT(ISNUMBER({t.address}))),"",IF({div}=0,"",{expr}))'


def hyperlink_formula(location: str, text: str) -> str | None:
    """``=HYPERLINK("#IKU!Q3","Q3")``: a link to ``location`` inside the workbook showing
    ``text``. A formula, so that it is written with the other values, in one block. None when
    the target or the text is longer than a text literal may be (:data:`MAX_LITERAL`)."""
    if len("#" + location) > MAX_LITERAL or len(text) > MAX_LITERAL:
        return None
    return f"=HYPERLINK({text_literal('#' + location)},{text_literal(text)})"
