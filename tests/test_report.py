"""``refresh --report``: checked before any workbook is touched, written atomically, CSV cells
neutralised against formula injection (JSON keeps the text as it is)."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from iku_excel import contract as c
from iku_excel.batch import FileOutcome
from iku_excel.cli import EXIT_FINDINGS, EXIT_UNREADABLE, cli
from iku_excel.model import Finding
from iku_excel.report import neutralise, report_csv

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
HOSTILE = "=cmd|' /C calc'!A0"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def workbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / "wb.xlsx", tmp_path / "wb2.xlsx"]
    for p in paths:
        p.write_bytes(EXAMPLE.read_bytes())
    return paths


def digest(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


@pytest.mark.parametrize(
    "report",
    [
        "wb.xlsx",  # an input, and a workbook extension
        "other.xlsm",  # a workbook extension
        "laporan.txt",  # neither .csv nor .json
        "/nonexistent/r.csv",  # no such folder
        "sub",  # a folder
    ],
)
def test_a_bad_report_path_is_exit_2_before_any_workbook_is_touched(
    workbooks: list[Path], report: str
) -> None:
    Path("sub").mkdir()
    before = digest(workbooks)
    result = run("refresh", *workbooks, "--report", report)
    assert result.exit_code == EXIT_UNREADABLE
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert digest(workbooks) == before
    assert not Path("other.xlsm").exists() and not Path("laporan.txt").exists()


def test_the_report_cannot_be_one_of_the_inputs(workbooks: list[Path]) -> None:
    notes = Path("catatan.json")
    notes.write_text('{"milik": "perencana"}')
    before = digest(workbooks)
    result = run("refresh", *workbooks, notes, "--report", notes.resolve())
    assert result.exit_code == EXIT_UNREADABLE
    assert notes.read_text() == '{"milik": "perencana"}' and digest(workbooks) == before


def test_an_unwritable_report_folder_is_exit_2(
    workbooks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = Path("locked")
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(  # as for a folder of another user (root would write anyway)
        os, "access", lambda p, mode: False if Path(p) == locked.resolve() else real_access(p, mode)
    )
    before = digest(workbooks)
    result = run("refresh", *workbooks, "--report", locked / "r.csv")
    assert result.exit_code == EXIT_UNREADABLE and digest(workbooks) == before
    assert len(result.stderr.strip().splitlines()) == 1 and list(locked.iterdir()) == []


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.ENAMETOOLONG, errno.EACCES])
def test_a_failing_report_write_is_one_line_and_leaves_no_temp_file(
    workbooks: list[Path], monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    Path("r.csv").write_text("laporan lama\n")

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(number, os.strerror(number), str(src))

    monkeypatch.setattr(os, "replace", failing_replace)
    result = run("refresh", *workbooks, "--report", "r.csv")
    assert result.exit_code == EXIT_UNREADABLE
    (line,) = result.stderr.strip().splitlines()
    assert "r.csv" in line and "Errno" not in line
    assert Path("r.csv").read_text() == "laporan lama\n"  # the old report is intact
    assert sorted(p.name for p in Path().iterdir()) == ["r.csv", "wb.xlsx", "wb2.xlsx"]


def test_report_replaces_an_old_report_atomically(workbooks: list[Path]) -> None:
    Path("r.json").write_text("lama")
    result = run("refresh", *workbooks, "--report", "r.json")
    assert result.exit_code == EXIT_FINDINGS
    files = json.loads(Path("r.json").read_text(encoding="utf-8"))["files"]
    assert [f["file"] for f in files] == [str(p) for p in workbooks]


# --- CSV neutralisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("2.1", "2.1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_report_csv_neutralises_every_column() -> None:
    finding = Finding(
        rule="rule-x", severity="error", sheet="=S", cell="A1", code=HOSTILE, message="-5 %"
    )
    outcome = FileOutcome(file="@wb.xlsx", findings=(finding,))
    failed = FileOutcome(file="+x.xlsx", failed="=HYPERLINK()", failure_code=EXIT_UNREADABLE)
    rows = list(csv.reader(io.StringIO(report_csv([outcome, failed]))))
    assert rows[1] == ["'@wb.xlsx", "rule-x", "error", "'=S", "A1", "'" + HOSTILE, "'-5 %"]
    assert rows[2] == ["'+x.xlsx", "file-failed", "error", "", "", "", "'=HYPERLINK()"]


def _hostile_workbook(path: Path) -> None:
    """The example with indicator 2.1's code replaced by a formula-looking text."""
    wb = openpyxl.load_workbook(EXAMPLE)
    for ws in (wb[c.SHEET_IKU], wb[c.SHEET_RPJMD]):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "2.1":
                    cell.value = HOSTILE
                    cell.data_type = "s"  # text, not a formula
    wb.save(path)


def test_a_formula_looking_code_reaches_csv_as_text_and_json_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _hostile_workbook(tmp_path / "wb.xlsx")
    assert run("refresh", "wb.xlsx", "--dry-run", "--report", "r.csv").exit_code == EXIT_FINDINGS
    assert run("refresh", "wb.xlsx", "--dry-run", "--report", "r.json").exit_code == EXIT_FINDINGS
    rows = list(csv.DictReader(io.StringIO(Path("r.csv").read_text(encoding="utf-8-sig"))))
    codes = {row["code"] for row in rows}
    assert "'" + HOSTILE in codes and HOSTILE not in codes
    assert not any(v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
    (doc,) = json.loads(Path("r.json").read_text(encoding="utf-8"))["files"]
    assert HOSTILE in {f["code"] for f in doc["findings"]}
