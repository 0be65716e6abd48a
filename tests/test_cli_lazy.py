"""The CLI's lazily imported commands: listed, documented, runnable, and not loaded by check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from iku_excel.api import check_file
from iku_excel.cli import LAZY_COMMANDS, cli
from iku_excel.rekap.frames import evaluation_frames

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
)


def test_lazy_commands_are_listed_and_have_help() -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["--help"]).output
    for name in LAZY_COMMANDS:
        assert name in out
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output


def test_check_does_not_import_the_rekap_stack() -> None:
    code = (
        "import sys; from iku_excel.cli import main; "
        f"rc = main(['check', {str(EXAMPLE)!r}]); "
        "print(sorted(m for m in ('pandas', 'iku_excel.rekap') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_evaluation_to_frame_is_the_rekap_frame_of_one_workbook() -> None:
    ev = check_file(EXAMPLE)
    frames = ev.to_frame("contoh.xlsx")
    expected = evaluation_frames(ev, file="contoh.xlsx")
    assert frames.indicators.equals(expected.indicators)
    assert list(frames.indicators["code"]) == [r.indicator.code for r in ev.indicators]
