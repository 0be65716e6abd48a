"""Reading many workbooks for the recap: input expansion, parallel checks, the Rekap frames.

:func:`rekap` checks every workbook and never writes to any of them; it returns a
:class:`Rekap`. The files are checked in the isolated worker processes of
:func:`iku_excel.batch.run_isolated` (the ones ``refresh`` uses) when ``jobs >= 2`` or when the
command line asks for them (``isolated``: its forked workers are cheap), else in this process.
A file that cannot be read becomes a row of ``Rekap.failures`` with the reason; a worker
process that dies on a file costs only that file.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iku_excel.api import check_file
from iku_excel.batch import expand_inputs, run_isolated
from iku_excel.errors import EXIT_INTERNAL
from iku_excel.rekap.frames import (
    CHANGE_COLUMNS,
    FAILURE_COLUMNS,
    EvaluationFrames,
    FileRows,
    file_rows,
    frames_of,
    make_frame,
)

if TYPE_CHECKING:
    import pandas as pd

#: The reason given for a file whose worker process died.
CRASH_REASON = "proses pemeriksa berhenti mendadak saat membaca file ini (file mungkin rusak)"


# --- One file -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """A file that could not be read, and why (``internal``: a bug, not the file's fault)."""

    file: str
    error: str
    internal: bool = False


def sha256_of(path: Path) -> str | None:
    """Hex SHA-256 of the file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def read_one(path: str) -> FileRows | Failed:
    """Check one workbook and return its rows, or why it failed (runs in a worker process)."""
    from iku_excel.errors import IkuError

    p = Path(path)
    try:
        before = sha256_of(p)
        ev = check_file(p)
        after = sha256_of(p)
    except IkuError as exc:
        return Failed(path, str(exc))
    except Exception as exc:  # a bug: keep the details for the developers, go on with the rest
        return Failed(path, f"kesalahan internal ({type(exc).__name__}: {exc})", internal=True)
    if before is None or before != after:
        return Failed(path, f"File berubah saat dibaca; jalankan rekap lagi: {path}")
    return file_rows(ev, path, after or "")


# --- Many files -----------------------------------------------------------------------------------


def read_path(path: Path) -> FileRows | Failed:
    """:func:`read_one` for a worker of :func:`~iku_excel.batch.run_isolated`."""
    return read_one(str(path))


def crashed(path: Path, message: str, code: int) -> Failed:
    """The row of a file whose check raised in, or killed, its worker."""
    if code == EXIT_INTERNAL:
        return Failed(str(path), message, internal=True)
    return Failed(str(path), f"{CRASH_REASON}: {message}")


def check_many(
    paths: Sequence[str],
    jobs: int,
    tick: Callable[[], object] = lambda: None,
    *,
    allow_fork: bool = False,
) -> list[FileRows | Failed]:
    """:func:`read_one` over every path in up to ``jobs`` isolated worker processes; a crash
    costs only its file."""
    return run_isolated(
        [Path(p) for p in paths],
        read_path,
        crashed,
        jobs=jobs,
        on_done=lambda _result: tick(),
        allow_fork=allow_fork,
    )


# --- The recap ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rekap(EvaluationFrames):
    """The recap of many workbooks as pandas frames (columns: docs/rekap.md).

    ``opd``, ``sasaran``, ``indicators``, ``findings`` (every workbook read), ``failures``
    (files that could not be read, with the reason), ``changes`` (year over year per OPD), and
    ``skipped`` (files left out by ``year``).
    """

    failures: pd.DataFrame
    changes: pd.DataFrame
    skipped: tuple[str, ...] = ()
    internal_errors: int = 0

    @property
    def n_errors(self) -> int:
        return int(self.opd["errors"].sum()) if len(self.opd) else 0


def _agency_key(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def year_changes(opd: pd.DataFrame) -> pd.DataFrame:
    """One row per OPD (``agency``) and pair of consecutive years in the inputs.

    An OPD with two workbooks for the same year is left out (which one counts is unclear).
    """
    rows: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(opd):
        if isinstance(rec["agency"], str) and rec["agency"].strip() and _is_int(rec["year"]):
            groups.setdefault(_agency_key(rec["agency"]), []).append(rec)
    for recs in groups.values():
        years = [int(r["year"]) for r in recs]
        if len(set(years)) < 2 or len(set(years)) != len(years):
            continue
        recs = sorted(recs, key=lambda r: int(r["year"]))
        for before, after in itertools.pairwise(recs):
            cb, ca = _float(before["capaian"]), _float(after["capaian"])
            rows.append(
                {
                    "agency": after["agency"],
                    "year_before": int(before["year"]),
                    "capaian_before": cb,
                    "predicate_before": _str(before["predicate"]),
                    "year": int(after["year"]),
                    "capaian": ca,
                    "predicate": _str(after["predicate"]),
                    "change": None if cb is None or ca is None else ca - cb,
                    "file_before": before["file"],
                    "file": after["file"],
                }
            )
    rows.sort(key=lambda r: (_agency_key(r["agency"]), r["year"]))
    return make_frame(CHANGE_COLUMNS, rows)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def _is_int(x: object) -> bool:
    import pandas as pd

    return x is not None and x is not pd.NA and not (isinstance(x, float) and x != x)


def _float(x: object) -> float | None:
    return float(x) if _is_int(x) and isinstance(x, int | float) else None


def _str(x: object) -> str | None:
    return x if isinstance(x, str) else None


def rekap(
    paths: Sequence[str | PathLike[str]],
    *,
    jobs: int = 1,
    year: int | None = None,
    progress: bool = False,
    exclude: Sequence[Path] = (),
    isolated: bool = False,
    allow_fork: bool = False,
) -> Rekap:
    """Check every workbook in ``paths`` (files and folders) and return the recap frames.

    ``year``: keep the workbooks of that year and of the year before (for the change); the
    others are listed in ``Rekap.skipped``. ``exclude``: files never read (the recap's own
    output). No input file is ever written. ``isolated``: check in worker processes even with
    ``jobs == 1``; ``allow_fork``: they may be forked (:func:`iku_excel.batch.start_method`).
    """
    from tqdm import tqdm

    excluded = {p.resolve() for p in exclude}
    files = [p for p in expand_inputs([Path(p) for p in paths]) if p.resolve() not in excluded]
    names = [str(p) for p in files]
    bar = tqdm(total=len(names), unit="file", disable=not progress, file=sys.stderr, desc="rekap")
    try:
        if (jobs > 1 and len(names) > 1) or (isolated and names):
            results = check_many(names, jobs, lambda: bar.update(), allow_fork=allow_fork)
        else:
            results = []
            for name in names:
                results.append(read_one(name))
                bar.update()
    finally:
        bar.close()
    return build_rekap(results, year)


def build_rekap(results: Sequence[FileRows | Failed], year: int | None = None) -> Rekap:
    """The :class:`Rekap` of per-file results (in the order given)."""
    read = [r for r in results if isinstance(r, FileRows)]
    skipped: tuple[str, ...] = ()
    if year is not None:
        keep = (year - 1, year)
        skipped = tuple(r.opd["file"] for r in read if r.opd["year"] not in keep)
        read = [r for r in read if r.opd["year"] in keep]
    failed = [r for r in results if isinstance(r, Failed)]
    frames = frames_of(read)
    return Rekap(
        opd=frames.opd,
        sasaran=frames.sasaran,
        indicators=frames.indicators,
        findings=frames.findings,
        failures=make_frame(FAILURE_COLUMNS, ({"file": f.file, "error": f.error} for f in failed)),
        changes=year_changes(frames.opd),
        skipped=skipped,
        internal_errors=sum(1 for f in failed if f.internal),
    )
