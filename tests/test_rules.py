"""Every rule of the catalogue, triggered and not triggered, on workbooks built in memory.

Each rule id of :data:`iku_excel.rules.RULES` has a trigger case (a tiny workbook that must give
that finding at a given cell) and a near miss (a similar workbook that must not). Findings are
compared as ``(rule, sheet, cell, code)`` tuples and computed values, never as message wording;
messages are only checked to be rendered (no ``{placeholder}`` left) and to name the value found.
Then come the computations behind the rules: range targets, negative polarity formulas, caps,
quarterly realisasi, aggregation, predikat scales, the RPJMD checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from iku_excel.api import evaluate_grids
from iku_excel.model import SheetGrid
from iku_excel.rules import RULES
from tests.conftest import (
    ADOPTED_SHEET,
    IKU_SHEET,
    RPJMD_SHEET,
    SETTINGS_SHEET,
    YEAR,
    Fmt,
    evaluate_rows,
    found,
    iku,
    iku_cell,
    iku_extra_cell,
    make_grids,
    rpjmd,
    rpjmd_cell,
    rule_ids,
)

# Bug found by these tests (see the report): rules.make_finding() takes ``code`` as the finding's
# indicator code and never passes it to the template, so a template with a {code} placeholder
# cannot be rendered: evaluate() raises KeyError for duplicate codes and for not-in-rpjmd.

NAME = str(iku()["indicator"])
SASARAN = str(iku()["sasaran"])
PCT_NAME = "Persentase PMKS yang tertangani"
TW = {"tw1": 10, "tw2": 20, "tw3": 30, "tw4": 40}  # Jumlah 100, Nilai Akhir 40, Rata-rata 25
TW_TARGETS = {"tw_target1": 25, "tw_target2": 50, "tw_target3": 75, "tw_target4": 100}
MID_YEAR = {"tw1": 20, "tw2": 30, "realisasi": None}  # s.d. TW II: 50
ANALYSIS = {"obstacles": "Cuaca", "follow_up": "Jadwal ulang"}


def flat_rpjmd(value: object, **values: object) -> dict[str, object]:
    """An RPJMD row whose targets are all ``value`` (no trajectory or final-target finding)."""
    targets = {
        "target_2021": value,
        "target_2022": value,
        "target_2023": value,
        "final_target": value,
    }
    return rpjmd(**{**targets, **values})


def settings(**values: object) -> dict[str, object]:
    return {"year": YEAR, **values}


def two_units(aggregation: str) -> dict[str, Any]:
    """Two indicators of one sasaran, in Orang and Dokumen."""
    return {
        "iku_rows": [
            iku(target=100, realisasi=100),
            iku(code="1.2", indicator="B", unit="Dokumen", target=300, realisasi=100),
        ],
        "rpjmd_rows": [rpjmd(), flat_rpjmd(300, code="1.2", indicator="B", unit="Dokumen")],
        "settings": settings(sasaran_aggregation=aggregation),
    }


R = [rpjmd()]
PCT_RPJMD = [
    rpjmd(
        indicator=PCT_NAME,
        unit="%",
        baseline=50,
        target_2021=60,
        target_2022=70,
        target_2023=80,
        final_target=80,
    )
]
NEG_RPJMD = [flat_rpjmd(8, polarity="Negatif")]
SCALE_OK = [("Memuaskan", 90), ("Baik", 70), ("Kurang", None)]
SCALE_OVERLAP = [("Memuaskan", 90), ("Baik", 90), ("Kurang", None)]


MMR = "Angka kematian ibu"
GRADES_GAP = [("Skor Desa", "Rendah", 1), (None, "Tinggi", 3)]
GRADES_OK = [("Skor Desa", "Rendah", 1), (None, "Tinggi", 2)]


def AVG_ROW(value: float) -> dict[str, object]:
    """A typed "Rata-rata capaian" row under the sasaran's indicators."""
    return {"indicator": "Rata-rata capaian sasaran", "reported_capaian": value}


@dataclass(frozen=True)
class Trigger:
    """A workbook that must give ``expected``; its message must name every ``names`` item."""

    workbook: Mapping[str, Any]
    expected: tuple[str, str, str, str]
    names: tuple[str, ...]
    marks: tuple[Any, ...] = field(default=())


TRIGGERS: dict[str, Trigger] = {
    "unparseable-number": Trigger(
        {"iku_rows": [iku(realisasi="32..420")], "rpjmd_rows": R},
        ("unparseable-number", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("32..420",),
    ),
    "ambiguous-number": Trigger(
        {"iku_rows": [iku(realisasi="1,234")], "rpjmd_rows": R},
        ("ambiguous-number", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("1,234",),
    ),
    "number-stored-as-text": Trigger(
        {"iku_rows": [iku(realisasi="90 Orang")], "rpjmd_rows": R},
        ("number-stored-as-text", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("90 Orang",),
    ),
    "inline-unit-mismatch": Trigger(
        {"iku_rows": [iku(realisasi="90 Dokumen")], "rpjmd_rows": R},
        ("inline-unit-mismatch", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("90 Dokumen", "Orang"),
    ),
    "percent-over-100": Trigger(
        {
            "iku_rows": [iku(indicator=PCT_NAME, unit="%", target=80, realisasi=146)],
            "rpjmd_rows": PCT_RPJMD,
        },
        ("percent-over-100", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("146", PCT_NAME),
    ),
    "missing-target": Trigger(
        {"iku_rows": [iku(target=None)], "rpjmd_rows": R},
        ("missing-target", IKU_SHEET, iku_cell("target"), "1.1"),
        (NAME,),
    ),
    "missing-realisasi": Trigger(
        {"iku_rows": [iku(realisasi=None)], "rpjmd_rows": R},
        ("missing-realisasi", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        (NAME,),
    ),
    "target-zero": Trigger(
        {"iku_rows": [iku(target=0)], "rpjmd_rows": [flat_rpjmd(0)]},
        ("target-zero", IKU_SHEET, iku_cell("target"), "1.1"),
        (NAME, "0"),
    ),
    "realisasi-zero": Trigger(
        {
            "iku_rows": [iku(polarity="Negatif", target=8, realisasi=0)],
            "rpjmd_rows": NEG_RPJMD,
            "settings": settings(negative_formula="B"),
        },
        ("realisasi-zero", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        (NAME, "0"),
    ),
    "realisasi-range": Trigger(
        {"iku_rows": [iku(realisasi="80-90")], "rpjmd_rows": R},
        ("realisasi-range", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("80-90",),
    ),
    "quarterly-mismatch": Trigger(
        {"iku_rows": [iku(**TW, realisasi=90)], "rpjmd_rows": R},
        ("quarterly-mismatch", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("90", "100"),
    ),
    "reported-capaian-mismatch": Trigger(
        {
            "iku_rows": [iku(target=80, realisasi=70, reported_capaian=87.4)],
            "rpjmd_rows": [flat_rpjmd(80)],
        },
        ("reported-capaian-mismatch", IKU_SHEET, iku_cell("reported_capaian"), "1.1"),
        ("87,4", "87,5"),
    ),
    "duplicate-code": Trigger(
        {"iku_rows": [iku(), iku(indicator="B")], "rpjmd_rows": R},
        ("duplicate-code", IKU_SHEET, iku_cell("code", 3), "1.1"),
        ("1.1",),
    ),
    "missing-sasaran": Trigger(
        {"iku_rows": [iku(sasaran=None)], "rpjmd_rows": R},
        ("missing-sasaran", IKU_SHEET, iku_cell("sasaran"), "1.1"),
        (NAME,),
    ),
    "sasaran-without-indicator": Trigger(
        {"iku_rows": [{"sasaran": "Sasaran kosong"}, iku()], "rpjmd_rows": R},
        ("sasaran-without-indicator", IKU_SHEET, iku_cell("sasaran"), ""),
        ("Sasaran kosong",),
    ),
    "missing-indicator-name": Trigger(
        {
            "iku_rows": [iku(), iku(code="1.2", indicator=None, target=5, realisasi=5)],
            "rpjmd_rows": R,
        },
        ("missing-indicator-name", IKU_SHEET, iku_cell("indicator", 3), "1.2"),
        ("3",),
    ),
    "invalid-polarity": Trigger(
        {"iku_rows": [iku(polarity="Tinggi")], "rpjmd_rows": R},
        ("invalid-polarity", IKU_SHEET, iku_cell("polarity"), "1.1"),
        ("Tinggi",),
    ),
    "invalid-quarterly-aggregation": Trigger(
        {"iku_rows": [iku(**TW, realisasi=None, quarterly_aggregation="Total")], "rpjmd_rows": R},
        ("invalid-quarterly-aggregation", IKU_SHEET, iku_cell("quarterly_aggregation"), "1.1"),
        ("Total",),
    ),
    "missing-weight": Trigger(
        {
            "iku_rows": [iku(weight=None)],
            "rpjmd_rows": R,
            "settings": settings(sasaran_aggregation="Rata-rata Tertimbang"),
        },
        ("missing-weight", IKU_SHEET, iku_cell("weight"), "1.1"),
        (NAME,),
    ),
    "invalid-setting": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": R, "settings": {"year": "dua ribu"}},
        ("invalid-setting", SETTINGS_SHEET, "B2", ""),
        ("dua ribu", "Tahun"),
    ),
    "missing-setting": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": R, "settings": {"year": None}},
        ("missing-setting", SETTINGS_SHEET, "B2", ""),
        ("Tahun",),
    ),
    "invalid-predicate-scale": Trigger(
        {
            "iku_rows": [iku()],
            "rpjmd_rows": R,
            "settings": settings(predicate_scale="Kustom"),
            "scale": SCALE_OVERLAP,
        },
        ("invalid-predicate-scale", SETTINGS_SHEET, "D1", ""),
        ("Memuaskan", "Baik", "90"),
    ),
    "missing-sheet": Trigger(
        {"iku_rows": [iku()]},
        ("missing-sheet", RPJMD_SHEET, "", ""),
        (RPJMD_SHEET, IKU_SHEET, SETTINGS_SHEET),
    ),
    "no-rpjmd": Trigger(
        {"iku_rows": [iku()], "adopted": True},
        ("no-rpjmd", ADOPTED_SHEET, "A1", ""),
        (ADOPTED_SHEET,),
    ),
    "not-in-rpjmd": Trigger(
        {"iku_rows": [iku(code="9.9", indicator="Indikator tidak terdaftar")], "rpjmd_rows": R},
        ("not-in-rpjmd", IKU_SHEET, iku_cell("indicator"), "9.9"),
        ("Indikator tidak terdaftar", "9.9"),
    ),
    "unit-mismatch-rpjmd": Trigger(
        {"iku_rows": [iku(unit="%")], "rpjmd_rows": R},
        ("unit-mismatch-rpjmd", IKU_SHEET, iku_cell("unit"), "1.1"),
        ("%", "Orang", f"{RPJMD_SHEET}!{rpjmd_cell('target_2023')}"),
    ),
    "target-differs-from-rpjmd": Trigger(
        {"iku_rows": [iku(target=95)], "rpjmd_rows": R},
        ("target-differs-from-rpjmd", IKU_SHEET, iku_cell("target"), "1.1"),
        ("95", "100", f"{RPJMD_SHEET}!{rpjmd_cell('target_2023')}"),
    ),
    "polarity-mismatch-rpjmd": Trigger(
        {"iku_rows": [iku(polarity="Negatif")], "rpjmd_rows": R},
        ("polarity-mismatch-rpjmd", IKU_SHEET, iku_cell("polarity"), "1.1"),
        ("Negatif", "Positif"),
    ),
    "missing-rpjmd-target": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(target_2023=None)]},
        ("missing-rpjmd-target", RPJMD_SHEET, rpjmd_cell("target_2023"), "1.1"),
        (str(YEAR), NAME),
    ),
    "rpjmd-trajectory": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(target_2022=110)]},
        ("rpjmd-trajectory", RPJMD_SHEET, rpjmd_cell("target_2023"), "1.1"),
        ("110", "100", "2022", "2023"),
    ),
    "final-target-mismatch": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(final_target=120)]},
        ("final-target-mismatch", RPJMD_SHEET, rpjmd_cell("final_target"), "1.1"),
        ("120", "100"),
    ),
    "mixed-units-in-ratio": Trigger(
        two_units("Rasio Jumlah"),
        ("mixed-units-in-ratio", IKU_SHEET, "", ""),
        (SASARAN, "orang", "dokumen"),
    ),
    # --- issue 9 ---
    "multiple-quantities": Trigger(
        {"iku_rows": [iku(realisasi="11 jenis; 50.000 lembar")], "rpjmd_rows": R},
        ("multiple-quantities", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("11 jenis; 50.000 lembar",),
    ),
    "number-format-suggestion": Trigger(
        {"iku_rows": [iku(target="0.35", realisasi="0.40")], "rpjmd_rows": R},
        ("number-format-suggestion", IKU_SHEET, iku_cell("target"), ""),
        ("0.35", "Inggris"),
    ),
    "grade-unreadable": Trigger(
        {"iku_rows": [iku(target="WTP", realisasi="BB")], "rpjmd_rows": R},
        ("grade-unreadable", IKU_SHEET, iku_cell("target"), "1.1"),
        ("WTP",),
    ),
    "invalid-grade-scale": Trigger(
        {"iku_rows": [iku()], "rpjmd_rows": R, "grades": GRADES_GAP},
        ("invalid-grade-scale", SETTINGS_SHEET, "G3", ""),
        ("Skor Desa",),
    ),
    "composite-realisasi-mismatch": Trigger(
        {"iku_rows": [iku(numerator=45, denominator=60, unit="%", realisasi=70)], "rpjmd_rows": R},
        ("composite-realisasi-mismatch", IKU_SHEET, iku_cell("realisasi"), "1.1"),
        ("70", "75"),
    ),
    "invalid-composite": Trigger(
        {"iku_rows": [iku(numerator=45, denominator=0)], "rpjmd_rows": R},
        (
            "invalid-composite",
            IKU_SHEET,
            iku_extra_cell("denominator", ["numerator", "denominator"]),
            "1.1",
        ),
        (NAME,),
    ),
    "polarity-inferred": Trigger(
        {"iku_rows": [iku(indicator=MMR, polarity=None)], "rpjmd_rows": None},
        ("polarity-inferred", IKU_SHEET, iku_cell("polarity"), "1.1"),
        ("Negatif", MMR),
    ),
    "typed-average-mismatch": Trigger(
        {"iku_rows": [iku(), AVG_ROW(80)], "rpjmd_rows": R},
        ("typed-average-mismatch", IKU_SHEET, iku_cell("reported_capaian", 3), ""),
        ("80", "90"),
    ),
    "no-period-targets": Trigger(
        {
            "iku_rows": [iku(**MID_YEAR)],
            "rpjmd_rows": R,
            "settings": settings(report_period="TW II"),
        },
        ("no-period-targets", SETTINGS_SHEET, "B3", ""),
        ("TW II",),
    ),
    "missing-period-target": Trigger(
        {
            "iku_rows": [iku(**MID_YEAR, **{**TW_TARGETS, "tw_target2": None})],
            "rpjmd_rows": R,
            "settings": settings(report_period="TW II"),
        },
        ("missing-period-target", IKU_SHEET, iku_extra_cell("tw_target2", list(TW_TARGETS)), "1.1"),
        ("TW II", NAME),
    ),
    "target-below-standard": Trigger(
        {"iku_rows": [iku(national_standard=120)], "rpjmd_rows": R},
        ("target-below-standard", IKU_SHEET, iku_cell("target"), "1.1"),
        ("100", "120", NAME),
    ),
    "missing-analysis": Trigger(
        {"iku_rows": [iku(obstacles="Cuaca", follow_up=None)], "rpjmd_rows": R},
        (
            "missing-analysis",
            IKU_SHEET,
            iku_extra_cell("follow_up", ["obstacles", "follow_up"]),
            "1.1",
        ),
        ("90", NAME),
    ),
    "capaian-trend": Trigger(
        {
            "iku_rows": [iku(**{"Capaian 2021": 99, "Capaian 2022": 95}, **ANALYSIS)],
            "rpjmd_rows": R,
        },
        ("capaian-trend", IKU_SHEET, iku_cell("target"), "1.1"),
        ("99", "95", "90", "2021"),
    ),
}

#: Rule id -> workbooks close to the trigger that must not give that rule.
NEAR_MISSES: dict[str, list[Mapping[str, Any]]] = {
    "multiple-quantities": [
        {"iku_rows": [iku(realisasi="90 orang/tahun")], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi="7 s/d 8", target="7 s/d 8")], "rpjmd_rows": R},
    ],
    "number-format-suggestion": [
        {"iku_rows": [iku(target="0,35", realisasi="0,40")], "rpjmd_rows": R},
        {
            "iku_rows": [iku(target="0.35", realisasi="0.40")],
            "rpjmd_rows": R,
            "settings": settings(number_style="Inggris"),
        },
    ],
    "grade-unreadable": [
        {"iku_rows": [iku(target="WTP", realisasi="WDP")], "rpjmd_rows": R},
        {"iku_rows": [iku(target="BB", realisasi="B", unit="Nilai SAKIP")], "rpjmd_rows": R},
    ],
    "invalid-grade-scale": [
        {"iku_rows": [iku()], "rpjmd_rows": R, "grades": GRADES_OK},
    ],
    "composite-realisasi-mismatch": [
        {
            "iku_rows": [iku(numerator=40, denominator=60, unit="%", realisasi=66.67)],
            "rpjmd_rows": R,
        },
        {
            "iku_rows": [iku(numerator=40, denominator=60, unit="%", realisasi=None)],
            "rpjmd_rows": R,
        },
    ],
    "invalid-composite": [
        {"iku_rows": [iku(numerator=45, denominator=50)], "rpjmd_rows": R},
        {"iku_rows": [iku(numerator=None, denominator=None)], "rpjmd_rows": R},
    ],
    "polarity-inferred": [
        {"iku_rows": [iku(indicator=MMR, polarity="Negatif")], "rpjmd_rows": None},
        {
            "iku_rows": [iku(indicator="Persentase penurunan angka kematian ibu", polarity=None)],
            "rpjmd_rows": None,
        },
    ],
    "typed-average-mismatch": [
        {"iku_rows": [iku(), AVG_ROW(90)], "rpjmd_rows": R},
        {"iku_rows": [iku(), AVG_ROW(90.0)], "rpjmd_rows": R},
    ],
    "unparseable-number": [
        {"iku_rows": [iku(realisasi="32,4")], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi="n/a")], "rpjmd_rows": R},
    ],
    "ambiguous-number": [
        {"iku_rows": [iku(realisasi="1.234")], "rpjmd_rows": R},  # a thousands group (issue 9)
        {"iku_rows": [iku(realisasi="1.234,5")], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi="1.234.567")], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi=1.234)], "rpjmd_rows": R},
    ],
    "number-stored-as-text": [
        {"iku_rows": [iku(realisasi=90)], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi=Fmt(0.9, "0%"), unit="%")], "rpjmd_rows": [rpjmd(unit="%")]},
    ],
    "inline-unit-mismatch": [
        {"iku_rows": [iku(realisasi="90 orang")], "rpjmd_rows": R},
        {"iku_rows": [iku(unit="persen", realisasi="90 %")], "rpjmd_rows": [rpjmd(unit="%")]},
    ],
    "percent-over-100": [
        {
            "iku_rows": [iku(indicator=PCT_NAME, unit="%", target=80, realisasi=100)],
            "rpjmd_rows": PCT_RPJMD,
        },
        # Not a "Persentase ..." indicator: an index may exceed 100.
        {
            "iku_rows": [iku(indicator="Indeks kepuasan", unit="%", target=80, realisasi=146)],
            "rpjmd_rows": [rpjmd(indicator="Indeks kepuasan", unit="%")],
        },
        # A percentage name but a count unit.
        {
            "iku_rows": [iku(indicator=PCT_NAME, target=100, realisasi=146)],
            "rpjmd_rows": [rpjmd(indicator=PCT_NAME)],
        },
    ],
    "missing-target": [
        {"iku_rows": [iku(target=0)], "rpjmd_rows": [flat_rpjmd(0)]},
        {"iku_rows": [iku(target="100")], "rpjmd_rows": R},
    ],
    "missing-realisasi": [
        {"iku_rows": [iku(realisasi=None, **TW)], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi=0)], "rpjmd_rows": R},
        # unreadable is reported as such, not as missing
        {"iku_rows": [iku(realisasi="32..420")], "rpjmd_rows": R},
    ],
    "target-zero": [
        {"iku_rows": [iku(realisasi=0)], "rpjmd_rows": R},
        {"iku_rows": [iku(target=0.5, realisasi=0.5)], "rpjmd_rows": [flat_rpjmd(0.5)]},
    ],
    "realisasi-zero": [
        {
            "iku_rows": [iku(polarity="Negatif", target=8, realisasi=0)],
            "rpjmd_rows": NEG_RPJMD,
            "settings": settings(negative_formula="A"),
        },
        {
            "iku_rows": [iku(realisasi=0)],
            "rpjmd_rows": R,
            "settings": settings(negative_formula="B"),
        },
    ],
    "realisasi-range": [
        {"iku_rows": [iku(target="80-90", realisasi=85)], "rpjmd_rows": [flat_rpjmd("80-90")]}
    ],
    "quarterly-mismatch": [
        {"iku_rows": [iku(**TW, realisasi=100)], "rpjmd_rows": R},
        {"iku_rows": [iku(**TW, realisasi=None)], "rpjmd_rows": R},
        {"iku_rows": [iku(**TW, unit="%", realisasi=40)], "rpjmd_rows": [rpjmd(unit="%")]},
    ],
    "reported-capaian-mismatch": [
        {
            "iku_rows": [iku(target=80, realisasi=70, reported_capaian=v)],
            "rpjmd_rows": [flat_rpjmd(80)],
        }
        for v in (87.5, 87, 88, "87,5 %", "87,50%", Fmt(0.875, "0.0%"), Fmt(0.88, "0%"))
    ],
    "duplicate-code": [
        {
            "iku_rows": [iku(), iku(code="1.2", indicator="B")],
            "rpjmd_rows": [rpjmd(), rpjmd(code="1.2", indicator="B")],
        },
        {
            "iku_rows": [iku(), iku(code="1.10", indicator="B")],
            "rpjmd_rows": [rpjmd(), rpjmd(code="1.10", indicator="B")],
        },
    ],
    "missing-sasaran": [
        {
            "iku_rows": [iku(), iku(code="1.2", indicator="B", sasaran=None)],
            "rpjmd_rows": [rpjmd(), rpjmd(code="1.2", indicator="B")],
        },
        {"iku_rows": [{"sasaran": "S1"}, iku(sasaran=None)], "rpjmd_rows": R},
    ],
    "sasaran-without-indicator": [
        {"iku_rows": [{"sasaran": "S1"}, iku(sasaran=None)], "rpjmd_rows": R}
    ],
    "missing-indicator-name": [
        {"iku_rows": [iku(), {"note": "catatan tanpa angka"}], "rpjmd_rows": R}
    ],
    "invalid-polarity": [
        {"iku_rows": [iku(polarity=p)], "rpjmd_rows": R}
        for p in ("positif", " POSITIF ", "Maksimal")
    ],
    "invalid-quarterly-aggregation": [
        {"iku_rows": [iku(**TW, realisasi=None, quarterly_aggregation=a)], "rpjmd_rows": R}
        for a in ("jumlah", "rata - rata", "NILAI AKHIR")
    ],
    "missing-weight": [
        {"iku_rows": [iku(weight=None)], "rpjmd_rows": R},
        {
            "iku_rows": [iku(weight=1)],
            "rpjmd_rows": R,
            "settings": settings(sasaran_aggregation="Rata-rata Tertimbang"),
        },
    ],
    "invalid-setting": [
        {"iku_rows": [iku()], "rpjmd_rows": R, "settings": s}
        for s in (
            {"year": "2023"},
            settings(cap=120),
            settings(cap="100"),
            settings(negative_formula="b"),
            settings(predicate_scale="permenpanrb 8/2021"),
            settings(sasaran_aggregation="rata - rata tertimbang", signer_nip="196611201986031002"),
        )
    ],
    "missing-setting": [
        {"iku_rows": [iku()], "rpjmd_rows": R},
        {"iku_rows": [iku()], "rpjmd_rows": R, "settings_sheet": False},
    ],
    "invalid-predicate-scale": [
        {
            "iku_rows": [iku()],
            "rpjmd_rows": R,
            "settings": settings(predicate_scale="Kustom"),
            "scale": SCALE_OK,
        },
        # An invalid table is ignored when Kustom is not chosen.
        {"iku_rows": [iku()], "rpjmd_rows": R, "scale": SCALE_OVERLAP},
    ],
    "missing-sheet": [
        {"iku_rows": [iku()], "rpjmd_rows": R},
        # an adopted workbook without RPJMD: one info no-rpjmd instead
        {"iku_rows": [iku()], "adopted": True},
    ],
    "no-rpjmd": [
        {"iku_rows": [iku()], "adopted": True, "rpjmd_rows": R},
        {"iku_rows": [iku()]},  # the template says missing-sheet instead
    ],
    "not-in-rpjmd": [
        # by code, although the name differs
        {"iku_rows": [iku(indicator="Nama lain")], "rpjmd_rows": R},
        # by normalised name, although the code differs or is empty
        {"iku_rows": [iku(code="X", indicator="JUMLAH  penerima bantuan-sosial")], "rpjmd_rows": R},
        {"iku_rows": [iku(code=None)], "rpjmd_rows": [rpjmd(code=None)]},
        # no RPJMD sheet at all: missing-sheet says so, once
        {"iku_rows": [iku(code="9.9")]},
    ],
    "unit-mismatch-rpjmd": [
        {"iku_rows": [iku(unit="persen")], "rpjmd_rows": [rpjmd(unit="%")]},
        {"iku_rows": [iku(unit="orang ")], "rpjmd_rows": R},
    ],
    "target-differs-from-rpjmd": [
        {"iku_rows": [iku(target="100")], "rpjmd_rows": R},
        {"iku_rows": [iku(target="80 - 90")], "rpjmd_rows": [flat_rpjmd("80-90")]},
        {"iku_rows": [iku(target=95, unit="%")], "rpjmd_rows": R},
    ],
    "polarity-mismatch-rpjmd": [
        {"iku_rows": [iku(polarity="negatif")], "rpjmd_rows": [flat_rpjmd(100, polarity="Negatif")]}
    ],
    "missing-rpjmd-target": [{"iku_rows": [iku()], "rpjmd_rows": [rpjmd(target_2022=None)]}],
    "rpjmd-trajectory": [
        {"iku_rows": [iku()], "rpjmd_rows": [flat_rpjmd(100)]},
        {
            "iku_rows": [iku(polarity="Negatif")],
            "rpjmd_rows": [rpjmd(polarity="Negatif", target_2021=120, target_2022=110)],
        },
        # a blank year is skipped: 80 -> (blank) -> 100 rises
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(target_2022=None)]},
    ],
    "final-target-mismatch": [
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(final_target="100")]},
        {"iku_rows": [iku()], "rpjmd_rows": [rpjmd(final_target=None)]},
    ],
    "no-period-targets": [
        {"iku_rows": [iku(**MID_YEAR)], "rpjmd_rows": R, "settings": settings()},
        {
            "iku_rows": [iku(**MID_YEAR, **TW_TARGETS)],
            "rpjmd_rows": R,
            "settings": settings(report_period="TW II"),
        },
    ],
    "missing-period-target": [
        {
            "iku_rows": [iku(**MID_YEAR, **{**TW_TARGETS, "tw_target3": None})],
            "rpjmd_rows": R,
            "settings": settings(report_period="TW II"),
        },
        {"iku_rows": [iku(**MID_YEAR, **{**TW_TARGETS, "tw_target2": None})], "rpjmd_rows": R},
    ],
    "target-below-standard": [
        {"iku_rows": [iku(national_standard=100)], "rpjmd_rows": R},
        {
            "iku_rows": [iku(polarity="Negatif", target=8, realisasi=8, national_standard=10)],
            "rpjmd_rows": NEG_RPJMD,
        },
    ],
    "missing-analysis": [
        {"iku_rows": [iku(**ANALYSIS)], "rpjmd_rows": R},
        {"iku_rows": [iku(realisasi=100, obstacles="")], "rpjmd_rows": R},
        {"iku_rows": [iku()], "rpjmd_rows": R},  # no analysis column: earlier rounds unchanged
    ],
    "capaian-trend": [
        {"iku_rows": [iku(**{"Capaian 2021": 99, "Capaian 2022": 89})], "rpjmd_rows": R},
        {"iku_rows": [iku(**{"Capaian 2020": 99, "Capaian 2022": 95})], "rpjmd_rows": R},
    ],
    "mixed-units-in-ratio": [
        two_units("Rata-rata"),
        {
            **two_units("Rasio Jumlah"),
            "iku_rows": [iku(unit="persen"), iku(code="1.2", unit="%", indicator="B")],
            "rpjmd_rows": [rpjmd(unit="%"), rpjmd(code="1.2", indicator="B", unit="%")],
        },
    ],
}


def _trigger_params() -> list[Any]:
    return [pytest.param(rule, id=rule, marks=TRIGGERS[rule].marks) for rule in TRIGGERS]


def _near_miss_params() -> list[Any]:
    return [
        pytest.param(rule, i, id=f"{rule}-{i}")
        for rule, cases in NEAR_MISSES.items()
        for i in range(len(cases))
    ]


def test_every_rule_has_a_trigger_and_a_near_miss() -> None:
    assert set(TRIGGERS) == set(RULES)
    assert set(NEAR_MISSES) == set(RULES)
    assert all(NEAR_MISSES[rule] for rule in RULES)


@pytest.mark.parametrize("rule", _trigger_params())
def test_trigger(rule: str) -> None:
    case = TRIGGERS[rule]
    ev = evaluate_rows(**case.workbook)
    assert case.expected in found(ev)
    assert {f.severity for f in ev.findings if f.rule == rule} == {RULES[rule].severity}


@pytest.mark.parametrize("rule", _trigger_params())
def test_message_renders_and_names_the_value(rule: str) -> None:
    case = TRIGGERS[rule]
    ev = evaluate_rows(**case.workbook)
    assert ev.findings
    for f in ev.findings:  # every finding of the case, not only the rule under test
        assert f.message.strip()
        assert "{" not in f.message and "}" not in f.message, f.message
    (message,) = [
        f.message for f in ev.findings if (f.rule, f.sheet, f.cell, f.code) == case.expected
    ]
    for name in case.names:
        assert name.casefold() in message.casefold(), (name, message)


@pytest.mark.parametrize(("rule", "index"), _near_miss_params())
def test_near_miss(rule: str, index: int) -> None:
    ev = evaluate_rows(**NEAR_MISSES[rule][index])
    assert rule not in rule_ids(ev), [f for f in ev.findings if f.rule == rule]


def test_clean_workbook_has_no_finding() -> None:
    ev = evaluate_rows(iku_rows=[iku()], rpjmd_rows=R)
    assert ev.findings == ()
    (r,) = ev.indicators
    assert (r.target, r.realisasi, r.capaian, r.capaian_vs_final) == (100, 90, 90, 90)
    assert r.predicate == "Tinggi"


def test_finding_code_is_the_indicator_code() -> None:
    ev = evaluate_rows(iku_rows=[iku(code="2.3", target=95)], rpjmd_rows=[rpjmd(code="2.3")])
    assert ("target-differs-from-rpjmd", IKU_SHEET, iku_cell("target"), "2.3") in found(ev)


# --- Numbers in cells -----------------------------------------------------------------------------


def test_numbers_as_text_are_read_and_reported_as_info() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(target="1.000,0", realisasi="1.234,5")], rpjmd_rows=[flat_rpjmd(1000)]
    )
    (r,) = ev.indicators
    assert (r.target, r.realisasi) == (1000, 1234.5)
    assert r.capaian == pytest.approx(123.45)
    assert found(ev) == {
        ("number-stored-as-text", IKU_SHEET, iku_cell("target"), "1.1"),
        ("number-stored-as-text", IKU_SHEET, iku_cell("realisasi"), "1.1"),
    }
    assert {f.severity for f in ev.findings} == {"info"}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("32..420", "unparseable-number"),
        ("tiga puluh", "unparseable-number"),
        ("#DIV/0!", "unparseable-number"),
        ("1,234", "ambiguous-number"),
        ("12,345", "ambiguous-number"),
    ],
)
def test_unreadable_realisasi_gives_no_capaian_and_is_not_zero(text: str, rule: str) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(realisasi=text), iku(code="1.2", indicator="B", realisasi=50)],
        rpjmd_rows=[rpjmd(), rpjmd(code="1.2", indicator="B")],
    )
    bad, _ = ev.indicators
    assert (bad.realisasi, bad.capaian, bad.predicate) == (None, None, None)
    assert ev.overall.capaian == 50  # the unreadable row is left out, not counted as 0
    assert (rule, IKU_SHEET, iku_cell("realisasi"), "1.1") in found(ev)
    assert "missing-realisasi" not in rule_ids(ev)


def test_percent_formatted_cells_are_percent_values() -> None:
    ev = evaluate_rows(
        iku_rows=[
            iku(
                unit="%",
                target=Fmt(0.8, "0%"),
                realisasi=Fmt(0.92, "0.0%"),
                reported_capaian=Fmt(1.15, "0%"),
            )
        ],
        rpjmd_rows=[flat_rpjmd(80, unit="%")],
    )
    (r,) = ev.indicators
    assert (r.target, r.realisasi, r.capaian) == (80, 92, 115)
    assert ev.findings == ()


def test_inline_unit_in_target_is_the_unit_when_satuan_is_empty() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(unit=None, target="100 Orang", realisasi="90 Orang")], rpjmd_rows=R
    )
    assert "unit-mismatch-rpjmd" not in rule_ids(ev)
    assert "inline-unit-mismatch" not in rule_ids(ev)
    assert ev.indicators[0].capaian == 90


def test_percent_over_100_in_rpjmd_baseline() -> None:
    """The seed's RPJMD Kondisi Awal of 146 % for a "Persentase ..." indicator."""
    ev = evaluate_rows(
        iku_rows=[iku(indicator=PCT_NAME, unit="%", target=80, realisasi=80)],
        rpjmd_rows=[{**PCT_RPJMD[0], "baseline": 146}],
    )
    assert found(ev) == {("percent-over-100", RPJMD_SHEET, rpjmd_cell("baseline"), "1.1")}


def test_percent_over_100_checks_the_upper_bound_of_a_range_target() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(indicator=PCT_NAME, unit="%", target="90-110", realisasi=95)],
        rpjmd_rows=[flat_rpjmd("90-110", indicator=PCT_NAME, unit="%")],
    )
    assert ("percent-over-100", IKU_SHEET, iku_cell("target"), "1.1") in found(ev)


# --- Target and realisasi -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("realisasi", "expected", "effective_target"),
    [
        (70, 87.5, 80),  # below the range: the lower bound (PermenPANRB 8/2021 worked example)
        (80, 100, None),
        (85, 100, None),  # inside counts as 100
        (90, 100, None),
        (99, 110, 90),  # above: the upper bound
    ],
)
def test_range_target_positive(
    realisasi: float, expected: float, effective_target: float | None
) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(unit="%", target="80-90", realisasi=realisasi)],
        rpjmd_rows=[flat_rpjmd("80-90", unit="%")],
    )
    (r,) = ev.indicators
    assert (r.target, r.target_low, r.target_high) == (None, 80, 90)
    assert r.capaian == pytest.approx(expected)
    assert r.effective_target == effective_target
    assert ev.findings == ()


@pytest.mark.parametrize(
    ("target", "realisasi", "expected"),
    [
        ("7 s.d. 8", 9, 87.5),  # (2 − 9/8) × 100, the regulation's "kondisi khusus" example
        ("7 s.d. 8", 6.5, (2 - 6.5 / 7) * 100),  # 107.14...
        ("7-8", 7.5, 100),
    ],
)
def test_range_target_negative(target: str, realisasi: float, expected: float) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", unit="bulan", target=target, realisasi=realisasi)],
        rpjmd_rows=[flat_rpjmd("7-8", polarity="Negatif", unit="bulan")],
    )
    assert ev.indicators[0].capaian == pytest.approx(expected, rel=1e-12)
    assert "target-differs-from-rpjmd" not in rule_ids(ev)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("A", 87.5),  # (2 − 9/8) × 100
        ("B", 800 / 9),  # 8 × 100 / 9
        ("C", -12.5),  # (8 − 9) / 8 × 100
        ("b", 800 / 9),  # the setting is case-insensitive
        (None, 87.5),  # default A
    ],
)
def test_negative_polarity_formula_from_settings(formula: str | None, expected: float) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=9)],
        rpjmd_rows=NEG_RPJMD,
        settings=settings(negative_formula=formula),
    )
    assert ev.indicators[0].capaian == pytest.approx(expected, rel=1e-12)
    assert ev.findings == ()


def test_target_zero_gives_no_capaian_and_leaves_the_average() -> None:
    ev = evaluate_rows(
        iku_rows=[
            iku(target=0, realisasi=3),
            iku(code="1.2", indicator="B", target=100, realisasi=80),
        ],
        rpjmd_rows=[flat_rpjmd(0), rpjmd(code="1.2", indicator="B")],
    )
    zero, _ = ev.indicators
    assert (zero.capaian_raw, zero.capaian, zero.predicate) == (None, None, None)
    assert ev.sasaran[0].capaian == 80
    assert ev.overall.capaian == 80


def test_missing_realisasi_is_left_out_of_averages_not_zero() -> None:
    ev = evaluate_rows(
        iku_rows=[
            iku(realisasi=None),
            iku(code="1.2", indicator="B", realisasi=50),
            iku(code="1.3", indicator="C", realisasi="belum ada data"),
        ],
        rpjmd_rows=[rpjmd(), rpjmd(code="1.2", indicator="B"), rpjmd(code="1.3", indicator="C")],
    )
    assert [r.capaian for r in ev.indicators] == [None, 50, None]
    assert ev.sasaran[0].capaian == 50
    assert ev.overall.capaian == 50
    assert {k for k in found(ev) if k[0] == "missing-realisasi"} == {
        ("missing-realisasi", IKU_SHEET, iku_cell("realisasi", 2), "1.1"),
        ("missing-realisasi", IKU_SHEET, iku_cell("realisasi", 4), "1.3"),
    }


@pytest.mark.parametrize("typed", ["n/a", "belum ada data"])
def test_missing_realisasi_message_names_the_typed_placeholder(typed: str) -> None:
    ev = evaluate_rows(iku_rows=[iku(realisasi=typed)], rpjmd_rows=R)
    (message,) = [f.message for f in ev.findings if f.rule == "missing-realisasi"]
    assert typed in message


def test_all_quarters_missing_and_annual_missing_is_missing_realisasi() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(realisasi="-", tw1="-", tw2=None, tw3="n/a", tw4=None)], rpjmd_rows=R
    )
    assert ("missing-realisasi", IKU_SHEET, iku_cell("realisasi"), "1.1") in found(ev)
    assert ev.indicators[0].capaian is None


# --- Cap and predikat -----------------------------------------------------------------------------

TWO = [iku(target=80, realisasi=100), iku(code="1.2", indicator="B", target=100, realisasi=50)]
TWO_RPJMD = [flat_rpjmd(80), rpjmd(code="1.2", indicator="B")]


@pytest.mark.parametrize(
    ("cap", "capped", "average"),
    [
        (None, 125, 87.5),
        (100, 100, 75),
        (120, 120, 85),
        ("120", 120, 85),
    ],
)
def test_cap_keeps_raw_and_averages_the_capped(cap: object, capped: float, average: float) -> None:
    ev = evaluate_rows(iku_rows=TWO, rpjmd_rows=TWO_RPJMD, settings=settings(cap=cap))
    first = ev.indicators[0]
    assert (first.capaian_raw, first.capaian) == (125, capped)
    assert ev.sasaran[0].capaian == average
    assert ev.overall.capaian == average
    assert ev.findings == ()


@pytest.mark.parametrize(("cap", "predicate"), [(None, "Sangat Baik"), (100, "Baik")])
def test_predicate_is_read_off_the_capped_capaian(cap: object, predicate: str) -> None:
    # PermenPANRB 8/2021: > 100 Sangat Baik, = 100 Baik.
    ev = evaluate_rows(
        iku_rows=[TWO[0]],
        rpjmd_rows=[TWO_RPJMD[0]],
        settings=settings(cap=cap, predicate_scale="PermenPANRB 8/2021"),
    )
    assert ev.indicators[0].predicate == predicate
    assert ev.overall.predicate == predicate


def test_cap_floors_at_zero() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=20)],
        rpjmd_rows=NEG_RPJMD,
        settings=settings(cap=120),
    )
    (r,) = ev.indicators
    assert (r.capaian_raw, r.capaian) == (-50, 0)


def test_no_cap_means_no_floor() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=20)], rpjmd_rows=NEG_RPJMD
    )
    assert ev.indicators[0].capaian == -50


@pytest.mark.parametrize("cap", ["abc", -5, 0, "80-90"])
def test_invalid_cap_is_reported_and_ignored(cap: object) -> None:
    ev = evaluate_rows(iku_rows=TWO, rpjmd_rows=TWO_RPJMD, settings=settings(cap=cap))
    assert ("invalid-setting", SETTINGS_SHEET, "B3", "") in found(ev)
    assert ev.indicators[0].capaian == 125


@pytest.mark.parametrize(
    ("value", "predicate"),
    [
        (91, "Sangat Tinggi"),
        (90.99, "Tinggi"),
        (76, "Tinggi"),
        (75.99, "Sedang"),
        (66, "Sedang"),
        (65.99, "Rendah"),
        (51, "Rendah"),
        (50.99, "Sangat Rendah"),
        (150, "Sangat Tinggi"),
    ],
)
def test_default_predicate_scale_boundaries(value: float, predicate: str) -> None:
    ev = evaluate_rows(iku_rows=[iku(realisasi=value)], rpjmd_rows=R)
    assert ev.indicators[0].predicate == predicate


def test_custom_predicate_scale_valid() -> None:
    rows = [
        iku(realisasi=95),
        iku(code="1.2", indicator="B", realisasi=70),
        iku(code="1.3", indicator="C", realisasi=40),
    ]
    rp = [rpjmd(), rpjmd(code="1.2", indicator="B"), rpjmd(code="1.3", indicator="C")]
    ev = evaluate_rows(
        iku_rows=rows, rpjmd_rows=rp, settings=settings(predicate_scale="Kustom"), scale=SCALE_OK
    )
    assert [r.predicate for r in ev.indicators] == ["Memuaskan", "Baik", "Kurang"]
    assert ev.overall.capaian == pytest.approx(205 / 3)
    assert ev.overall.predicate == "Kurang"
    assert ev.findings == ()


@pytest.mark.parametrize(
    ("scale", "problem_names"),
    [
        (SCALE_OVERLAP, ("Memuaskan", "Baik")),
        ([("Memuaskan", 90), ("Baik", None), ("Kurang", None)], ("Baik", "Kurang")),
        ([("Memuaskan", "sembilan puluh"), ("Kurang", None)], ("sembilan puluh",)),
        ([("Baik", 90), ("Baik", 70), ("Kurang", None)], ("Baik",)),
    ],
)
def test_custom_predicate_scale_invalid(
    scale: list[tuple[str, object]], problem_names: tuple[str, ...]
) -> None:
    ev = evaluate_rows(
        iku_rows=[iku()], rpjmd_rows=R, settings=settings(predicate_scale="Kustom"), scale=scale
    )
    (f,) = [f for f in ev.findings if f.rule == "invalid-predicate-scale"]
    assert (f.sheet, f.cell) == (SETTINGS_SHEET, "D1")
    for name in problem_names:
        assert name in f.message
    assert ev.indicators[0].predicate is not None  # a predikat is still given


@pytest.mark.parametrize("scale", [[("Semua", None)], None])
def test_unusable_custom_scale_falls_back_to_the_default(
    scale: list[tuple[str, object]] | None,
) -> None:
    ev = evaluate_rows(
        iku_rows=[iku()], rpjmd_rows=R, settings=settings(predicate_scale="Kustom"), scale=scale
    )
    assert "invalid-predicate-scale" in rule_ids(ev)
    assert ev.indicators[0].predicate == "Tinggi"  # Permendagri 86/2017, 90


# --- Quarterly realisasi --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "aggregation", "quarters", "expected"),
    [
        ("Orang", None, TW, 100),  # default for a count: Jumlah
        ("%", None, TW, 40),  # default for %: Nilai Akhir
        ("persen", None, TW, 40),
        ("%", None, {"tw1": 10, "tw2": 20}, 20),  # Nilai Akhir: the last filled quarter
        ("Orang", "Rata-rata", TW, 25),
        ("%", "Jumlah", TW, 100),
        ("Orang", "Nilai Akhir", {"tw1": 10, "tw2": None, "tw3": 30}, 30),
        ("Orang", None, {"tw1": 10, "tw2": "-", "tw3": 30}, 40),  # "-" is not 0, just empty
    ],
)
def test_quarterly_realisasi(
    unit: str, aggregation: str | None, quarters: dict[str, object], expected: float
) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(unit=unit, realisasi=None, quarterly_aggregation=aggregation, **quarters)],
        rpjmd_rows=[rpjmd(unit=unit)],
    )
    (r,) = ev.indicators
    assert r.realisasi == expected
    assert r.realisasi_from_quarters
    assert r.capaian == expected  # target 100
    assert "quarterly-mismatch" not in rule_ids(ev)


def test_quarterly_mismatch_keeps_the_annual_value() -> None:
    ev = evaluate_rows(iku_rows=[iku(unit="%", realisasi=90, **TW)], rpjmd_rows=[rpjmd(unit="%")])
    (r,) = ev.indicators
    assert (r.realisasi, r.realisasi_from_quarters, r.capaian) == (90, False, 90)
    assert found(ev) == {("quarterly-mismatch", IKU_SHEET, iku_cell("realisasi"), "1.1")}


def test_unreadable_quarter_blocks_the_annual_value() -> None:
    ev = evaluate_rows(iku_rows=[iku(realisasi=None, tw1=10, tw2="x", tw3=30)], rpjmd_rows=R)
    assert ev.indicators[0].realisasi is None
    assert found(ev) == {("unparseable-number", IKU_SHEET, iku_cell("tw2"), "1.1")}


def test_invalid_quarterly_aggregation_uses_the_unit_default() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(unit="%", realisasi=None, quarterly_aggregation="Total", **TW)],
        rpjmd_rows=[rpjmd(unit="%")],
    )
    assert ev.indicators[0].realisasi == 40


# --- Aggregation to sasaran and overall -----------------------------------------------------------

WEIGHTED = [
    iku(target=100, realisasi=100, weight=3),
    iku(code="1.2", indicator="B", target=100, realisasi=60, weight=1),
    iku(code="2.1", sasaran="S2", indicator="C", target=100, realisasi=80, weight=2),
]
WEIGHTED_RPJMD = [rpjmd(), rpjmd(code="1.2", indicator="B"), rpjmd(code="2.1", indicator="C")]


def test_weighted_aggregation() -> None:
    ev = evaluate_rows(
        iku_rows=WEIGHTED,
        rpjmd_rows=WEIGHTED_RPJMD,
        settings=settings(sasaran_aggregation="Rata-rata Tertimbang"),
    )
    assert [(g.name, g.capaian) for g in ev.sasaran] == [(SASARAN, 90), ("S2", 80)]
    assert ev.overall.capaian == pytest.approx((300 + 60 + 160) / 6)
    assert ev.findings == ()


def test_weighted_aggregation_missing_weight() -> None:
    rows = [WEIGHTED[0], {**WEIGHTED[1], "weight": None}, WEIGHTED[2]]
    ev = evaluate_rows(
        iku_rows=rows,
        rpjmd_rows=WEIGHTED_RPJMD,
        settings=settings(sasaran_aggregation="Rata-rata Tertimbang"),
    )
    assert ev.sasaran[0].capaian == 100  # the unweighted indicator is left out
    assert ev.overall.capaian == pytest.approx((300 + 160) / 5)
    # reported once, although the indicator is left out of its sasaran and of the overall
    assert [k for k in found(ev) if k[0] == "missing-weight"] == [
        ("missing-weight", IKU_SHEET, iku_cell("weight", 3), "1.2")
    ]
    assert len([f for f in ev.findings if f.rule == "missing-weight"]) == 1


def test_plain_average_is_the_default() -> None:
    ev = evaluate_rows(iku_rows=WEIGHTED, rpjmd_rows=WEIGHTED_RPJMD)
    assert [g.capaian for g in ev.sasaran] == [80, 80]
    assert ev.overall.capaian == 80


def test_ratio_of_sums_same_unit() -> None:
    ev = evaluate_rows(
        iku_rows=[
            iku(target=100, realisasi=100),
            iku(code="1.2", indicator="B", target=300, realisasi=100),
        ],
        rpjmd_rows=[rpjmd(), flat_rpjmd(300, code="1.2", indicator="B")],
        settings=settings(sasaran_aggregation="Rasio Jumlah"),
    )
    assert ev.sasaran[0].capaian == 50  # (100 + 100) × 100 / (100 + 300)
    assert ev.overall.capaian == 50
    assert ev.findings == ()


def test_ratio_of_sums_mixed_units() -> None:
    ev = evaluate_rows(**two_units("Rasio Jumlah"))
    assert ev.sasaran[0].capaian is None
    assert ev.overall.capaian is None
    assert [f.rule for f in ev.findings] == ["mixed-units-in-ratio"]
    assert [r.capaian for r in ev.indicators] == [100, pytest.approx(100 / 3)]


def test_ratio_of_sums_mixed_units_reported_per_sasaran() -> None:
    rows = [
        iku(),
        iku(code="1.2", indicator="B", unit="%"),
        iku(code="2.1", sasaran="S2", indicator="C"),
        iku(code="2.2", sasaran="S2", indicator="D", unit="Dokumen"),
    ]
    ev = evaluate_rows(iku_rows=rows, settings=settings(sasaran_aggregation="Rasio Jumlah"))
    messages = [f.message for f in ev.findings if f.rule == "mixed-units-in-ratio"]
    assert any(SASARAN in m for m in messages)
    assert any('"S2"' in m for m in messages)


def test_sasaran_groups_follow_the_sasaran_column() -> None:
    ev = evaluate_rows(iku_rows=WEIGHTED, rpjmd_rows=WEIGHTED_RPJMD)
    assert [[r.indicator.code for r in g.indicators] for g in ev.sasaran] == [
        ["1.1", "1.2"],
        ["2.1"],
    ]


# --- Reported capaian -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        (87.5, True),
        (87, True),  # truncated to 0 decimals
        (88, True),  # rounded to 0 decimals
        ("87,5 %", True),
        ("87,50%", True),
        (Fmt(0.875, "0.0%"), True),
        (87.4, False),
        (86, False),
        ("87,4 %", False),
        (89, False),
    ],
)
def test_reported_capaian_rounded_or_truncated(typed: object, ok: bool) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(target=80, realisasi=70, reported_capaian=typed)], rpjmd_rows=[flat_rpjmd(80)]
    )
    key = ("reported-capaian-mismatch", IKU_SHEET, iku_cell("reported_capaian"), "1.1")
    assert (key in found(ev)) is not ok
    assert ev.indicators[0].capaian == 87.5


def test_reported_capaian_seed_case() -> None:
    """The seed: target 80 %, realisasi 100 %, capaian typed as 100 % (the note says 125 %)."""
    ev = evaluate_rows(
        iku_rows=[iku(unit="%", target=80, realisasi=100, reported_capaian=100)],
        rpjmd_rows=[flat_rpjmd(80, unit="%")],
    )
    assert ev.indicators[0].capaian == 125
    (f,) = ev.findings
    assert (f.rule, f.cell) == ("reported-capaian-mismatch", iku_cell("reported_capaian"))
    assert "100" in f.message and "125" in f.message


@pytest.mark.parametrize(("cap", "typed"), [(100, 100), (100, 125), (None, 125)])
def test_reported_capaian_may_be_raw_or_capped(cap: object, typed: float) -> None:
    ev = evaluate_rows(
        iku_rows=[iku(target=80, realisasi=100, reported_capaian=typed)],
        rpjmd_rows=[flat_rpjmd(80)],
        settings=settings(cap=cap),
    )
    assert "reported-capaian-mismatch" not in rule_ids(ev)


def test_reported_capaian_capped_value_without_a_cap_is_a_mismatch() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(target=80, realisasi=100, reported_capaian=100)], rpjmd_rows=[flat_rpjmd(80)]
    )
    assert "reported-capaian-mismatch" in rule_ids(ev)


def test_reported_capaian_negative_polarity_with_positive_formula_hint() -> None:
    """T 8, R 9, negative: the right capaian is 87.5; 112.5 is R/T × 100 (positive formula)."""
    rows = {"rpjmd_rows": NEG_RPJMD}
    with_hint = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=9, reported_capaian=112.5)], **rows
    )
    plain = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=9, reported_capaian=111)], **rows
    )
    key = ("reported-capaian-mismatch", IKU_SHEET, iku_cell("reported_capaian"), "1.1")
    assert key in found(with_hint) and key in found(plain)
    (hinted,) = [f.message for f in with_hint.findings if f.rule == key[0]]
    (unhinted,) = [f.message for f in plain.findings if f.rule == key[0]]
    assert "112,5" in hinted and "87,5" in hinted
    # the hint names the positive polarity; the plain message does not
    assert "positif" in hinted.casefold()
    assert "positif" not in unhinted.casefold()


def test_reported_capaian_not_checked_without_a_capaian() -> None:
    ev = evaluate_rows(iku_rows=[iku(target=0, reported_capaian=100)], rpjmd_rows=[flat_rpjmd(0)])
    assert "reported-capaian-mismatch" not in rule_ids(ev)


# --- Identity and structure -----------------------------------------------------------------------


def test_duplicate_code_in_iku_after_normalisation() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(code="1.1"), iku(code=" 1.1. ", indicator="B")],
        rpjmd_rows=[rpjmd(), rpjmd(code="1.2", indicator="B")],
    )
    assert ("duplicate-code", IKU_SHEET, iku_cell("code", 3), "1.1.") in found(ev)


def test_duplicate_code_in_rpjmd() -> None:
    ev = evaluate_rows(iku_rows=[iku()], rpjmd_rows=[rpjmd(), rpjmd(indicator="B")])
    assert ("duplicate-code", RPJMD_SHEET, rpjmd_cell("code", 3), "1.1") in found(ev)
    # the IKU indicator is matched to the first RPJMD row
    assert ev.indicators[0].rpjmd is not None and ev.indicators[0].rpjmd.row == 2


def test_duplicate_code_in_rpjmd_points_at_the_kode_column() -> None:
    names, grids = make_grids([iku()])
    grids[RPJMD_SHEET] = SheetGrid(
        RPJMD_SHEET,
        [
            ["No", "Indikator", "Kode", "Satuan", "Target 2023", "Target Akhir"],
            [1, NAME, "1.1", "Orang", 100, 100],
            [2, "Indikator lain", "1.1", "Orang", 50, 50],
        ],
    )
    ev = evaluate_grids([*names, RPJMD_SHEET], grids)
    assert ("duplicate-code", RPJMD_SHEET, "C3", "1.1") in found(ev)


def test_polarity_words_accepted() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Minimal", target=8, realisasi=9)],
        rpjmd_rows=[flat_rpjmd(8, polarity="negatif")],
    )
    assert ev.indicators[0].capaian == 87.5
    assert ev.findings == ()


def test_invalid_polarity_is_taken_as_positive() -> None:
    ev = evaluate_rows(iku_rows=[iku(polarity="Tinggi")], rpjmd_rows=R)
    assert ev.indicators[0].indicator.polarity == "Positif"
    assert ev.indicators[0].capaian == 90


def test_indicator_without_sasaran_is_still_computed() -> None:
    ev = evaluate_rows(iku_rows=[iku(sasaran=None)], rpjmd_rows=R)
    assert ev.indicators[0].capaian == 90
    assert ev.overall.capaian == 90


# --- Settings -------------------------------------------------------------------------------------


def test_missing_year_skips_the_rpjmd_target_checks() -> None:
    ev = evaluate_rows(iku_rows=[iku(target=95)], rpjmd_rows=R, settings={"year": None})
    assert found(ev) == {("missing-setting", SETTINGS_SHEET, "B2", "")}


def test_missing_settings_sheet_uses_defaults() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=9)],
        rpjmd_rows=NEG_RPJMD,
        settings_sheet=False,
    )
    assert found(ev) == {("missing-sheet", SETTINGS_SHEET, "", "")}
    assert ev.indicators[0].capaian == 87.5  # formula A
    assert ev.indicators[0].predicate == "Tinggi"  # Permendagri 86/2017


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("negative_formula", "D"),
        ("predicate_scale", "Bagus"),
        ("sasaran_aggregation", "Median"),
        ("year", 2023.5),
    ],
)
def test_invalid_choice_settings(attr: str, value: object) -> None:
    ev = evaluate_rows(iku_rows=[iku()], rpjmd_rows=R, settings={"year": YEAR, attr: value})
    row = 2 if attr == "year" else 3
    assert ("invalid-setting", SETTINGS_SHEET, f"B{row}", "") in found(ev)
    (f,) = [f for f in ev.findings if f.rule == "invalid-setting"]
    assert str(value) in f.message
    assert ev.indicators[0].capaian == 90  # defaults used


def test_nip_typed_as_a_long_number_is_reported() -> None:
    ev = evaluate_rows(
        iku_rows=[iku()], rpjmd_rows=R, settings=settings(signer_nip=196611201986031000.0)
    )
    assert ("invalid-setting", SETTINGS_SHEET, "B3", "") in found(ev)


def test_nip_typed_as_a_long_number_is_shown_as_excel_shows_it() -> None:
    ev = evaluate_rows(
        iku_rows=[iku()], rpjmd_rows=R, settings=settings(signer_nip=196611201986031000.0)
    )
    (f,) = [f for f in ev.findings if f.rule == "invalid-setting"]
    assert "196611201986031000" in f.message
    assert ev.workbook.settings.signer_nip == "196611201986031000"


# --- Against the RPJMD ----------------------------------------------------------------------------


def test_not_in_rpjmd_neither_by_code_nor_by_name() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(code="9.9", indicator="Jumlah penerima bantuan")], rpjmd_rows=R
    )
    assert ("not-in-rpjmd", IKU_SHEET, iku_cell("indicator"), "9.9") in found(ev)
    assert ev.indicators[0].capaian_vs_final is None


def test_match_by_code_first_then_by_normalised_name() -> None:
    rows = [
        iku(code="1.1", indicator="Nama berbeda"),
        iku(code="X.9", indicator="jumlah PENERIMA  bantuan, sosial"),
    ]
    rp = [
        rpjmd(code="1.1", indicator="Indikator satu"),
        rpjmd(code="2.1", indicator="Jumlah penerima bantuan sosial"),
    ]
    ev = evaluate_rows(iku_rows=rows, rpjmd_rows=rp)
    assert [r.rpjmd.row if r.rpjmd else None for r in ev.indicators] == [2, 3]


def test_unit_mismatch_skips_value_comparisons() -> None:
    """Values in different units cannot be compared: no target-differs, no vs-final."""
    ev = evaluate_rows(
        iku_rows=[iku(unit="Orang", target=706, realisasi=706)],
        rpjmd_rows=[flat_rpjmd(80, unit="%")],
    )
    assert found(ev) == {("unit-mismatch-rpjmd", IKU_SHEET, iku_cell("unit"), "1.1")}
    (r,) = ev.indicators
    assert (r.capaian, r.capaian_vs_final, r.final_target) == (100, None, None)


def test_target_differs_compares_ranges_bound_by_bound() -> None:
    ev = evaluate_rows(iku_rows=[iku(target="80-95")], rpjmd_rows=[flat_rpjmd("80-90")])
    assert ("target-differs-from-rpjmd", IKU_SHEET, iku_cell("target"), "1.1") in found(ev)
    ev = evaluate_rows(iku_rows=[iku(target="80-90")], rpjmd_rows=[flat_rpjmd(80)])
    assert ("target-differs-from-rpjmd", IKU_SHEET, iku_cell("target"), "1.1") in found(ev)


def test_empty_polarity_with_negative_rpjmd_is_not_silently_positive() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(polarity=None)], rpjmd_rows=[flat_rpjmd(100, polarity="Negatif")]
    )
    # either the RPJMD polarity is used (110) or the difference is reported
    assert ev.indicators[0].capaian == 110 or "polarity-mismatch-rpjmd" in rule_ids(ev)


def test_capaian_against_final_target() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(target=90, realisasi=90)],
        rpjmd_rows=[rpjmd(target_2023=90, target_2022=85, final_target=120)],
    )
    (r,) = ev.indicators
    assert r.final_target == 120
    assert r.capaian_vs_final == 75  # 90 × 100 / 120
    ev = evaluate_rows(
        iku_rows=[iku(polarity="Negatif", target=8, realisasi=9)],
        rpjmd_rows=[flat_rpjmd(8, polarity="Negatif", final_target=6)],
    )
    assert ev.indicators[0].capaian_vs_final == pytest.approx(50)  # (2 − 9/6) × 100


@pytest.mark.parametrize(
    ("polarity", "targets", "cells"),
    [
        ("Positif", (80, 90, 85), ["target_2023"]),  # positive falling
        ("Positif", (95, None, 90), ["target_2023"]),  # blank skipped: 2023 compared with 2021
        ("Positif", (95, "-", 90), ["target_2023"]),
        ("Negatif", (120, 130, 110), ["target_2022"]),  # negative rising
        ("Negatif", (120, 125, 130), ["target_2022", "target_2023"]),
        ("Positif", (80, 80, 80), []),  # flat is fine
        ("Negatif", (120, 110, 100), []),
        ("Positif", (None, None, 100), []),
    ],
)
def test_rpjmd_trajectory(
    polarity: str, targets: tuple[object, object, object], cells: list[str]
) -> None:
    t21, t22, t23 = targets
    row = rpjmd(
        polarity=polarity, target_2021=t21, target_2022=t22, target_2023=t23, final_target=t23
    )
    ev = evaluate_rows(iku_rows=[iku(polarity=polarity, target=t23)], rpjmd_rows=[row])
    assert sorted(k[2] for k in found(ev) if k[0] == "rpjmd-trajectory") == sorted(
        rpjmd_cell(c) for c in cells
    )


@pytest.mark.parametrize(
    ("final", "last", "expected"),
    [
        (120, 100, True),
        (100, 100, False),
        ("100", 100, False),
        (120, None, False),  # the last year is blank: nothing to compare
        (None, 100, False),
    ],
)
def test_final_target_mismatch(final: object, last: object, expected: bool) -> None:
    ev = evaluate_rows(iku_rows=[iku()], rpjmd_rows=[rpjmd(target_2023=last, final_target=final)])
    key = ("final-target-mismatch", RPJMD_SHEET, rpjmd_cell("final_target"), "1.1")
    assert (key in found(ev)) is expected


def test_year_without_rpjmd_column() -> None:
    ev = evaluate_rows(iku_rows=[iku()], rpjmd_rows=R, settings=settings(year=2024))
    assert ("missing-rpjmd-target", RPJMD_SHEET, "A1", "") in found(ev)
    assert "target-differs-from-rpjmd" not in rule_ids(ev)


def test_findings_are_sorted_most_severe_first() -> None:
    ev = evaluate_rows(
        iku_rows=[iku(realisasi="90 Orang", target=95, polarity="Tinggi")],
        rpjmd_rows=[rpjmd(final_target=120)],
    )
    order = {"error": 0, "warning": 1, "info": 2}
    severities = [order[f.severity] for f in ev.findings]
    assert severities == sorted(severities)
    assert {f.severity for f in ev.findings} == {"error", "warning", "info"}


def test_a_quiet_cell_gives_check_number_nothing_to_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """``checks.quiet`` (the callers' shortcut, and check_number's own first test) holds only
    where ``check_number``'s full path reports nothing, whatever the column's options; and it is
    not true of every cell. The full path is run with the shortcut turned off."""
    from iku_excel import checks
    from iku_excel.checks import Findings, check_number
    from iku_excel.model import CellRef, Value
    from iku_excel.numbers import parse_number

    quiet = checks.quiet
    monkeypatch.setattr(checks, "quiet", lambda p: False)
    raws: list[object] = [None, "", 0, 5.5, 100, 100.0, 100.5, -3, "80", "80 %", "1.234,5",
                          "80-90", "Rp 5", "abc", 120.0, "1:17,9", True, "WTP"]  # fmt: skip
    seen_quiet = seen_loud = 0
    for raw in raws:
        for fmt in (None, "0%"):
            value = Value(parse_number(raw, fmt), CellRef("IKU", 5, 7))
            for unit, name in (("", ""), ("%", "Persentase warga"), ("Orang", "Jumlah warga")):
                for point_only, text_is_info, grades in ((False, False, False), (True, True, True)):
                    out = Findings()
                    check_number(value, "Target", "1.1", out, unit=unit, indicator=name,
                                 point_only=point_only, text_is_info=text_is_info,
                                 grades_allowed=grades)  # fmt: skip
                    if quiet(value.parsed):
                        assert out.items == [], (raw, fmt, unit)
                        seen_quiet += 1
                    elif out.items:
                        seen_loud += 1
    assert seen_quiet and seen_loud
