"""Smoke tests of the benchmarks' workbook generator and A/B tool, so that ``benchmarks/`` cannot
silently rot.

No timing here: a generated workbook is one that ``check`` reads fully, with the findings the
generator planted; the A/B tool runs and tells equal bytes from different ones.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import EXPECTED_RULES, SPECIAL_RATES, generate_workbook
from iku_excel.api import check_file


def test_generated_workbook_passes_check(tmp_path: Path) -> None:
    info = generate_workbook(tmp_path / "iku_20.xlsx", 20, seed=1)
    evaluation = check_file(info.path)

    assert len(evaluation.indicators) == 20
    assert [r.indicator.code for r in evaluation.indicators] == info.codes
    assert len(set(info.codes)) == 20
    assert len(evaluation.sasaran) == info.n_sasaran
    # Every IKU row has its RPJMD row, and every planted special kind is present once.
    assert all(r.rpjmd is not None for r in evaluation.indicators)
    assert info.specials == Counter(dict.fromkeys(SPECIAL_RATES, 1))
    # Exactly the planted findings: one per special row that is meant to trigger one.
    expected = Counter(
        {rule: info.specials[kind] for kind, rule in EXPECTED_RULES.items() if rule is not None}
    )
    assert Counter(f.rule for f in evaluation.findings) == expected
    # Capaian is computed for every row that has a realisasi (quarterly-only rows included).
    computed = [r for r in evaluation.indicators if r.capaian is not None]
    assert len(computed) == 20 - info.specials["missing_realisasi"]
    assert (
        sum(r.realisasi_from_quarters for r in evaluation.indicators) == info.specials["quarterly"]
    )


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a = generate_workbook(tmp_path / "a.xlsx", 30, seed=7)
    b = generate_workbook(tmp_path / "b.xlsx", 30, seed=7)
    assert a.path.read_bytes() == b.path.read_bytes()


def test_ab_of_a_revision_with_itself_finds_the_same_bytes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``bench_ab.py`` runs both sides in their own exported trees and compares the files."""
    from benchmarks import bench_ab

    if not (bench_ab.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert bench_ab.main(["--a", "HEAD", "--b", "HEAD", "--sizes", "20", "--pairs", "1"]) == 0
    out = capsys.readouterr().out
    assert "first refresh" in out and "byte for byte the same: yes" in out


def test_ab_reports_different_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.bench_ab import Side, report

    a, b = Side("A", Path("a"), [1.0], [1.0], [], [("x", "y")]), Side("B", Path("b"))
    b.first, b.second, b.hashes = [0.5], [2.0], [("x", "z")]
    assert report(20, a, b) is False
    out = capsys.readouterr().out
    assert "B ÷ A 0.500" in out and "B ÷ A 2.000" in out and "same: NO" in out


def test_ab_batch_times_both_job_counts(tmp_path: Path) -> None:
    from benchmarks.bench_ab import ROOT, Side, batch_walls

    one, two = batch_walls(Side("B", ROOT), 2, tmp_path / "batch", tmp_path / "pycache")
    assert one > 0 and two > 0
    assert not (tmp_path / "batch").exists()  # the copies are gone


def test_speed_batch_reports_median_and_range_of_pairs(tmp_path: Path) -> None:
    from benchmarks.bench_speed import PYCACHE, bench_batch, table

    PYCACHE.append(str(tmp_path / "pycache"))
    try:
        batch = bench_batch(2, tmp_path, pairs=3)
    finally:
        PYCACHE.remove(str(tmp_path / "pycache"))
    assert batch["pairs"] == 3
    assert batch["speedup_min"] <= batch["speedup"] <= batch["speedup_max"]
    assert not (tmp_path / "batch1").exists() and not (tmp_path / "batch2").exists()
    line = table([], {}, batch, None).splitlines()[-1]
    assert "3 interleaved pairs" in line and f"{batch['speedup']:.2f}× faster" in line
