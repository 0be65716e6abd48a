"""The "Adopsi Tabel" button through xlwings' remote engine, replayed onto openpyxl: the same
Pemetaan sheet as ``iku-excel adopt``; then "Perbarui Capaian" on the adopted book gives what
the file engine's refresh gives (the planner's sheet, Capaian, Validasi)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from iku_excel import contract as c
from iku_excel import ribbon
from iku_excel.adopt.mapping import SHEET_PEMETAAN
from iku_excel.api import adopt_file, refresh_file
from iku_excel.errors import LOG_DIR_ENV
from tests.adopt.build_corpus import CASES, write_case
from tests.helpers.xlwings_replay import (
    enable_remote_engine,
    remote_book,
    replay_onto,
    sheet_differences,
)


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))


def _load(path: Path) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def _alerts(book: Any) -> list[list[Any]]:
    return [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]


def _numbers_table(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Pengukuran"
    ws.append(["Tabel 3.1 Pengukuran Kinerja Tahun 2023"])
    ws.append(["No", "Sasaran", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian"])
    ws.append([1, "Meningkatnya layanan", "Persentase PMKS tertangani", "%", 80, 72, 90])
    ws.append([2, None, "Angka kemiskinan", "%", 10, 9, 110])
    ws.append(["Sumber: Dinas Sosial"])
    book.save(path)
    return path


def _sources(tmp_path: Path) -> list[tuple[Path, str]]:
    lampung = next(x for x in CASES if x["file"].startswith("lampung"))
    return [
        (write_case(lampung, tmp_path / "src"), lampung["sheet"]),
        (_numbers_table(tmp_path / "angka.xlsx"), "Pengukuran"),
    ]


@pytest.mark.parametrize("which", [0, 1])
def test_adopt_button_then_refresh_button_match_the_file_engine(which: int, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    src, table = _sources(tmp_path)[which]
    by_file = tmp_path / "by-file.xlsx"
    shutil.copyfile(src, by_file)
    adopt_file(by_file)

    book = remote_book(src)
    found = ribbon.adopt(book)
    assert found is not None and found.written and found.result.mapping is not None
    replayed, _ = replay_onto(src, book.json()["actions"])
    expected = _load(by_file)
    assert replayed.sheetnames == expected.sheetnames == [table, SHEET_PEMETAAN]
    assert sheet_differences(expected[SHEET_PEMETAAN], replayed[SHEET_PEMETAAN]) == []
    assert sheet_differences(expected[table], replayed[table]) == []
    (prompt, title, *_rest) = _alerts(book)[-1]
    assert title == ribbon.TITLE and "Pemetaan" in prompt and table in prompt

    adopted = tmp_path / "adopted.xlsx"
    replayed.save(adopted)
    refresh_file(by_file)
    book = remote_book(adopted)
    ev = ribbon.refresh(book)
    assert ev is not None
    refreshed, _ = replay_onto(adopted, book.json()["actions"])
    expected = _load(by_file)
    for name in (table, c.SHEET_CAPAIAN, c.SHEET_VALIDASI):
        assert sheet_differences(expected[name], refreshed[name]) == [], name


def test_adopt_button_refusal_names_the_header_and_writes_nothing(tmp_path: Path) -> None:
    case = next(x for x in CASES if x["file"].startswith("kulon"))
    src = write_case(case, tmp_path)
    book = remote_book(src)
    found = ribbon.adopt(book)
    assert found is not None and found.result.mapping is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    prompt, _title, _buttons, mode, _callback = actions[0]["args"]
    assert mode == "critical" and "2021" in prompt and "baris 2" in prompt
