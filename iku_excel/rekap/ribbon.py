"""The ribbon's "Rekap Folder" button: recap every workbook of a folder and open the recap.

Follows :mod:`iku_excel.ribbon`: ``book`` defaults to the calling workbook, every problem becomes
an Indonesian message box (a log file for the unexpected), never a traceback. The folder comes
from Excel's own folder picker (Windows), else a Tk folder dialog; tests pass ``folder``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from iku_excel import ribbon

if TYPE_CHECKING:
    import xlwings as xw

#: The recap's file name, next to the folder: ``Rekap_<folder>.xlsx`` (a number when it exists).
REKAP_NAME = "Rekap_{folder}.xlsx"


def rekap_message(n_read: int, n_failed: int, n_errors: int, out: Path) -> str:
    text = f"Rekap selesai: {n_read} workbook direkap, tersimpan di\n{out}"
    if n_failed:
        text += f"\n{n_failed} file tidak dapat dibaca: alasannya ada di sheet Ringkasan."
    if n_errors:
        text += f"\nAda {n_errors} temuan error: rinciannya di sheet Temuan."
    return text


def rekap_folder(
    book: xw.Book | None = None,
    *,
    folder: Path | None = None,
    chooser: Callable[[xw.Book], Path | None] | None = None,
) -> Path | None:
    """The "Rekap Folder" button: ask for a folder, write ``Rekap_<folder>.xlsx`` next to it.

    The recap is opened in Excel (desktop); the message box gives the counts. Returns the recap
    file, or None when no folder was chosen or it failed (a message was shown instead).
    """
    return ribbon._run(book, lambda b: _rekap_folder(b, folder, chooser or choose_folder))


def _rekap_folder(
    book: xw.Book, folder: Path | None, chooser: Callable[[xw.Book], Path | None]
) -> Path | None:
    from iku_excel.rekap.collect import expand_inputs, rekap
    from iku_excel.rekap.command import save_atomically

    folder = folder or chooser(book)
    if folder is None:
        return None
    folder = Path(folder)
    if not expand_inputs([folder]):
        ribbon._alert(book, f"Tidak ada file .xlsx/.xlsm di folder:\n{folder}")
        return None
    out = ribbon._free_name(folder.parent / REKAP_NAME.format(folder=folder.name))
    result = rekap([folder], exclude=[out])
    save_atomically(result, out)
    if book.app.engine.name == "excel":
        book.app.books.open(str(out))
    ribbon._alert(book, rekap_message(len(result.opd), len(result.failures), result.n_errors, out))
    return out


def choose_folder(book: xw.Book) -> Path | None:
    """Ask for a folder: Excel's folder picker on Windows, else a Tk dialog; None if cancelled."""
    try:
        picker = book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
        picker.Title = "Pilih folder workbook IKU yang akan direkap"
        if picker.Show() == -1:
            return Path(str(picker.SelectedItems(1)))
        return None
    except Exception:  # not Windows Excel: fall back to Tk
        from tkinter import Tk, filedialog

        root = Tk()
        root.withdraw()
        try:
            chosen = filedialog.askdirectory(title="Pilih folder workbook IKU yang akan direkap")
        finally:
            root.destroy()
        return Path(chosen) if chosen else None
