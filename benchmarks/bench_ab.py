"""A/B of two versions of the code: is a change faster, and are its outputs the same?

Every speed claim in the changelog ("6.39 -> 5.38 s") should come from a paired run of the old
code against the new on the same machine in the same minutes; this is that run, so it need not be
improvised each time. Side A is a git revision (default ``HEAD``), exported with ``git archive``
into a temporary folder; side B is the working tree (or ``--b REV``). For each size a workbook
is generated (:mod:`benchmarks.generate`), then, ``--pairs`` times, alternating A and B:

- **in process**: a child interpreter with that side on ``sys.path`` times
  :func:`iku_excel.api.refresh_file` on a fresh copy (a *first* refresh) and again on the result
  (a *second* refresh), and hashes both files;
- **whole process** (``--whole``): the side's console entry (``cli.run``, else ``cli.main``)
  refreshing a fresh copy, wall time of the new interpreter, imports included;
- **batch** (``--batch N``): the console entry refreshing a folder of N copies of the example
  workbook with ``--jobs 1`` and with ``--jobs 2``, wall time, and the speed-up of each side.

It prints the medians of each side, the median of the paired ratios B ÷ A (below 1: B is
faster) and whether B wrote byte for byte what A wrote. The exit code is 1 when the bytes differ.

    python benchmarks/bench_ab.py                         # HEAD vs the working tree, 200 and 2,000
    python benchmarks/bench_ab.py --a d696fa4 --sizes 20 20000 --pairs 5 --whole
    python benchmarks/bench_ab.py --a d696fa4 --sizes --batch 200 --pairs 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the generator comes from this checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import batch_folder, generate_workbook  # noqa: E402

#: Run by a child interpreter in one side's tree (``python -c`` puts the current folder first on
#: ``sys.path``, before ``PYTHONPATH``: a child started elsewhere would import that folder's).
CHILD = """
import hashlib, json, shutil, sys, time
from iku_excel.api import refresh_file
source, work = sys.argv[1], sys.argv[2]
shutil.copyfile(source, work)
times, hashes = [], []
for _ in range(2):  # a first refresh, then a second one on its result
    start = time.perf_counter()
    refresh_file(work)
    times.append(time.perf_counter() - start)
    hashes.append(hashlib.sha256(open(work, "rb").read()).hexdigest())
print(json.dumps({"times": times, "hashes": hashes}))
"""
#: The side's console script as a user runs it (``cli.run`` where it exists).
WHOLE = (
    "import sys\nfrom iku_excel import cli\n"
    "sys.argv[0] = 'iku-excel'\n"
    "cli.run() if hasattr(cli, 'run') else sys.exit(cli.main())\n"
)


@dataclass
class Side:
    label: str
    root: Path
    first: list[float] = field(default_factory=list)
    second: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    hashes: list[tuple[str, str]] = field(default_factory=list)


def export(rev: str, into: Path) -> Path:
    """The tree of ``rev`` (committed files only) unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
        capture_output=True,
        check=True,
    ).stdout
    into.mkdir(parents=True)
    tar = into / "tree.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as handle:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: no links or paths out of ``into``
            handle.extractall(into, filter="data")
        else:  # pragma: no cover - our own repository's archive
            handle.extractall(into)
    tar.unlink()
    return into


def _env(root: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    env["PYTHONPYCACHEPREFIX"] = str(cache)  # compiled once per side, as an installed package
    return env


def in_process(side: Side, source: Path, work: Path, cache: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(work)],
        capture_output=True,
        text=True,
        env=_env(side.root, cache / side.label),
        cwd=side.root,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{side.label}: {proc.stderr.strip().splitlines()[-1:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    side.first.append(result["times"][0])
    side.second.append(result["times"][1])
    side.hashes.append(tuple(result["hashes"]))


def whole_process(side: Side, source: Path, work: Path, cache: Path) -> None:
    shutil.copyfile(source, work)
    args = [sys.executable, "-c", WHOLE, "refresh", "--no-progress", str(work)]
    start = time.perf_counter()
    proc = subprocess.run(  # in the side's folder: ``-c`` puts the current folder first
        args,
        capture_output=True,
        env=_env(side.root, cache / side.label),
        cwd=side.root,
        check=False,
    )
    side.whole.append(time.perf_counter() - start)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{side.label}: exit {proc.returncode}")


def batch_walls(side: Side, count: int, folder: Path, cache: Path) -> tuple[float, float]:
    """Wall times of ``refresh FOLDER --jobs 1`` and ``--jobs 2`` over ``count`` copies of the
    side's example workbook (fresh copies for each run)."""
    example = side.root / "iku_excel" / "data" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
    walls = []
    for jobs in (1, 2):
        batch_folder(example, folder, count)
        args = [sys.executable, "-c", WHOLE, "refresh", "--no-progress", "--jobs", str(jobs)]
        start = time.perf_counter()
        proc = subprocess.run(
            [*args, str(folder)],
            capture_output=True,
            env=_env(side.root, cache / side.label),
            cwd=side.root,
            check=False,
        )
        walls.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{side.label}: exit {proc.returncode}")
    shutil.rmtree(folder)
    return walls[0], walls[1]


def report_batch(count: int, runs: dict[str, list[tuple[float, float]]]) -> None:
    print(f"batch of {count} example workbooks, {len(next(iter(runs.values())))} pairs")
    for label, walls in runs.items():
        one = statistics.median(w[0] for w in walls)
        two = statistics.median(w[1] for w in walls)
        speedup = statistics.median(w[0] / w[1] for w in walls)
        print(f"  {label:<14} --jobs 1 {one:7.3f} s   --jobs 2 {two:7.3f} s   ", end="")
        print(f"speed-up {speedup:.2f}")


def _paired(a: Sequence[float], b: Sequence[float]) -> float:
    return statistics.median(y / x for x, y in zip(a, b, strict=True))


def report(size: int, a: Side, b: Side) -> bool:
    """Print one size's lines; True when B wrote what A wrote."""
    same = a.hashes == b.hashes
    print(f"{size:,} indicators, {len(a.first)} pairs")
    rows = [("first refresh", a.first, b.first), ("second refresh", a.second, b.second)]
    if a.whole:
        rows.append(("whole process", a.whole, b.whole))
    for name, xs, ys in rows:
        print(
            f"  {name:<15} {a.label} {statistics.median(xs):8.3f} s   "
            f"{b.label} {statistics.median(ys):8.3f} s   B ÷ A {_paired(xs, ys):.3f}"
        )
    print(f"  outputs byte for byte the same: {'yes' if same else 'NO'}")
    return same


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", default="HEAD", help="revision of side A (default HEAD)")
    parser.add_argument("--b", default=None, help="revision of side B (default: working tree)")
    parser.add_argument("--sizes", nargs="*", type=int, default=[200, 2_000])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--whole", action="store_true", help="also time the console script")
    parser.add_argument("--batch", type=int, default=0, help="also a batch of N workbooks")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iku-ab-") as tmp:
        folder = Path(tmp)
        side_a = Side(f"A({args.a})", export(args.a, folder / "a"))
        side_b = Side(
            f"B({args.b})" if args.b else "B(tree)",
            export(args.b, folder / "b") if args.b else ROOT,
        )
        all_same = True
        for size in args.sizes:
            source = folder / f"iku_{size}.xlsx"
            generate_workbook(source, size, seed=1)
            a, b = Side(side_a.label, side_a.root), Side(side_b.label, side_b.root)
            for _ in range(args.pairs):
                for side in (a, b):
                    in_process(side, source, folder / "work.xlsx", folder / "pycache")
                    if args.whole:
                        whole_process(side, source, folder / "whole.xlsx", folder / "pycache")
            all_same = report(size, a, b) and all_same
        if args.batch:
            runs: dict[str, list[tuple[float, float]]] = {side_a.label: [], side_b.label: []}
            for _ in range(args.pairs):
                for side in (side_a, side_b):
                    walls = batch_walls(side, args.batch, folder / "batch", folder / "pycache")
                    runs[side.label].append(walls)
            report_batch(args.batch, runs)
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
