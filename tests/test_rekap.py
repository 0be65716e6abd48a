"""The recap of 60 varied OPD workbooks, checked cell by cell against each file's ``check --json``.

The workbooks come from the template (``benchmarks.bench_rekap.build_corpus``): 55 OPDs of
different sizes (sasaran counts, polarities, planted findings), three of them again for the year
before, and two files that cannot be read. The recap is written by ``iku-excel rekap`` (the
click command, invoked directly) with two worker processes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from benchmarks.bench_rekap import Corpus, build_corpus
from iku_excel.api import check_file
from iku_excel.cli import cli
from iku_excel.rekap import workbook as wbk
from iku_excel.rekap.command import EXIT_UNREADABLE, rekap_command
from iku_excel.rekap.frames import (
    CHANGE_COLUMNS,
    FAILURE_COLUMNS,
    FINDING_COLUMNS,
    INDICATOR_COLUMNS,
    OPD_COLUMNS,
    SASARAN_COLUMNS,
    Column,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("rekap") / "opd", 60, seed=1)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run(corpus: Corpus) -> dict[str, Any]:
    """Hash the inputs, run the recap, hash them again; and every file's check --json."""
    files = sorted(corpus.folder.iterdir())
    before = {p.name: _sha(p) for p in files}
    out = corpus.folder.parent / "rekap.xlsx"
    report = corpus.folder.parent / "report.json"
    result = CliRunner().invoke(
        rekap_command,
        [str(corpus.folder), "-o", str(out), "--jobs", "2", "--report", str(report)],
    )
    after = {p.name: _sha(p) for p in sorted(corpus.folder.iterdir())}
    checked = CliRunner().invoke(cli, ["check", "--json", *map(str, files)])
    docs = {Path(d["file"]).name: d for d in json.loads(checked.stdout)["files"]}
    return {
        "result": result,
        "out": out,
        "report": report,
        "before": before,
        "after": after,
        "docs": docs,
        "book": load_workbook(out),
    }


def table(ws: Worksheet, columns: tuple[Column, ...], header_row: int = 1) -> list[dict[str, Any]]:
    """The rows under ``header_row`` until the first empty row, keyed by column name."""
    headers = [c.value for c in ws[header_row]][: len(columns)]
    assert headers == [c.header for c in columns]
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        cells = [ws.cell(row=r, column=col) for col in range(1, len(columns) + 1)]
        if all(c.value is None for c in cells):
            break
        row = {c.name: cell.value for c, cell in zip(columns, cells, strict=True)}
        row["_cells"] = {c.name: cell for c, cell in zip(columns, cells, strict=True)}
        rows.append(row)
    return rows


def by_file(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["file"], []).append(row)
    return out


def stored(x: Any) -> Any:
    """What an xlsx cell holds for a JSON value: both writers store 16 significant digits."""
    return float(f"{x:.16g}") if isinstance(x, float) else x


def link(cell: Any) -> str:
    assert cell.hyperlink is not None, cell.coordinate
    return str(cell.hyperlink.target)


def test_run_exit_code_and_inputs_untouched(run: dict[str, Any], corpus: Corpus) -> None:
    assert run["result"].exit_code == EXIT_UNREADABLE, run["result"].output
    assert run["before"] == run["after"]
    assert not [p for p in corpus.folder.iterdir() if p.name.startswith(".~iku")]
    wb = run["book"]
    assert wb.sheetnames == [
        wbk.SHEET_SUMMARY,
        wbk.SHEET_SASARAN,
        wbk.SHEET_INDICATORS,
        wbk.SHEET_FINDINGS,
        wbk.SHEET_PREDICATE,
        wbk.SHEET_CHANGES,
    ]


def test_ringkasan_matches_check_json(run: dict[str, Any], corpus: Corpus) -> None:
    rows = table(run["book"][wbk.SHEET_SUMMARY], OPD_COLUMNS)
    docs = run["docs"]
    assert sorted(r["file"] for r in rows) == sorted(p.name for p in corpus.readable)
    for row in rows:
        doc = docs[row["file"]]
        path = corpus.folder / row["file"]
        severities = Counter(f["severity"] for f in doc["findings"])
        assert row["agency"] == check_file(path).workbook.settings.agency
        assert row["year"] == doc["year"]
        assert row["indicators"] == len(doc["indicators"])
        assert row["capaian"] == stored(doc["overall"]["capaian"])
        assert row["predicate"] == doc["overall"]["predicate"]
        assert (row["errors"], row["warnings"], row["infos"]) == (
            severities["error"],
            severities["warning"],
            severities["info"],
        )
        assert row["sha256"] == run["before"][row["file"]]
        assert link(row["_cells"]["file"]) == f"opd/{row['file']}"
        assert row["_cells"]["capaian"].number_format == wbk.PERCENT_FORMAT


def test_unreadable_files_are_listed_with_the_reason(run: dict[str, Any], corpus: Corpus) -> None:
    ws = run["book"][wbk.SHEET_SUMMARY]
    n_opd = len(corpus.readable)
    title_row = n_opd + 3
    assert ws.cell(row=title_row, column=1).value == "File yang tidak dapat dibaca (2)"
    failures = table(ws, FAILURE_COLUMNS, title_row + 1)
    docs = run["docs"]
    assert {r["file"]: r["error"] for r in failures} == {
        p.name: docs[p.name]["error"] for p in corpus.unreadable
    }
    stderr = run["result"].stderr
    assert all(str(p) in stderr for p in corpus.unreadable)


def test_per_sasaran_matches_check_json(run: dict[str, Any]) -> None:
    rows = by_file(table(run["book"][wbk.SHEET_SASARAN], SASARAN_COLUMNS))
    for name, doc in run["docs"].items():
        if "error" in doc:
            assert name not in rows
            continue
        got = [{k: r[k] for k in ("name", "capaian", "predicate")} for r in rows[name]]
        assert got == [{k: stored(v) for k, v in s.items()} for s in doc["sasaran"]]
        per_sasaran = Counter(i["sasaran"] for i in doc["indicators"])
        assert [r["indicators"] for r in rows[name]] == [per_sasaran[s["name"]] for s in got]


def test_per_indikator_matches_check_json_cell_by_cell(run: dict[str, Any]) -> None:
    ws = run["book"][wbk.SHEET_INDICATORS]
    rows = by_file(table(ws, INDICATOR_COLUMNS))
    keys = list(next(iter(d for d in run["docs"].values() if "indicators" in d))["indicators"][0])
    assert set(keys) <= {c.name for c in INDICATOR_COLUMNS}
    n = 0
    for name, doc in run["docs"].items():
        if "error" in doc:
            continue
        per_code = Counter(f["code"] for f in doc["findings"] if f["code"])
        assert len(rows[name]) == len(doc["indicators"])
        for row, ind in zip(rows[name], doc["indicators"], strict=True):
            for key in keys:
                want = stored(ind[key]) if ind[key] != "" else None  # "" is an empty cell
                assert row[key] == want, (name, ind["code"], key)
            assert row["year"] == doc["year"]
            assert row["findings"] == per_code[ind["code"]]
            n += 1
    assert n > 500
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{chr(64 + len(INDICATOR_COLUMNS))}{n + 1}"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.print_title_rows == "$1:$1"


def test_temuan_matches_check_json_with_links_to_cells(run: dict[str, Any]) -> None:
    rows = by_file(table(run["book"][wbk.SHEET_FINDINGS], FINDING_COLUMNS))
    total = 0
    for name, doc in run["docs"].items():
        if "error" in doc:
            continue
        got = rows.get(name, [])
        want = [{k: (v if v != "" else None) for k, v in f.items()} for f in doc["findings"]]
        keys = ("rule", "severity", "sheet", "cell", "code", "message")
        assert [{k: r[k] for k in keys} for r in got] == want
        for r in got:
            target = link(r["_cells"]["cell"])
            assert target == f"opd/{name}#'{r['sheet']}'!{r['cell'] or 'A1'}"
        total += len(got)
    assert total > 50
    assert any(r["severity"] == "error" for rs in rows.values() for r in rs)


def test_predikat_counts_and_chart(run: dict[str, Any]) -> None:
    ws = run["book"][wbk.SHEET_PREDICATE]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Instansi", "Tahun"] and header[-3:] == [
        wbk.NO_PREDICATE,
        "Jumlah",
        "File",
    ]
    labels = header[2:-3]
    assert set(labels) == {"Sangat Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah"}
    assert labels == ["Sangat Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah"]
    seen = 0
    for r in range(2, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, len(header) + 1)]
        if values[-1] is None:
            break
        doc = run["docs"][values[-1]]
        counts = Counter(i["predicate"] for i in doc["indicators"])
        assert values[2:-3] == [counts[label] for label in labels]
        assert values[-3] == counts[None]
        assert values[-2] == len(doc["indicators"])
        seen += 1
    assert seen == sum(1 for d in run["docs"].values() if "error" not in d)
    assert len(ws._charts) == 1


def test_year_over_year(run: dict[str, Any], corpus: Corpus) -> None:
    rows = table(run["book"][wbk.SHEET_CHANGES], CHANGE_COLUMNS)
    twice = {a: files for a, files in corpus.by_agency.items() if len(files) == 2}
    assert {r["agency"] for r in rows} == set(twice)
    docs = run["docs"]
    for r in rows:
        now, before = twice[r["agency"]]
        assert (r["file"], r["file_before"]) == (now.name, before.name)
        assert (r["year"], r["year_before"]) == (docs[now.name]["year"], docs[before.name]["year"])
        now_c, before_c = (
            docs[now.name]["overall"]["capaian"],
            docs[before.name]["overall"]["capaian"],
        )
        assert r["capaian"] == stored(now_c)
        assert r["capaian_before"] == stored(before_c)
        assert r["change"] == stored(now_c - before_c)


def test_report_json_lists_every_finding_and_failure(run: dict[str, Any]) -> None:
    report = json.loads(run["report"].read_text(encoding="utf-8"))["files"]
    got = {Path(d["file"]).name: d for d in report}
    assert got.keys() == run["docs"].keys()
    for name, doc in run["docs"].items():
        if "error" in doc:
            assert got[name]["failed"] == doc["error"]
        else:
            assert got[name]["findings"] == doc["findings"]


def test_recap_is_written_next_to_not_inside_inputs(run: dict[str, Any], corpus: Corpus) -> None:
    assert run["out"].parent == corpus.folder.parent
    assert sorted(run["before"]) == sorted(os.listdir(corpus.folder))
