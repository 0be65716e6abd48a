"""Findings about the input cells on their own: each number cell, duplicate codes, the RPJMD sheet.

These checks need no computed capaian. :class:`Findings` collects what they (and
:mod:`iku_excel.evaluate`) report; :func:`same_number` is the tolerance every comparison of two
read numbers uses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from iku_excel import contract
from iku_excel.grades import grade_candidates
from iku_excel.model import CellRef, Finding, RpjmdIndicator, TableLayout, Value
from iku_excel.numbers import STYLE_LABELS, ParsedNumber, normalise_unit
from iku_excel.rules import make_finding
from iku_excel.text import fmt, shown

RPJMD_HEADERS = {c.key: c.header for c in contract.RPJMD_COLUMNS}
_PERCENT_NAME = re.compile(r"^\s*(persentase|presentase|prosentase|proporsi)\b", re.IGNORECASE)


def same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class Findings:
    """The findings collected so far, in the order they were found."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        #: The workbook's Format Angka ("id" / "en"), named in number messages.
        self.number_style = "id"

    def add(
        self, rule: str, ref: CellRef | None, *, sheet: str = "", code: str = "", **params: object
    ) -> None:
        self.items.append(
            make_finding(
                rule,
                sheet=ref.sheet if ref else sheet,
                cell=ref.address if ref else "",
                code=code,
                **params,
            )
        )


def _is_percentage_indicator(name: str, unit_key: str) -> bool:
    return unit_key == "%" and bool(_PERCENT_NAME.match(name))


def quiet(p: ParsedNumber) -> bool:
    """True when :func:`check_number` has nothing to say about a cell read as ``p``, whatever
    its column: an empty cell, or a plain number up to 100 (most cells). Callers with many
    cells ask this first, which is cheaper than the call with its keywords."""
    status = p.status
    if status == "ok":
        if p.kind == "number" and not p.unit and not p.from_text:
            v = p.value
            return v is None or v <= 100
        return False
    return status == "missing"


def check_number(
    value: Value,
    column: str,
    code: str,
    out: Findings,
    *,
    unit: str = "",
    indicator: str = "",
    point_only: bool = False,
    text_is_info: bool = False,
    grades_allowed: bool = False,
) -> None:
    """Findings about one numeric input cell."""
    p = value.parsed
    if quiet(p):
        return
    if p.status != "ok":
        _check_unreadable(value, column, code, out, grades_allowed=grades_allowed)
        return
    if point_only and p.kind == "range":
        out.add("realisasi-range", value.ref, code=code, column=column, value=shown(value))
    ratio_without_unit = p.kind == "ratio" and normalise_unit(p.unit or "") == "rasio"
    if (
        p.unit
        and unit
        and not ratio_without_unit
        and normalise_unit(p.unit) != normalise_unit(unit)
    ):
        out.add(
            "inline-unit-mismatch",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            inline_unit=p.unit,
            unit=unit,
        )
    if text_is_info and p.from_text and p.kind == "number" and p.value is not None:
        out.add(
            "number-stored-as-text",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            number=fmt(p.value),
            reading=f" (cara {STYLE_LABELS[p.reading]})" if p.reading else "",
        )
    unit_key = normalise_unit(unit or p.unit or "")
    high = p.high if p.kind == "range" else p.value
    if high is not None and high > 100 and _is_percentage_indicator(indicator, unit_key):
        out.add(
            "percent-over-100",
            value.ref,
            code=code,
            column=column,
            value=fmt(high),
            indicator=indicator,
        )


def _check_unreadable(
    value: Value, column: str, code: str, out: Findings, *, grades_allowed: bool
) -> None:
    """Findings about a cell that gave no number: invalid, ambiguous or two quantities."""
    p = value.parsed
    if p.status == "invalid" and grades_allowed and grade_candidates(p.raw):
        return  # a grade (WTP, BB) in an RPJMD target: read by iku_excel.kinds
    if p.status == "invalid":
        out.add(
            "unparseable-number",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            reason=p.reason or "bukan angka",
        )
        return
    if p.status == "ambiguous":
        readings = " atau ".join(fmt(r) for r in p.readings)
        out.add(
            "ambiguous-number",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            readings=readings,
            style=STYLE_LABELS.get(out.number_style, out.number_style),  # type: ignore[call-overload]
        )
        return
    if p.status == "multiple":
        out.add(
            "multiple-quantities",
            value.ref,
            code=code,
            column=column,
            value=shown(value),
            parts="; ".join(p.parts),
        )
        return


_SPACES = re.compile(r"\s+")


def norm_code(code: str) -> str:
    return _SPACES.sub("", code.casefold()).rstrip(".")


def check_duplicate_codes(
    rows: Sequence[tuple[int, str]], layout: TableLayout, out: Findings
) -> None:
    """``duplicate-code`` on every row whose Kode already appeared above it."""
    seen: dict[str, int] = {}
    for row, code in rows:
        if not code:
            continue
        key = norm_code(code)
        if key in seen:
            ref = CellRef(layout.sheet, row, layout.columns.get("code", 1))
            out.add("duplicate-code", ref, code=code, first_row=seen[key])
        else:
            seen[key] = row


def _check_rpjmd_numbers(rp: RpjmdIndicator, out: Findings) -> None:
    """:func:`check_number` on an RPJMD row's baseline, yearly targets and final target."""
    h = RPJMD_HEADERS
    kw = {"unit": rp.unit, "indicator": rp.indicator, "grades_allowed": True}
    if not quiet(rp.baseline.parsed):
        check_number(rp.baseline, h["baseline"], rp.code, out, **kw)  # type: ignore[arg-type]
    for year, value in rp.targets.items():
        if not quiet(value.parsed):
            check_number(value, f"Target {year}", rp.code, out, **kw)  # type: ignore[arg-type]
    if not quiet(rp.final_target.parsed):
        check_number(rp.final_target, h["final_target"], rp.code, out, **kw)  # type: ignore[arg-type]


def check_rpjmd(rows: Sequence[RpjmdIndicator], layout: TableLayout, out: Findings) -> None:
    check_duplicate_codes([(rp.row, rp.code) for rp in rows], layout, out)
    for rp in rows:
        targets = rp.targets
        _check_rpjmd_numbers(rp, out)
        # Trajectory: yearly targets must not turn against the polarity.
        previous: tuple[int, float] | None = None
        years = sorted(targets)
        for year in years:
            value = targets[year]
            v = value.number
            if v is None:
                continue
            if previous is not None:
                worse = v < previous[1] if rp.polarity == "Positif" else v > previous[1]
                if worse and not same_number(v, previous[1]):
                    out.add(
                        "rpjmd-trajectory",
                        value.ref,
                        code=rp.code,
                        year=year,
                        value=fmt(v),
                        previous_year=previous[0],
                        previous=fmt(previous[1]),
                        polarity=rp.polarity.lower(),
                        indicator=rp.indicator,
                        direction="turun" if rp.polarity == "Positif" else "naik",
                    )
            previous = (year, v)
        # the last year with a number, and its number: where the loop above ended
        last_year, last = previous if previous is not None else (None, None)
        final = rp.final_target.number
        if last_year is not None and final is not None and last_year == years[-1]:
            assert last is not None
            if not same_number(final, last):
                out.add(
                    "final-target-mismatch",
                    rp.final_target.ref,
                    code=rp.code,
                    value=fmt(final),
                    year=last_year,
                    expected=fmt(last),
                    indicator=rp.indicator,
                )
