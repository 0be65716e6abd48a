"""The Python side of the IKU ribbon tab in Excel (called by the add-in through ``RunPython``).

Each button of the add-in runs one function here, on the workbook the planner has open:

- :func:`check` ("Periksa"): validate only, (re)write the ``Validasi`` sheet and show it;
- :func:`refresh` ("Perbarui Capaian"): the full refresh (IKU ``Capaian (%)`` column,
  ``Capaian`` and ``Validasi`` sheets), then show ``Validasi`` if there are errors, else
  ``Capaian``;
- :func:`adopt` ("Adopsi Tabel"): map the planner's own capaian table on the active sheet and,
  once confirmed, save the mapping in a ``Pemetaan`` sheet (as ``iku-excel adopt``);
- :func:`new_workbook` ("Templat Baru"): a new workbook from the packaged template;
- :func:`rekap_folder` ("Rekap Folder"): :func:`iku_excel.rekap.ribbon.rekap_folder`;
- :func:`help` ("Bantuan"): open the documentation.

Every function takes an optional ``book`` (default: ``xw.Book.caller()``, the workbook the
button was clicked in). Results appear in Excel as a message box in Indonesian. An error never
shows a Python traceback: a problem with the workbook (no IKU sheet...) or with the disk is
explained in the message box; anything unexpected gets a short message naming a log file
(``ribbon-<time>-....log`` in the user's own log folder, see :func:`iku_excel.errors.write_log`)
that holds the details. xlwings is imported inside the functions, so importing this module stays
cheap and needs no xlwings.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from iku_excel import contract

if TYPE_CHECKING:
    import xlwings as xw

    from iku_excel.api import AdoptResult
    from iku_excel.backends.xlwings_engine import XlwingsEngine
    from iku_excel.model import Evaluation

R = TypeVar("R")

TITLE = "IKU"
#: Where "Bantuan" leads when no documentation folder sits beside the package.
DOCS_URL = "https://pypi.org/project/iku-excel/"
#: The file name a new workbook from the template gets (a number is added when it exists).
NEW_WORKBOOK_NAME = "IKU_baru.xlsx"


# --- Messages -------------------------------------------------------------------------------------


def counts_message(ev: Evaluation) -> str:
    """The finding counts, in Indonesian (one line)."""
    n_info = len(ev.findings) - ev.n_errors - ev.n_warnings
    if not ev.findings:
        return "Tidak ada temuan: semua indikator sesuai aturan."
    return f"Temuan: {ev.n_errors} error, {ev.n_warnings} peringatan, {n_info} info."


def check_message(ev: Evaluation) -> str:
    text = "Pemeriksaan selesai.\n" + counts_message(ev)
    if ev.findings:
        text += f"\nRinciannya ada di sheet {contract.SHEET_VALIDASI}."
    return text


def refresh_message(ev: Evaluation, n_changed: int) -> str:
    text = (
        f"Capaian diperbarui: sheet {contract.SHEET_CAPAIAN} dan {contract.SHEET_VALIDASI} "
        f"dibuat ulang, {n_changed} sel Capaian (%) di sheet {contract.SHEET_IKU} berubah.\n"
        + counts_message(ev)
    )
    if ev.n_errors:
        text += f"\nPerbaiki error di sheet {contract.SHEET_VALIDASI}, lalu perbarui lagi."
    return text


def failure_message(message: str) -> str:
    """The message box of an unexpected error (``message`` names the log file)."""
    return "Maaf, terjadi kesalahan yang tidak terduga.\n" + message


def problem_message(message: str) -> str:
    """The message box of a workbook or disk problem the planner can fix."""
    return "Workbook belum dapat diproses:\n" + message


# --- Error handling -------------------------------------------------------------------------------


def _caller(book: xw.Book | None) -> xw.Book:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def _alert(book: xw.Book, prompt: str, *, critical: bool = False) -> None:
    book.app.alert(prompt, title=TITLE, mode="critical" if critical else "info")


def _run(book: xw.Book | None, action: Callable[[xw.Book], R]) -> R | None:
    """Run ``action`` on the book; every exception becomes a message box, never a traceback.

    A problem with the workbook itself (no IKU sheet, no header row...) is explained; anything
    else is logged and the message names the log file. Without a book to show a message in (not
    called from Excel), the exception is raised with that same short message.
    """
    from iku_excel.errors import EXIT_INTERNAL, IkuError, describe_error

    target: xw.Book | None = None
    try:
        target = _caller(book)
        return action(target)
    except Exception as exc:
        if isinstance(exc, IkuError) and target is None:
            raise
        message, code = describe_error(exc, log_kind="ribbon")
        prompt = failure_message(message) if code == EXIT_INTERNAL else problem_message(message)
        if target is None:
            raise RuntimeError(prompt) from exc
        try:
            _alert(target, prompt, critical=True)
        except Exception:
            raise RuntimeError(prompt) from exc
    return None


# --- The buttons ----------------------------------------------------------------------------------


def check(book: xw.Book | None = None) -> Evaluation | None:
    """The "Periksa" button: validate, (re)write and show the Validasi sheet, show the counts.

    Returns the evaluation (None when it failed and a message was shown instead).
    """
    return _run(book, _check)


def _check(book: xw.Book, engine: XlwingsEngine | None = None) -> Evaluation:
    """``engine``: the engine reading ``book`` (default: a plain :class:`XlwingsEngine`; xlwings
    Lite passes one that has fetched number formats ahead, see :mod:`iku_excel.lite`)."""
    from iku_excel.api import evaluate_grids
    from iku_excel.backends.xlwings_engine import XlwingsEngine
    from iku_excel.reader import sheets_to_read
    from iku_excel.sheets.validasi import build_validasi_sheet

    engine = engine or XlwingsEngine(book)
    names, grids = engine.read(sheets_to_read)
    ev = evaluate_grids(names, grids)
    with engine.building():
        sheet = engine.write_sheet(build_validasi_sheet(ev))
    _show(sheet)
    _alert(book, check_message(ev))
    return ev


def refresh(book: xw.Book | None = None) -> Evaluation | None:
    """The "Perbarui Capaian" button: the full refresh, then show Validasi (errors) or Capaian.

    Returns the evaluation (None when it failed and a message was shown instead).
    """
    return _run(book, _refresh)


def _refresh(book: xw.Book, engine: XlwingsEngine | None = None) -> Evaluation:
    """``engine``: as in :func:`_check`."""
    from iku_excel.api import refresh_with
    from iku_excel.backends.xlwings_engine import XlwingsEngine
    from iku_excel.reader import find_sheet

    engine = engine or XlwingsEngine(book)
    result = refresh_with(engine)
    ev = result.evaluation
    wanted = contract.SHEET_VALIDASI if ev.n_errors else contract.SHEET_CAPAIAN
    name = find_sheet(engine.sheet_names(), wanted)
    if name is not None:
        _show(book.sheets[name])
    _alert(book, refresh_message(ev, len(result.changed_cells)))
    return ev


#: The longest mapping text shown in a message box (Excel cuts a prompt near 1024 characters).
MAX_PROMPT = 900


def adopt(book: xw.Book | None = None) -> AdoptResult | None:
    """The "Adopsi Tabel" button: ``iku-excel adopt`` on the active sheet, inside Excel.

    Shows the mapping it inferred; in Excel desktop asks before saving it (OK / Cancel); an
    Excel that cannot answer a question from Python (the web add-in) saves it and says how to
    undo (delete the Pemetaan sheet). A table that cannot be mapped gets the refusal, naming
    the header it could not place. Returns what adopt found (None when it failed).
    """
    return _run(book, _adopt)


def _adopt(book: xw.Book) -> AdoptResult:
    from iku_excel.adopt import render_text
    from iku_excel.adopt.mapping import SHEET_PEMETAAN
    from iku_excel.api import adopt_with
    from iku_excel.backends.xlwings_engine import XlwingsEngine
    from iku_excel.reader import find_sheet

    engine = XlwingsEngine(book)
    sheet = _active_table_sheet(book)
    found = adopt_with(engine, engine.read_merges, sheet=sheet, write=False)
    text = render_text(found.result)
    if len(text) > MAX_PROMPT:
        text = text[: MAX_PROMPT - 1] + "…"
    if found.result.mapping is None:
        _alert(book, text, critical=True)
        return found
    if book.app.engine.name == "excel":
        answer = book.app.alert(
            text + "\n\nSimpan pemetaan ini ke sheet Pemetaan?", title=TITLE, buttons="ok_cancel"
        )
        if answer != "ok":
            return found
        done = adopt_with(engine, engine.read_merges, sheet=sheet, write=True)
        closing = "Pemetaan disimpan."
    else:
        done = adopt_with(engine, engine.read_merges, sheet=sheet, write=True)
        closing = "Pemetaan disimpan; hapus sheet Pemetaan untuk membatalkan."
    name = find_sheet(engine.sheet_names(), SHEET_PEMETAAN)
    if name is not None:
        _show(book.sheets[name])
    _alert(book, f"{text}\n\n{closing} Lalu klik Periksa atau Perbarui Capaian.")
    return done


def _active_table_sheet(book: xw.Book) -> str | None:
    """The active sheet, unless it is one iku-excel writes (then every sheet is searched)."""
    try:
        name = str(book.sheets.active.name)
    except (NotImplementedError, AttributeError):
        return None
    from iku_excel.adopt.mapping import SHEET_PEMETAAN

    own = [SHEET_PEMETAAN, contract.SHEET_CAPAIAN, contract.SHEET_VALIDASI]
    own += [contract.SHEET_PENGATURAN, contract.SHEET_RPJMD, contract.SHEET_PETUNJUK]
    keys = {contract.normalise_header(n) for n in own}
    return None if contract.normalise_header(name) in keys else name


def rekap_folder(book: xw.Book | None = None) -> Path | None:
    """The "Rekap Folder" button: :func:`iku_excel.rekap.ribbon.rekap_folder` (imported only
    when clicked: it needs pandas)."""
    from iku_excel.rekap.ribbon import rekap_folder as run

    return run(book)


def new_workbook(book: xw.Book | None = None, *, folder: Path | None = None) -> Path | None:
    """The "Templat Baru" button: copy the template to ``folder`` (default: Documents), open it.

    The copy gets a name of its own (``IKU_baru.xlsx``, ``IKU_baru (2).xlsx``...), so saving it
    never overwrites the template inside the package. Returns the new file, or None where Excel
    cannot open files from Python (an Excel add-in on the web, through xlwings' remote engine):
    there the message box explains how to get the template instead.
    """
    return _run(book, lambda b: _new_workbook(b, folder))


def _new_workbook(book: xw.Book, folder: Path | None) -> Path | None:
    from iku_excel.template import template_path

    if book.app.engine.name != "excel":
        _alert(
            book,
            "Workbook baru hanya dapat dibuka dari Excel desktop (Windows atau Mac). "
            "Buat templat dengan perintah 'iku-excel new NAMA_FILE.xlsx' di terminal, "
            "atau salin file templat berikut:\n" + str(template_path()),
        )
        return None
    target = _free_name((folder or _documents()) / NEW_WORKBOOK_NAME)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_path(), target)
    book.app.books.open(str(target))
    _alert(book, f"Workbook baru dari templat dibuat dan dibuka:\n{target}")
    return target


def help(book: xw.Book | None = None, *, opener: Callable[[str], bool] | None = None) -> str | None:
    """The "Bantuan" button: open the documentation (the ``docs`` folder, else :data:`DOCS_URL`).

    ``opener`` opens a URL (default ``webbrowser.open``, imported here: xlwings Lite's Pyodide
    has no browser to hand it to; tests pass their own). Returns what was opened, or None when
    it could not be (the message box then gives the address).
    """
    if opener is None:
        import webbrowser

        opener = webbrowser.open
    chosen = opener
    return _run(book, lambda b: _help(b, chosen))


def _help(book: xw.Book, opener: Callable[[str], bool]) -> str | None:
    where = docs_location()
    if not opener(where):
        _alert(book, f"Dokumentasi tidak dapat dibuka otomatis. Bukalah:\n{where}")
        return None
    return where


def docs_location() -> str:
    """The documentation to open: the ``docs`` folder beside the package (a source checkout or
    an editable install) as a ``file://`` URI, else :data:`DOCS_URL`."""
    folder = Path(__file__).resolve().parent.parent / "docs"
    return folder.as_uri() if folder.is_dir() else DOCS_URL


def _show(sheet: xw.Sheet) -> None:
    """Activate ``sheet`` unless the planner has hidden it."""
    try:
        visible = sheet.visible
    except NotImplementedError:
        visible = True
    if visible:
        sheet.activate()


def _documents() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _free_name(path: Path) -> Path:
    """``path``, or ``name (2).xlsx``, ``name (3).xlsx``... the first that does not exist."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate
