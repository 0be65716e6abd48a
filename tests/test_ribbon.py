"""Each ribbon button's Python function, walked against a remote-engine book (no Excel).

xlwings' remote engine records what the function does (``book.json()["actions"]``): the sheets
written, the sheet activated, the message box. Expected counts come from the file engine's own
evaluation of the same workbook.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from iku_excel import contract as c
from iku_excel import ribbon
from iku_excel.api import check_file, refresh_file
from iku_excel.backends.xlwings_engine import XlwingsEngine
from iku_excel.errors import LOG_DIR_ENV, ContractError
from iku_excel.template import template_path
from tests.helpers.xlwings_replay import (
    enable_remote_engine,
    remote_book,
    replay_onto,
    sheet_differences,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
FIXTURE_DIR = ROOT / "tests" / "fixtures"

CLEAN = FIXTURE_DIR / "custom-predicate-scale.xlsx"  # no finding at all
NO_IKU_SHEET = FIXTURE_DIR / "missing-iku-sheet.xlsx"


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))  # the ribbon's log folder


def actions_of(book: Any, func: str) -> list[dict[str, Any]]:
    return [a for a in book.json()["actions"] if a["func"] == func]


def alert(book: Any) -> tuple[str, str, str]:
    """(prompt, title, mode) of the one message box shown."""
    alerts = actions_of(book, "alert")
    assert len(alerts) == 1
    prompt, title, _buttons, mode, _callback = alerts[0]["args"]
    return prompt, title, mode


def activated(book: Any, sheet_names: list[str]) -> str:
    """The sheet activated last, by name (in the book's sheet order after the changes)."""
    index = actions_of(book, "activateSheet")[-1]["args"]
    return sheet_names[index[0] if isinstance(index, list) else index]


def _skip_without(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} not built (python tests/fixtures/build_fixtures.py)")


# --- Perbarui Capaian -----------------------------------------------------------------------------


def test_refresh_rebuilds_shows_validasi_and_reports_the_counts(tmp_path: Path) -> None:
    book = remote_book(EXAMPLE)
    ev = ribbon.refresh(book)
    expected_ev = check_file(EXAMPLE)
    assert ev is not None and ev.n_errors == expected_ev.n_errors > 0
    expected = refresh_file(shutil.copyfile(EXAMPLE, tmp_path / EXAMPLE.name), dry_run=True)
    prompt, title, mode = alert(book)
    assert prompt == ribbon.refresh_message(expected_ev, len(expected.changed_cells))
    assert (title, mode) == (ribbon.TITLE, "info")
    replayed, _ = replay_onto(EXAMPLE, book.json()["actions"])
    assert activated(book, replayed.sheetnames) == c.SHEET_VALIDASI
    assert {c.SHEET_CAPAIAN, c.SHEET_VALIDASI} <= set(replayed.sheetnames)


def test_refresh_without_errors_shows_capaian() -> None:
    _skip_without(CLEAN)
    book = remote_book(CLEAN)
    ev = ribbon.refresh(book)
    assert ev is not None and ev.n_errors == 0
    replayed, _ = replay_onto(CLEAN, book.json()["actions"])
    assert activated(book, replayed.sheetnames) == c.SHEET_CAPAIAN
    assert alert(book)[2] == "info"


def test_refresh_uses_the_calling_book_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings as xw

    book = remote_book(EXAMPLE)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    assert ribbon.refresh() is not None
    assert len(actions_of(book, "alert")) == 1


# --- Periksa --------------------------------------------------------------------------------------


def test_check_writes_only_validasi_and_reports_the_counts(tmp_path: Path) -> None:
    book = remote_book(EXAMPLE)
    ev = ribbon.check(book)
    expected_ev = check_file(EXAMPLE)
    assert ev is not None
    assert (ev.n_errors, ev.n_warnings, len(ev.findings)) == (
        expected_ev.n_errors,
        expected_ev.n_warnings,
        len(expected_ev.findings),
    )
    prompt, _, mode = alert(book)
    assert (prompt, mode) == (ribbon.check_message(expected_ev), "info")
    assert [a["args"][1] for a in actions_of(book, "addSheet")] == [c.SHEET_VALIDASI]
    iku_position = [s.name for s in book.sheets].index(c.SHEET_IKU)
    assert all(a["sheet_position"] != iku_position for a in actions_of(book, "setFormula"))
    replayed, _ = replay_onto(EXAMPLE, book.json()["actions"])
    assert activated(book, replayed.sheetnames) == c.SHEET_VALIDASI
    # the same Validasi sheet as a full refresh by the file engine writes
    by_file = shutil.copyfile(EXAMPLE, tmp_path / EXAMPLE.name)
    refresh_file(by_file)
    import openpyxl

    expected = openpyxl.load_workbook(by_file)[c.SHEET_VALIDASI]
    assert sheet_differences(expected, replayed[c.SHEET_VALIDASI]) == []


def test_check_on_a_clean_workbook() -> None:
    _skip_without(CLEAN)
    book = remote_book(CLEAN)
    ev = ribbon.check(book)
    assert ev is not None and ev.findings == ()
    assert alert(book)[0] == ribbon.check_message(ev)


def test_a_workbook_without_iku_sheet_is_explained_not_raised() -> None:
    _skip_without(NO_IKU_SHEET)
    for button in (ribbon.check, ribbon.refresh):
        book = remote_book(NO_IKU_SHEET)
        assert button(book) is None
        with pytest.raises(ContractError) as raised:
            check_file(NO_IKU_SHEET)
        prompt, _, mode = alert(book)
        assert mode == "critical" and str(raised.value) in prompt
        assert not actions_of(book, "addSheet") and not actions_of(book, "setFormula")


# --- Unexpected errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("button", [ribbon.check, ribbon.refresh])
def test_an_unexpected_error_gives_a_short_message_and_a_log(
    button: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(self: XlwingsEngine, name: str) -> None:
        raise KeyError("kolom hilang 12345")

    monkeypatch.setattr(XlwingsEngine, "read_sheet", broken)
    book = remote_book(EXAMPLE)
    assert button(book) is None  # no exception escapes
    prompt, _, mode = alert(book)
    logs = list((tmp_path / "logs").glob("ribbon-*.log"))
    assert len(logs) == 1 and mode == "critical"
    assert prompt.startswith(ribbon.failure_message("")) and str(logs[0]) in prompt
    assert "Traceback" not in prompt and len(prompt.splitlines()) == 2
    log = logs[0].read_text("utf-8")
    assert "KeyError: 'kolom hilang 12345'" in log and "read_sheet" in log


def test_a_disk_problem_is_explained_without_a_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import errno

    def disk_full(self: XlwingsEngine, name: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "wb.xlsx")

    monkeypatch.setattr(XlwingsEngine, "read_sheet", disk_full)
    book = remote_book(EXAMPLE)
    assert ribbon.check(book) is None
    prompt, _, mode = alert(book)
    assert mode == "critical" and prompt.startswith(ribbon.problem_message(""))
    assert "wb.xlsx" in prompt and "Errno" not in prompt
    assert not (tmp_path / "logs").exists()


def test_without_a_book_the_short_message_is_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import xlwings as xw

    def no_caller() -> None:
        raise RuntimeError("not called from Excel")

    monkeypatch.setattr(xw.Book, "caller", staticmethod(no_caller))
    with pytest.raises(RuntimeError) as raised:
        ribbon.check()
    logs = list((tmp_path / "logs").glob("ribbon-*.log"))
    assert len(logs) == 1 and str(logs[0]) in str(raised.value)
    assert str(raised.value).startswith(ribbon.failure_message(""))


# --- Templat Baru ---------------------------------------------------------------------------------


def test_new_workbook_on_the_remote_engine_explains_instead(tmp_path: Path) -> None:
    book = remote_book(EXAMPLE)
    assert ribbon.new_workbook(book, folder=tmp_path / "docs") is None
    prompt, _, mode = alert(book)
    assert mode == "info" and str(template_path()) in prompt
    assert not (tmp_path / "docs").exists()
    assert not actions_of(book, "addSheet")


@dataclass
class DesktopApp:
    """Stands in for desktop Excel's ``book.app``: records opened files and message boxes."""

    opened: list[Path] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @dataclass
    class _Engine:
        name: str = "excel"

    engine: _Engine = field(default_factory=_Engine)

    @property
    def books(self) -> DesktopApp:
        return self

    def open(self, fullname: str) -> None:
        self.opened.append(Path(fullname))

    def alert(self, prompt: str, **options: Any) -> None:
        self.alerts.append(prompt)


@dataclass
class DesktopBook:
    app: DesktopApp = field(default_factory=DesktopApp)


def test_new_workbook_on_desktop_copies_the_template_under_a_free_name(tmp_path: Path) -> None:
    book = DesktopBook()
    first = ribbon.new_workbook(book, folder=tmp_path)  # type: ignore[arg-type]
    second = ribbon.new_workbook(book, folder=tmp_path)  # type: ignore[arg-type]
    assert first == tmp_path / ribbon.NEW_WORKBOOK_NAME
    assert second is not None and second != first and second.parent == tmp_path
    assert book.app.opened == [first, second]
    assert first.read_bytes() == second.read_bytes() == template_path().read_bytes()
    assert [str(first) in book.app.alerts[0], str(second) in book.app.alerts[1]] == [True, True]


# --- Bantuan --------------------------------------------------------------------------------------


def test_help_opens_the_docs() -> None:
    book = remote_book(EXAMPLE)
    opened: list[str] = []

    def opener(url: str) -> bool:
        opened.append(url)
        return True

    assert ribbon.help(book, opener=opener) == ribbon.docs_location()
    assert opened == [ribbon.docs_location()]
    assert not actions_of(book, "alert")


def test_help_gives_the_address_when_nothing_can_open_it() -> None:
    book = remote_book(EXAMPLE)
    assert ribbon.help(book, opener=lambda url: False) is None
    assert ribbon.docs_location() in alert(book)[0]


# --- Cheap import ---------------------------------------------------------------------------------


def test_importing_the_ribbon_does_not_import_xlwings() -> None:
    code = "import sys, iku_excel.ribbon; print('xlwings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
