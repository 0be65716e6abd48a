"""One hostile file in a batch of 300 costs the batch nothing but that file (issue 8)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.build_cases import all_cases, build_case

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
BATCH = 300


@pytest.mark.slow
def test_one_hostile_file_in_300_fails_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for i in range(BATCH - 1):
        shutil.copy(EXAMPLE, data / f"opd{i:03}.xlsx")
    bomb = next(c for c in all_cases() if c.name == "deflate-bomb-unused-member")
    built = build_case(bomb, tmp_path / "built")
    hostile = data / "opd150-bom.xlsx"
    shutil.copy(built, hostile)
    before = hostile.read_bytes()
    report = tmp_path / "laporan.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "iku_excel.cli", "refresh", str(data), "--jobs", "2"]
    done = subprocess.run(
        [*command, "--no-progress", "--report", str(report)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    files = {Path(f["file"]).name: f for f in json.loads(report.read_text("utf-8"))["files"]}
    assert len(files) == BATCH
    failed = {name for name, f in files.items() if f["failed"]}
    assert failed == {hostile.name}
    assert "melebihi batas" in files[hostile.name]["failed"]
    assert sum(1 for f in files.values() if f.get("written")) == BATCH - 1
    assert hostile.read_bytes() == before
