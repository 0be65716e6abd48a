"""Start-up: what ``check`` and ``refresh`` import, the styles written without openpyxl, how batch
workers start, and the garbage collector paused during a refresh.

The command line of a single small workbook is mostly start-up, so the modules a run loads are
asserted in a fresh interpreter: no openpyxl (nor the numpy it imports), no tqdm without a bar,
no ``xml.sax``/``urllib.request``/``ssl``.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from iku_excel import batch
from iku_excel.api import check_file
from iku_excel.backends.xlsx.sheet_writer import probe_styles
from iku_excel.backends.xlsx.stylesheet import BUILTIN_FORMATS, style_index
from iku_excel.sheets import build_outputs
from iku_excel.sheets.spec import ConditionalFill, SheetSpec, Style

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
#: ``secrets`` loads hmac (a temp file's random name is ``os.urandom(8).hex()``).
HEAVY = (
    *("openpyxl", "numpy", "pandas", "tqdm", "xml.sax", "urllib.request", "ssl", "xlwings"),
    "secrets",
)
#: Package modules a check or refresh of an IKU workbook does not need: all of ``adopt`` (an
#: adopted workbook, one with a ``Pemetaan`` sheet, is read through ``adopt.mapping``).
NOT_ON_THE_REFRESH_PATH = (
    "iku_excel.adopt",
    "iku_excel.adopt.detect",
    "iku_excel.adopt.header_rows",
    "iku_excel.adopt.mapping",
)

_PROBE = """
import json, sys
from iku_excel.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(args: list[str], **env: str) -> tuple[int, set[str]]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        cwd=ROOT,
    )
    document = json.loads(proc.stdout.strip().splitlines()[-1])
    return document["code"], set(document["modules"])


def _heavy(modules: set[str]) -> list[str]:
    heavy = [m for m in modules if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY))]
    return sorted(heavy + [m for m in modules if m in NOT_ON_THE_REFRESH_PATH])


def test_refresh_loads_nothing_heavy(tmp_path: Path) -> None:
    """The command line's process (which starts the worker), and a process that refreshes (what
    the worker does)."""
    wb = Path(shutil.copyfile(EXAMPLE, tmp_path / "wb.xlsx"))
    code, modules = _modules_after(["refresh", "--no-progress", str(wb)])
    assert code == 1  # the example has error findings
    assert _heavy(modules) == []
    script = (
        "import json, sys\n"
        "from iku_excel.api import refresh_file\n"
        f"refresh_file({str(wb)!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert _heavy(set(json.loads(proc.stdout))) == []


def test_check_loads_nothing_heavy(tmp_path: Path) -> None:
    code, modules = _modules_after(["check", str(EXAMPLE)])
    assert code == 1
    assert _heavy(modules) == []


def test_help_loads_nothing_heavy() -> None:
    """Listing the commands describes the lazily registered ``rekap`` without its writer."""
    code, modules = _modules_after(["--help"])
    assert code == 0
    assert _heavy(modules) == []


def test_the_console_script_ends_with_mains_code_and_whole_output(tmp_path: Path) -> None:
    """``iku-excel`` (:func:`iku_excel.cli.run`) skips the interpreter's teardown: the exit code
    is :func:`main`'s, everything written to a pipe arrives, and the refreshed file is whole."""
    wb = Path(shutil.copyfile(EXAMPLE, tmp_path / "wb.xlsx"))
    run = [sys.executable, "-c", "from iku_excel.cli import run; run()"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["check", "--json", *[str(wb)] * 8]
    checked = subprocess.run([*run, *args], capture_output=True, env=environment, check=False)
    assert checked.returncode == 1  # the example has error findings
    assert len(checked.stdout) > 20_000  # more than a pipe's buffer, all of it flushed
    assert len(json.loads(checked.stdout)["files"]) == 8
    _, expected = subprocess.run(
        [sys.executable, "-c", "from iku_excel.cli import main; main()", *args],
        capture_output=True,
        env=environment,
    ).stdout.split(b'"files"', 1)
    assert checked.stdout.split(b'"files"', 1)[1] == expected
    refreshed = subprocess.run(
        [*run, "refresh", "--no-progress", str(wb)], capture_output=True, env=environment
    )
    assert refreshed.returncode == 1 and b"Traceback" not in refreshed.stderr
    assert check_file(wb).workbook.indicators  # whole and readable after the early exit
    assert subprocess.run([*run, "--version"], env=environment, capture_output=True).stdout


def test_a_progress_bar_loads_tqdm(tmp_path: Path) -> None:
    """The probe of the test above has teeth: a shown bar does import tqdm."""
    wb = Path(shutil.copyfile(EXAMPLE, tmp_path / "wb.xlsx"))
    _, modules = _modules_after(["refresh", "--progress", str(wb)])
    assert "tqdm" in modules


# --- styles.xml without openpyxl ------------------------------------------------------------------


def _random_spec(seed: int) -> SheetSpec:
    rnd = random.Random(seed)
    styles: dict[str, Style] = {}
    for k in range(rnd.randint(0, 12)):
        styles[f"s{k}"] = Style(
            bold=rnd.random() < 0.5,
            italic=rnd.random() < 0.3,
            underline=rnd.random() < 0.2,
            size=rnd.choice([None, 9, 12, 10.5]),
            font_color=rnd.choice([None, "FF0000", "0563C1"]),
            fill=rnd.choice([None, "F2F2F2", "DDEBF7"]),
            h_align=rnd.choice([None, "left", "center", "right"]),
            v_align=rnd.choice([None, "top", "center"]),
            wrap=rnd.random() < 0.4,
            border=rnd.random() < 0.5,
            number_format=rnd.choice(["General", "#,##0.00", "0.0", "0%", '#,##0.0"<&>"', "@"]),
        )
    spec = SheetSpec("X", styles)
    for i, name in enumerate(styles):
        spec.put(i + 1, 1, "a", name)
        spec.put(i + 2, 2, 1, name)
    for _ in range(rnd.randint(0, 4)):
        spec.conditional_fills.append(
            ConditionalFill(
                1,
                1,
                5,
                5,
                rnd.choice(["A", "B"]),
                rnd.choice(["1E8449", "FFFFFF"]),
                rnd.choice([None, "FFFFFF"]),
                rnd.random() < 0.5,
            )
        )
    return spec


def test_styles_equal_the_openpyxl_probe_on_the_example() -> None:
    outputs = build_outputs(check_file(EXAMPLE), {})
    ours, probe = style_index(outputs.sheets), probe_styles(outputs.sheets)
    assert ours.styles_xml == probe.styles_xml
    assert (ours.xf, ours.dxf) == (probe.xf, probe.dxf)


@pytest.mark.parametrize("seed", range(25))
def test_styles_equal_the_openpyxl_probe_on_random_styles(seed: int) -> None:
    spec = _random_spec(seed)
    ours, probe = style_index([spec]), probe_styles([spec])
    assert ours.styles_xml == probe.styles_xml
    assert (ours.xf, ours.dxf) == (probe.xf, probe.dxf)


def test_builtin_formats_are_openpyxls() -> None:
    from openpyxl.styles.numbers import BUILTIN_FORMATS as OPENPYXL_FORMATS

    assert BUILTIN_FORMATS == OPENPYXL_FORMATS


# --- workers and the collector --------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is chosen on Linux only")
def test_workers_are_forked_while_single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IKU_EXCEL_START_METHOD", raising=False)
    if threading.active_count() == 1:
        assert batch.start_method(allow_fork=True) == "fork"
    assert batch.start_method() == "spawn"  # a program's own run_batch
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert batch.start_method(allow_fork=True) == "spawn"
    finally:
        stop.set()
        thread.join()
    monkeypatch.setenv("IKU_EXCEL_START_METHOD", "spawn")
    assert batch.start_method(allow_fork=True) == "spawn"


def test_refresh_pauses_the_collector_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iku_excel import api

    seen: list[bool] = []
    real = api._refresh_with

    def spy(engine: object, *, dry_run: bool) -> object:
        seen.append(gc.isenabled())
        return real(engine, dry_run=dry_run)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "_refresh_with", spy)
    wb = Path(shutil.copyfile(EXAMPLE, tmp_path / "wb.xlsx"))
    assert gc.isenabled()
    api.refresh_file(wb)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        api.refresh_file(wb)
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()
