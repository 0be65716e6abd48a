"""The xlwings Lite buttons (``lite/main.py``, :mod:`iku_excel.lite`), in CPython.

``lite/main.py`` runs through xlwings' own ``custom_scripts_call`` (what xlwings Lite calls) on a
remote-engine book; the async number-format and formula reads are answered by a fake of Lite's
client (``tests/helpers/lite_client.py``) from the workbook file. The recorded actions, replayed
onto a copy, must give the file engine's sheets; the figures must be the file engine's. The same
run inside Pyodide is ``tests/test_lite_pyodide.py``.
"""

from __future__ import annotations

import asyncio
import configparser
import importlib.util
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
import xlwings
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement

from iku_excel import lite, ribbon
from iku_excel.api import check_file, refresh_file
from iku_excel.backends.xlwings_engine import read_format_runs
from iku_excel.errors import LOG_DIR_ENV
from iku_excel.model import Evaluation
from tests.helpers import lite_client
from tests.helpers.xlwings_replay import (
    enable_remote_engine,
    payload,
    remote_book,
    replay_onto,
    sheet_differences,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
FIXTURES = ROOT / "tests" / "fixtures"
PERCENT = FIXTURES / "percent-formatted-cells.xlsx"
MAIN = ROOT / "lite" / "main.py"

#: Modules the Lite path must not load: compiled (no Pyodide wheel on PyPI) or CLI-only, the
#: browser opener, and the log folder's lookup (Lite writes no log file).
FORBIDDEN = (
    "lxml",
    "python_calamine",
    "openpyxl",
    "pandas",
    "numpy",
    "click",
    "tqdm",
    "defusedxml",
    "webbrowser",
    "platformdirs",
)
#: What installing iku-excel under Pyodide may pull (pure Python, used by the Lite path).
LITE_DEPENDENCIES: set[str] = set()


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))  # must stay absent: no log file


def load_main(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``lite/main.py`` as xlwings Lite loads it: ``xlwings.script`` is the Office.js one
    (Lite runs xlwings as a server, ``XLWINGS_ON_SERVER``), which registers the scripts."""
    import xlwings.server

    monkeypatch.setattr(xlwings, "script", xlwings.server.script)
    spec = importlib.util.spec_from_file_location("lite_main", MAIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(module: ModuleType, name: str, book: Any) -> None:
    """What xlwings Lite does when a script's button is clicked."""
    from xlwings.pro.udfs_officejs import custom_scripts_call

    asyncio.run(custom_scripts_call(module, name, typehint_to_value={xlwings.Book: book}))


def figures(ev: Evaluation) -> tuple[object, ...]:
    indicators = [(r.indicator.code, r.capaian, r.predicate) for r in ev.indicators]
    findings = sorted((f.rule, f.sheet, f.cell) for f in ev.findings)
    return indicators, findings


def alerts(book: Any) -> list[list[Any]]:
    return [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]


def _load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


# --- The scripts, through custom_scripts_call -----------------------------------------------------


def test_main_registers_the_buttons_as_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    from xlwings.pro.udfs_officejs import custom_scripts_meta

    names = {m["name"] for m in custom_scripts_meta(load_main(monkeypatch))}
    expected = {"Periksa", "Perbarui Capaian", "Templat Baru", "Bantuan"}
    assert names == expected | ({"Adopsi Tabel"} if lite.ADOPT_AVAILABLE else set())


@pytest.mark.parametrize(
    "src",
    [EXAMPLE, PERCENT, FIXTURES / "formula-cells-cached.xlsx", FIXTURES / "range-target.xlsx"],
    ids=lambda p: p.name,
)
def test_refresh_script_writes_what_the_file_engine_writes(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lite_client.install(monkeypatch, src)
    book = remote_book(src)
    run_script(load_main(monkeypatch), "perbarui_capaian", book)
    replayed, replayer = replay_onto(src, book.json()["actions"])  # unknown actions raise
    by_file = refresh_file(shutil.copyfile(src, tmp_path / src.name))
    expected = _load(tmp_path / src.name)
    assert replayed.sheetnames == expected.sheetnames
    for name in ("IKU", "Capaian", "Validasi"):
        assert sheet_differences(expected[name], replayed[name]) == []
    (prompt, *_), *more = replayer.alerts
    assert not more
    assert prompt == ribbon.refresh_message(by_file.evaluation, len(by_file.changed_cells))
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("src", [EXAMPLE, PERCENT], ids=lambda p: p.name)
def test_check_reads_the_file_engines_figures(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lite_client.install(monkeypatch, src)
    ev = asyncio.run(lite.check(remote_book(src)))
    assert ev is not None and figures(ev) == figures(check_file(src))


def test_percent_cells_need_the_async_format_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Lite's async reads a percent-formatted 0.8 reads as 0.8 (false findings); with
    them, as 80 (none: the fixture is clean)."""
    without = asyncio.run(lite.check(remote_book(PERCENT)))
    lite_client.install(monkeypatch, PERCENT)
    with_reads = asyncio.run(lite.check(remote_book(PERCENT)))
    assert without is not None and with_reads is not None
    assert not with_reads.findings and not check_file(PERCENT).findings
    assert without.findings


def test_refresh_reads_formulas_so_unchanged_cells_are_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refreshed once by the file engine, the IKU sheet holds the formulas already: a second
    refresh through Lite changes no cell (it needs the formulas read with get_formula)."""
    src = shutil.copyfile(EXAMPLE, tmp_path / EXAMPLE.name)
    refresh_file(src)
    lite_client.install(monkeypatch, src)
    book = remote_book(src)
    asyncio.run(lite.refresh(book))
    (prompt, *_), *_ = alerts(book)
    again = refresh_file(src, dry_run=True)
    assert again.changed_cells == ()
    assert prompt == ribbon.refresh_message(again.evaluation, 0)


# --- Messages and errors --------------------------------------------------------------------------


def test_help_and_new_workbook_only_show_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_main(monkeypatch)
    for name, message in (("bantuan", lite.help_message()), ("templat_baru", None)):
        book = remote_book(EXAMPLE)
        run_script(module, name, book)
        actions = book.json()["actions"]
        assert [a["func"] for a in actions] == ["alert"]
        if message is not None:
            assert actions[0]["args"][0] == message and lite.DOCS_URL in message
        else:
            assert actions[0]["args"][0] == lite.new_workbook_message()


def test_a_workbook_problem_is_explained_without_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = remote_book(FIXTURES / "missing-iku-sheet.xlsx")
    assert asyncio.run(lite.check(book)) is None
    (prompt, _title, _buttons, mode, _), *more = alerts(book)
    assert not more and mode == "critical"
    assert prompt.startswith(ribbon.problem_message(""))
    assert "Traceback" not in capsys.readouterr().out
    assert not (tmp_path / "logs").exists()


def test_an_unexpected_error_goes_to_the_output_pane_not_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(book: Any, engine: Any = None) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(ribbon, "_refresh", broken)
    book = remote_book(EXAMPLE)
    assert asyncio.run(lite.refresh(book)) is None
    (prompt, *_), *_ = alerts(book)
    assert prompt == lite.failure_message()
    out = capsys.readouterr().out
    assert "Traceback" in out and "ZeroDivisionError: boom" in out
    assert not (tmp_path / "logs").exists()


def test_adopt_is_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    book = remote_book(EXAMPLE)
    monkeypatch.delattr(ribbon, "adopt", raising=False)
    assert asyncio.run(lite.adopt(book)) is None
    (prompt, *_), *_ = alerts(book)
    assert prompt == lite.adopt_missing_message()
    seen: list[Any] = []
    monkeypatch.setattr(ribbon, "adopt", lambda b: seen.append(b) or "done", raising=False)
    assert asyncio.run(lite.adopt(book)) == "done" and seen == [book]


# --- Reading --------------------------------------------------------------------------------------


@given(
    st.lists(st.sampled_from(["0", "0%", "0.00", "General"]), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=60),
)
def test_async_format_runs_equal_the_desktop_ones(formats: list[str], budget: int) -> None:
    def get(r1: int, r2: int) -> object:
        found = set(formats[r1 - 1 : r2])
        return found.pop() if len(found) == 1 else None

    async def aget(r1: int, r2: int) -> object:
        return get(r1, r2)

    expected = read_format_runs(get, 1, len(formats), budget)
    got = asyncio.run(lite.read_format_runs_async(aget, 1, len(formats), budget))
    assert got == expected


def test_lite_client_fake_answers_as_office_js() -> None:
    table: lite_client.Table = {"S": {"formats": [["0%", "0%"], ["0%"]], "formulas": [["=A2"]]}}
    assert lite_client.range_data(table, "S", "$A$1:$A$2", ["number_format"]) == {
        "number_format": "0%"
    }
    assert lite_client.range_data(table, "S", "$B$1:$B$2", ["number_format"]) == {
        "number_format": None  # B2 is empty: General
    }
    assert lite_client.range_data(table, "S", "$A$1:$B$1", ["formulas"]) == {
        "formulas": [["=A2", ""]]
    }


# --- What the Lite path imports and installs ------------------------------------------------------

_IMPORT_PROBE = """
import importlib.abc, json, sys
FORBIDDEN = set(sys.argv[1].split(","))
tried = []
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            tried.append(name)
            raise ImportError(f"blocked: {name}")
        return None
sys.meta_path.insert(0, Block())
import asyncio
import xlwings  # tries numpy and pandas itself, and does without them
tried.clear()
from xlwings.pro import _xlremote
xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))
import iku_excel.lite as lite
book = xlwings.Book(json=json.load(open(sys.argv[2])))
for button in (lite.check, lite.refresh, lite.help, lite.new_workbook):
    asyncio.run(button(book))
modes = [a["args"][3] for a in book.json()["actions"] if a["func"] == "alert"]
print(json.dumps({"tried": tried, "loaded": sorted(m for m in sys.modules
      if m.split(".")[0] in FORBIDDEN), "alert_modes": modes}))
"""


def test_the_lite_path_loads_no_compiled_or_cli_module(tmp_path: Path) -> None:
    data = tmp_path / "payload.json"
    data.write_text(json.dumps(payload(EXAMPLE)), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, ",".join(FORBIDDEN), str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial", "PATH": ""},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"tried": [], "loaded": [], "alert_modes": ["info"] * 4}  # no error


def _install_requires() -> list[Requirement]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def test_under_pyodide_installing_pulls_only_what_the_lite_path_uses() -> None:
    emscripten = {"sys_platform": "emscripten", "platform_system": "Emscripten"}
    pulled = {
        r.name for r in _install_requires() if r.marker is None or r.marker.evaluate(emscripten)
    }
    assert pulled == LITE_DEPENDENCIES
    linux = {r.name for r in _install_requires() if r.marker is None or r.marker.evaluate()}
    assert {"openpyxl", "lxml", "python-calamine", "click"} <= linux


def test_ci_installs_the_pyodide_the_pyodide_test_expects() -> None:
    from tests.test_lite_pyodide import PYODIDE_VERSION

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"PYODIDE_VERSION={PYODIDE_VERSION} " in ci
    assert '"pyodide@$PYODIDE_VERSION"' in ci
