"""``iku-excel check`` end to end: the real console script (subprocess) and click's CliRunner.

The example workbook (the seed: IKU of Dinas Sosial Kota Jambi 2023) must give exactly the
seed's real problems; unreadable inputs must give exit code 2 with one line and no traceback;
several files give the highest exit code; the JSON document keeps the documented keys.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from iku_excel import contract as c
from iku_excel.cli import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_UNREADABLE, cli, main
from iku_excel.errors import LOG_DIR_ENV
from iku_excel.template import build_template, iku_layout, rpjmd_layout

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "contoh" / "IKU_Dinsos_Kota_Jambi_2023.xlsx"
FIXTURES = ROOT / "tests" / "fixtures"
CLEAN = FIXTURES / "header-below-title-rows.xlsx"  # no finding at all
WARNINGS_ONLY = FIXTURES / "missing-rpjmd-sheet.xlsx"
NO_IKU = FIXTURES / "missing-iku-sheet.xlsx"

# The seed's real problems, nothing else (error or warning): (rule, sheet, cell, code).
SEED_FINDINGS = {
    ("reported-capaian-mismatch", "IKU", "Q3", "2.1"),  # typed 100 %, computed 125 %
    ("unit-mismatch-rpjmd", "IKU", "E4", "3.1"),  # 706 Orang against an RPJMD target of 80 %
    ("percent-over-100", "RPJMD", "H3", "2.1"),  # Kondisi Awal 146 % of a "Persentase ..."
}

# Keys of the JSON document (the schema); extra keys are allowed.
DOCUMENT_KEYS = {"file", "year", "indicators", "sasaran", "overall", "findings"}
INDICATOR_KEYS = {
    "code",
    "sasaran",
    "indicator",
    "unit",
    "polarity",
    "target",
    "realisasi",
    "capaian",
    "capaian_vs_final",
    "predicate",
}
SASARAN_KEYS = {"name", "capaian", "predicate"}
OVERALL_KEYS = {"capaian", "predicate"}
FINDING_KEYS = {"rule", "severity", "sheet", "cell", "code", "message"}
NUMBER_KEYS = ("target", "realisasi", "capaian", "capaian_vs_final")


def _console_script() -> str:
    """The installed ``iku-excel`` script beside this interpreter (not a pyenv shim), or on PATH."""
    beside = Path(sys.executable).with_name("iku-excel")
    found = str(beside) if beside.is_file() else shutil.which("iku-excel")
    assert found is not None, "the package must be installed (pip install -e .)"
    return found


CONSOLE_SCRIPT = _console_script()


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script; its stderr never holds a traceback."""
    exe = CONSOLE_SCRIPT
    proc = subprocess.run(
        [exe, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout
    return proc


def invoke(*args: str | Path) -> Any:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def findings_of(
    document: dict[str, Any], severities: tuple[str, ...] = ("error", "warning")
) -> set[tuple[str, str, str, str]]:
    return {
        (f["rule"], f["sheet"], f["cell"], f["code"])
        for f in document["findings"]
        if f["severity"] in severities
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Unreadable files, made at test time --------------------------------------------------------


def ole_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal OLE compound file (MS-CFB version 3, 512-byte sectors) holding ``streams``.

    Enough for olefile and for iku-excel's directory reader: sector 0 holds the FAT, sector 1
    the directory (root + one entry per stream, chained as right siblings), then the streams,
    each padded to 4096 bytes so that none lives in a mini stream.
    """
    sect, free, end, fatsect, nostream = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    chains: list[tuple[int, int, int]] = []
    data = b""
    next_sector = 2
    for _, content in streams:
        content = content.ljust(4096, b"\0")
        n = -(-len(content) // sect)
        chains.append((next_sector, n, len(content)))
        data += content.ljust(n * sect, b"\0")
        next_sector += n
    fat = [fatsect, end]
    for start, n, _ in chains:
        fat += [start + i + 1 for i in range(n - 1)] + [end]
    assert len(fat) <= sect // 4
    fat += [free] * (sect // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", nostream, right, child)
            + b"\0" * 36
            + struct.pack("<II", start, size)
            + b"\0" * 4
        )

    entries = [entry("Root Entry", 5, nostream, 1, end, 0)]
    for i, ((name, _), (start, _, size)) in enumerate(zip(streams, chains, strict=True), 1):
        entries.append(
            entry(name, 2, i + 1 if i < len(streams) else nostream, nostream, start, size)
        )
    directory = b"".join(entries).ljust(sect, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    assert len(header) == sect and len(directory) == sect
    return header + struct.pack(f"<{sect // 4}I", *fat) + directory + data


def test_ole_builder_is_read_by_olefile() -> None:
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(io.BytesIO(ole_file([("Workbook", b"BIFF")])))
    assert ole.listdir() == [["Workbook"]]
    assert ole.openstream("Workbook").read(4) == b"BIFF"


@pytest.fixture(scope="module")
def unreadable(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file per reason a workbook cannot be read."""
    tmp_path = tmp_path_factory.mktemp("unreadable")
    files = {
        "missing": tmp_path / "tidak-ada.xlsx",
        "text": tmp_path / "catatan.txt",
        "xls": tmp_path / "lama.xls",
        "encrypted": tmp_path / "terkunci.xlsx",
        "no-iku": tmp_path / "tanpa-iku.xlsx",
    }
    files["text"].write_text("ini bukan workbook\n", encoding="utf-8")
    files["xls"].write_bytes(ole_file([("Workbook", b"\x09\x08" + b"\0" * 100)]))
    files["encrypted"].write_bytes(encrypt(EXAMPLE, "rahasia"))
    shutil.copy(NO_IKU, files["no-iku"])
    return files


def encrypt(path: Path, password: str) -> bytes:
    """A real password-protected xlsx (Agile encryption), made with msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with path.open("rb") as handle:
        OOXMLFile(handle).encrypt(password, out)
    return out.getvalue()


# --- The example workbook ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_json() -> dict[str, Any]:
    proc = run("check", EXAMPLE, "--json")
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    assert proc.stderr == ""
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def test_example_capaian(example_json: dict[str, Any]) -> None:
    (doc,) = example_json["files"]
    assert doc["year"] == 2023
    by_code = {i["code"]: i for i in doc["indicators"]}
    assert list(by_code) == ["1.1", "2.1", "3.1"]
    assert by_code["2.1"]["capaian"] == 125.0
    assert (by_code["2.1"]["target"], by_code["2.1"]["realisasi"]) == (80, 100)
    assert by_code["1.1"]["capaian"] == 100.0
    assert by_code["3.1"]["capaian"] == 100.0
    assert by_code["3.1"]["capaian_vs_final"] is None  # Orang cannot be compared with %
    assert doc["overall"]["capaian"] == pytest.approx((100 + 125 + 100) / 3)


def test_example_findings_are_the_seeds_real_problems(example_json: dict[str, Any]) -> None:
    (doc,) = example_json["files"]
    assert findings_of(doc) == SEED_FINDINGS
    severity = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert severity["reported-capaian-mismatch"] == "error"
    assert severity["unit-mismatch-rpjmd"] == "error"
    assert severity["percent-over-100"] == "warning"


def test_json_schema(example_json: dict[str, Any]) -> None:
    assert set(example_json) >= {"files"}
    (doc,) = example_json["files"]
    assert set(doc) >= DOCUMENT_KEYS
    assert doc["file"] == str(EXAMPLE)
    for indicator in doc["indicators"]:
        assert set(indicator) >= INDICATOR_KEYS
        for key in NUMBER_KEYS:
            value = indicator[key]
            assert value is None or (
                isinstance(value, int | float) and not isinstance(value, bool)
            ), (key, value)
    for group in doc["sasaran"]:
        assert set(group) >= SASARAN_KEYS
    assert set(doc["overall"]) >= OVERALL_KEYS
    assert isinstance(doc["overall"]["capaian"], float)
    for finding in doc["findings"]:
        assert set(finding) >= FINDING_KEYS
        assert all(isinstance(finding[k], str) for k in FINDING_KEYS)


def test_json_missing_values_are_null() -> None:
    proc = run(
        "check", "--json", FIXTURES / "ambiguous-thousands.xlsx", FIXTURES / "empty-iku.xlsx"
    )
    assert proc.returncode == EXIT_FINDINGS
    ambiguous, empty = json.loads(proc.stdout)["files"]
    third = ambiguous["indicators"][2]
    assert (third["code"], third["realisasi"], third["capaian"], third["predicate"]) == (
        "3.1",
        None,
        None,
        None,
    )
    assert third["target"] == 706
    assert empty["indicators"] == []
    assert empty["overall"] == {**empty["overall"], "capaian": None, "predicate": None}


def test_check_does_not_change_the_file(tmp_path: Path) -> None:
    copy = tmp_path / EXAMPLE.name
    shutil.copy2(EXAMPLE, copy)
    before = (sha256(EXAMPLE), sha256(copy), copy.stat().st_mtime_ns)
    assert run("check", copy).returncode == EXIT_FINDINGS
    assert run("check", "--json", EXAMPLE).returncode == EXIT_FINDINGS
    assert (sha256(EXAMPLE), sha256(copy), copy.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [EXAMPLE.name]  # no temp or backup


def test_human_summary() -> None:
    proc = run("check", EXAMPLE)
    assert proc.returncode == EXIT_FINDINGS
    out = proc.stdout
    for code in ("1.1", "2.1", "3.1"):
        assert code in out
    for rule, *_ in SEED_FINDINGS:
        assert rule in out
    assert "125,00" in out  # Indonesian decimals


# --- Exit codes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unreadable_runs(unreadable: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    return {kind: run("check", path) for kind, path in unreadable.items()}


@pytest.mark.parametrize("kind", ["missing", "text", "xls", "encrypted", "no-iku"])
def test_unreadable_file_exit_2_one_line(
    kind: str,
    unreadable: dict[str, Path],
    unreadable_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    path = unreadable[kind]
    proc = unreadable_runs[kind]
    assert proc.returncode == EXIT_UNREADABLE
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0]


def test_no_iku_sheet_message_lists_the_sheets(
    unreadable_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    proc = unreadable_runs["no-iku"]
    for sheet in (c.SHEET_PETUNJUK, c.SHEET_PENGATURAN, c.SHEET_RPJMD):
        assert sheet in proc.stderr


def test_unreadable_reasons_differ(
    unreadable: dict[str, Path], unreadable_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """Each reason gets its own message (the planner must know what to do)."""
    messages = {
        kind: unreadable_runs[kind].stderr.replace(str(path), "<file>")
        for kind, path in unreadable.items()
    }
    assert len(set(messages.values())) == len(messages)


def test_fake_encrypted_ole_is_reported_as_encrypted(
    tmp_path: Path,
    unreadable: dict[str, Path],
    unreadable_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    """An OLE file with EncryptionInfo/EncryptedPackage streams reads like a real encrypted one."""
    fake = tmp_path / "palsu.xlsx"
    fake.write_bytes(
        ole_file([("EncryptionInfo", b"\x04\x00\x04\x00"), ("EncryptedPackage", b"\0" * 16)])
    )
    real = unreadable_runs["encrypted"].stderr.replace(str(unreadable["encrypted"]), "<file>")
    assert run("check", fake).stderr.replace(str(fake), "<file>") == real


def test_unreadable_in_json_mode(unreadable: dict[str, Path]) -> None:
    proc = run("check", "--json", unreadable["xls"], EXAMPLE)
    assert proc.returncode == EXIT_UNREADABLE
    first, second = json.loads(proc.stdout)["files"]
    assert first["file"] == str(unreadable["xls"]) and first["error"]
    assert findings_of(second) == SEED_FINDINGS
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([CLEAN], EXIT_OK),
        ([WARNINGS_ONLY], EXIT_OK),
        ([CLEAN, EXAMPLE], EXIT_FINDINGS),
        ([EXAMPLE, CLEAN], EXIT_FINDINGS),
        ([CLEAN, NO_IKU, EXAMPLE], EXIT_UNREADABLE),
        ([NO_IKU, CLEAN], EXIT_UNREADABLE),
    ],
)
def test_several_files_give_the_highest_code(files: list[Path], expected: int) -> None:
    proc = run("check", *files)
    assert proc.returncode == expected
    readable = [f for f in files if f != NO_IKU]
    for f in readable:
        assert str(f) in proc.stdout  # every readable file is still reported


def test_internal_error_exit_3_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("iku_excel.api.check_file", broken)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    assert main(["check", str(EXAMPLE)]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    logs = list(tmp_path.rglob("*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    assert "Traceback" in logs[0].read_text(encoding="utf-8")  # the details go to the log


class _Panic(BaseException):
    """Stands for pyo3's PanicException: a native library's panic is not an Exception."""


def test_a_native_panic_is_one_line_and_the_next_file_is_still_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from iku_excel import api

    real = api.check_file

    def panics_on_the_first(path: Path) -> object:
        if Path(path) == CLEAN:
            raise _Panic("called `Option::unwrap()` on a `None` value")
        return real(path)

    monkeypatch.setattr("iku_excel.api.check_file", panics_on_the_first)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    assert main(["check", str(CLEAN), str(EXAMPLE)]) == EXIT_INTERNAL
    out, err = capsys.readouterr()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(EXAMPLE) in out  # the next file was checked
    assert len(list(tmp_path.rglob("*.log"))) == 1


def test_usage_error_is_not_a_traceback() -> None:
    proc = run("check")
    assert proc.returncode != EXIT_OK
    assert proc.stdout == ""


def _workbook_with_duplicate_codes(path: Path) -> Path:
    build_template(path, year=2023, rpjmd_start=2023, rpjmd_end=2023)
    wb = openpyxl.load_workbook(path)
    iku = {col.key: i for i, col in enumerate(iku_layout(), start=1)}
    rp = {col.key: i for i, col in enumerate(rpjmd_layout(2023, 2023), start=1)}
    for r, (name, target) in enumerate((("Jumlah A", 10), ("Jumlah B", 20)), start=2):
        for key, value in (
            ("code", "1.1"),
            ("sasaran", "S"),
            ("indicator", name),
            ("unit", "Orang"),
            ("target", target),
            ("realisasi", target),
        ):
            wb[c.SHEET_IKU].cell(row=r, column=iku[key], value=value)
        for key, value in (
            ("code", f"1.{r}"),
            ("indicator", name),
            ("unit", "Orang"),
            ("target_2023", target),
            ("final_target", target),
        ):
            wb[c.SHEET_RPJMD].cell(row=r, column=rp[key], value=value)
    wb.save(path)
    return path


def test_duplicate_codes_are_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = _workbook_with_duplicate_codes(tmp_path / "ganda.xlsx")
    proc = run("check", "--json", path)
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    (doc,) = json.loads(proc.stdout)["files"]
    assert ("duplicate-code", "IKU", "A3", "1.1") in findings_of(doc, ("error",))


# --- The same through CliRunner (fast, in process) ------------------------------------------


def test_runner_example_json() -> None:
    result = invoke("check", "--json", EXAMPLE)
    assert result.exit_code == EXIT_FINDINGS
    (doc,) = json.loads(result.stdout)["files"]
    assert findings_of(doc) == SEED_FINDINGS
    assert {i["code"]: i["capaian"] for i in doc["indicators"]}["2.1"] == 125.0


def test_runner_exit_codes(unreadable: dict[str, Path]) -> None:
    assert invoke("check", CLEAN).exit_code == EXIT_OK
    assert invoke("check", EXAMPLE).exit_code == EXIT_FINDINGS
    for path in unreadable.values():
        result = invoke("check", path)
        assert result.exit_code == EXIT_UNREADABLE
        assert len(result.stderr.strip().splitlines()) == 1
    assert invoke("check", CLEAN, unreadable["missing"], EXAMPLE).exit_code == EXIT_UNREADABLE


def test_runner_human_summary_lists_findings_of_each_file() -> None:
    result = invoke("check", EXAMPLE, FIXTURES / "quarterly-only.xlsx")
    assert result.exit_code == EXIT_FINDINGS
    assert "quarterly-mismatch" in result.stdout
    assert "reported-capaian-mismatch" in result.stdout
    assert "3.2" in result.stdout
