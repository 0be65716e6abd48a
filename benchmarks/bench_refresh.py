"""Benchmark ``check`` and ``refresh`` against a plain openpyxl load+save of the same workbook.

One run measures, on workbooks of 20, 200, 2,000 and 20,000 indicators generated from the
template (:mod:`benchmarks.generate`; generating is not timed):

- ``openpyxl``: ``load_workbook(path)`` + ``save(copy)`` of the file, the baseline;
- ``check``: :func:`iku_excel.api.check_file` on the file;
- ``refresh``: :func:`iku_excel.api.refresh_file` on a fresh copy of the file (copying is not
  timed);

each repeated (the best time is kept) and printed as a ratio to the baseline of the same size,
measured in the same run. Then a batch of copies of the example workbook is refreshed with
``iku-excel refresh DIR --jobs 1`` and ``--jobs 2`` (a subprocess; wall time), compared with the
count × the openpyxl baseline of the example file.

The issue's criterion: refresh of the 2,000-indicator workbook no slower than openpyxl
load+save of it (ratio <= 1.0). This is a script, not a test: it asserts no timing.

    python benchmarks/bench_refresh.py                  # full run (several minutes)
    python benchmarks/bench_refresh.py --quick          # sizes 20, 200, 2,000; batch of 20
    python benchmarks/bench_refresh.py --json out.json  # also save the results
    python benchmarks/bench_refresh.py --sizes 2000 --batch 0 --profile refresh.prof
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

import iku_excel  # noqa: E402
from benchmarks.generate import batch_folder, generate_workbook  # noqa: E402
from iku_excel import contract  # noqa: E402
from iku_excel.api import check_file, refresh_file  # noqa: E402

FULL_SIZES = (20, 200, 2_000, 20_000)
QUICK_SIZES = (20, 200, 2_000)
FULL_BATCH = 200
QUICK_BATCH = 20
CRITERION_SIZE = 2_000
#: Most repetitions per size, and the time after which a size stops repeating (at least one run).
MAX_REPEATS = {20: 5, 200: 5, 2_000: 3, 20_000: 2}
DEFAULT_REPEATS = 3
REPEAT_BUDGET_S = 120.0
#: Repetitions of the openpyxl baseline of the example file (the batch's unit).
EXAMPLE_BASELINE_REPEATS = 5
#: ``iku-excel`` exit codes that mean "ran fine" (1: findings of severity error, as expected).
CLI_OK_CODES = (0, 1)


@dataclass
class SizeResult:
    """Times (seconds, one per repetition) of one workbook size."""

    indicators: int
    sasaran: int
    file_bytes: int
    openpyxl: list[float] = field(default_factory=list)
    check: list[float] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)

    @property
    def repeats(self) -> int:
        return len(self.openpyxl)

    def best(self, name: str) -> float:
        times: list[float] = getattr(self, name)
        return min(times)

    def ratio(self, name: str) -> float:
        return self.best(name) / self.best("openpyxl")


@dataclass
class BatchResult:
    """Wall times of ``iku-excel refresh DIR --jobs N`` on ``files`` copies of the example."""

    files: int
    example: str
    command: list[str]
    openpyxl_one: list[float] = field(default_factory=list)
    wall: dict[int, float] = field(default_factory=dict)  # jobs -> seconds

    @property
    def baseline(self) -> float:
        """``files`` × the best openpyxl load+save time of the example."""
        return self.files * min(self.openpyxl_one)


# --- Timing ---------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """Wall time of ``fn()`` in seconds, after a garbage collection."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def openpyxl_load_save(src: Path, dst: Path) -> None:
    """The baseline: what a plain openpyxl round trip of the file costs."""
    wb = load_workbook(src)
    wb.save(dst)


def refresh_copy(src: Path, dst: Path) -> float:
    """Copy ``src`` to ``dst`` (not timed) and time ``refresh_file(dst)``."""
    shutil.copyfile(src, dst)

    def run() -> None:
        result = refresh_file(dst)
        if not result.written:
            raise RuntimeError(f"refresh did not write {dst}")

    return timed(run)


def bench_size(n: int, workdir: Path, *, seed: int, max_repeats: int) -> SizeResult:
    """Generate a workbook of ``n`` indicators and time the three operations on it."""
    path = workdir / f"iku_{n}.xlsx"
    info = generate_workbook(path, n, seed=seed)
    found = len(check_file(path).indicators)
    if found != n:
        raise RuntimeError(f"{path}: check_file found {found} indicators, expected {n}")
    result = SizeResult(n, info.n_sasaran, path.stat().st_size)
    copy = workdir / f"iku_{n}_openpyxl.xlsx"
    fresh = workdir / f"iku_{n}_refresh.xlsx"
    started = time.perf_counter()
    # Interleaved, so that a slow phase of the machine hits the three alike.
    while result.repeats < max_repeats:
        result.openpyxl.append(timed(lambda: openpyxl_load_save(path, copy)))
        result.check.append(timed(lambda: check_file(path)))
        result.refresh.append(refresh_copy(path, fresh))
        if time.perf_counter() - started > REPEAT_BUDGET_S:
            break
    for leftover in (copy, fresh):
        leftover.unlink(missing_ok=True)
    return result


def cli_command() -> list[str]:
    """The ``iku-excel`` console script of this interpreter (else ``python -m iku_excel.cli``)."""
    script = Path(sys.executable).with_name("iku-excel")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "iku_excel.cli"]


def cli_env() -> dict[str, str]:
    """The environment of the CLI: the same ``iku_excel`` as this process (the checkout's, not
    whatever an editable install elsewhere points to)."""
    env = dict(os.environ)
    package_root = str(Path(iku_excel.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _has_capaian_sheet(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        workbook_xml = z.read("xl/workbook.xml").decode("utf-8")
    return f'name="{contract.SHEET_CAPAIAN}"' in workbook_xml


def bench_batch(count: int, example: Path, workdir: Path, jobs: Sequence[int]) -> BatchResult:
    """Refresh ``count`` copies of ``example`` with the CLI, once per value of ``jobs``."""
    result = BatchResult(count, str(example), cli_command())
    copy = workdir / "example_openpyxl.xlsx"
    for _ in range(EXAMPLE_BASELINE_REPEATS):
        result.openpyxl_one.append(timed(lambda: openpyxl_load_save(example, copy)))
    copy.unlink()
    for n_jobs in jobs:
        folder = workdir / f"batch_jobs{n_jobs}"
        files = batch_folder(example, folder, count)
        args = [*result.command, "refresh", str(folder), "--jobs", str(n_jobs), "--no-progress"]
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, check=False, env=cli_env())
        result.wall[n_jobs] = time.perf_counter() - start
        if proc.returncode not in CLI_OK_CODES:
            raise RuntimeError(
                f"{' '.join(args)} exited with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        if not (_has_capaian_sheet(files[0]) and _has_capaian_sheet(files[-1])):
            raise RuntimeError(f"{folder}: the batch did not refresh the files")
        shutil.rmtree(folder)
    return result


def profile_refresh(n: int, workdir: Path, out: Path, *, seed: int) -> str:
    """cProfile one refresh of a fresh ``n``-indicator workbook; returns the top of the stats."""
    src = workdir / f"iku_{n}.xlsx"
    if not src.exists():
        generate_workbook(src, n, seed=seed)
    dst = workdir / f"iku_{n}_profile.xlsx"
    shutil.copyfile(src, dst)
    profiler = cProfile.Profile()
    profiler.runcall(refresh_file, dst)
    profiler.dump_stats(out)
    report = io.StringIO()
    stats = pstats.Stats(str(out), stream=report)
    stats.sort_stats("cumulative").print_stats(30)
    return report.getvalue()


# --- Reporting ------------------------------------------------------------------------------------


def machine_info() -> dict[str, object]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    info: dict[str, object] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "openpyxl": openpyxl.__version__,
        "iku_excel": iku_excel.__version__,
        "iku_excel_path": str(Path(iku_excel.__file__).resolve().parent),
        "git": _git_revision(),
        "load_average_at_start": _load_average(),
    }
    return info


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every time."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not available on this system
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted changes" if dirty else "")


def size_table(results: Sequence[SizeResult]) -> str:
    head = (
        f"{'indicators':>10} {'runs':>4} {'openpyxl s':>10} {'check s':>8} {'refresh s':>9} "
        f"{'check/openpyxl':>14} {'refresh/openpyxl':>16}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.indicators:>10,} {r.repeats:>4} {r.best('openpyxl'):>10.3f} "
            f"{r.best('check'):>8.3f} {r.best('refresh'):>9.3f} "
            f"{r.ratio('check'):>14.2f} {r.ratio('refresh'):>16.2f}"
        )
    return "\n".join(lines)


def batch_table(b: BatchResult) -> str:
    head = f"{'batch':<32} {'wall s':>8} {'/ (files × openpyxl)':>20} {'per file s':>10}"
    lines = [head, "-" * len(head)]
    lines.append(
        f"{f'{b.files} × openpyxl load+save':<32} {b.baseline:>8.2f} {1.0:>20.2f} "
        f"{b.baseline / b.files:>10.3f}"
    )
    for n_jobs, wall in sorted(b.wall.items()):
        lines.append(
            f"{f'iku-excel refresh --jobs {n_jobs}':<32} {wall:>8.2f} "
            f"{wall / b.baseline:>20.2f} {wall / b.files:>10.3f}"
        )
    if 1 in b.wall and 2 in b.wall:
        lines.append(f"speed-up of --jobs 2 over --jobs 1: {b.wall[1] / b.wall[2]:.2f}×")
    return "\n".join(lines)


def verdict(results: Sequence[SizeResult]) -> str:
    at = next((r for r in results if r.indicators == CRITERION_SIZE), None)
    if at is None:
        return f"refresh/openpyxl at {CRITERION_SIZE:,}: not measured in this run"
    ratio = at.ratio("refresh")
    ok = ratio <= 1.0
    return (
        f"refresh/openpyxl at {CRITERION_SIZE:,} = {ratio:.2f} {'≤' if ok else '>'} 1.0: "
        f"{'OK' if ok else 'NOT MET'}"
    )


def to_json(
    info: dict[str, object],
    argv: Sequence[str],
    sizes: Sequence[SizeResult],
    batch: BatchResult | None,
    verdict_line: str,
) -> dict[str, object]:
    out: dict[str, object] = {"machine": info, "argv": list(argv), "verdict": verdict_line}
    out["sizes"] = [
        {
            **asdict(r),
            "best": {k: r.best(k) for k in ("openpyxl", "check", "refresh")},
            "median": {
                k: statistics.median(getattr(r, k)) for k in ("openpyxl", "check", "refresh")
            },
            "ratio_to_openpyxl": {k: r.ratio(k) for k in ("check", "refresh")},
        }
        for r in sizes
    ]
    if batch is not None:
        out["batch"] = {
            **asdict(batch),
            "baseline": batch.baseline,
            "ratio_to_openpyxl": {str(j): w / batch.baseline for j, w in batch.wall.items()},
        }
    return out


# --- Main -----------------------------------------------------------------------------------------


def _example_path() -> Path:
    in_checkout = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
    if in_checkout.is_file():
        return in_checkout
    from iku_excel.template import example_path

    return example_path()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time check and refresh against openpyxl load+save of the same workbook."
    )
    parser.add_argument("--quick", action="store_true", help="sizes 20, 200, 2000; batch of 20")
    parser.add_argument(
        "--sizes",
        type=lambda s: tuple(int(x) for x in s.split(",") if x),
        help="comma-separated numbers of indicators (overrides the default sizes)",
    )
    parser.add_argument("--batch", type=int, help="number of example copies in the batch (0: none)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated workbooks")
    parser.add_argument("--json", type=Path, help="save the results to this JSON file")
    parser.add_argument("--workdir", type=Path, help="keep the generated files in this folder")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="OUT.prof",
        help=f"also cProfile one refresh of {CRITERION_SIZE:,} indicators into this file",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    batch_count = (
        args.batch if args.batch is not None else (QUICK_BATCH if args.quick else FULL_BATCH)
    )
    info = machine_info()
    arguments = list(sys.argv[1:] if argv is None else argv)
    print("$ " + " ".join(["python benchmarks/bench_refresh.py", *arguments]))
    print(
        f"{info['date']} | {info['processor']} | CPUs: {info['cpu_count']} "
        f"(usable {info['cpus_usable']}) | Python {info['python']} | openpyxl {info['openpyxl']} "
        f"| iku-excel {info['iku_excel']} ({info['git']}, {info['iku_excel_path']})"
    )
    print(f"load average (1, 5, 15 min) at start: {info['load_average_at_start']}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iku-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        # Warm up: imports and first-call costs stay out of the first measurement.
        example = _example_path()
        refresh_copy(example, workdir / "warmup.xlsx")
        openpyxl_load_save(example, workdir / "warmup_openpyxl.xlsx")

        results: list[SizeResult] = []
        for n in sizes:
            print(f"… {n:,} indicators", file=sys.stderr, flush=True)
            results.append(
                bench_size(
                    n, workdir, seed=args.seed, max_repeats=MAX_REPEATS.get(n, DEFAULT_REPEATS)
                )
            )
        print()
        print("Single workbook (best time of the runs; ratio = time / openpyxl time, same size)")
        print(size_table(results))

        batch: BatchResult | None = None
        if batch_count > 0:
            print(f"… batch of {batch_count}", file=sys.stderr, flush=True)
            batch = bench_batch(batch_count, example, workdir, jobs=(1, 2))
            print()
            print(f"Batch: {batch_count} copies of {example.name} (wall time, one run each)")
            print(batch_table(batch))

        line = verdict(results)
        print()
        print(line)
        info["load_average_at_end"] = _load_average()
        print(
            f"(total benchmark time {time.perf_counter() - started:.0f} s; "
            f"load average at the end {info['load_average_at_end']})"
        )

        if args.profile:
            print()
            print(profile_refresh(CRITERION_SIZE, workdir, args.profile, seed=args.seed))

    if args.json:
        args.json.write_text(
            json.dumps(to_json(info, arguments, results, batch, line), indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        print(f"results saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
