"""The adopt detector maps every corpus workbook exactly as expected, or refuses with a named
reason; random layouts built from known data are mapped right or refused, never silently wrong.

SheetGrid carries no merged ranges: the test takes them from openpyxl (the reader must supply
them when adopt is wired in).
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from iku_excel.adopt import detect_table, from_rows, render_text, to_dict, to_rows
from iku_excel.adopt.mapping import CellRange, DetectionResult
from iku_excel.backends.xlsx.reader import read_grids
from iku_excel.model import SheetGrid
from tests.adopt.build_corpus import CASES, write_case


def _merges(path: Path) -> dict[str, list[CellRange]]:
    book = openpyxl.load_workbook(path)
    return {
        ws.title: [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        for ws in book.worksheets
    }


def _stub(case: dict[str, Any]) -> Any:
    """The polarity helper's answers for this case (a test double, not a word list)."""
    table: dict[str, str] = case.get("polarity", {})

    def infer(name: str) -> tuple[str | None, str]:
        for prefix, pol in table.items():
            if name.startswith(prefix):
                return pol, f"nama diawali '{prefix}'"
        return None, ""

    return infer


def _detect(case: dict[str, Any], folder: Path) -> DetectionResult:
    path = write_case(case, folder)
    _, grids = read_grids(path)
    return detect_table(list(grids.values()), _merges(path), infer_polarity=_stub(case))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_maps_exactly(case: dict[str, Any], tmp_path: Path) -> None:
    result = _detect(case, tmp_path)
    exp = case["expected"]
    if "refusal" in exp:
        assert result.mapping is None and result.refusal is not None
        assert result.refusal.code == exp["refusal"]
        assert result.refusal.header == exp["header"]
        if exp["refusal"] != "no-header":
            assert result.refusal.header_row is not None
        return
    m = result.mapping
    assert m is not None, result.refusal
    assert list(m.header_rows) == exp["header_rows"]
    assert m.field_map() == exp["field_map"]
    assert {s.row: s.kind for s in m.skipped} == exp["skipped"]
    assert m.sasaran_source == exp["sasaran_source"]
    if "reporting_year" in exp:
        assert m.reporting_year == exp["reporting_year"]
    got = [(i.row, i.sasaran, i.target, i.realisasi, i.capaian) for i in m.indicators]
    assert len(got) == len(exp["indicators"])
    for g, e in zip(got, exp["indicators"], strict=True):
        assert g[:2] == e[:2]
        for a, b in zip(g[2:], e[2:], strict=True):
            assert (a is None and b is None) or (
                a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12)
            ), (g, e)
    for row, agg in exp.get("aggregation", {}).items():
        assert next(i for i in m.indicators if i.row == row).quarterly_aggregation == agg
    if "capaian_warnings" in exp:
        assert sum("capaian tertulis" in w for w in m.warnings) == exp["capaian_warnings"]
    if "efficiency_rows" in exp:
        assert len(m.efficiency) == exp["efficiency_rows"]


def test_mortality_without_polaritas_is_inferred_negative(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["file"].startswith("manggarai"))
    m = _detect(case, tmp_path).mapping
    assert m is not None
    assert {(i.polarity, i.polarity_source) for i in m.indicators} == {("Negatif", "disimpulkan")}
    assert "disimpulkan Negatif" in render_text(DetectionResult(m))


def test_unknown_polarity_is_recorded_not_hidden(tmp_path: Path) -> None:
    case = dict(next(c for c in CASES if c["file"].startswith("manggarai")))
    case["polarity"] = {}
    m = _detect(case, tmp_path).mapping
    assert m is not None
    assert all(i.polarity is None and i.polarity_source == "tidak diketahui" for i in m.indicators)


def test_tw_target_columns_are_never_realisasi(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["file"].startswith("kemendag"))
    m = _detect(case, tmp_path).mapping
    assert m is not None
    ind = m.indicators[0]
    assert ind.realisasi is None and ind.capaian is None
    assert ind.tw_targets == (25.0, 50.0, 75.0, 100.0)


def test_year_argument_picks_history_year(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["file"].startswith("tanah_datar"))
    path = write_case(case, tmp_path)
    _, grids = read_grids(path)
    m = detect_table(list(grids.values()), _merges(path), year=2012).mapping
    assert m is not None and m.reporting_year == 2012
    assert [i.target for i in m.indicators][:2] == [20.0, 25.0]
    assert m.history_years == (2011, 2013, 2014, 2015)
    refused = detect_table(list(grids.values()), _merges(path), year=2020)
    assert refused.refusal is not None and refused.refusal.code == "year-missing"


def test_mapping_rows_round_trip_and_json(tmp_path: Path) -> None:
    import json

    case = next(c for c in CASES if c["file"].startswith("pppomn"))
    m = _detect(case, tmp_path).mapping
    assert m is not None
    config = from_rows(to_rows(m))
    assert config.sheet == m.sheet and config.header_rows == m.header_rows
    assert [(c.col, c.field, c.year, c.quarter) for c in config.columns] == [
        (c.col, c.field, c.year, c.quarter) for c in m.columns
    ]
    assert config.aggregation == {4: "Nilai Akhir", 5: "Jumlah"}
    json.dumps(to_dict(DetectionResult(m)))


# --- Random layouts ---------------------------------------------------------------------------

_SPELLINGS = {
    "indicator": ["Indikator Kinerja", "Indikator Sasaran", "INDIKATOR KINERJA UTAMA", "Indikator"],
    "unit": ["Satuan", "SATUAN"],
    "target": ["Target", "TARGET", "Target {y}"],
    "realisasi": ["Realisasi", "REALISASI", "Realisasi {y}"],
    "capaian": ["Capaian (%)", "% Capaian", "CAPAIAN%", "Capaian"],
    "sasaran": ["Sasaran Strategis", "Sasaran"],
}
_DATA = [
    ("Persentase PMKS yang tertangani", "%", 80.0, 72.0),
    ("Jumlah penerima bantuan sosial", "orang", 706.0, 650.0),
    ("Indeks kepuasan masyarakat", "indeks", 3.5, 3.6),
    ("Persentase anak terlantar yang terlayani", "%", 60.0, 66.0),
]


def _random_layout(rng: random.Random) -> tuple[SheetGrid, list[CellRange], str]:
    year = rng.choice([2021, 2022, 2023])
    fields = ["indicator", "unit", "target", "realisasi", "capaian"]
    sasaran_mode = rng.choice(["column", "merged", "band", "title"])
    if sasaran_mode in ("column", "merged"):
        fields.insert(0, "sasaran")
    rng.shuffle(fields)
    fields.insert(0, "no")
    rows: list[list[object]] = []
    for _ in range(rng.randint(0, 2)):
        rows.append([rng.choice(["LAPORAN KINERJA", "Tabel 3.2 Pengukuran Kinerja"])])
    if sasaran_mode == "title":
        rows.append(["Sasaran Strategis 1"])
        rows.append(["Meningkatnya kesejahteraan sosial"])
    header = ["No" if f == "no" else rng.choice(_SPELLINGS[f]).format(y=year) for f in fields]
    rows.append(header)
    if rng.random() < 0.5:
        rows.append([f"({i + 1})" for i in range(len(fields))])
    if sasaran_mode == "band":
        rows.append(["Sasaran Strategis 1. Meningkatnya kesejahteraan sosial"])
    merges: list[CellRange] = []
    first = len(rows) + 1
    data = rng.sample(_DATA, rng.randint(2, 4))
    for i, (name, unit, t, r) in enumerate(data):
        values = {
            "no": i + 1,
            "indicator": name,
            "unit": unit,
            "target": rng.choice([t, f"{t:g} {unit}".replace(".", ",")]),
            "realisasi": rng.choice([r, f"{r:g}".replace(".", ",")]),
            "capaian": round(r / t * 100, 2),
            "sasaran": "Meningkatnya kesejahteraan sosial"
            if i == 0 or sasaran_mode == "column"
            else None,
        }
        rows.append([values[f] for f in fields])
    if sasaran_mode == "merged":
        col = fields.index("sasaran") + 1
        merges.append((first, col, first + len(data) - 1, col))
    tail = rng.sample(
        [
            "Rata-rata",
            "Sumber: Dinas Sosial",
            "Jambi, 10 Januari 2024",
            "KEPALA DINAS SOSIAL",
            "NIP. 19700101 199003 1 001",
        ],
        rng.randint(0, 3),
    )
    rows.extend([[t] for t in tail])
    return SheetGrid("Tabel", rows), merges, str(data)


@pytest.mark.parametrize("seed", range(200))
def test_random_layouts_mapped_right_or_refused(seed: int) -> None:
    rng = random.Random(seed)
    grid, merges, _ = _random_layout(rng)
    result = detect_table(grid, {"Tabel": merges}, infer_polarity=lambda n: ("Positif", "uji"))
    if result.mapping is None:
        assert result.refusal is not None and result.refusal.code
        return
    m = result.mapping
    by_name = {d[0]: d for d in _DATA}
    assert m.indicators, render_text(result)
    for ind in m.indicators:
        _name, _, t, r = by_name[ind.name]
        assert ind.sasaran == "Meningkatnya kesejahteraan sosial"
        assert ind.target == t and ind.realisasi == r
        assert ind.capaian is not None and math.isclose(ind.capaian, r / t * 100, rel_tol=1e-12)
