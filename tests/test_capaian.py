"""Every formula, polarity, range rule, cap and predikat boundary of IKU-rules.md."""

from __future__ import annotations

import math

import pytest

from iku_excel.capaian import (
    DEFAULT_SCALE,
    PERMENDAGRI_86_2017,
    PERMENDAGRI_86_2017_BAIK,
    PERMENPANRB_8_2021,
    aggregate_quarters,
    apply_cap,
    custom_scale,
    default_quarterly_aggregation,
    mean,
    point_capaian,
    range_capaian,
    ratio_of_sums,
    weighted_mean,
)


# --- point targets --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "realisasi", "polarity", "formula", "expected"),
    [
        (80, 100, "Positif", "A", 125.0),  # the seed's PMKS row
        (100, 100, "Positif", "A", 100.0),
        (706, 706, "Positif", "A", 100.0),
        (80, 0, "Positif", "A", 0.0),
        (8, 8, "Negatif", "A", 100.0),  # R = T gives 100
        (8, 16, "Negatif", "A", 0.0),  # R = 2T gives 0
        (8, 4, "Negatif", "A", 150.0),
        (8, 20, "Negatif", "A", -50.0),  # no floor without a cap
        (8, 4, "Negatif", "B", 200.0),
        (8, 8, "Negatif", "B", 100.0),
        (8, 8, "Negatif", "C", 0.0),  # a reduction rate: R = T gives 0
        (8, 6, "Negatif", "C", 25.0),
        (8, 0, "Negatif", "A", 200.0),
    ],
)
def test_point_formulas(
    target: float, realisasi: float, polarity: str, formula: str, expected: float
) -> None:
    result = point_capaian(target, realisasi, polarity, formula)  # type: ignore[arg-type]
    assert result.value == pytest.approx(expected, abs=1e-12)
    assert result.no_ratio is None


def test_exact_arithmetic_at_boundaries() -> None:
    # Multiplying before dividing keeps these exact, so predikat boundaries are not missed.
    assert point_capaian(100, 91, "Positif").value == 91.0
    assert point_capaian(100, 76, "Positif").value == 76.0
    assert point_capaian(3, 3, "Positif").value == 100.0
    assert point_capaian(0.3, 0.3, "Positif").value == 100.0


@pytest.mark.parametrize(
    ("target", "realisasi", "polarity", "formula", "reason"),
    [
        (0, 5, "Positif", "A", "target-zero"),
        (0, 0, "Positif", "A", "target-zero"),
        (0, 5, "Negatif", "A", "target-zero"),
        (0, 5, "Negatif", "C", "target-zero"),
        (5, 0, "Negatif", "B", "realisasi-zero"),
    ],
)
def test_no_ratio_gives_no_capaian(
    target: float, realisasi: float, polarity: str, formula: str, reason: str
) -> None:
    result = point_capaian(target, realisasi, polarity, formula)  # type: ignore[arg-type]
    assert result.value is None  # empty, never 0
    assert result.no_ratio == reason


def test_target_zero_with_formula_b_is_a_ratio() -> None:
    # T/R with T = 0 is 0: defined, and the planner's target of "0 kasus" was not reached.
    assert point_capaian(0, 4, "Negatif", "B").value == 0.0


# --- PermenPANRB 8/2021 worked examples (arithmetic re-checked by hand) ---------------------------
def test_permenpanrb_range_positive_below() -> None:
    # Target 80–90 %, realisasi 70 -> 70/80 = 87.5 %.
    assert range_capaian(80, 90, 70, "Positif").value == 87.5


def test_permenpanrb_range_negative_above() -> None:
    # "Kondisi khusus": target 7–8 bulan, realisasi 9 -> (2 − 9/8) × 100 = 87.5 %.
    assert range_capaian(7, 8, 9, "Negatif", "A").value == 87.5


def test_permenpanrb_range_negative_below() -> None:
    # Realisasi 6.5 -> (2 − 6.5/7) × 100 = 107.142857...% (the regulation prints 107.1).
    value = range_capaian(7, 8, 6.5, "Negatif", "A").value
    assert value == pytest.approx(107.14285714285714, rel=1e-15)
    assert round(value, 1) == 107.1


@pytest.mark.parametrize("realisasi", [80, 85, 90])
def test_range_inside_counts_as_100(realisasi: float) -> None:
    result = range_capaian(80, 90, realisasi, "Positif")
    assert result.value == 100.0 and result.in_range


def test_range_positive_above_uses_upper_bound() -> None:
    assert range_capaian(80, 90, 99, "Positif").value == pytest.approx(110.0)
    assert range_capaian(80, 90, 99, "Positif").effective_target == 90


def test_range_negative_other_formulas() -> None:
    assert range_capaian(7, 8, 10, "Negatif", "B").value == 80.0  # 8/10
    assert range_capaian(7, 8, 10, "Negatif", "C").value == -25.0  # (8-10)/8


# --- cap ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "cap", "expected"),
    [
        (125.0, None, 125.0),
        (-20.0, None, -20.0),
        (125.0, 100.0, 100.0),
        (125.0, 120.0, 120.0),
        (99.5, 100.0, 99.5),
        (-20.0, 100.0, 0.0),  # floor at 0 when a cap is set
        (None, 100.0, None),
    ],
)
def test_cap(raw: float | None, cap: float | None, expected: float | None) -> None:
    assert apply_cap(raw, cap) == expected


# --- predikat -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "label"),
    [
        (150.0, "Sangat Tinggi"),
        (91.0, "Sangat Tinggi"),
        (90.99999, "Tinggi"),
        (76.0, "Tinggi"),
        (75.99, "Sedang"),
        (66.0, "Sedang"),
        (65.999, "Rendah"),
        (51.0, "Rendah"),
        (50.99, "Sangat Rendah"),
        (0.0, "Sangat Rendah"),
        (-30.0, "Sangat Rendah"),
    ],
)
def test_permendagri_boundaries(x: float, label: str) -> None:
    assert PERMENDAGRI_86_2017.label(x) == label
    assert DEFAULT_SCALE is PERMENDAGRI_86_2017


def test_permendagri_alternative_labels() -> None:
    assert [PERMENDAGRI_86_2017_BAIK.label(x) for x in (91, 76, 66, 51, 50)] == [
        "Sangat Baik",
        "Baik",
        "Cukup",
        "Kurang",
        "Sangat Kurang",
    ]


@pytest.mark.parametrize(
    ("x", "label"),
    [
        (100.0001, "Sangat Baik"),
        (120.0, "Sangat Baik"),
        (100.0, "Baik"),
        (99.9999, "Cukup"),
        (80.0, "Cukup"),
        (79.99, "Kurang"),
        (60.0, "Kurang"),
        (59.99, "Sangat Kurang"),
    ],
)
def test_permenpanrb_boundaries(x: float, label: str) -> None:
    assert PERMENPANRB_8_2021.label(x) == label


def test_no_capaian_no_predikat() -> None:
    assert PERMENDAGRI_86_2017.label(None) is None


def test_custom_scale_ok() -> None:
    scale, problems = custom_scale([("A", 90.0), ("B", 70.0), ("C", None)])
    assert problems == []
    assert [scale.label(x) for x in (95, 90, 89.9, 70, 10, -5)] == ["A", "A", "B", "B", "C", "C"]


def test_custom_scale_lowest_band_catches_everything_below() -> None:
    scale, problems = custom_scale([("Baik", 80.0), ("Kurang", 50.0)])
    assert problems == []
    assert scale.label(10) == "Kurang"


@pytest.mark.parametrize(
    "rows",
    [
        [("A", 80.0), ("B", 80.0)],  # overlap
        [("A", 80.0)],  # fewer than two
        [("A", None), ("B", None), ("C", 50.0)],  # two open bands: a gap in meaning
        [("A", 80.0), ("A", 50.0)],  # duplicate label
        [("A", math.inf), ("B", 3.0)],
    ],
)
def test_custom_scale_problems(rows: list[tuple[str, float | None]]) -> None:
    _, problems = custom_scale(rows)
    assert problems


# --- aggregation ----------------------------------------------------------------------------------
def test_mean_weighted_ratio() -> None:
    assert mean([100.0, 125.0, 100.0]) == pytest.approx(108.33333333333333)
    assert mean([]) is None
    assert weighted_mean([(100.0, 1.0), (50.0, 3.0)]) == 62.5
    assert weighted_mean([(100.0, 0.0)]) is None
    assert weighted_mean([]) is None
    # the seed's Σ realisasi × 100 / Σ target
    assert ratio_of_sums([(80.0, 100.0), (100.0, 100.0)]) == pytest.approx(111.11111111111111)
    assert ratio_of_sums([(0.0, 5.0)]) is None


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        ([10, 20, 30, 40], "Jumlah", 100.0),
        ([10, None, 30, None], "Jumlah", 40.0),
        ([25, 50, 75, 100], "Nilai Akhir", 100.0),
        ([25, 50, None, None], "Nilai Akhir", 50.0),
        ([20, 40, None, None], "Rata-rata", 30.0),
        ([None, None, None, None], "Jumlah", None),
    ],
)
def test_quarterly(values: list[float | None], method: str, expected: float | None) -> None:
    assert aggregate_quarters(values, method) == expected


def test_default_quarterly_aggregation() -> None:
    assert default_quarterly_aggregation("%") == "Nilai Akhir"
    assert default_quarterly_aggregation("orang") == "Jumlah"
