"""Issue 13's speed run: refresh against openpyxl load+save, whole process and in process, against
the floor, peak memory, the batch speed-up and the Excel calls, in one run.

For 20, 200, 2,000 and 20,000 generated indicators (:mod:`benchmarks.generate`, not timed):

- **whole process**: ``iku-excel refresh --no-progress FILE`` as a user runs it (a new
  interpreter, imports included) ÷ ``python -c "openpyxl load+save"``; a *first* refresh (a
  fresh copy, no Capaian/Validasi yet) and a *second* one (the refreshed file again);
- **in process**: :func:`iku_excel.api.refresh_file` ÷ ``load_workbook`` + ``save``, first and
  second refresh;
- **floor**: what no refresh can avoid: copy the file's bytes, read the three sheets with
  python-calamine, write the output sheets' XML (:func:`~iku_excel.backends.xlsx.sheet_writer.
  sheet_xml`), deflate it; in-process refresh ÷ floor;
- **memory**: peak RSS of a process that refreshes, minus that of one that only imported the
  same modules, per indicator (``--memory-sizes`` adds sizes, e.g. 100000).

Every pair is measured interleaved (A, B, A, B...) and the ratio is the median of the paired
ratios, so a machine that is busy for a while slows both sides alike. Then the batch (``--jobs
1`` and ``--jobs 2`` on copies of the example, wall time, ``--batch-pairs`` interleaved pairs:
the median speed-up and its range) and the Excel calls of a refresh at
1, 5, 20 and 80 sasaran groups: recorded actions of xlwings' remote engine, and calls counted
at xlwings' boundary by the desktop test double of ``tests/test_excel_calls.py``.

    python benchmarks/bench_speed.py                     # everything (about ten minutes)
    python benchmarks/bench_speed.py --quick             # 20, 200, 2,000; batch of 40
    python benchmarks/bench_speed.py --readme            # also rewrite README's table
    python benchmarks/bench_speed.py --memory-sizes 100000 --sizes 20 --batch 0
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_refresh import cli_command  # noqa: E402
from benchmarks.bench_refresh import cli_env as _checkout_env  # noqa: E402
from benchmarks.generate import batch_folder, generate_workbook  # noqa: E402

SIZES = (20, 200, 2_000, 20_000)
QUICK_SIZES = (20, 200, 2_000)
REPEATS = {20: 9, 200: 7, 2_000: 5, 20_000: 2}
#: Interleaved ``--jobs 1`` / ``--jobs 2`` pairs of the batch (about 4 s a pair at 200 files).
BATCH_PAIRS = 7
GROUPS = (1, 5, 20, 80)
README_START = "<!-- bench_speed:start -->"
README_END = "<!-- bench_speed:end -->"
OPENPYXL_SCRIPT = (
    "import sys, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\nwb.save(sys.argv[2])\n"
)
#: A process that refreshes, and one that only imports the same modules (the memory baseline).
REFRESH_SCRIPT = (
    "import sys, resource\n"
    "from iku_excel.api import refresh_file\n"
    "import iku_excel.backends.file_engine, iku_excel.backends.xlsx.splice\n"
    "import iku_excel.backends.xlsx.sheet_writer, iku_excel.sheets, python_calamine\n"
    "if sys.argv[1] != '-': refresh_file(sys.argv[1])\n"
    "try:\n"  # VmHWM: ru_maxrss would report a big parent's peak, kept across fork and exec
    "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
    "    print(int(status.split()[0]))\n"
    "except (OSError, IndexError):\n"
    "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


@dataclass
class SizeRun:
    indicators: int
    whole_first: list[float] = field(default_factory=list)  # refresh / openpyxl, paired
    whole_second: list[float] = field(default_factory=list)
    inproc_first: list[float] = field(default_factory=list)
    inproc_second: list[float] = field(default_factory=list)
    refresh_s: list[float] = field(default_factory=list)
    openpyxl_s: list[float] = field(default_factory=list)
    whole_refresh_s: list[float] = field(default_factory=list)
    whole_openpyxl_s: list[float] = field(default_factory=list)
    floor_s: list[float] = field(default_factory=list)
    floor_multiple: list[float] = field(default_factory=list)


#: Where the child processes keep their bytecode (set by :func:`main`).
PYCACHE: list[str] = []


def cli_env() -> dict[str, str]:
    """The checkout's ``iku_excel``, with its bytecode cached as an installed package has it: an
    environment with ``PYTHONDONTWRITEBYTECODE`` would compile every module on every start,
    which a user's ``pip install`` never does (it compiles them once)."""
    env = _checkout_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if PYCACHE:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE[0]
    return env


def _median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _wall(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=cli_env(), check=False)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}\n{proc.stderr}")
    return took


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def floor_parts(path: Path) -> Callable[[], None]:
    """The unavoidable work of a refresh of ``path``, as one callable (outputs built before)."""
    from python_calamine import CalamineWorkbook

    from iku_excel.api import check_file
    from iku_excel.backends.xlsx.sheet_writer import sheet_xml
    from iku_excel.backends.xlsx.stylesheet import style_index
    from iku_excel.reader import sheets_to_read
    from iku_excel.sheets import build_outputs

    outputs = build_outputs(check_file(path), {})
    index = style_index(outputs.sheets)
    copy = path.with_suffix(".floor")

    def run() -> None:
        shutil.copyfile(path, copy)  # the unchanged members, raw
        book = CalamineWorkbook.from_path(str(path))
        for name in sheets_to_read(book.sheet_names):
            book.get_sheet_by_name(name).to_python()
        for spec in outputs.sheets:
            data = sheet_xml(spec, index)
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            deflate.compress(data)
            deflate.flush()

    return run


def bench_size(n: int, workdir: Path, repeats: int) -> SizeRun:
    from openpyxl import load_workbook

    from iku_excel.api import refresh_file

    src = workdir / f"iku_{n}.xlsx"
    if not src.exists():
        generate_workbook(src, n, seed=1)
    run = SizeRun(n)
    first, second, out = workdir / "first.xlsx", workdir / "second.xlsx", workdir / "opx.xlsx"
    shutil.copyfile(src, second)
    refresh_file(second)  # a refreshed file: Capaian and Validasi already there
    floor = floor_parts(src)
    cli = [*cli_command(), "refresh", "--no-progress"]
    opx = [sys.executable, "-c", OPENPYXL_SCRIPT]
    for _ in range(repeats):
        shutil.copyfile(src, first)
        t_opx = _wall([*opx, str(src), str(out)])
        t_first = _wall([*cli, str(first)])
        t_second = _wall([*cli, str(second)])
        run.whole_openpyxl_s.append(t_opx)
        run.whole_refresh_s.append(t_first)
        run.whole_first.append(t_first / t_opx)
        run.whole_second.append(t_second / t_opx)
        shutil.copyfile(src, first)
        t_opx = _timed(lambda: load_workbook(src).save(out))
        t_first = _timed(lambda: refresh_file(first))
        t_second = _timed(lambda: refresh_file(second))
        t_floor = _timed(floor)
        run.openpyxl_s.append(t_opx)
        run.refresh_s.append(t_first)
        run.floor_s.append(t_floor)
        run.inproc_first.append(t_first / t_opx)
        run.inproc_second.append(t_second / t_opx)
        run.floor_multiple.append(t_first / t_floor)
    return run


def start_methods(workdir: Path, repeats: int = 9) -> dict[str, float]:
    """Whole-process refresh of the 20-indicator workbook ÷ openpyxl, per way of starting the
    worker (``IKU_EXCEL_START_METHOD``), interleaved; medians of the paired ratios."""
    src = workdir / "iku_20.xlsx"
    if not src.exists():
        generate_workbook(src, 20, seed=1)
    copy, out = workdir / "start.xlsx", workdir / "start_opx.xlsx"
    cli = [*cli_command(), "refresh", "--no-progress", str(copy)]
    ratios: dict[str, list[float]] = {"fork": [], "spawn": [], "forkserver": []}
    for _ in range(repeats):
        t_opx = _wall([sys.executable, "-c", OPENPYXL_SCRIPT, str(src), str(out)])
        for method, found in ratios.items():
            shutil.copyfile(src, copy)
            os.environ["IKU_EXCEL_START_METHOD"] = method
            try:
                found.append(_wall(cli) / t_opx)
            finally:
                del os.environ["IKU_EXCEL_START_METHOD"]
    return {method: _median(found) for method, found in ratios.items()}


def peak_kb_per_indicator(n: int, workdir: Path) -> float:
    """(peak RSS of a refresh - peak RSS of the imports alone) / indicators, in KB."""
    src = workdir / f"iku_{n}.xlsx"
    if not src.exists():
        generate_workbook(src, n, seed=1)
    copy = workdir / "memory.xlsx"
    shutil.copyfile(src, copy)
    args = [sys.executable, "-c", REFRESH_SCRIPT]
    env = cli_env()
    base = int(subprocess.run([*args, "-"], capture_output=True, text=True, env=env).stdout)
    run = subprocess.run([*args, str(copy)], capture_output=True, text=True, env=env)
    if run.returncode != 0:  # e.g. refused by a limit of iku_excel.limits: say so, go on
        lines = run.stderr.strip().splitlines()
        print(f"memory at {n:,}: refresh failed: {lines[-1] if lines else run.returncode}")
        return float("nan")
    return (int(run.stdout) - base) / n  # ru_maxrss is in KB on Linux


def bench_batch(count: int, workdir: Path, pairs: int = BATCH_PAIRS) -> dict[str, float]:
    """``--jobs 1`` and ``--jobs 2`` over ``count`` copies of the example, ``pairs`` times
    interleaved: the median wall times and the median, lowest and highest of the paired
    speed-ups (one pair swings by about ±0.1 on a 2-CPU machine)."""
    from iku_excel.template import example_path

    walls: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(pairs):
        for jobs in (1, 2):
            folder = workdir / f"batch{jobs}"
            batch_folder(example_path(), folder, count)
            args = [*cli_command(), "refresh", str(folder), "--jobs", str(jobs), "--no-progress"]
            walls[jobs].append(_wall(args))
            shutil.rmtree(folder)
    speedups = [one / two for one, two in zip(walls[1], walls[2], strict=True)]
    return {
        "jobs1": _median(walls[1]),
        "jobs2": _median(walls[2]),
        "speedup": _median(speedups),
        "speedup_min": min(speedups),
        "speedup_max": max(speedups),
        "pairs": pairs,
    }


def excel_calls(workdir: Path) -> dict[int, tuple[int, int]]:
    """Groups -> (remote engine actions, desktop double calls) of a refresh."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    from tests.helpers.xlwings_replay import enable_remote_engine
    from tests.test_excel_calls import desktop_calls
    from tests.test_xlwings_engine import refresh_actions, varied_workbook

    enable_remote_engine()
    out: dict[int, tuple[int, int]] = {}
    for groups in GROUPS:
        path = varied_workbook(workdir / f"groups{groups}.xlsx", groups, 3)
        out[groups] = (len(refresh_actions(path)[0]), len(desktop_calls(path)))
    return out


def table(
    runs: Sequence[SizeRun],
    memory: dict[int, float],
    batch: dict[str, float] | None,
    calls: dict[int, tuple[int, int]] | None,
) -> str:
    lines = [
        "| indicators | whole process 1st / 2nd ÷ openpyxl | in process 1st / 2nd ÷ openpyxl "
        "| ÷ floor | refresh (in process) | peak KB / indicator |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        mem = memory.get(r.indicators)
        lines.append(
            f"| {r.indicators:,} | {_median(r.whole_first):.2f} / {_median(r.whole_second):.2f} "
            f"| {_median(r.inproc_first):.2f} / {_median(r.inproc_second):.2f} "
            f"| {_median(r.floor_multiple):.1f} | {_median(r.refresh_s):.3f} s "
            f"| {'' if mem is None else f'{mem:.1f}'} |"
        )
    for n, mem in memory.items():
        if n not in {r.indicators for r in runs}:
            lines.append(f"| {n:,} | | | | | {mem:.1f} |")
    if batch:
        lines += [
            "",
            f"Batch of example workbooks, medians of {batch['pairs']:.0f} interleaved pairs: "
            f"`--jobs 1` {batch['jobs1']:.2f} s, `--jobs 2` {batch['jobs2']:.2f} s: "
            f"{batch['speedup']:.2f}× faster (pairs {batch['speedup_min']:.2f}–"
            f"{batch['speedup_max']:.2f}).",
        ]
    if calls:
        lines += [
            "",
            "| sasaran groups | remote engine actions | desktop Excel calls (test double) |",
            "|---:|---:|---:|",
            *(f"| {g} | {remote} | {desktop} |" for g, (remote, desktop) in calls.items()),
        ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    start, end = content.index(README_START), content.index(README_END)
    content = content[: start + len(README_START)] + "\n" + text + "\n" + content[end:]
    readme.write_text(content, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[])
    parser.add_argument("--batch", type=int)
    parser.add_argument(
        "--batch-pairs", type=int, default=BATCH_PAIRS, help="interleaved --jobs 1/2 pairs"
    )
    parser.add_argument("--no-calls", action="store_true")
    parser.add_argument("--start-methods", action="store_true", help="fork/spawn/forkserver")
    parser.add_argument("--readme", action="store_true", help="rewrite README's table")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    sizes = args.sizes if args.sizes is not None else (QUICK_SIZES if args.quick else SIZES)
    batch_count = args.batch if args.batch is not None else (40 if args.quick else 200)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="iku-speed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    PYCACHE.append(str(workdir / "pycache"))
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} | CPUs {os.cpu_count()} | load {load}", flush=True)
    if args.start_methods:
        for method, ratio in start_methods(workdir).items():
            print(f"start method {method}: whole-process refresh of 20 ÷ openpyxl {ratio:.2f}")
    runs = []
    for n in sizes:
        print(f"… {n:,} indicators", flush=True)
        runs.append(bench_size(n, workdir, REPEATS.get(n, 3)))
    memory = {n: peak_kb_per_indicator(n, workdir) for n in [*sizes, *args.memory_sizes]}
    batch = bench_batch(batch_count, workdir, args.batch_pairs) if batch_count else None
    calls = None if args.no_calls else excel_calls(workdir)
    text = table(runs, memory, batch, calls)
    print(text)
    print(f"load at the end: {os.getloadavg()}")
    if args.readme:
        write_readme(text)
    if args.json:
        document = {
            "runs": [asdict(r) for r in runs],
            "memory_kb_per_indicator": memory,
            "batch": batch,
            "calls": calls,
            "load": [load, os.getloadavg()],
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
