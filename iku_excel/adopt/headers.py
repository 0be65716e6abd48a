"""Header vocabulary of planners' own capaian tables: what a header cell means, and how sure.

A header text (one cell, or a parent cell and the child under it joined) becomes a
:class:`HeaderMeaning`: the field it names (``indicator``, ``target``, ``realisasi`` ...), the year
it is tagged with (``Target 2020``, a merged ``TARGET RPJMD`` over ``2011``), and the quarter of a
triwulan column (``Target Triwulan`` over ``TW I``). Pure: standard library only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: Fields a column can hold. ``year_only`` is a bare year with no word saying what it holds.
FIELDS = (
    "no",
    "code",
    "sasaran",
    "indicator",
    "unit",
    "polaritas",
    "baseline",
    "target",
    "realisasi",
    "capaian",
    "final_target",
    "final_capaian",
    "tw_target",
    "tw_realisasi",
    "program",
    "anggaran",
    "weight",
    "definition",
    "data_source",
    "responsible",
    "note",
    "year_only",
)

#: Fields that may appear once per (year, quarter) only; a second one is ambiguous.
UNIQUE_FIELDS = frozenset(
    {"indicator", "sasaran", "unit", "polaritas", "target", "realisasi", "capaian", "baseline"}
    | {"final_target", "tw_target", "tw_realisasi", "no", "code", "weight"}
)

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_RE = re.compile(r"\b(?:tw|triwulan|trw|tri|q)\s*[-.]?\s*(iv|iii|ii|i|[1-4])\b")
_BARE_QUARTER_RE = re.compile(r"^(iv|iii|ii|i|[1-4])$")
_COLUMN_NUMBER_RE = re.compile(r"^\(?\s*(\d{1,2})\s*\)?$")

# (field, words that name it), checked in order after the triwulan and year logic.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("baseline", ("kondisi awal", "kondisi kinerja awal", "baseline", "capaian awal")),
    ("final_target", ("target akhir", "kondisi akhir", "kondisi kinerja akhir", "akhir rpjm")),
    ("polaritas", ("polaritas", "polarity")),
    ("realisasi", ("realisasi", "capaian riil")),
    ("target", ("target", "rencana", "sasaran kinerja tahun")),
    ("capaian", ("capaian", "persentase pencapaian", "% pencapaian")),
    ("indicator", ("indikator", "iku")),
    ("sasaran", ("sasaran",)),
    ("unit", ("satuan",)),
    ("program", ("program", "kegiatan")),
    ("anggaran", ("anggaran", "pagu", "rp")),
    ("weight", ("bobot",)),
    ("definition", ("penjelasan", "formulasi", "rumus", "definisi", "cara perhitungan")),
    ("data_source", ("sumber data",)),
    ("responsible", ("penanggung jawab", "unit in charge", "skpd", "opd pengampu", "pj")),
    ("note", ("keterangan", "ket", "catatan")),
    ("code", ("kode",)),
)
_NO_WORDS = frozenset({"no", "no.", "n0", "nomor", "nomer", "#"})

#: Words the nearest-header hint compares against (difflib), per field.
HINT_WORDS: dict[str, tuple[str, ...]] = {
    "indicator": ("indikator", "indikator kinerja", "indikator sasaran", "indikator kinerja utama"),
    "target": ("target",),
    "realisasi": ("realisasi",),
}


@dataclass(frozen=True)
class HeaderMeaning:
    """What one header column names."""

    field: str | None
    year: int | None = None
    quarter: int | None = None
    text: str = ""


def normalise(text: object) -> str:
    """Lower case, single spaces, no line breaks; ``None`` gives ``""``."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(str(text).replace("\n", " ").split()).strip().lower()


def column_number(text: object) -> int | None:
    """``"(3)"`` / ``"3"`` / native 3 -> 3: a column-number row cell, else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 < text < 100 else None
    if isinstance(text, float) and text.is_integer():
        return int(text) if 0 < text < 100 else None
    m = _COLUMN_NUMBER_RE.match(normalise(text))
    return int(m.group(1)) if m else None


def _has_word(text: str, word: str) -> bool:
    if not word[0].isalnum():
        return word in text
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None


def _quarter(text: str, parent: str) -> int | None:
    m = _QUARTER_RE.search(text)
    if m:
        q = m.group(1)
        return _ROMAN.get(q) or int(q)
    if parent and ("triwulan" in parent or _has_word(parent, "tw")):
        bare = _BARE_QUARTER_RE.match(text.replace("tw", "").strip())
        if bare:
            q = bare.group(1)
            return _ROMAN.get(q) or int(q)
    return None


def classify(child: object, parent: object = None) -> HeaderMeaning:
    """Meaning of a header column from its own text and the parent header above it (if any)."""
    own, up = normalise(child), normalise(parent)
    full = f"{up} {own}".strip() if up != own else own
    if not full:
        return HeaderMeaning(None, text="")
    raw = child if own else parent
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    label = " ".join(str(raw).split())
    years = _YEAR_RE.findall(own) or _YEAR_RE.findall(up)
    year = int(years[-1]) if years else None
    quarter = _quarter(own, up) if own else None
    if quarter is None and not own:
        quarter = _quarter(up, "")
    if "capaian" in full and "akhir" in full:
        return HeaderMeaning("final_capaian", year, None, label)
    if full.startswith(("capaian", "% capaian", "persentase capaian", "asumsi capaian")):
        return HeaderMeaning("capaian", year, None, label)
    if quarter is not None:
        if "realisasi" in full:
            return HeaderMeaning("tw_realisasi", year, quarter, label)
        if any(w in full for w in ("target", "prediksi", "rencana", "sasaran")):
            return HeaderMeaning("tw_target", year, quarter, label)
        return HeaderMeaning(None, year, quarter, label)
    if full in _NO_WORDS or own in _NO_WORDS:
        return HeaderMeaning("no", None, None, label)
    if own in ("%", "(%)") and not up:
        return HeaderMeaning("capaian", year, None, label)
    for field_name, words in _KEYWORDS:
        if any(_has_word(full, w) for w in words):
            if field_name == "anggaran" and "realisasi" in full:
                continue
            return HeaderMeaning(field_name, year, None, label)
    if year is not None and _YEAR_RE.sub("", full).strip(" ()-") == "":
        return HeaderMeaning("year_only", year, None, label)
    return HeaderMeaning(None, year, None, label)


def nearest(texts: list[str], field: str) -> str | None:
    """The header text most like the words of ``field`` (difflib), for a refusal message."""
    words = HINT_WORDS.get(field, (field,))
    best: tuple[float, str] | None = None
    for text in texts:
        t = normalise(text)
        if not t:
            continue
        score = max(difflib.SequenceMatcher(None, t, w).ratio() for w in words)
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None
