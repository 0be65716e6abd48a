"""Typed averages (``Rata-rata capaian`` rows) and the workbook-wide number-format check.

Real IKU tables carry the planner's own averages: a row ``Rata-rata capaian`` (or ``Jumlah``,
``Total``, ``Capaian sasaran``) under a sasaran's indicators, and ``Rata-rata capaian kinerja
keseluruhan`` at the bottom, with only a typed capaian. :func:`typed_aggregate` recognises such a
row while reading (it is not an indicator: no target, no realisasi, a typed capaian, a name that
starts like an average); :func:`check_typed_aggregates` compares each with the computed sasaran or
overall capaian by the rule of reported capaian (equal after rounding or truncating to the
decimals typed): ``typed-average-mismatch``, naming the mean of the typed capaian when that is
what was averaged.

:func:`check_number_style` gives the one ``number-format-suggestion`` of a workbook whose text
numbers read only the other way (many ``0.35`` under Format Angka Indonesia).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from iku_excel.checks import Findings
from iku_excel.model import GroupResult, IkuWorkbook, TypedAggregate, Value
from iku_excel.numbers import STYLE_LABELS
from iku_excel.reported import matches_typed, same, suggested, typed_decimals
from iku_excel.text import fmt, shown

_AVERAGE_NAME = re.compile(
    r"^\s*(rata[\s-]*rata|jumlah\s+capaian|total\s+capaian|capaian\s+(kinerja\s+)?"
    r"(sasaran|keseluruhan|rata))",
    re.IGNORECASE,
)
_OVERALL = re.compile(r"keseluruhan|seluruh|\btotal\b|\biku\b", re.IGNORECASE)
_INPUT_KEYS = ("target", "realisasi", "tw1", "tw2", "tw3", "tw4", "weight")


def typed_aggregate(
    row: int, name: str, sasaran_cell: str, current_sasaran: str, values: Mapping[str, Value]
) -> TypedAggregate | None:
    """The typed average on this IKU row, or ``None`` when the row is something else."""
    label = name or sasaran_cell
    if not _AVERAGE_NAME.match(label):
        return None
    reported = values.get("reported_capaian")
    if reported is None or reported.parsed.status != "ok" or reported.parsed.kind != "number":
        return None
    if any(not values[k].is_blank for k in _INPUT_KEYS if k in values):
        return None
    overall = bool(_OVERALL.search(label)) or not current_sasaran
    return TypedAggregate(row, label, None if overall else current_sasaran, reported)


def check_typed_aggregates(
    workbook: IkuWorkbook, sasaran: Sequence[GroupResult], overall: GroupResult, out: Findings
) -> None:
    """``typed-average-mismatch`` for each typed average that is not the computed one."""
    by_name = {g.name: g for g in sasaran}
    method = workbook.settings.sasaran_aggregation.lower()
    for agg in workbook.typed_aggregates:
        group = overall if agg.sasaran is None else by_name.get(agg.sasaran)
        typed = agg.value.parsed.value
        if group is None or group.capaian is None or typed is None:
            continue
        decimals = typed_decimals(agg.value.parsed)
        if matches_typed(typed, group.capaian, decimals):
            continue
        hint = ""
        typed_values = [
            r.indicator.reported_capaian.number
            for r in group.indicators
            if r.indicator.reported_capaian.number is not None
        ]
        if typed_values:
            mean_typed = sum(typed_values) / len(typed_values)
            if not same(mean_typed, group.capaian) and matches_typed(typed, mean_typed, decimals):
                hint = (
                    f" Angka {shown(agg.value)} sama persis dengan rata-rata capaian yang "
                    "diketik per indikator; perbaiki capaian indikatornya dahulu."
                )
        scope = "keseluruhan" if agg.sasaran is None else f'sasaran "{agg.sasaran}"'
        out.add(
            "typed-average-mismatch",
            agg.value.ref,
            label=agg.label,
            scope=scope,
            value=fmt(typed),
            method=f"{method} capaian {len(group.indicators)} indikator",
            expected=suggested(group.capaian, decimals),
            hint=hint,
        )


def check_number_style(workbook: IkuWorkbook, out: Findings) -> None:
    """One ``number-format-suggestion`` when more text numbers read only the other way than the
    chosen way (each is still read, and flagged once here, not per cell)."""
    style = workbook.settings.number_style
    off: list[Value] = []
    on = 0
    for value in _number_cells(workbook):
        p = value.parsed
        if p.status != "ok" or not p.from_text:
            continue
        if p.off_style:
            off.append(value)
        elif p.reading == style:
            on += 1
    if not off or len(off) <= on:
        return
    first = off[0]
    other: Literal["id", "en"] = "en" if style == "id" else "id"
    out.add(
        "number-format-suggestion",
        first.ref,
        count=len(off),
        other=STYLE_LABELS[other],
        example=shown(first),
        first=str(first.ref) if first.ref else "",
        style=STYLE_LABELS[style],
    )


def _number_cells(workbook: IkuWorkbook) -> list[Value]:
    cells: list[Value] = []
    for ind in workbook.indicators:
        cells.extend((ind.target, ind.realisasi, *ind.quarters, ind.reported_capaian))
        cells.extend((ind.weight, ind.capaian_last_year))
    for rp in workbook.rpjmd:
        cells.extend((rp.baseline, *rp.targets.values(), rp.final_target))
    return cells
