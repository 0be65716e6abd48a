"""The IKU buttons inside xlwings Lite: Excel without a Python install (Pyodide runs in Excel).

xlwings Lite is an Office.js add-in that runs Python (Pyodide) inside Excel on Windows, macOS and
Excel on the web. The workbook's ``main.py`` (``lite/main.py`` in this repository) defines one
``@script`` per button; each awaits a function here with the book Lite hands to the script, the
same remote-engine ``xw.Book`` the tests drive:

- :func:`check` ("Periksa") and :func:`refresh` ("Perbarui Capaian"): the ribbon's own work
  (:mod:`iku_excel.ribbon`) on a :class:`LiteEngine`;
- :func:`new_workbook` ("Templat Baru"): Lite cannot open files, so a message explains how to
  start from the template;
- :func:`help` ("Bantuan"): the documentation's address in a message (no browser to open);
- :func:`adopt` ("Adopsi Tabel"): ``iku_excel.ribbon.adopt`` where this version has it.

Reading: the book Lite hands over holds values only; number formats and formulas are read
synchronously nowhere on this engine. :class:`LiteEngine` fetches them first, with xlwings Lite's
async reads (``await rng.get_number_format()``, ``await rng.get_formula()``), so that a
percent-formatted ``0.8`` reads as 80, as the file engine reads it. Where those reads are not
available (xlwings' remote engine outside Pyodide) the engine reads as the plain xlwings engine.

Errors: no log file (Pyodide's file system is in memory and gone when Lite restarts); the
traceback is printed to Lite's output pane and a message box says so.

Known differences from desktop Excel (what Lite cannot set; skipped without error, see
``docs/panduan-pengguna.md``): page setup (orientation, paper, fit to width, print titles,
margins), underline and tab colour. The print area, freeze panes, fonts, fills, borders, number
formats and conditional formats are written as everywhere.

This module and everything it imports are pure Python: no lxml, python-calamine, openpyxl,
pandas, click or tqdm (``tests/test_lite.py`` holds that).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from iku_excel import contract, ribbon
from iku_excel.backends.format_reads import (
    FORMAT_READS_PER_COLUMN,
    fill_format_runs,
    halving,
    number_rows,
)
from iku_excel.backends.xlwings_engine import XlwingsEngine
from iku_excel.reader import find_sheet, sheets_to_read

if TYPE_CHECKING:
    import xlwings as xw

    from iku_excel.backends.base import SheetSelector
    from iku_excel.model import Evaluation

R = TypeVar("R")

#: Where "Bantuan" leads (Lite has no docs folder beside the package).
DOCS_URL = ribbon.DOCS_URL
#: Whether this version has the "Adopsi Tabel" button (``iku_excel.ribbon.adopt``).
ADOPT_AVAILABLE = callable(getattr(ribbon, "adopt", None))


# --- Messages -------------------------------------------------------------------------------------


def failure_message() -> str:
    """The message box of an unexpected error in Lite (the details are in the output pane)."""
    return (
        "Maaf, terjadi kesalahan yang tidak terduga.\n"
        "Rinciannya tercetak di panel Output xlwings Lite: salin teks itu dan kirimkan ke "
        "pengelola iku-excel."
    )


def new_workbook_message() -> str:
    return (
        "xlwings Lite tidak dapat membuka atau membuat file.\n"
        "Untuk mulai dari templat: unduh IKU_template.xlsx (tautan di panduan: "
        f"{DOCS_URL}), simpan dengan nama baru, buka di Excel, tempel main.py dan "
        "requirements.txt iku-excel di xlwings Lite, isi sheet IKU dan RPJMD, lalu klik Periksa."
    )


def help_message() -> str:
    return f"Panduan iku-excel (bahasa Indonesia) ada di:\n{DOCS_URL}"


def adopt_missing_message() -> str:
    return (
        "Adopsi Tabel belum ada di versi iku-excel yang terpasang. Perbarui iku-excel di tab "
        "requirements.txt xlwings Lite, lalu mulai ulang xlwings Lite."
    )


# --- Reading with Lite's async reads --------------------------------------------------------------


async def read_format_runs_async(
    get: Callable[[int, int], Awaitable[object]], first: int, last: int, budget: int
) -> list[tuple[int, int, str]]:
    """:func:`~iku_excel.backends.format_reads.read_format_runs` with an awaited ``get``: the
    same :func:`~iku_excel.backends.format_reads.halving`, driven asynchronously."""
    steps = halving(first, last, budget)
    try:
        rows = next(steps)
        while True:
            rows = steps.send(await get(*rows))
    except StopIteration as done:
        return done.value


class LiteEngine(XlwingsEngine):
    """The xlwings engine on xlwings Lite's book: number formats and formulas are fetched ahead
    with Lite's async reads (:meth:`prefetch`), then everything runs as on desktop Excel."""

    def __init__(self, book: xw.Book) -> None:
        super().__init__(book)
        self._prefetched_formats: dict[str, list[list[str | None]] | None] = {}
        self._prefetched_formulas: dict[str, list[list[object]]] = {}
        self.async_reads = 0  # round trips to Excel made by prefetch (benchmarks, tests)

    async def prefetch(self, select: SheetSelector, *, formulas: bool = False) -> None:
        """Fetch the number formats of the sheets ``select`` picks (per column, as the desktop
        engine reads them) and, with ``formulas``, the formulas of the IKU sheet (one read)."""
        names = self.sheet_names()
        for name in select(names):
            grid = self.read_sheet(name)
            sheet = self.book.sheets[name]
            self._prefetched_formats[name] = await self._formats_async(sheet, grid.values)
        iku = find_sheet(names, contract.SHEET_IKU)
        if formulas and iku is not None:
            await self._formulas_async(iku)

    async def _formats_async(
        self, sheet: xw.Sheet, values: Sequence[Sequence[object]]
    ) -> list[list[str | None]] | None:
        if not values or self._formats_readable is False:
            return None
        formats: list[list[str | None]] = [[None] * len(line) for line in values]
        for col in range(1, max(len(line) for line in values) + 1):
            rows = number_rows(values, col)
            if not rows:
                continue

            async def get(r1: int, r2: int, col: int = col) -> object:
                self.async_reads += 1
                return await sheet.range((r1, col), (r2, col)).get_number_format()

            try:
                runs = await read_format_runs_async(get, rows[0], rows[-1], FORMAT_READS_PER_COLUMN)
            except NotImplementedError:  # not in xlwings Lite: no async reads
                self._formats_readable = False
                return None
            self._formats_readable = True
            fill_format_runs(formats, col, runs)
        return formats

    async def _formulas_async(self, name: str) -> None:
        sheet = self.book.sheets[name]
        last = sheet.used_range.last_cell
        try:
            self.async_reads += 1
            rng = sheet.range((1, 1), (last.row, last.column)).options(ndim=2)
            raw = await rng.get_formula()
        except NotImplementedError:
            return
        self._prefetched_formulas[name] = [list(line) for line in raw or []]

    def _read_formats(
        self, sheet: xw.Sheet, values: list[list[object]]
    ) -> list[list[str | None]] | None:
        return self._prefetched_formats.get(sheet.name)

    def read_formulas(self, sheet: str, col: int) -> dict[int, str]:
        lines = self._prefetched_formulas.get(sheet)
        if lines is None:
            return super().read_formulas(sheet, col)
        out: dict[int, str] = {}
        for row, line in enumerate(lines, start=1):
            text = line[col - 1] if col <= len(line) else None
            if isinstance(text, str) and text.startswith("="):
                out[row] = text
        return out


# --- Error handling -------------------------------------------------------------------------------


async def _run(book: xw.Book, action: Callable[[xw.Book], Awaitable[R]]) -> R | None:
    """Await ``action``; every exception becomes a message box (and, when unexpected, a
    traceback in Lite's output pane), never a log file."""
    from iku_excel.errors import IkuError

    try:
        return await action(book)
    except Exception as exc:
        if isinstance(exc, IkuError):
            prompt = ribbon.problem_message(str(exc))
        else:
            traceback.print_exception(exc, file=sys.stdout)
            prompt = failure_message()
        print(prompt)
        try:
            ribbon._alert(book, prompt, critical=True)
        except Exception:
            print("(pesan tidak dapat ditampilkan di Excel)")
    return None


# --- The buttons ----------------------------------------------------------------------------------


async def check(book: xw.Book) -> Evaluation | None:
    """ "Periksa": validate, (re)write and show the Validasi sheet, show the counts."""
    return await _run(book, _check)


async def _check(book: xw.Book) -> Evaluation:
    engine = LiteEngine(book)
    await engine.prefetch(sheets_to_read)
    return ribbon._check(book, engine)


async def refresh(book: xw.Book) -> Evaluation | None:
    """ "Perbarui Capaian": the full refresh, then show Validasi (errors) or Capaian."""
    return await _run(book, _refresh)


async def _refresh(book: xw.Book) -> Evaluation:
    from iku_excel.api import _sheets_for_refresh

    engine = LiteEngine(book)
    await engine.prefetch(_sheets_for_refresh, formulas=True)
    return ribbon._refresh(book, engine)


async def new_workbook(book: xw.Book) -> None:
    """ "Templat Baru": Lite cannot open files; the message says how to start from the template."""

    async def show(b: xw.Book) -> None:
        ribbon._alert(b, new_workbook_message())

    await _run(book, show)


async def help(book: xw.Book) -> str | None:
    """ "Bantuan": the documentation's address in a message box; returns it."""

    async def show(b: xw.Book) -> str:
        ribbon._alert(b, help_message())
        return DOCS_URL

    return await _run(book, show)


async def adopt(book: xw.Book) -> Any:
    """ "Adopsi Tabel": ``iku_excel.ribbon.adopt`` where this version has it, else a message."""

    async def run(b: xw.Book) -> Any:
        button = getattr(ribbon, "adopt", None)
        if not callable(button):
            ribbon._alert(b, adopt_missing_message())
            return None
        return button(b)

    return await _run(book, run)
