"""The ``refresh``, ``new`` and ``demo`` commands: batches, reports, dry runs, exit codes.

Commands run through click's ``CliRunner`` (stdout and stderr apart, never a terminal) and once
as a real subprocess. No command may ever print a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from iku_excel.api import check_file, refresh_file
from iku_excel.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, cli
from iku_excel.contract import SHEET_CAPAIAN, SHEET_VALIDASI
from iku_excel.model import Evaluation
from tests.test_refresh import AGENCY, EXAMPLE, build_case

#: tqdm's bar on stderr: "iku-excel:  50%|█████     | 1/2 [00:00<00:00, 3.1file/s]".
PROGRESS = re.compile(r"\d+%\||file/s|s/file")
FINDING_KEYS = ("rule", "severity", "sheet", "cell", "code", "message")


def run(args: Sequence[str]) -> Result:
    """``iku-excel ARGS`` in-process; never a traceback, never an uncaught exception."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


# --- A folder to refresh --------------------------------------------------------------------------

GOOD = ("good1.xlsx", "good2.xlsx", "sub/good3.xlsx")
BROKEN = "broken.xlsx"
ORPHAN_LOCK = "~$gone.xlsx"  # Excel's lock file of a workbook that is not there


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with three good workbooks (one in a subfolder), a broken one, a lock file and
    a text file; copied by :func:`make_batch` for each test."""
    folder = tmp_path_factory.mktemp("originals") / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(EXAMPLE, folder / GOOD[0])
    build_case("rich_a", folder / GOOD[1])
    build_case("rich_c", folder / GOOD[2])
    (folder / BROKEN).write_bytes(os.urandom(4096))
    (folder / ORPHAN_LOCK).write_bytes(b"\x05Admin" + bytes(160))
    (folder / "catatan.txt").write_text("bukan workbook\n")
    return folder


@dataclass(frozen=True)
class Expected:
    """What ``check`` says of one good workbook before refresh."""

    indicators: int
    errors: int
    warnings: int
    findings: set[tuple[str, ...]]


@pytest.fixture(scope="module")
def expected(originals: Path) -> dict[str, Expected]:
    out: dict[str, Expected] = {}
    for name in GOOD:
        ev: Evaluation = check_file(originals / name)
        out[name] = Expected(
            len(ev.indicators),
            ev.n_errors,
            ev.n_warnings,
            {tuple(str(getattr(f, key)) for key in FINDING_KEYS) for f in ev.findings},
        )
    return out


def make_batch(originals: Path, where: Path, name: str = "batch") -> Path:
    folder = where / name
    shutil.copytree(originals, folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def summary_line(stdout: str, path: str) -> list[int]:
    """The numbers after the file name on its line of the closing table."""
    lines = [line for line in stdout.splitlines() if line.startswith(path + " ")]
    assert len(lines) == 1, (path, stdout)
    return [int(x) for x in re.findall(r"\b\d+\b", lines[0][len(path) :])]


# --- refresh: the batch ---------------------------------------------------------------------------


def test_batch_refreshes_the_good_files_and_reports_the_broken_one(
    originals: Path, expected: dict[str, Expected], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = make_batch(originals, tmp_path)
    before = snapshot(folder)
    result = run(["refresh", "batch"])
    assert result.exit_code == EXIT_UNREADABLE
    after = snapshot(folder)
    for name in GOOD:
        assert after[name] != before[name]
        book = openpyxl.load_workbook(folder / name, read_only=True)
        assert book.sheetnames[-2:] == [SHEET_CAPAIAN, SHEET_VALIDASI]
        book.close()
        want = expected[name]
        assert summary_line(result.stdout, f"batch/{name}") == [
            want.indicators,
            want.errors,
            want.warnings,
        ]
    # the broken file failed, untouched; the lock file and the text file were not processed
    for name in (BROKEN, ORPHAN_LOCK, "catatan.txt"):
        assert after[name] == before[name]
    assert sorted(after) == sorted(before)  # no temp file, no backup left behind
    assert summary_line(result.stdout, f"batch/{BROKEN}") == []
    assert f"batch/{BROKEN}" in result.stderr
    assert ORPHAN_LOCK not in result.stdout + result.stderr
    assert "catatan" not in result.stdout
    total = result.stdout.strip().splitlines()[-1]
    assert [int(x) for x in re.findall(r"\d+", total)] == [
        len(GOOD) + 1,
        sum(e.indicators for e in expected.values()),
        sum(e.errors for e in expected.values()),
        sum(e.warnings for e in expected.values()),
        1,
    ]


def test_a_workbook_open_in_excel_fails_and_the_others_are_refreshed(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = make_batch(originals, tmp_path)
    (folder / BROKEN).unlink()
    (folder / f"~${Path(GOOD[0]).name}").write_bytes(b"\x05Admin" + bytes(160))
    before = snapshot(folder)
    result = run(["refresh", "batch"])
    assert result.exit_code == EXIT_UNREADABLE
    after = snapshot(folder)
    assert after[GOOD[0]] == before[GOOD[0]]
    assert all(after[name] != before[name] for name in GOOD[1:])
    assert f"batch/{GOOD[0]}" in result.stderr


def test_only_findings_give_exit_1_and_a_clean_batch_exit_0(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = make_batch(originals, tmp_path)
    (folder / BROKEN).unlink()
    assert run(["refresh", "batch"]).exit_code == EXIT_FINDINGS  # the example has errors
    build_case("clean", tmp_path / "clean.xlsx")
    assert run(["refresh", "clean.xlsx"]).exit_code == EXIT_OK


def test_jobs_2_gives_the_same_results_as_jobs_1(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one, two = make_batch(originals, tmp_path, "one"), make_batch(originals, tmp_path, "two")
    serial = run(["refresh", "one", "--jobs", "1", "--report", "one.json"])
    parallel = run(["refresh", "two", "--jobs", "2", "--report", "two.json"])
    assert parallel.exit_code == serial.exit_code == EXIT_UNREADABLE
    assert parallel.stdout.replace("two", "one") == serial.stdout
    assert snapshot(one) == snapshot(two)
    reports = [json.loads(Path(f"{n}.json").read_text(encoding="utf-8")) for n in ("one", "two")]
    assert json.dumps(reports[1]).replace("two", "one") == json.dumps(reports[0])


def _expected_rows(expected: dict[str, Expected], prefix: str) -> set[tuple[str, ...]]:
    return {
        (f"{prefix}/{name}", *finding) for name, e in expected.items() for finding in e.findings
    }


def test_report_json_holds_every_finding_of_every_file(
    originals: Path, expected: dict[str, Expected], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_batch(originals, tmp_path)
    result = run(["refresh", "batch", "--report", "r.json"])
    assert result.exit_code == EXIT_UNREADABLE
    files = json.loads(Path("r.json").read_text(encoding="utf-8"))["files"]
    assert sorted(f["file"] for f in files) == sorted(f"batch/{n}" for n in (*GOOD, BROKEN))
    rows = {
        (f["file"], *(str(finding[key]) for key in FINDING_KEYS))
        for f in files
        for finding in f.get("findings", [])
    }
    assert rows == _expected_rows(expected, "batch")
    failed = {f["file"]: f["failed"] for f in files}
    assert failed.pop(f"batch/{BROKEN}")
    assert set(failed.values()) == {None}


def test_report_csv_holds_every_finding_of_every_file(
    originals: Path, expected: dict[str, Expected], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_batch(originals, tmp_path)
    result = run(["refresh", "batch", "--report", "r.csv", "--dry-run"])
    assert result.exit_code == EXIT_UNREADABLE
    frame = pd.read_csv("r.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == ["file", *FINDING_KEYS]
    rows = {tuple(row) for row in frame.itertuples(index=False)}
    broken = {row for row in rows if row[0] == f"batch/{BROKEN}"}
    assert len(broken) == 1 and next(iter(broken))[2] == "error"
    assert rows - broken == _expected_rows(expected, "batch")
    assert len(frame) == len(rows)  # no duplicate rows


def test_dry_run_changes_no_bytes_and_says_what_would_change(
    originals: Path, expected: dict[str, Expected], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = make_batch(originals, tmp_path)
    before = snapshot(folder)
    result = run(["refresh", "batch", "--dry-run"])
    assert result.exit_code == EXIT_UNREADABLE
    assert snapshot(folder) == before
    for name in GOOD:
        would = refresh_file(folder / name, dry_run=True)
        want = expected[name]
        numbers = summary_line(result.stdout, f"batch/{name}")
        assert numbers == [want.indicators, want.errors, want.warnings, len(would.changed_cells)]
        assert len(would.changed_cells) > 0
    assert snapshot(folder) == before


def test_backup_option_keeps_the_originals(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = make_batch(originals, tmp_path)
    before = snapshot(folder)
    run(["refresh", "batch", "--backup"])
    after = snapshot(folder)
    for name in GOOD:
        stem = Path(name).stem
        backups = [k for k in after if k not in before and Path(k).name.startswith(stem + ".")]
        assert len(backups) == 1, backups
        assert after[backups[0]] == before[name]
    assert BROKEN in after and not any(k.startswith("broken.backup") for k in after)


def test_no_progress_bar_unless_asked_when_not_a_terminal(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_batch(originals, tmp_path)
    quiet = run(["refresh", "batch", "--dry-run"])
    assert not PROGRESS.search(quiet.stderr)
    forced = run(["refresh", "batch", "--dry-run", "--progress"])
    assert PROGRESS.search(forced.stderr)  # the check above can fail


def test_a_real_process_prints_the_summary_without_progress_bar_or_traceback(
    originals: Path, expected: dict[str, Expected], tmp_path: Path
) -> None:
    make_batch(originals, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "iku_excel.cli", "refresh", "batch", "--jobs", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == EXIT_UNREADABLE
    assert "Traceback" not in done.stderr + done.stdout
    assert not PROGRESS.search(done.stderr)
    for name in GOOD:
        want = expected[name]
        assert summary_line(done.stdout, f"batch/{name}") == [
            want.indicators,
            want.errors,
            want.warnings,
        ]


KITCHEN_SINK = Path(__file__).resolve().parent / "corpus" / "kitchen-sink.xlsm"


@pytest.mark.parametrize("command", ["check", "refresh", "--version"])
def test_stderr_stays_empty_for_a_workbook_with_excel_2010_extensions(
    command: str, tmp_path: Path
) -> None:
    shutil.copyfile(KITCHEN_SINK, tmp_path / KITCHEN_SINK.name)
    args = [command] if command.startswith("--") else [command, KITCHEN_SINK.name]
    done = subprocess.run(
        [sys.executable, "-m", "iku_excel.cli", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (EXIT_OK, EXIT_FINDINGS), done.stderr
    assert done.stderr == ""


def test_nothing_to_refresh_and_a_missing_file_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("kosong").mkdir()
    assert run(["refresh", "kosong"]).exit_code == EXIT_UNREADABLE
    missing = run(["refresh", "tidak-ada.xlsx"])
    assert missing.exit_code == EXIT_UNREADABLE
    assert "tidak-ada.xlsx" in missing.stderr


# --- new and demo ---------------------------------------------------------------------------------


def test_new_creates_a_workbook_that_checks_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["new", "IKU_2026.xlsx", "--year", "2026", "--agency", AGENCY])
    assert result.exit_code == EXIT_OK
    assert "IKU_2026.xlsx" in result.stdout
    checked = run(["check", "IKU_2026.xlsx"])
    assert checked.exit_code == EXIT_OK
    settings = check_file(Path("IKU_2026.xlsx")).workbook.settings
    assert (settings.year, settings.agency) == (2026, AGENCY)
    rpjmd = settings.rpjmd_start, settings.rpjmd_end
    assert rpjmd[0] is not None and rpjmd[1] is not None and rpjmd[0] <= 2026 <= rpjmd[1]
    # a year outside the default RPJMD period gets a period that contains it
    assert run(["new", "IKU_2031.xlsx", "--year", "2031"]).exit_code == EXIT_OK
    assert run(["check", "IKU_2031.xlsx"]).exit_code == EXIT_OK
    later = check_file(Path("IKU_2031.xlsx")).workbook.settings
    assert later.rpjmd_start is not None and later.rpjmd_end is not None
    assert later.rpjmd_start <= 2031 <= later.rpjmd_end
    # and it can be refreshed
    assert run(["refresh", "IKU_2026.xlsx"]).exit_code == EXIT_OK


def test_new_refuses_to_overwrite_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(EXAMPLE, "IKU.xlsx")
    before = Path("IKU.xlsx").read_bytes()
    refused = run(["new", "IKU.xlsx", "--year", "2026"])
    assert refused.exit_code == EXIT_UNREADABLE
    assert "IKU.xlsx" in refused.stderr
    assert Path("IKU.xlsx").read_bytes() == before
    forced = run(["new", "IKU.xlsx", "--year", "2026", "--force"])
    assert forced.exit_code == EXIT_OK
    assert Path("IKU.xlsx").read_bytes() != before
    assert check_file(Path("IKU.xlsx")).indicators == ()
    assert run(["new", "IKU.txt"]).exit_code == EXIT_UNREADABLE  # not a workbook name


def test_demo_creates_the_refreshed_example_and_says_where_to_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["demo", "coba"])
    assert result.exit_code == EXIT_OK
    made = Path("coba") / EXAMPLE.name
    assert str(made) in result.stdout
    book = openpyxl.load_workbook(made, read_only=True)
    assert book.sheetnames[-2:] == [SHEET_CAPAIAN, SHEET_VALIDASI]
    book.close()
    for sheet in (SHEET_CAPAIAN, SHEET_VALIDASI):
        assert sheet in result.stdout
    # the demo's file is what refreshing the example gives
    reference = tmp_path / "ref" / EXAMPLE.name
    reference.parent.mkdir()
    shutil.copyfile(EXAMPLE, reference)
    refresh_file(reference)
    assert made.read_bytes() == reference.read_bytes()
    assert run(["demo", "coba"]).exit_code == EXIT_OK  # again, into the same folder


def test_engine_excel_refuses_clearly_without_excel(tmp_path: Path) -> None:
    """--engine excel needs Microsoft Excel: here (Linux) one line, exit 2, file untouched."""
    import sys

    if sys.platform in ("win32", "darwin"):
        pytest.skip("a machine that may have Excel")
    target = tmp_path / "ex.xlsx"
    shutil.copyfile(EXAMPLE, target)
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["refresh", "--engine", "excel", str(target)])
    assert result.exit_code == 2
    assert "Excel" in result.output and "Traceback" not in result.output
    assert target.read_bytes() == before
