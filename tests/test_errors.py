"""errors.py: every exception becomes one line and an exit code; internal errors go to a private
log file that nobody else can plant or read. Driven through the command line where it matters."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from iku_excel import errors
from iku_excel.cli import EXIT_INTERNAL, EXIT_UNREADABLE, cli, main
from iku_excel.errors import (
    LOG_DIR_ENV,
    CannotProceed,
    WorkbookCorrupt,
    describe_error,
    write_log,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
OS_ERRORS = (errno.ENOSPC, errno.ENAMETOOLONG, errno.EACCES, errno.EROFS, errno.ENOENT, errno.EIO)


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv(LOG_DIR_ENV, str(folder))
    return folder


def _broken_check(path: object) -> None:
    raise RuntimeError("simulated bug\nsecond line")


# --- describe_error -------------------------------------------------------------------------------


def test_iku_error_with_two_arguments_reads_as_one_line_not_a_tuple() -> None:
    message, code = describe_error(WorkbookCorrupt(Path("wb.xlsx"), "I/O error: short read"))
    assert (message, code) == ("wb.xlsx: I/O error: short read", EXIT_UNREADABLE)
    assert str(CannotProceed("satu baris")) == "satu baris"


@pytest.mark.parametrize("number", OS_ERRORS)
def test_os_errors_are_exit_2_naming_the_file_without_python_repr(number: int, logs: Path) -> None:
    exc = OSError(number, os.strerror(number), "/data/wb.xlsx")
    message, code = describe_error(exc)
    assert code == EXIT_UNREADABLE
    assert message.startswith("/data/wb.xlsx: ")
    assert "Errno" not in message and "PosixPath" not in message and "\n" not in message
    assert os.strerror(number) not in message  # the cause is said in Indonesian
    # the file being processed is named rather than a temporary file beside it
    other, _ = describe_error(OSError(number, "x", "/data/.~iku-1.tmp"), Path("/data/wb.xlsx"))
    assert other.startswith("/data/wb.xlsx: ")
    assert not logs.exists()  # not a bug: nothing is logged


def test_unknown_errno_still_one_line() -> None:
    message, code = describe_error(OSError(errno.EXDEV, "Invalid cross-device link"))
    assert code == EXIT_UNREADABLE and "\n" not in message and "Errno" not in message


def test_memory_error_is_a_file_problem() -> None:
    assert describe_error(MemoryError(), "wb.xlsx")[1] == EXIT_UNREADABLE


def test_a_bug_is_logged_and_named(logs: Path) -> None:
    message, code = describe_error(KeyError("kolom"))
    (log,) = logs.iterdir()
    assert code == EXIT_INTERNAL and str(log) in message and "\n" not in message
    assert "KeyError: 'kolom'" in log.read_text(encoding="utf-8")


# --- The log file ---------------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_log_file_is_private_and_unique(logs: Path) -> None:
    first = write_log(RuntimeError("a"))
    second = write_log(RuntimeError("b"))
    assert first is not None and second is not None and first != second
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700


def test_default_log_folder_is_the_users_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(LOG_DIR_ENV, raising=False)
    assert errors.log_dir() == Path(platformdirs.user_log_dir("iku-excel", appauthor=False))
    assert not str(errors.log_dir()).startswith(tempfile.gettempdir())


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_a_symlinked_log_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "logs").symlink_to(elsewhere)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    assert write_log(RuntimeError("x")) is None
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
def test_a_log_folder_of_another_user_is_refused(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs.mkdir(mode=0o700)
    uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: uid + 1)
    assert write_log(RuntimeError("x")) is None
    assert list(logs.iterdir()) == []


# --- Through the command line ---------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_a_planted_symlink_at_the_old_predictable_path_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], logs: Path
) -> None:
    """Earlier versions wrote /tmp/iku-excel/error-<second>.log, following a planted link."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    old = tmp_path / "tmp" / "iku-excel"
    old.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("milik orang lain\n")
    now = dt.datetime.now()
    for second in range(-2, 30):
        stamp = now + dt.timedelta(seconds=second)
        (old / f"error-{stamp:%Y%m%d-%H%M%S}.log").symlink_to(victim)
    monkeypatch.setattr("iku_excel.api.check_file", _broken_check)
    assert main(["check", str(EXAMPLE)]) == EXIT_INTERNAL
    assert victim.read_text() == "milik orang lain\n"
    (log,) = logs.iterdir()
    assert str(log) in capsys.readouterr().err


def test_internal_error_when_the_log_folder_is_a_file_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(LOG_DIR_ENV, str(blocker))
    monkeypatch.setattr("iku_excel.api.check_file", _broken_check)
    result = CliRunner().invoke(cli, ["check", str(EXAMPLE)])
    assert result.exit_code == EXIT_INTERNAL
    (line,) = result.stderr.strip().splitlines()
    assert "Traceback" not in result.output and "simulated bug second line" in line
    assert "Rincian:" not in line and blocker.read_text() == "x"


def test_internal_error_when_writing_the_log_raises_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], logs: Path
) -> None:
    def no_log_folder() -> Path:
        raise RuntimeError("platformdirs broke")

    monkeypatch.setattr(errors, "log_dir", no_log_folder)
    monkeypatch.setattr("iku_excel.api.check_file", _broken_check)
    assert main(["check", str(EXAMPLE)]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.ENAMETOOLONG, errno.EACCES])
def test_os_error_while_checking_is_exit_2_one_line(
    number: int, monkeypatch: pytest.MonkeyPatch, logs: Path
) -> None:
    def failing(path: object) -> None:
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr("iku_excel.api.check_file", failing)
    result = CliRunner().invoke(cli, ["check", str(EXAMPLE), str(EXAMPLE)])
    assert result.exit_code == EXIT_UNREADABLE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{EXAMPLE}: ") for line in lines)
    assert "Errno" not in result.stderr and "Traceback" not in result.output
    assert not logs.exists()


@pytest.mark.skipif(os.name == "nt", reason="NAME_MAX of POSIX file systems")
def test_a_250_character_file_name_is_exit_2_not_an_internal_error(
    tmp_path: Path, logs: Path
) -> None:
    """The backup's name beside a 250-character name is too long (temp and lock names are
    shortened since issue 8, so a plain refresh of such a file now succeeds: see the hostile case
    very-long-file-name; ``--backup`` keeps this test on the refusal path)."""
    target = tmp_path / ("a" * 245 + ".xlsx")
    target.write_bytes(EXAMPLE.read_bytes())
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["refresh", "--backup", str(target)])
    assert result.exit_code == EXIT_UNREADABLE, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == before and not logs.exists()
