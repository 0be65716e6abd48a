"""Tests of iku_excel.grades: reading grade cells, choosing the scale, capaian of grades."""

from __future__ import annotations

import dataclasses

import pytest

from iku_excel.grades import (
    DEFAULT_SCALES,
    IKM,
    MATURITAS,
    OPINI_BPK,
    SAKIP,
    GradeScale,
    detect_scale,
    find_scale,
    grade_candidates,
    grade_capaian,
    parse_grade,
    scale_from_table,
)

# cell, scale, label, position (worst = 1)
GRADES: list[tuple[object, GradeScale, str, int]] = [
    ("WTP", OPINI_BPK, "WTP", 4),
    ("wtp", OPINI_BPK, "WTP", 4),
    ("Wajar Tanpa Pengecualian", OPINI_BPK, "WTP", 4),
    ("WTP-DPP", OPINI_BPK, "WTP", 4),
    ("Opini WTP", OPINI_BPK, "WTP", 4),
    ("WDP", OPINI_BPK, "WDP", 3),
    ("Wajar Dengan Pengecualian", OPINI_BPK, "WDP", 3),
    ("TW", OPINI_BPK, "TW", 2),
    ("Disclaimer", OPINI_BPK, "TMP", 1),
    ("BB", SAKIP, "BB", 5),
    ("Predikat BB", SAKIP, "BB", 5),
    ("Min. BB", SAKIP, "BB", 5),
    ("AA", SAKIP, "AA", 7),
    ("CC", SAKIP, "CC", 3),
    ("Level 3", MATURITAS, "3", 3),
    ("level  3.", MATURITAS, "3", 3),
    ("Tingkat 4", MATURITAS, "4", 4),
    ("3", MATURITAS, "3", 3),
    (3, MATURITAS, "3", 3),
    (3.0, MATURITAS, "3", 3),
    ("Terdefinisi", MATURITAS, "3", 3),
    ("Level 3 (Terdefinisi)", MATURITAS, "3", 3),
    ("Optimizing", MATURITAS, "5", 5),
    ("Baik", IKM, "B", 3),
    ("B (Baik)", IKM, "B", 3),
    ("A - Sangat Baik", IKM, "A", 4),
    ("C: Kurang Baik", IKM, "C", 2),
    ("Tidak Baik", IKM, "D", 1),
    ("Mutu Baik", IKM, "B", 3),
]


@pytest.mark.parametrize(("raw", "scale", "label", "position"), GRADES)
def test_parse_grade(raw: object, scale: GradeScale, label: str, position: int) -> None:
    grade = parse_grade(raw)
    assert grade is not None
    assert (grade.scale, grade.label, grade.position) == (scale, label, position)
    assert grade.raw is raw


@pytest.mark.parametrize(
    "raw", ["", "  ", None, True, 3.5, 0, 6, "80 %", "Level 6", "B (Sangat Baik)", "E", "WTP x"]
)
def test_not_a_grade(raw: object) -> None:
    assert grade_candidates(raw) == ()
    assert parse_grade(raw) is None


@pytest.mark.parametrize(("raw", "scales"), [("B", (SAKIP, IKM)), ("A", (SAKIP, IKM))])
def test_a_label_of_two_scales_is_not_guessed(raw: str, scales: tuple[GradeScale, ...]) -> None:
    assert parse_grade(raw) is None
    assert tuple(g.scale for g in grade_candidates(raw)) == scales
    assert parse_grade(raw, [SAKIP]) is not None  # one scale given: read in it


def test_default_scales_are_worst_first() -> None:
    assert OPINI_BPK.labels[-1] == "WTP" and OPINI_BPK.labels[0] == "TMP"
    assert SAKIP.labels == ("D", "C", "CC", "B", "BB", "A", "AA")
    assert IKM.labels == ("D", "C", "B", "A")
    assert DEFAULT_SCALES == (OPINI_BPK, SAKIP, MATURITAS, IKM)


# --- detect_scale ---------------------------------------------------------------------------------

# target, realisasi, status, scale name
DETECTIONS: list[tuple[object, object, str, str | None]] = [
    ("WTP", "WDP", "ok", "Opini BPK"),
    ("B", "BB", "ok", "Nilai SAKIP"),  # "B" alone is SAKIP or IKM: the realisasi settles it
    ("BB", "B", "ok", "Nilai SAKIP"),
    ("B", "Baik", "ok", "Mutu IKM"),
    ("Baik", "C", "ok", "Mutu IKM"),
    ("Level 3", 3, "ok", "Level Maturitas"),
    ("WTP", None, "ok", "Opini BPK"),  # realisasi not filled yet
    ("WTP", "-", "ok", "Opini BPK"),
    ("A", "B", "ambiguous", None),
    ("B", None, "ambiguous", None),
    ("WTP", "BB", "mismatch", None),
    ("WTP", "80", "mismatch", None),
    ("80", "90 %", "none", None),
    (None, None, "none", None),
]


@pytest.mark.parametrize(("target", "realisasi", "status", "scale"), DETECTIONS)
def test_detect_scale(target: object, realisasi: object, status: str, scale: str | None) -> None:
    found = detect_scale(target, realisasi)
    assert found.status == status, found.reason
    assert (found.scale.name if found.scale else None) == scale
    if status == "ok":
        assert found.reason == ""
    else:
        assert found.reason


def test_ok_detection_carries_both_grades() -> None:
    found = detect_scale("B", "BB")
    assert found.target is not None and found.realisasi is not None
    assert (found.target.label, found.realisasi.label) == ("B", "BB")
    assert detect_scale("WTP", None).realisasi is None


def test_ambiguous_detection_lists_the_candidates_and_a_name_resolves_it() -> None:
    found = detect_scale("A", "B")
    assert found.candidates == ("Nilai SAKIP", "Mutu IKM")
    assert "'A'" in found.reason
    for name, scale in (("nilai sakip", SAKIP), ("Mutu  IKM", IKM)):
        resolved = detect_scale("A", "B", scale=name)
        assert (resolved.status, resolved.scale) == ("ok", scale)
    assert detect_scale("A", "B", scale=IKM).status == "ok"


def test_explicit_scale_rejects_cells_outside_it() -> None:
    found = detect_scale("WTP", "BB", scale="Opini BPK")
    assert found.status == "mismatch"
    assert "'BB'" in found.reason
    assert detect_scale("A", "B", scale="Skala Entah").status == "none"
    assert find_scale("opini bpk") is OPINI_BPK
    assert find_scale("x") is None


# --- grade_capaian --------------------------------------------------------------------------------


# target, realisasi, scale, capaian "rasio", capaian "nol"
CAPAIAN: list[tuple[str, str, GradeScale, float, float]] = [
    ("WTP", "WTP", OPINI_BPK, 100, 100),
    ("WDP", "WTP", OPINI_BPK, 100, 100),  # above the target: 100, not 133
    ("WTP", "WDP", OPINI_BPK, 75, 0),  # positions 3 / 4
    ("WTP", "TMP", OPINI_BPK, 25, 0),  # the worst grade is not 0 in "rasio"
    ("BB", "B", SAKIP, 80, 0),  # 4 / 5
    ("A", "BB", SAKIP, 5 / 6 * 100, 0),
    ("3", "2", MATURITAS, 2 / 3 * 100, 0),
    ("3", "Level 4", MATURITAS, 100, 100),
    ("Sangat Baik", "B (Baik)", IKM, 75, 0),
]


@pytest.mark.parametrize(("target", "realisasi", "scale", "rasio", "nol"), CAPAIAN)
def test_grade_capaian(
    target: str, realisasi: str, scale: GradeScale, rasio: float, nol: float
) -> None:
    t, r = parse_grade(target, [scale]), parse_grade(realisasi, [scale])
    assert t is not None and r is not None
    assert grade_capaian(t, r) == pytest.approx(rasio)
    assert grade_capaian(t, r, "rasio") == pytest.approx(rasio)
    assert grade_capaian(t, r, "nol") == nol


def test_grade_capaian_rejects_mixed_scales_and_unknown_modes() -> None:
    wtp, bb = parse_grade("WTP"), parse_grade("BB")
    assert wtp is not None and bb is not None
    with pytest.raises(ValueError):
        grade_capaian(wtp, bb)
    with pytest.raises(ValueError):
        grade_capaian(wtp, wtp, "separuh")  # type: ignore[arg-type]


# --- Planner tables and scale definitions ---------------------------------------------------------


def test_scale_from_table() -> None:
    rows = [("Kurang", 1), ("Cukup", "2"), (None, None), ("Memuaskan", 4.0), ("Baik", 3)]
    scale, problems = scale_from_table(rows, "Skala Dinas")
    assert problems == ()
    assert scale is not None
    assert (scale.name, scale.labels) == ("Skala Dinas", ("Kurang", "Cukup", "Baik", "Memuaskan"))
    grade = parse_grade("memuaskan", [scale])
    assert grade is not None and grade.position == 4


# rows, problem codes (row, code)
BAD_TABLES: list[tuple[list[tuple[object, ...]], set[tuple[int, str]]]] = [
    ([("A", 1), ("", 2), ("C", 3)], {(2, "empty-label")}),
    ([("A", 1), ("a ", 2)], {(2, "duplicate-label"), (0, "few")}),
    ([("A", 1), ("B", 1)], {(2, "duplicate-rank")}),
    ([("A", 1), ("B", 3)], {(0, "rank-gap")}),
    ([("A", 1), ("B", "dua")], {(2, "bad-rank")}),
    ([("A", 1), ("B", 2.5)], {(2, "bad-rank")}),
    ([("A", 1), ("B", 0)], {(2, "bad-rank")}),
    ([("A", 1), ("B", True)], {(2, "bad-rank")}),
    ([("A", 1)], {(0, "few")}),
    ([], {(0, "few")}),
    ([("A",), ("B", 1)], {(1, "bad-rank")}),
]


@pytest.mark.parametrize(("rows", "codes"), BAD_TABLES)
def test_scale_table_problems(rows: list[tuple[object, ...]], codes: set[tuple[int, str]]) -> None:
    scale, problems = scale_from_table(rows)
    assert scale is None
    assert {(p.row, p.code) for p in problems} == codes
    assert all(p.message for p in problems)


def test_scale_definition_errors_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        GradeScale("x", ("A", "a"))
    with pytest.raises(ValueError):
        GradeScale("x", ("A", ""))
    with pytest.raises(ValueError):
        GradeScale("x", ("A", "B"), (("Bagus", "C"),))


def test_scales_are_frozen_and_hashable() -> None:
    assert len({OPINI_BPK, SAKIP, MATURITAS, IKM}) == 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        SAKIP.name = "x"  # type: ignore[misc]
