"""Refreshing many files: input expansion, the isolated worker processes, one outcome per file.

Every file is refreshed in a worker process, also with ``--jobs 1``: a worker that dies (the
reader aborts on a huge sheet, the kernel kills it, a segfault) costs only the file it was working
on, which is reported as failed with the reason; the batch goes on in a new worker. Each worker
handles files one after another until the batch ends or it dies, with its next file already
in hand (:data:`IN_FLIGHT`); a file it had not started when it died goes back to the queue.
:func:`run_isolated` is the pool; ``refresh`` (:func:`run_batch`) and ``rekap`` use it.

How workers start (:func:`start_method`): from the ``iku-excel`` command (its entry point,
:func:`iku_excel.cli.main`) on Linux, by ``fork`` of the command's process while it has a
single thread (it has imported only click and this module by then, so a fork costs about a
millisecond and the worker imports the refresh code itself); elsewhere, in a program that calls
:func:`run_batch` itself (its state, patched or threaded, would be inherited), or when the
process runs threads (forking a threaded process can deadlock), by ``spawn``: a fresh
interpreter, which costs 0.1-0.2 s of start-up and imports per worker. Measured on a
20-indicator workbook (benchmarks/README.md), ``spawn`` made the whole ``iku-excel refresh`` of
one file about twice as slow as its work; running a lone file in the command line's own process
would be as fast as ``fork`` but would lose the isolation a huge or broken file needs, and a
``forkserver`` still starts a second interpreter. ``IKU_EXCEL_START_METHOD`` (``fork``,
``spawn``, ``forkserver``) overrides the choice, for measurements.

A program that calls :func:`run_batch` from a script must guard its entry point with
``if __name__ == "__main__":`` (the spawn method imports the main module in each worker).

:func:`refresh_one` is the work done per file; tests replace it (``monkeypatch`` of this module's
attribute, before :func:`run_batch` is called) with a function that crashes for one input.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TypeVar

from iku_excel.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_UNREADABLE, describe_error
from iku_excel.model import Finding

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Address-space cap of a worker process (POSIX only): a file that needs more fails with
#: "memori tidak cukup" instead of pushing the whole computer into swapping or the OOM killer.
#: Generous on purpose: the biggest real workbooks need well under 2 GiB.
WORKER_ADDRESS_SPACE_LIMIT = 16 * 1024**3
#: How long to wait for a worker that is told to stop at the end of a batch.
WORKER_STOP_SECONDS = 5.0
#: Files handed to a worker ahead of its answers: with two, it starts the next file at once
#: instead of waiting for this process to be scheduled, read its answer and send another (on a
#: machine whose CPUs are all busy with workers, that wait is a scheduler tick per file).
IN_FLIGHT = 2


@dataclass(frozen=True)
class RefreshOptions:
    """The refresh settings every file of a batch gets."""

    backup: bool = False
    dry_run: bool = False
    engine: str = "file"


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input of a batch (picklable: it comes back from a worker)."""

    file: str
    #: One Indonesian line when the file could not be refreshed, else None.
    failed: str | None = None
    #: EXIT_UNREADABLE or EXIT_INTERNAL when ``failed``.
    failure_code: int = EXIT_OK
    indicators: int = 0
    errors: int = 0
    warnings: int = 0
    changed_cells: tuple[str, ...] = ()
    sheets_created: tuple[str, ...] = ()
    sheets_replaced: tuple[str, ...] = ()
    written: bool = False
    backup: str | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def internal(self) -> bool:
        return self.failed is not None and self.failure_code == EXIT_INTERNAL

    @property
    def exit_code(self) -> int:
        if self.failed is not None:
            return self.failure_code
        return EXIT_FINDINGS if self.errors else EXIT_OK


def batch_exit_code(outcomes: Sequence[FileOutcome]) -> int:
    """The highest exit code of the files (3 internal, 2 failed, 1 error findings, 0)."""
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def expand_inputs(items: Sequence[Path]) -> list[Path]:
    """Files as given, and every .xlsx/.xlsm below each folder (recursively, sorted).

    Excel's lock files (``~$...``) and iku-excel's own temporary files are skipped.
    """
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted(
                p
                for p in item.rglob("*")
                if p.suffix.lower() in WORKBOOK_SUFFIXES
                and p.is_file()
                and not p.name.startswith(("~$", ".~iku-"))
            )
            out.extend(found)
        else:
            out.append(item)
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in out:
        try:
            key = p.resolve()
        except (OSError, RuntimeError):  # a symlink loop: reported as missing by the worker
            key = p.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def refresh_one(path: Path, options: RefreshOptions) -> FileOutcome:
    """Refresh one file; every exception becomes a failed outcome (never raises)."""
    from iku_excel.api import refresh_file, refresh_in_excel

    run = refresh_in_excel if options.engine == "excel" else refresh_file
    try:
        result = run(path, backup=options.backup, dry_run=options.dry_run)
    except Exception as exc:
        message, code = describe_error(exc, path)
        return FileOutcome(file=str(path), failed=message, failure_code=code)
    ev = result.evaluation
    return FileOutcome(
        file=str(path),
        indicators=len(ev.indicators),
        errors=ev.n_errors,
        warnings=ev.n_warnings,
        changed_cells=tuple(result.changed_cells),
        sheets_created=tuple(result.sheets_created),
        sheets_replaced=tuple(result.sheets_replaced),
        written=result.written,
        backup=str(result.backup) if result.backup else None,
        findings=tuple(ev.findings),
    )


Work = Callable[[Path, RefreshOptions], FileOutcome]
T = TypeVar("T")
#: What a worker does with one file: its result (picklable; never raises, or the exception
#: becomes a ``Failure``).
Task = Callable[[Path], T]
#: The result of a file that failed: (file, one Indonesian line, exit code). Called in the
#: worker for an exception and in this process for a worker that died.
Failure = Callable[[Path, str, int], T]


def failed_outcome(path: Path, message: str, code: int) -> FileOutcome:
    """A refresh's :data:`Failure`."""
    return FileOutcome(file=str(path), failed=message, failure_code=code)


def crash_reason(exitcode: int | None) -> str:
    """The failed file's line when its worker died."""
    if exitcode is not None and exitcode < 0:
        how = f"sinyal {-exitcode}"
    elif exitcode is None:
        how = "tanpa kode keluar"
    else:
        how = f"kode keluar {exitcode}"
    return (
        f"proses pemeriksa berhenti tak terduga ({how}); file ini mungkin terlalu besar atau "
        "rusak, file lain tetap diproses"
    )


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_ADDRESS_SPACE_LIMIT
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _worker_main(conn: Connection, task: Task[T], failure: Failure[T]) -> None:
    """A worker: receive (index, path), send back (index, result), until told to stop (None).

    Ctrl+C (SIGINT, from the terminal or from :func:`_interrupt`) ends it after the file being
    written has cleaned up its temporary file. The folders of the files it replaced are flushed
    once, when it ends (:func:`~iku_excel.backends.safe_io.folder_syncs_deferred`): the command
    writes its report only after every worker has ended.
    """
    from iku_excel.backends.safe_io import folder_syncs_deferred

    _limit_memory()
    if not os.environ.get("PYTHONFAULTHANDLER"):  # a forked worker inherits the parent's
        import faulthandler

        faulthandler.disable()
    try:
        with folder_syncs_deferred():
            _serve(conn, task, failure)
    except KeyboardInterrupt:
        return


def _serve(conn: Connection, task: Task[T], failure: Failure[T]) -> None:
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if item is None:
            return
        index, path = item
        try:
            result = task(path)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # refresh_one never raises; a test's work may
            result = failure(path, *describe_error(exc, path))
        conn.send((index, result))


class _Worker:
    """One worker process and the files handed to it, in the order it works on them."""

    def __init__(self, ctx: Any, task: Task[Any], failure: Failure[Any]) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker_main, args=(child, task, failure), name="iku-excel-worker", daemon=True
        )
        self.process.start()
        child.close()  # only the worker holds its end: its death is an EOF here
        self.tasks: deque[tuple[int, Path]] = deque()

    def give(self, index: int, path: Path) -> None:
        self.tasks.append((index, path))
        with contextlib.suppress(OSError):  # a worker that just died: wait() sees its EOF
            self.conn.send((index, path))

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.end()
        self.conn.close()

    def reap(self) -> int | None:
        """Collect a dead worker; its exit code."""
        self.conn.close()
        self.end()
        return self.process.exitcode

    def end(self) -> None:
        """Wait :data:`WORKER_STOP_SECONDS` for the process to end, then kill it."""
        self.process.join(WORKER_STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def start_method(allow_fork: bool = False) -> str:
    """``fork`` when allowed, on Linux, while this process has one thread; else ``spawn``
    (module docstring). ``IKU_EXCEL_START_METHOD`` overrides both."""
    chosen = os.environ.get("IKU_EXCEL_START_METHOD", "")
    if chosen in multiprocessing.get_all_start_methods():
        return chosen
    if allow_fork and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def run_batch(
    files: Sequence[Path],
    options: RefreshOptions,
    *,
    jobs: int = 1,
    on_done: Callable[[FileOutcome], object] | None = None,
    allow_fork: bool = False,
) -> list[FileOutcome]:
    """Refresh ``files`` in up to ``jobs`` worker processes; one outcome per file, in order
    (:func:`run_isolated` with :func:`refresh_one`)."""
    work: Work = refresh_one  # looked up now, so a test can replace it
    task: Task[FileOutcome] = partial(_apply, work, options)
    return run_isolated(
        files, task, failed_outcome, jobs=jobs, on_done=on_done, allow_fork=allow_fork
    )


def _apply(work: Work, options: RefreshOptions, path: Path) -> FileOutcome:
    return work(path, options)


def run_isolated(
    files: Sequence[Path],
    task: Task[T],
    failure: Failure[T],
    *,
    jobs: int = 1,
    on_done: Callable[[T], object] | None = None,
    allow_fork: bool = False,
) -> list[T]:
    """``task`` over ``files`` in up to ``jobs`` worker processes; one result per file, in order.

    ``task`` and ``failure`` must be picklable (module-level functions, or partials of them)
    when workers are spawned. ``allow_fork``: the caller's process holds nothing a forked worker
    could trip on (the command line's entry point says so; a program that embeds the batch keeps
    ``spawn``).

    ``on_done`` is called in this process as each file finishes (the progress bar). A worker
    that dies fails only its current file (``failure`` with :func:`crash_reason`); a fresh
    worker takes the rest.
    """
    ctx = multiprocessing.get_context(start_method(allow_fork))
    for stream in (sys.stdout, sys.stderr):  # a forked worker must not repeat buffered output
        with contextlib.suppress(Exception):
            stream.flush()
    pending = list(enumerate(files))
    pending.reverse()  # a stack: the first file on top
    results: dict[int, T] = {}
    workers: list[_Worker] = []

    def feed(worker: _Worker) -> None:
        while pending and len(worker.tasks) < IN_FLIGHT:
            worker.give(*pending.pop())

    try:
        for _ in range(min(max(jobs, 1), len(files))):
            workers.append(_Worker(ctx, task, failure))
            workers[-1].give(*pending.pop())
        for worker in workers:  # the second file of each only now: every worker gets a first
            feed(worker)
        while workers:
            ready = wait([w.conn for w in workers])
            for worker in [w for w in workers if w.conn in ready]:
                index, result, unstarted = _collect(worker, failure)
                if unstarted is not None:  # it died: its file failed, the rest go back
                    workers.remove(worker)
                    pending.extend(reversed(unstarted))
                    if pending:
                        workers.append(_Worker(ctx, task, failure))
                        feed(workers[-1])
                elif pending or worker.tasks:
                    feed(worker)
                else:
                    worker.stop()
                    workers.remove(worker)
                results[index] = result
                if on_done is not None:
                    on_done(result)
    finally:
        for worker in workers:  # only after an exception (Ctrl+C): none is left otherwise
            _interrupt(worker)
    return [results[i] for i in range(len(files))]


def _interrupt(worker: _Worker) -> None:
    """Stop a busy worker as Ctrl+C would (it removes its temporary file), else kill it."""
    if worker.process.is_alive() and worker.process.pid is not None and os.name != "nt":
        with contextlib.suppress(OSError):
            os.kill(worker.process.pid, signal.SIGINT)
    worker.end()
    worker.conn.close()


def _collect(worker: _Worker, failure: Failure[T]) -> tuple[int, T, list[tuple[int, Path]] | None]:
    """(index, the worker's answer for its first file, None); when it died before answering,
    that file's crash result and the files it had not started (the worker is reaped)."""
    index, path = worker.tasks.popleft()
    try:
        answer_index, result = worker.conn.recv()
    except (EOFError, OSError):
        reason = crash_reason(worker.reap())
        unstarted = list(worker.tasks)
        worker.tasks.clear()
        return index, failure(path, reason, EXIT_UNREADABLE), unstarted
    assert answer_index == index, (answer_index, index)  # a worker answers in order
    return index, result, None
