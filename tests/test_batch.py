"""Batch isolation: a worker that dies (abort, SIGKILL-like exit, MemoryError) fails only its
own file; the batch goes on, the exit code is 2 and the report lists every input.

The work per file is replaced (``iku_excel.batch.refresh_one``) by :func:`fake_work` below, which
the spawned worker processes import from this module by name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iku_excel import batch
from iku_excel.batch import FileOutcome, RefreshOptions
from iku_excel.cli import EXIT_OK, EXIT_UNREADABLE, cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
NAMES = [f"f{i:02}.xlsx" for i in range(8)]


def fake_work(path: Path, options: RefreshOptions) -> FileOutcome:
    """Crash the worker for marked names; otherwise a successful outcome without reading."""
    if "abort" in path.name:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
        os.abort()
    if "exit137" in path.name:
        os._exit(137)
    if "memory" in path.name:
        raise MemoryError
    return FileOutcome(file=str(path), indicators=1, written=not options.dry_run)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(batch, "refresh_one", fake_work)
    data = tmp_path / "data"
    data.mkdir()
    for name in NAMES:
        (data / name).write_bytes(b"PK")
    return data


def _files(report: Path) -> dict[str, dict[str, object]]:
    return {f["file"]: f for f in json.loads(report.read_text(encoding="utf-8"))["files"]}


@pytest.mark.skipif(os.name == "nt", reason="os.abort / resource are POSIX here")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_crashing_worker_fails_only_its_file(folder: Path, jobs: str) -> None:
    (folder / "f02-abort.xlsx").write_bytes(b"PK")
    (folder / "f05-exit137.xlsx").write_bytes(b"PK")
    (folder / "f06-memory.xlsx").write_bytes(b"PK")
    result = CliRunner().invoke(cli, ["refresh", "data", "--jobs", jobs, "--report", "r.json"])
    assert result.exit_code == EXIT_UNREADABLE, result.output
    assert "Traceback" not in result.output
    files = _files(Path("r.json"))
    every = sorted(p.name for p in folder.iterdir())
    assert sorted(Path(f).name for f in files) == every  # every input is in the report
    failed = {Path(f).name: doc["failed"] for f, doc in files.items() if doc["failed"]}
    assert set(failed) == {"f02-abort.xlsx", "f05-exit137.xlsx", "f06-memory.xlsx"}
    assert "sinyal 6" in str(failed["f02-abort.xlsx"])
    assert "kode keluar 137" in str(failed["f05-exit137.xlsx"])
    assert "memori" in str(failed["f06-memory.xlsx"])
    assert len(result.stderr.strip().splitlines()) == 3  # one line per failed file
    assert "3 gagal" in result.stdout.strip().splitlines()[-2]


def test_run_batch_keeps_the_order_and_every_file(folder: Path) -> None:
    files = [folder / n for n in NAMES]
    seen: list[str] = []
    outcomes = batch.run_batch(
        files, RefreshOptions(), jobs=3, on_done=lambda o: seen.append(o.file)
    )
    assert [o.file for o in outcomes] == [str(f) for f in files]
    assert sorted(seen) == sorted(str(f) for f in files)
    assert batch.batch_exit_code(outcomes) == EXIT_OK


@pytest.mark.skipif(os.name == "nt", reason="os.abort / resource are POSIX here")
def test_every_file_crashing_still_ends(folder: Path) -> None:
    files = []
    for i in range(3):
        files.append(folder / f"x{i}-exit137.xlsx")
        files[-1].write_bytes(b"PK")
    outcomes = batch.run_batch(files, RefreshOptions(), jobs=2)
    assert [o.failure_code for o in outcomes] == [EXIT_UNREADABLE] * 3
    assert all("137" in str(o.failed) for o in outcomes)


def test_refresh_one_turns_an_os_error_into_a_failed_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import errno

    def disk_full(path: Path, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("iku_excel.api.refresh_file", disk_full)
    outcome = batch.refresh_one(tmp_path / "wb.xlsx", RefreshOptions())
    assert outcome.failure_code == EXIT_UNREADABLE and not outcome.internal
    assert outcome.failed is not None and "disk penuh" in outcome.failed


def test_the_command_line_and_the_file_engine_import_no_xlwings(tmp_path: Path) -> None:
    """xlwings is the ``excel`` extra: check and refresh must work without it."""
    target = tmp_path / "wb.xlsx"
    target.write_bytes(EXAMPLE.read_bytes())
    code = (
        "import sys\n"
        "import iku_excel.cli, iku_excel.api\n"
        f"iku_excel.api.check_file({str(EXAMPLE)!r})\n"
        f"iku_excel.api.refresh_file({str(target)!r})\n"
        f"rc = iku_excel.cli.main(['check', {str(target)!r}])\n"
        f"rc2 = iku_excel.cli.main(['refresh', '--dry-run', {str(target)!r}])\n"
        "assert (rc, rc2) == (1, 1), (rc, rc2)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'xlwings')\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ok"


def test_a_worker_flushes_each_folder_once_after_its_last_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch worker's replaces are flushed to disk per folder, once, when it ends: not one
    folder flush per file (each file's bytes are still flushed before its rename)."""
    from iku_excel.backends import safe_io

    events: list[str] = []
    monkeypatch.setattr(safe_io, "_fsync_directory", lambda folder: events.append("flush"))
    monkeypatch.setattr(batch, "_limit_memory", lambda: None)
    monkeypatch.setenv("PYTHONFAULTHANDLER", "1")  # keep pytest's own fault handler
    files = [tmp_path / f"IKU_{i}.xlsx" for i in range(3)]

    class Conn:
        def __init__(self) -> None:
            self.items: list[object] = [*enumerate(files), None]

        def recv(self) -> object:
            return self.items.pop(0)

        def send(self, answer: object) -> None:
            events.append("answer")

    def task(path: Path) -> str:
        safe_io.atomic_write(path, lambda tmp: tmp.write_bytes(b"PK"), verify=lambda tmp: None)
        return "ok"

    batch._worker_main(Conn(), task, batch.failed_outcome)  # type: ignore[arg-type]
    assert events == ["answer", "answer", "answer", "flush"]
    assert all(path.read_bytes() == b"PK" for path in files)
