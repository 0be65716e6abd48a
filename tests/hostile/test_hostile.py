"""The CLI on hostile and faulty inputs: right exit code, one clean message, bounded memory.

Every case of :mod:`tests.hostile.build_cases` goes through ``python -m iku_excel.cli check``
and, on a copy, ``refresh``, each in a subprocess capped at 1 GiB of address space. Asserted:
the exit code, no traceback, the message fragment of a refusal, the child's peak RSS under
1 GB, and the input's bytes unchanged by ``check`` and by a refused ``refresh``. The runs happen
in parallel once per session; each test then judges one result.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.build_cases import Case, all_cases, build_case

REPO = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = 1024**3  # 1 GiB
PEAK_RSS_KIB = 1024**2  # 1 GB, in ru_maxrss units (KiB on Linux)
TIMEOUT = 180
CASES = all_cases()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not hasattr(os, "wait4") or not hasattr(os, "setsid"),
        reason="needs os.wait4 (per-child memory) and process groups",
    ),
]


@dataclass
class Run:
    """One CLI run: exit code (None on timeout), output, peak RSS (KiB), input hash before/after."""

    code: int | None
    stdout: str
    stderr: str
    peak_kib: int
    before: str
    after: str


def fingerprint(path: Path) -> str:
    """Hash of a file's bytes; for a non-file, what it is (a folder, a link and its target)."""
    if path.is_symlink() and not path.exists():
        return f"link->{os.readlink(path)}"
    if path.is_dir():
        return "folder:" + ",".join(sorted(p.name for p in path.iterdir()))
    if not path.exists():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    os.setsid()  # its own process group, so a timeout kills the CLI too


#: Runs the CLI as its child and reports its exit code and peak RSS. The CLI is forked from
#: this small launcher, not from pytest: Linux counts the forking parent's resident pages in
#: the child's ru_maxrss, so a fork from a grown pytest process would report pytest's size.
LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    json.dump({"code": child.returncode, "peak_kib": usage.ru_maxrss}, out)
"""


def run_cli(command: str, path: Path) -> Run:
    """``python -m iku_excel.cli COMMAND PATH`` under the address-space cap."""
    before = fingerprint(path)
    out, err, report = (path.parent / f".{kind}-{command}" for kind in ("out", "err", "report"))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    cli = [sys.executable, "-m", "iku_excel.cli", command, str(path)]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(report), *cli],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=path.parent.parent,
            preexec_fn=_limit_address_space,
        )
        try:
            launcher.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
    text = {name: p.read_text("utf-8", "replace") for name, p in (("o", out), ("e", err))}
    result = json.loads(report.read_text()) if report.exists() else {"code": None, "peak_kib": 0}
    for temp in (out, err, report):
        temp.unlink(missing_ok=True)
    return Run(result["code"], text["o"], text["e"], result["peak_kib"], before, fingerprint(path))


def _run_case(case: Case, root: Path) -> tuple[str, Run, Run, Path]:
    checked = build_case(case, root / "check")
    copy = root / "refresh" / case.name
    shutil.copytree(checked.parent, copy, symlinks=True)
    refreshed = copy / case.file_name
    return case.name, run_cli("check", checked), run_cli("refresh", refreshed), refreshed


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Run, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(lambda case: _run_case(case, root), CASES))
    return {name: (check, refresh, path) for name, check, refresh, path in done}


def _params(command: str) -> Iterator[object]:
    for case in CASES:
        pending = case.check_pending if command == "check" else case.refresh_pending
        marks = [pytest.mark.xfail(strict=True, reason=pending)] if pending else []
        yield pytest.param(case, id=case.name, marks=marks)


def _expected(codes: tuple[int, ...] | int) -> tuple[int, ...]:
    return codes if isinstance(codes, tuple) else (codes,)


def judge(run: Run, codes: tuple[int, ...] | int, fragment: str, max_rss_mb: int) -> None:
    assert run.code is not None, f"no answer within {TIMEOUT} s"
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr[-2000:]
    assert run.code in _expected(codes), (run.code, run.stderr[-1000:])
    if run.code == 2 and fragment:
        assert fragment.lower() in run.stderr.lower(), run.stderr[-1000:]
    assert run.peak_kib < min(PEAK_RSS_KIB, max_rss_mb * 1024), f"peak RSS {run.peak_kib} KiB"
    assert "root:x:0:0" not in run.stdout + run.stderr  # no external entity was resolved


@pytest.mark.parametrize("case", _params("check"))
def test_check(case: Case, results: dict[str, tuple[Run, Run, Path]]) -> None:
    run = results[case.name][0]
    judge(run, case.check, case.fragment, case.max_rss_mb)
    assert run.after == run.before  # check never writes


@pytest.mark.parametrize("case", _params("refresh"))
def test_refresh(case: Case, results: dict[str, tuple[Run, Run, Path]]) -> None:
    run, path = results[case.name][1], results[case.name][2]
    fragment = case.fragment if case.refresh_fragment is None else case.refresh_fragment
    judge(run, case.refresh, fragment, case.max_rss_mb)
    if run.code == 2:
        assert run.after == run.before  # a refused refresh leaves the file alone
    else:
        assert run.after != run.before
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".~iku-")]
    assert leftovers == []


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    assert sum(1 for case in CASES if case.check == 2) >= 30


def test_formula_injection_stays_text(results: dict[str, tuple[Run, Run, Path]]) -> None:
    """No indicator text becomes a formula in any sheet the refresh wrote (iku-excel's own
    ``=HYPERLINK("#IKU!C2", ...)`` links in Validasi are not user text)."""
    import openpyxl

    from tests.hostile.surgery import INJECTIONS

    run, path = results["formula-injection-indicator"][1], results["formula-injection-indicator"][2]
    assert run.code in (0, 1), run.stderr
    book = openpyxl.load_workbook(path)
    found: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                formula = str(cell.value)
                if cell.data_type == "f" and (
                    any(marker in formula for marker in ("contoh.invalid", "cmd|", "SUM(1+1)"))
                    or formula.replace(" ", "") in ("=-2+3", "-2+3")
                ):
                    found.append(f"{sheet.title}!{cell.coordinate}")
    assert found == []
    texts = {str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r}
    assert INJECTIONS[0].replace("&amp;", "&") in texts  # kept as text, not dropped


def test_path_traversal_members_write_nothing_outside(
    results: dict[str, tuple[Run, Run, Path]],
) -> None:
    path = results["path-traversal-member"][2]
    root = path.parents[2]
    assert not list(root.rglob("keluar.xml")) and not Path("/mutlak.xml").exists()
    with zipfile.ZipFile(path) as archive:  # other people's parts are kept
        assert {"../../keluar.xml", "/mutlak.xml"} <= set(archive.namelist())
