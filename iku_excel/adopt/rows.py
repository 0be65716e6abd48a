"""Which rows of a planner's table are indicators, and what the others are (with the reason).

Rows are read as plain lists of cell values. A row is an indicator, or one of: a Jumlah /
Rata-rata / Total row, a ``Sumber:`` line, a note (``Keterangan:``, ``*)``), a signature block
line (place and date, KEPALA DINAS, NIP, Pembina ...), a band row carrying a sasaran
(``Sasaran Strategis 1. ...``), a heading whose children are the indicators (``Rasio guru/murid:``
then ``- SD/MI``), or the header of an efficiency block (Pagu / Realisasi / Serapan / Efisiensi).
Pure: standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from iku_excel.adopt.headers import normalise

_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|nopember|"
    "november|desember"
)
_TOTAL_RE = re.compile(
    r"^(jumlah|total|rata-rata|rata rata|rata2|rerata|nilai rata-rata)"
    r"(\s+(capaian|capain|kinerja|nilai|sasaran|keseluruhan|seluruhnya|iku|indikator|rata-rata|"
    r"\(%\)|%|tahun|\d{4}))*\s*:?$"
)
_SUMBER_RE = re.compile(r"^sumber\s*(data)?\s*:")
_NOTE_RE = re.compile(r"^(keterangan|catatan|ket\.?)\s*:|^\*")
_PLACE_DATE_RE = re.compile(rf"^[a-z .'-]+,\s*(\d{{1,2}}\s+)?({_MONTHS}|…|\.\.\.)\s*(\d{{4}}|20xx)")
_SIGNATURE_RE = re.compile(
    r"^(kepala|sekretaris|plt\.?|pj\.?|bupati|walikota|wali kota|gubernur|menteri|direktur|"
    r"inspektur|camat|ttd|nip\b|nip\.|pembina|penata|pengatur|juru)"
)
_BAND_RE = re.compile(r"^(sasaran(\s+strategis)?|ss)\s*(\d+[.:]?|[.:])")
_OTHER_BAND_RE = re.compile(r"^(visi|misi|tujuan|program|urusan|bidang)\b\s*\d*\s*[.:]?")
_CHILD_RE = re.compile(r"^(-|–|•|[a-z]\.|[a-z]\)|\d+\))\s*")
_EFFICIENCY_WORDS = ("pagu", "serapan", "efisiensi", "sisa anggaran", "realisasi anggaran")


def texts(row: Sequence[object]) -> list[str]:
    """The non-empty cells of a row, normalised."""
    return [normalise(v) for v in row if v is not None and normalise(v) != ""]


def first_text(row: Sequence[object]) -> str:
    """The first non-empty cell that is not a bare number (a row number), normalised."""
    for v in row:
        t = normalise(v)
        if t and not re.fullmatch(r"[\d.]+", t):
            return t
    return ""


def kind_of(row: Sequence[object]) -> tuple[str, str] | None:
    """``(kind, reason)`` of a row that is not an indicator by its text alone, else None."""
    t = first_text(row)
    if not t:
        return None
    if _TOTAL_RE.match(t):
        return "total", f'baris "{t[:30]}" adalah jumlah/rata-rata, bukan indikator'
    if _SUMBER_RE.match(t):
        return "sumber", "baris sumber data di bawah tabel"
    if _NOTE_RE.match(t):
        return "note", "catatan di bawah tabel"
    if _PLACE_DATE_RE.match(t) or _SIGNATURE_RE.match(t):
        return "signature", "bagian tanda tangan"
    if is_efficiency_header(row):
        return "efficiency", "judul tabel analisis efisiensi (dibaca sebagai data terpisah)"
    return None


def is_band(row: Sequence[object]) -> str | None:
    """The sasaran text of a band row (``Sasaran Strategis 1. Meningkatnya ...``), else None."""
    cells = texts(row)
    if len(cells) != 1:
        return None
    raw = next(str(v).strip() for v in row if v is not None and normalise(v))
    t = cells[0]
    m = _BAND_RE.match(t)
    if m:
        rest = raw[m.end() :].strip(" .:-")
        return rest or raw
    return None


def is_other_band(row: Sequence[object]) -> bool:
    """A one-cell row naming a visi / misi / tujuan / program above the indicators."""
    cells = texts(row)
    return len(cells) == 1 and _OTHER_BAND_RE.match(cells[0]) is not None


def is_child_name(text: str) -> bool:
    """An indicator name written as a child of a heading (``- SD/MI``, ``a. SMP``)."""
    return _CHILD_RE.match(normalise(text)) is not None


def strip_child_mark(text: str) -> str:
    return _CHILD_RE.sub("", text.strip(), count=1).strip()


def is_efficiency_header(row: Sequence[object]) -> bool:
    cells = " | ".join(texts(row))
    return sum(1 for w in _EFFICIENCY_WORDS if w in cells) >= 2
