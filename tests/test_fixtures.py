"""Each reader-quirk workbook of ``tests/fixtures`` through :func:`iku_excel.api.check_file`.

For every fixture: the exact set of findings as ``(rule, sheet, cell, code)`` and the computed
values that show the quirk was understood. The committed files must equal a fresh build of
``tests/fixtures/build_fixtures.py``, and ``tests/fixtures/README.md`` must list every one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iku_excel import contract as c
from iku_excel.a1 import cell_address
from iku_excel.api import check_file
from iku_excel.errors import ContractError
from iku_excel.model import Evaluation
from tests.conftest import found
from tests.fixtures import build_fixtures as bf

FIXTURES = Path(bf.__file__).resolve().parent
IKU, RPJMD, PENGATURAN = c.SHEET_IKU, c.SHEET_RPJMD, c.SHEET_PENGATURAN
BASE_CAPAIAN = [100, 125, pytest.approx(650 * 100 / 706)]


def iku(key: str, row: int) -> str:
    return cell_address(row, bf.IKU_COL[key])


def setting_cell(attr: str) -> str:
    row = 2 + [s.attr for s in c.SETTINGS].index(attr)
    return f"B{row}"


def capaian(ev: Evaluation) -> list[float | None]:
    return [r.capaian for r in ev.indicators]


def rows(ev: Evaluation) -> list[int]:
    return [r.indicator.row for r in ev.indicators]


@dataclass(frozen=True)
class Expected:
    findings: set[tuple[str, str, str, str]]
    check: Callable[[Evaluation], None]


def _header_below_title_rows(ev: Evaluation) -> None:
    assert rows(ev) == [5, 6, 7]
    assert capaian(ev) == BASE_CAPAIAN
    assert ev.workbook.rpjmd_layout is not None and ev.workbook.rpjmd_layout.header_row == 4
    assert [r.rpjmd.row if r.rpjmd else None for r in ev.indicators] == [5, 6, 7]
    assert [r.capaian_vs_final for r in ev.indicators] == BASE_CAPAIAN


def _column_number_row(ev: Evaluation) -> None:
    assert rows(ev) == [3, 4, 5]
    assert capaian(ev) == BASE_CAPAIAN
    assert [r.rpjmd.row if r.rpjmd else None for r in ev.indicators] == [3, 4, 5]


def _old_headers(ev: Evaluation) -> None:
    layout = ev.workbook.iku_layout
    for key in (
        "code",
        "sasaran",
        "indicator",
        "unit",
        "polarity",
        "target",
        "realisasi",
        "reported_capaian",
    ):
        assert layout.columns[key] == bf.IKU_COL[key], key
    assert capaian(ev) == BASE_CAPAIAN
    rp = ev.indicators[1].rpjmd
    assert rp is not None
    assert (rp.baseline.number, rp.final_target.number) == (60, 80)  # ANGKA AWAL, KONDISI AKHIR
    assert {y: v.number for y, v in rp.targets.items()} == {2021: 70, 2022: 75, 2023: 80}


def _merged_sasaran(ev: Evaluation) -> None:
    assert [r.indicator.sasaran for r in ev.indicators] == [bf.S1] * 3
    assert [g.name for g in ev.sasaran] == [bf.S1]
    assert ev.sasaran[0].capaian == pytest.approx((100 + 125 + 650 * 100 / 706) / 3)


def _sasaran_header_rows(ev: Evaluation) -> None:
    assert rows(ev) == [3, 4, 6]
    assert [r.indicator.sasaran for r in ev.indicators] == [bf.S1, bf.S1, bf.S3]
    assert [(g.name, len(g.indicators)) for g in ev.sasaran] == [(bf.S1, 2), (bf.S3, 1)]
    assert ev.sasaran[0].capaian == 112.5


def _numbers_as_text(ev: Evaluation) -> None:
    assert [r.target for r in ev.indicators] == [100, 80, 706]
    assert [r.realisasi for r in ev.indicators] == [100, 93.5, 1234.5]
    assert capaian(ev) == [100, 116.875, pytest.approx(1234.5 * 100 / 706)]
    assert ev.n_errors == ev.n_warnings == 0


def _percent_formatted(ev: Evaluation) -> None:
    second = ev.indicators[1]
    assert (second.target, second.realisasi, second.capaian) == (80, 92, 115)


def _ambiguous(ev: Evaluation) -> None:
    assert capaian(ev) == [100, 125, None]
    assert ev.indicators[2].realisasi is None
    assert ev.overall.capaian == 112.5  # the unreadable row is left out, not counted as 0


def _typo(ev: Evaluation) -> None:
    assert ev.indicators[2].target is None
    assert capaian(ev) == [100, 125, None]


def _missing_rpjmd(ev: Evaluation) -> None:
    assert ev.workbook.rpjmd_layout is None
    assert capaian(ev) == BASE_CAPAIAN
    assert [r.capaian_vs_final for r in ev.indicators] == [None] * 3


def _lowercase(ev: Evaluation) -> None:
    assert ev.workbook.iku_layout.sheet == "iku"
    assert ev.workbook.settings.year == bf.YEAR
    assert capaian(ev) == BASE_CAPAIAN


def _quarterly(ev: Evaluation) -> None:
    assert [r.indicator.quarterly_aggregation for r in ev.indicators] == [
        "Nilai Akhir",
        "Rata-rata",
        "Jumlah",
        "Jumlah",
    ]
    assert [r.realisasi for r in ev.indicators] == [95, 85, 706, 380]
    assert [r.realisasi_from_quarters for r in ev.indicators] == [True, True, True, False]
    assert capaian(ev) == [95, 106.25, 100, 95]
    assert ev.indicators[3].indicator.sasaran == bf.S3  # filled down


def _range(ev: Evaluation) -> None:
    assert [(r.target, r.target_low, r.target_high) for r in ev.indicators] == [
        (None, 80, 90)
    ] * 3 + [(None, 7, 8)]
    assert capaian(ev) == [87.5, 100, pytest.approx(95 * 100 / 90), 87.5]


def _formula_b(ev: Evaluation) -> None:
    assert ev.workbook.settings.negative_formula == "B"
    assert capaian(ev) == [80, None]


def _custom_scale(ev: Evaluation) -> None:
    assert [r.predicate for r in ev.indicators] == ["Memuaskan", "Memuaskan", "Cukup"]
    assert ev.overall.predicate == "Memuaskan"


def _custom_scale_invalid(ev: Evaluation) -> None:
    assert all(r.predicate for r in ev.indicators)


def _nip(ev: Evaluation) -> None:
    assert ev.workbook.settings.signer_nip.startswith("1966112019860310")


def _formula_cached(ev: Evaluation) -> None:
    second, third = ev.indicators[1], ev.indicators[2]
    assert (second.target, second.realisasi, second.capaian) == (80, 100, 125)
    assert third.realisasi == 650


def _formula_no_cache(ev: Evaluation) -> None:
    # openpyxl-written formulas carry no cached value: read as empty, never as 0
    second, third = ev.indicators[1], ev.indicators[2]
    assert (second.target, second.realisasi, second.capaian) == (None, None, None)
    assert (third.realisasi, third.capaian) == (None, None)
    assert ev.overall.capaian == 100


def _empty(ev: Evaluation) -> None:
    assert ev.indicators == ()
    assert ev.sasaran == ()
    assert (ev.overall.capaian, ev.overall.predicate) == (None, None)


def _nr(*codes_rows: tuple[str, int]) -> set[tuple[str, str, str, str]]:
    """``not-in-rpjmd`` for fixtures built with an empty RPJMD table."""
    return {("not-in-rpjmd", IKU, iku("indicator", row), code) for code, row in codes_rows}


def _values(**expected: list[object]) -> Callable[[Evaluation], None]:
    def check(ev: Evaluation) -> None:
        for attr, values in expected.items():
            got = [getattr(r, attr) for r in ev.indicators]
            assert got == [pytest.approx(v) if isinstance(v, float) else v for v in values], attr

    return check


def _typed_averages(ev: Evaluation) -> None:
    assert [r.indicator.row for r in ev.indicators] == [2, 4, 5]  # average rows are not counted
    assert ev.overall.capaian == pytest.approx((100 + 125 + 650 * 100 / 706) / 3)


ISSUE9: dict[str, Expected] = {
    "thousands-indonesian.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3))
        | {
            ("number-stored-as-text", IKU, iku("target", 2), "1.1"),
            ("number-stored-as-text", IKU, iku("realisasi", 2), "1.1"),
            ("number-stored-as-text", IKU, iku("target", 3), "2.1"),
        },
        _values(target=[1000.0, 30000.0], realisasi=[3000.0, 30000.0], capaian=[300.0, 100.0]),
    ),
    "english-number-format.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3), ("3.1", 4))
        | {("ambiguous-number", IKU, iku("realisasi", 4), "3.1")}
        | {
            ("number-stored-as-text", IKU, iku(key, row), code)
            for key in ("target", "realisasi")
            for row, code in ((2, "1.1"), (3, "2.1"))
        },
        _values(target=[1000.0, 0.35, 1234.0], realisasi=[1250.0, 0.4, None]),
    ),
    "english-numbers-indonesian-setting.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3), ("3.1", 4))
        | {("number-format-suggestion", IKU, iku("target", 2), "")}
        | {
            ("number-stored-as-text", IKU, iku(key, row), code)
            for key in ("target", "realisasi")
            for row, code in ((2, "1.1"), (3, "2.1"))
        },
        _values(target=[0.35, 0.5, 2.0], capaian=[0.4 * 100 / 0.35, 90.0, 100.0]),
    ),
    "ratio-with-unit.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3)),
        _values(
            target=[17.9, 32.0],
            realisasi=[19.2, 30.0],
            capaian=[(2 * 17.9 - 19.2) * 100 / 17.9, 106.25],
        ),
    ),
    "grade-targets.xlsx": Expected(
        _nr(("1.1", 2), ("1.2", 3), ("2.1", 4), ("3.1", 5)),
        _values(
            kind=["grade"] * 4,
            capaian=[100.0, 80.0, 100.0, 100.0],
            grade_realisasi=["WTP", "B", "4", "A"],
        ),
    ),
    "grade-mode-zero.xlsx": Expected(_nr(("1.1", 2)), _values(capaian=[0.0])),
    "multiple-quantities.xlsx": Expected(
        _nr(("1.1", 2))
        | {
            ("multiple-quantities", IKU, iku("target", 2), "1.1"),
            ("multiple-quantities", IKU, iku("realisasi", 2), "1.1"),
        },
        _values(target=[None], capaian=[None]),
    ),
    "composite-numerator-denominator.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3), ("3.1", 4))
        | {("composite-realisasi-mismatch", IKU, iku("realisasi", 3), "2.1")},
        _values(realisasi=[40 * 100 / 60, 75.0, 60.0]),
    ),
    "polarity-inferred.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 3)) | {("polarity-inferred", IKU, iku("polarity", 2), "1.1")},
        _values(capaian=[75.0, 125.0]),
    ),
    "reported-other-formula.xlsx": Expected(
        _nr(("1.1", 2)) | {("reported-capaian-mismatch", IKU, iku("reported_capaian", 2), "1.1")},
        _values(capaian=[96.25]),
    ),
    "typed-averages.xlsx": Expected(
        _nr(("1.1", 2), ("2.1", 4), ("3.1", 5))
        | {("typed-average-mismatch", IKU, iku("reported_capaian", 6), "")},
        _typed_averages,
    ),
    "many-text-numbers.xlsx": Expected(
        _nr(*((f"1.{i}", i + 1) for i in range(1, 11)))
        | {
            ("number-stored-as-text", IKU, f"{iku(k, 2)}:{iku(k, 11)}", "")
            for k in ("target", "realisasi")
        },
        _values(capaian=[pytest.approx((90 + i) * 100 / (100 + i)) for i in range(1, 11)]),
    ),
}

# --- Issue 11: periods and the optional LKjIP columns --------------------------------------------


def _outputs(ev: Evaluation) -> Any:
    from iku_excel.sheets import build_outputs

    return build_outputs(ev)


def _cell_values(spec: Any) -> dict[tuple[int, int], Any]:
    return {(cell.row, cell.col): cell.value for cell in spec.cells}


def _capaian_tw(ev: Evaluation) -> list[list[tuple[Any, ...]]]:
    """Per indicator, per TW I..IV: (target, realisasi, capaian) on the Capaian TW sheet."""
    from iku_excel.sheets.capaian_tw import FIRST_TW_COL, SHEET_CAPAIAN_TW

    (tw,) = _outputs(ev).extra
    assert tw.name == SHEET_CAPAIAN_TW
    cells = _cell_values(tw)
    return [
        [tuple(cells[row, FIRST_TW_COL + 3 * k + j] for j in range(3)) for k in range(4)]
        for row in (7, 8, 9)
    ]


#: By hand (PK_TW_TARGETS, PK_QUARTERS; TW III and IV not filled yet):
#: 1.1 % (Nilai Akhir): s.d. TW I 90 / 100 = 90; s.d. TW II 95 / 100 = 95; the year: 95.
#: 2.1 % (Nilai Akhir): 70 / 60 = 116,67; 85 / 70 = 121,43; the year 85 / 80 = 106,25.
#: 3.1 Orang (Jumlah, targets per triwulan summing to 706): s.d. TW I 150 / 176 = 85,23;
#: s.d. TW II 350 / (176 + 177) = 99,15; s.d. TW III 350 / 529 = 66,16; the year 350 / 706.
PK_BY_HAND = [
    [(100, 90, 90), (100, 95, 95), (100, 95, 95), (100, 95, 95)],
    [(60, 70, 70 * 100 / 60), (70, 85, 85 * 100 / 70), (75, 85, 85 * 100 / 75), (80, 85, 106.25)],
    [
        (176, 150, 150 * 100 / 176),
        (353, 350, 350 * 100 / 353),
        (529, 350, 350 * 100 / 529),
        (706, 350, 350 * 100 / 706),
    ],
]


def _pk_tw_sheet(ev: Evaluation) -> None:
    got = _capaian_tw(ev)
    assert got == [[pytest.approx(t) for t in row] for row in PK_BY_HAND]


def _pk_tw2(ev: Evaluation) -> None:
    assert [r.period for r in ev.indicators] == [2, 2, 2]
    assert [(r.target, r.realisasi) for r in ev.indicators] == [(100, 95), (70, 85), (353, 350)]
    assert capaian(ev) == [95, pytest.approx(85 * 100 / 70), pytest.approx(350 * 100 / 353)]
    annual = [r.annual.capaian if r.annual else None for r in ev.indicators]
    assert annual == [95, 106.25, pytest.approx(350 * 100 / 706)]
    _pk_tw_sheet(ev)


def _pk_tahunan(ev: Evaluation) -> None:
    assert [r.period for r in ev.indicators] == [None, None, None]
    assert capaian(ev) == [95, 106.25, pytest.approx(350 * 100 / 706)]
    _pk_tw_sheet(ev)  # the same Capaian TW sheet as the TW II report


def _extra_column(ev: Evaluation, header: str) -> list[Any]:
    """The Capaian sheet's column ``header`` (right of KODE/BOBOT) on the three indicator rows."""
    capaian_sheet = _outputs(ev).capaian
    cells = _cell_values(capaian_sheet)
    # right of the hidden KODE/BOBOT (column 15): "% CAPAIAN 2022" is also column 6's header
    col = next(c for (r, c), v in cells.items() if r == 5 and v == header and c > 15)
    return [cells[row, col] for row in (7, 9, 11)]  # a Rata-rata row after each sasaran


def _standard(ev: Evaluation) -> None:
    assert capaian(ev) == BASE_CAPAIAN
    assert _extra_column(ev, "STANDAR NASIONAL") == [95, 75, 700]
    assert _outputs(ev).extra == ()  # no Target TW column, no Capaian TW sheet


def _efficiency(ev: Evaluation) -> None:
    # % serapan = realisasi anggaran × 100 / pagu: 90, 90, 95; efisiensi = capaian − serapan
    assert _extra_column(ev, "% SERAPAN ANGGARAN") == [90, 90, 95]
    efficiency = _extra_column(ev, "EFISIENSI (% CAPAIAN − % SERAPAN)")
    assert efficiency == [10, 35, pytest.approx(650 * 100 / 706 - 95)]


def _analysis(ev: Evaluation) -> None:
    assert _extra_column(ev, "FAKTOR PENDORONG") == ["Koordinasi BPBD", "Pendataan PMKS", None]
    assert _extra_column(ev, "TINDAK LANJUT")[1] == "Usulan tambahan anggaran"


def _history(ev: Evaluation) -> None:
    assert _extra_column(ev, "REALISASI 2022") == [95, 90, 600]
    # Last year's capaian goes into the table's own "% CAPAIAN 2022" column (column 6), not into
    # a second column of the same header.
    cells = _cell_values(_outputs(ev).capaian)
    assert [v for (r, c), v in cells.items() if r == 5 and v == "% CAPAIAN 2022"] == [
        "% CAPAIAN 2022"
    ]
    assert [cells[row, 6] for row in (7, 9, 11)] == [95, 120, 92.31]


ISSUE11: dict[str, Expected] = {
    "pk-tw-targets-tw2.xlsx": Expected(set(), _pk_tw2),
    "pk-tw-targets-tahunan.xlsx": Expected(set(), _pk_tahunan),
    "national-standard.xlsx": Expected(set(), _standard),
    "efficiency-budget.xlsx": Expected(set(), _efficiency),
    "analysis-columns.xlsx": Expected(
        # the Faktor Penghambat cell (the second added column) of 3.1, below target
        {("missing-analysis", IKU, cell_address(4, len(bf.IKU_COL) + 2), "3.1")},
        _analysis,
    ),
    "history-columns.xlsx": Expected(set(), _history),
}


EXPECTED: dict[str, Expected] = {
    "header-below-title-rows.xlsx": Expected(set(), _header_below_title_rows),
    "column-number-row-under-header.xlsx": Expected(set(), _column_number_row),
    "headers-old-names-and-case.xlsx": Expected(set(), _old_headers),
    "sasaran-merged-cells.xlsx": Expected(set(), _merged_sasaran),
    "sasaran-header-rows.xlsx": Expected(
        {("sasaran-without-indicator", IKU, iku("sasaran", 7), "")}, _sasaran_header_rows
    ),
    "numbers-as-text-indonesian.xlsx": Expected(
        # Issue 9: three info findings of one rule in one column are folded into one.
        {
            ("number-stored-as-text", IKU, f"{iku(key, 2)}:{iku(key, 4)}", "")
            for key in ("target", "realisasi")
        },
        _numbers_as_text,
    ),
    "percent-formatted-cells.xlsx": Expected(set(), _percent_formatted),
    "ambiguous-thousands.xlsx": Expected(
        {("ambiguous-number", IKU, iku("realisasi", 4), "3.1")}, _ambiguous
    ),
    "typo-double-dot.xlsx": Expected({("unparseable-number", IKU, iku("target", 4), "3.1")}, _typo),
    "missing-rpjmd-sheet.xlsx": Expected({("missing-sheet", RPJMD, "", "")}, _missing_rpjmd),
    "sheet-names-lowercase.xlsx": Expected(
        {("reported-capaian-mismatch", "iku", iku("reported_capaian", 2), "1.1")}, _lowercase
    ),
    "quarterly-only.xlsx": Expected(
        {("quarterly-mismatch", IKU, iku("realisasi", 5), "3.2")}, _quarterly
    ),
    "range-target.xlsx": Expected(set(), _range),
    "negative-polarity-formula-b.xlsx": Expected(
        {
            ("reported-capaian-mismatch", IKU, iku("reported_capaian", 2), "1.1"),
            ("realisasi-zero", IKU, iku("realisasi", 3), "1.2"),
        },
        _formula_b,
    ),
    "custom-predicate-scale.xlsx": Expected(set(), _custom_scale),
    "custom-predicate-scale-invalid.xlsx": Expected(
        {("invalid-predicate-scale", PENGATURAN, "E1", "")}, _custom_scale_invalid
    ),
    "nip-as-number.xlsx": Expected(
        {("invalid-setting", PENGATURAN, setting_cell("signer_nip"), "")}, _nip
    ),
    "formula-cells-cached.xlsx": Expected(set(), _formula_cached),
    "formula-cells-no-cache.xlsx": Expected(
        {
            ("missing-target", IKU, iku("target", 3), "2.1"),
            ("missing-realisasi", IKU, iku("realisasi", 3), "2.1"),
            ("missing-realisasi", IKU, iku("realisasi", 4), "3.1"),
        },
        _formula_no_cache,
    ),
    "empty-iku.xlsx": Expected(set(), _empty),
    **ISSUE9,
    **ISSUE11,
}
#: Fixtures that cannot be evaluated; tested separately below.
UNREADABLE = {"missing-iku-sheet.xlsx", "seed-capaian-table-layout.xlsx"}


def test_every_fixture_is_built_expected_and_documented() -> None:
    assert set(bf.FIXTURES) == set(EXPECTED) | UNREADABLE
    assert {p.name for p in FIXTURES.glob("*.xlsx")} == set(bf.FIXTURES)
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+\.xlsx)`", readme, flags=re.MULTILINE))
    assert documented == set(bf.FIXTURES)


@pytest.mark.parametrize("name", sorted(bf.FIXTURES))
def test_committed_fixture_equals_a_fresh_build(name: str, tmp_path: Path) -> None:
    fresh = bf.build(name, tmp_path)
    assert fresh.read_bytes() == (FIXTURES / name).read_bytes(), (
        f"{name} is stale: run python tests/fixtures/build_fixtures.py"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    ev = check_file(FIXTURES / name)
    assert found(ev) == EXPECTED[name].findings
    for f in ev.findings:
        assert f.message and "{" not in f.message
    EXPECTED[name].check(ev)


def test_base_workbook_is_clean_and_matches_the_fixtures_base() -> None:
    """The clean base every fixture starts from gives no finding (else the sets above lie)."""
    ev = check_file(FIXTURES / "header-below-title-rows.xlsx")
    assert ev.findings == ()
    assert [r.predicate for r in ev.indicators] == ["Sangat Tinggi"] * 3


def test_missing_iku_sheet() -> None:
    with pytest.raises(ContractError) as info:
        check_file(FIXTURES / "missing-iku-sheet.xlsx")
    message = str(info.value)
    for sheet in (c.SHEET_PETUNJUK, c.SHEET_PENGATURAN, c.SHEET_RPJMD):
        assert sheet in message
    assert "\n" not in message


def test_seed_capaian_table_layout() -> None:
    ev = check_file(FIXTURES / "seed-capaian-table-layout.xlsx")
    assert [r.indicator.indicator for r in ev.indicators] == [bf.IND2, bf.IND3]
    assert [(r.target, r.realisasi, r.capaian) for r in ev.indicators] == [
        (80, 100, 125),
        (706, 706, 100),
    ]


def test_nip_as_number_is_shown_as_excel_shows_it() -> None:
    ev = check_file(FIXTURES / "nip-as-number.xlsx")
    assert ev.workbook.settings.signer_nip == "196611201986031000"


def test_formula_cached_values_are_what_other_readers_see() -> None:
    """The injected <v> cached values are read by an independent reader too."""
    calamine = pytest.importorskip("python_calamine")
    book = calamine.CalamineWorkbook.from_path(str(FIXTURES / "formula-cells-cached.xlsx"))
    values = book.get_sheet_by_name(IKU).to_python()
    col = bf.IKU_COL
    assert values[2][col["target"] - 1] == 80
    assert values[2][col["realisasi"] - 1] == 100
    assert values[3][col["realisasi"] - 1] == 650
