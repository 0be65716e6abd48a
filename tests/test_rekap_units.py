"""The recap's parts on small inputs: frames and their docs, crash isolation, the command's
refusals and exit codes, --year, --report, the progress bar, and the ribbon's Rekap Folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from iku_excel.api import check_file
from iku_excel.api import rekap as api_rekap
from iku_excel.rekap import collect, frames
from iku_excel.rekap import ribbon as rekap_ribbon
from iku_excel.rekap.command import rekap_command
from iku_excel.rekap.workbook import SHEET_SUMMARY
from iku_excel.report import finding_json, indicator_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"  # has errors
CLEAN = ROOT / "tests" / "fixtures" / "custom-predicate-scale.xlsx"  # no finding at all
NO_IKU = ROOT / "tests" / "fixtures" / "missing-iku-sheet.xlsx"


def copies(folder: Path, *sources: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(s, folder / s.name)) for s in sources]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(rekap_command, list(args))


# --- Frames and docs ------------------------------------------------------------------------------


def test_committed_docs_page_is_generated_from_the_code() -> None:
    committed = (ROOT / "docs" / "rekap.md").read_text(encoding="utf-8")
    assert committed == frames.rekap_docs(), "regenerate docs/rekap.md from rekap_docs()"


@pytest.mark.parametrize("name", sorted(frames.FRAMES))
def test_every_column_is_documented_with_its_dtype(name: str) -> None:
    page = frames.rekap_docs()
    for c in frames.FRAMES[name]:
        assert f"| `{c.name}` | {c.dtype} |" in page


def test_evaluation_frames_use_the_check_json_names_and_values() -> None:
    ev = check_file(EXAMPLE)
    f = frames.evaluation_frames(ev, str(EXAMPLE))
    for frame, columns in (
        (f.opd, frames.OPD_COLUMNS),
        (f.sasaran, frames.SASARAN_COLUMNS),
        (f.indicators, frames.INDICATOR_COLUMNS),
        (f.findings, frames.FINDING_COLUMNS),
    ):
        assert list(frame.columns) == [c.name for c in columns]
        assert [str(t) for t in frame.dtypes] == [c.dtype for c in columns]
    assert len(f.indicators) == len(ev.indicators) > 0
    for rec, r in zip(f.indicators.to_dict("records"), ev.indicators, strict=True):
        want = indicator_json(r)
        got = {k: (None if rec[k] is pd.NA else rec[k]) for k in want}
        assert got == want
        assert rec["file"] == str(EXAMPLE)
    assert f.findings[list(finding_json(ev.findings[0]))].to_dict("records") == [
        finding_json(x) for x in ev.findings
    ]
    opd = f.opd.iloc[0]
    assert (opd["errors"], opd["warnings"]) == (ev.n_errors, ev.n_warnings) and ev.n_errors > 0
    assert opd["capaian"] == ev.overall.capaian


def test_missing_figures_are_na_not_zero() -> None:
    r = api_rekap([ROOT / "tests" / "fixtures" / "range-target.xlsx"])
    ind = r.indicators
    ranged = ind["target_low"].notna()
    assert ranged.any() and ind.loc[ranged, "target"].isna().all()
    assert ind.loc[ind["realisasi"].isna(), "capaian"].isna().all()
    assert ind["capaian"].dtype == "Float64"


# --- Collecting -----------------------------------------------------------------------------------


def test_a_crashing_worker_costs_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = copies(tmp_path / "in", EXAMPLE, CLEAN)
    crash = Path(shutil.copyfile(EXAMPLE, tmp_path / "in" / "crash.xlsx"))
    real = collect.check_file

    def dying(path: Path) -> Any:
        if Path(path).name == "crash.xlsx":
            os._exit(1)  # a worker process dies (as on a segfault)
        return real(path)

    monkeypatch.setattr(collect, "check_file", dying)  # workers are forked after this
    monkeypatch.setenv("IKU_EXCEL_START_METHOD", "fork")  # even if another test left a thread
    names = [str(files[0]), str(crash), str(files[1])]
    results = collect.check_many(names, 2)
    assert isinstance(results[1], collect.Failed)
    assert results[1].error.startswith(collect.CRASH_REASON)
    assert [isinstance(r, frames.FileRows) for r in results] == [True, False, True]


def test_the_command_isolates_a_crash_even_with_one_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rekap --jobs 1`` reads in a worker process too: a file that kills its reader is a
    failure row and the recap of the others is written (it used to take the command down)."""
    copies(tmp_path / "in", EXAMPLE, CLEAN)
    shutil.copyfile(EXAMPLE, tmp_path / "in" / "crash.xlsx")
    real = collect.check_file

    def dying(path: Path) -> Any:
        if Path(path).name == "crash.xlsx":
            os._exit(1)
        return real(path)

    monkeypatch.setattr(collect, "check_file", dying)
    monkeypatch.setenv("IKU_EXCEL_START_METHOD", "fork")
    out = tmp_path / "rekap.xlsx"
    result = CliRunner().invoke(
        rekap_command, [str(tmp_path / "in"), "-o", str(out), "--jobs", "1", "--no-progress"]
    )
    assert result.exit_code == 2, result.output
    assert "crash.xlsx" in result.stderr and "Traceback" not in result.output
    assert load_workbook(out, read_only=True)[SHEET_SUMMARY].max_row >= 2
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # a new file's mode, not mkstemp's 0600


def test_unreadable_and_internal_failures_are_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = copies(tmp_path, EXAMPLE, NO_IKU)
    r = api_rekap(files)
    assert list(r.failures["file"]) == [str(files[1])]
    assert r.internal_errors == 0 and len(r.opd) == 1

    def buggy(path: Path) -> Any:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(collect, "check_file", buggy)
    r = api_rekap(files[:1])
    assert r.internal_errors == 1
    assert "ZeroDivisionError" in r.failures["error"].iloc[0]


def test_expand_inputs_follows_the_cli_rules(tmp_path: Path) -> None:
    from iku_excel.batch import expand_inputs as cli_expand

    folder = tmp_path / "opd"
    copies(folder / "sub", EXAMPLE)
    copies(folder, CLEAN)
    (folder / "~$lock.xlsx").write_bytes(b"x")
    (folder / ".~iku-tmp.xlsx").write_bytes(b"x")
    (folder / "notes.txt").write_text("x")
    items = [folder, folder / CLEAN.name]
    assert collect.expand_inputs(items) == cli_expand(items)
    assert [p.name for p in collect.expand_inputs(items)] == [CLEAN.name, EXAMPLE.name]


# --- The command ----------------------------------------------------------------------------------


def test_exit_codes(tmp_path: Path) -> None:
    clean, example = copies(tmp_path / "in", CLEAN, EXAMPLE)
    assert invoke(str(clean), "-o", str(tmp_path / "a.xlsx")).exit_code == 0
    assert invoke(str(example), "-o", str(tmp_path / "b.xlsx")).exit_code == 1
    bad = copies(tmp_path / "in2", NO_IKU)[0]
    result = invoke(str(clean), str(bad), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert (tmp_path / "c.xlsx").is_file()  # the rest is still built


def test_refusals(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke(str(tmp_path / "empty"), "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 2 and not (tmp_path / "r.xlsx").exists()
    clean = copies(tmp_path / "in", CLEAN)[0]
    before = clean.read_bytes()
    assert invoke(str(clean), "-o", str(clean)).exit_code == 2
    assert clean.read_bytes() == before
    assert invoke(str(clean), "-o", str(tmp_path / "r.csv")).exit_code == 2


def test_a_recap_inside_an_input_folder_is_not_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "opd"
    copies(folder, CLEAN, EXAMPLE)
    out = folder / "rekap.xlsx"
    assert invoke(str(folder), "-o", str(out)).exit_code == 1
    assert invoke(str(folder), "-o", str(out)).exit_code == 1  # not "unreadable: rekap.xlsx"
    rows = [r for r in load_workbook(out)[SHEET_SUMMARY].iter_rows(min_row=2, values_only=True)]
    assert sorted(r[8] for r in rows if r[0]) == sorted([CLEAN.name, EXAMPLE.name])


def test_year_keeps_that_year_and_the_one_before(tmp_path: Path) -> None:
    from benchmarks.generate import generate_workbook

    clean, example = copies(tmp_path / "in", CLEAN, EXAMPLE)
    later = generate_workbook(tmp_path / "in" / "later.xlsx", 5).path
    years = [check_file(p).workbook.settings.year for p in (clean, example, later)]
    assert years == [2023, 2023, 2024]
    r = api_rekap([clean, example, later], year=2023)
    assert list(r.opd["file"]) == [str(clean), str(example)]
    assert r.skipped == (str(later),)
    r = api_rekap([clean, example, later], year=2025)
    assert list(r.opd["file"]) == [str(later)] and len(r.skipped) == 2
    result = invoke(str(tmp_path / "in"), "-o", str(tmp_path / "r.xlsx"), "--year", "2023")
    assert "1 dilewati" in result.stdout


def test_report_csv(tmp_path: Path) -> None:
    example, bad = copies(tmp_path / "in", EXAMPLE, NO_IKU)
    report = tmp_path / "temuan.csv"
    invoke(str(example), str(bad), "-o", str(tmp_path / "r.xlsx"), "--report", str(report))
    frame = pd.read_csv(report, encoding="utf-8-sig", keep_default_na=False)
    ev = check_file(example)
    assert list(frame.columns) == ["file", "rule", "severity", "sheet", "cell", "code", "message"]
    assert sorted(frame[frame.file == str(example)].rule) == sorted(f.rule for f in ev.findings)
    assert list(frame[frame.file == str(bad)].rule) == ["file-failed"]


@pytest.mark.parametrize("name", ["laporan.xlsx", "laporan.txt", "tidak-ada/laporan.csv"])
def test_bad_report_path_is_refused_before_reading(tmp_path: Path, name: str) -> None:
    """The same refusals as ``refresh --report``, before any workbook is read or written."""
    example = copies(tmp_path / "in", EXAMPLE)[0]
    out = tmp_path / "r.xlsx"
    result = invoke(str(example), "-o", str(out), "--report", str(tmp_path / name))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not out.exists()


def test_report_csv_is_neutralised(tmp_path: Path) -> None:
    """A finding message or code that starts like a formula reaches the CSV as text."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book["IKU"]
    sheet["A3"] = "=cmd|' /C calc'!A0"  # the code of an indicator that has findings
    sheet["A3"].data_type = "s"
    src = tmp_path / "in" / "injected.xlsx"
    src.parent.mkdir()
    book.save(src)
    report = tmp_path / "temuan.csv"
    invoke(str(src), "-o", str(tmp_path / "r.xlsx"), "--report", str(report))
    frame = pd.read_csv(report, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    codes = set(frame.code)
    assert "'=cmd|' /C calc'!A0" in codes
    assert not any(str(c).startswith("=") for c in codes)


def test_progress_bar_only_when_asked(tmp_path: Path) -> None:
    clean = copies(tmp_path / "in", CLEAN)[0]
    shown = invoke(str(clean), "-o", str(tmp_path / "a.xlsx"), "--progress")
    hidden = invoke(str(clean), "-o", str(tmp_path / "b.xlsx"), "--no-progress")
    assert "rekap: 100%" in shown.stderr
    assert "rekap:" not in hidden.stderr


# --- The ribbon's Rekap Folder ------------------------------------------------------------------


@pytest.fixture
def book(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from tests.helpers.xlwings_replay import enable_remote_engine, remote_book

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    return remote_book(CLEAN)


def _alerts(book: Any) -> list[str]:
    return [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]


def test_rekap_folder_writes_the_recap_next_to_the_folder(book: Any, tmp_path: Path) -> None:
    folder = tmp_path / "OPD 2023"
    copies(folder, CLEAN, EXAMPLE, NO_IKU)
    (tmp_path / "Rekap_OPD 2023.xlsx").write_bytes(b"an older recap")
    out = rekap_ribbon.rekap_folder(book, chooser=lambda b: folder)
    assert out == tmp_path / "Rekap_OPD 2023 (2).xlsx"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [CLEAN.name, EXAMPLE.name, NO_IKU.name]
    )
    n_errors = check_file(EXAMPLE).n_errors
    assert _alerts(book) == [rekap_ribbon.rekap_message(2, 1, n_errors, out)]
    assert load_workbook(out).sheetnames[0] == SHEET_SUMMARY


def test_rekap_folder_cancelled_or_empty(book: Any, tmp_path: Path) -> None:
    assert rekap_ribbon.rekap_folder(book, chooser=lambda b: None) is None
    assert _alerts(book) == []
    (tmp_path / "kosong").mkdir()
    assert rekap_ribbon.rekap_folder(book, folder=tmp_path / "kosong") is None
    assert len(_alerts(book)) == 1 and str(tmp_path / "kosong") in _alerts(book)[0]
