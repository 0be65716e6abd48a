"""Inferring an indicator's polaritas from its name when the workbook leaves it empty.

Most IKU are Positif (higher is better), and that is the default. Some are plainly Negatif by what
they measure: deaths, prevalence of a disease or of stunting, cases, poverty, unemployment,
damaged roads, inequality, waiting times, drop-outs, crime, violations, accidents, floods,
inflation... :func:`infer_polarity` recognises those from the indicator name with the commented
regular expressions of :data:`NEGATIVE_PATTERNS`, and returns the phrase that matched so the
planner can see why (``("Negatif", "angka kematian")``).

A name that measures the *handling* or the *reduction* of such a thing is Positif: "Persentase
penurunan angka kematian ibu" (a reduction rate), "Persentase kasus kekerasan yang ditangani",
"Cakupan penanganan gizi buruk", "Persentase desa bebas banjir". :data:`POSITIVE_GUARDS` are
checked first: a guard gives ``("Positif", guard)`` whether or not a negative phrase is there too.
Without any match the result is ``(None, "")``: no evidence, the caller keeps its default.

Names are matched case-insensitively with spacing collapsed; patterns use word boundaries, so
"kasus" does not match inside another word. Pure module: standard library only.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["NEGATIVE_PATTERNS", "POSITIVE_GUARDS", "infer_polarity"]

Polarity = Literal["Positif", "Negatif"]


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


#: Phrases that make an indicator Negatif (lower is better).
NEGATIVE_PATTERNS: tuple[re.Pattern[str], ...] = _compile(
    # deaths: angka kematian ibu/bayi/balita/neonatal, AKI, AKB, AKABA, case fatality rate
    r"\bangka kematian\b",
    r"\bkematian (?:ibu|bayi|balita|neonatal|anak)\b",
    r"\b(?:jumlah|kasus) kematian\b",
    r"\b(?:aki|akb|akaba|akn)\b",
    r"\bcase fatality rate\b|\bcfr\b",
    # disease and malnutrition: prevalensi stunting/wasting/gizi buruk, angka kesakitan, insidensi
    r"\bprevalensi\b",
    r"\bangka kesakitan\b|\bmorbiditas\b",
    r"\binsiden(?:si)?\b|\bincidence rate\b",
    r"\bstunting\b|\bwasting\b|\bgizi (?:buruk|kurang)\b|\bbalita pendek\b",
    # cases: jumlah kasus (DBD, HIV, kekerasan, ...)
    r"\b(?:jumlah|angka|banyaknya|kejadian) kasus\b",
    # poverty and unemployment
    r"\b(?:penduduk|keluarga|rumah tangga|masyarakat|warga) miskin\b",
    r"\bkemiskinan\b",
    r"\bpengangguran\b",
    # infrastructure in bad condition: rasio/persentase jalan rusak, kerusakan, rumah tidak layak
    r"\brusak\b|\bkerusakan\b",
    r"\b(?:rumah )?tidak layak huni\b|\brtlh\b",
    r"\b(?:permukiman|kawasan) kumuh\b",
    r"\bbacklog\b",
    # inequality
    r"\b(?:indeks|rasio|koefisien) gini\b|\bketimpangan\b|\bdisparitas\b",
    # time taken: waktu penyelesaian, lama (waktu) pelayanan, waktu tanggap (response time)
    r"\bwaktu penyelesaian\b",
    r"\blama(?:nya)? (?:waktu )?(?:pelayanan|penyelesaian|proses|pengurusan|perizinan|tunggu)\b",
    r"\bwaktu (?:tunggu|tanggap|respon(?:s)?)\b|\bresponse time\b",
    # education: angka putus sekolah, buta aksara
    r"\bputus sekolah\b|\bdrop ?out\b",
    r"\bbuta (?:aksara|huruf)\b",
    # crime, violations, conflicts, accidents, disasters
    r"\bkriminalitas\b|\btindak (?:pidana|kejahatan)\b|\bkejahatan\b",
    r"\bpelanggaran\b",
    r"\bkecelakaan\b",
    r"\bkonflik\b",
    r"\bkebakaran\b",
    r"\bgenangan\b|\bbanjir\b",
    r"\bpenyalahgunaan (?:narkoba|narkotika|napza)\b",
    r"\bkekerasan\b",
    # economy and public finance: inflasi, tunggakan, temuan pemeriksaan
    r"\binflasi\b",
    r"\btunggakan\b",
    r"\btemuan\b",
    # environment: emisi, timbulan sampah, pencemaran
    r"\bemisi\b|\btimbulan sampah\b|\bpencemaran\b",
    # regions left behind
    r"\bdesa tertinggal\b|\bdaerah tertinggal\b",
)

#: Phrases that keep an indicator Positif even when a negative phrase is in its name.
POSITIVE_GUARDS: tuple[re.Pattern[str], ...] = _compile(
    # a reduction rate: persentase penurunan angka kematian, pengurangan kawasan kumuh
    r"\b(?:penurunan|menurunnya|berkurangnya|pengurangan|reduksi|turunnya)\b",
    # handling, prevention, control: penanganan kasus, pencegahan stunting, pengendalian banjir
    r"\b(?:penanganan|penanggulangan|pencegahan|pengendalian|pengentasan|pemberantasan)\b",
    r"\b(?:rehabilitasi|perbaikan|peningkatan kualitas|pemulihan|penataan)\b",
    # handled, solved, followed up: kasus yang ditangani, pelanggaran yang ditindaklanjuti
    r"\b(?:di|ter)(?:tangani|selesaikan|tindaklanjuti|layani|rehabilitasi)\b",
    r"\bmendapat(?:kan)? (?:layanan|pelayanan|pendampingan|penanganan|bantuan|perlindungan)\b",
    r"\btindak lanjut\b|\bpenyelesaian (?:kasus|pelanggaran|temuan|konflik|sengketa)\b",
    # coverage and being free of it: cakupan ..., desa bebas banjir, rumah layak huni
    r"\bcakupan\b|\bbebas\b|\bterbebas\b",
    # recovery and survival: angka kesembuhan, angka harapan hidup, keberhasilan pengobatan
    r"\bkesembuhan\b|\bharapan hidup\b|\bkeberhasilan\b",
)


def infer_polarity(name: object) -> tuple[Polarity | None, str]:
    """The polaritas an indicator name implies, and the phrase that decided it.

    ``("Positif", guard)`` when a positive guard matches (with or without a negative phrase);
    ``("Negatif", phrase)`` when a negative phrase matches and no guard does; ``(None, "")``
    otherwise (including empty or non-text names): no evidence, the caller keeps its default.
    """
    if not isinstance(name, str):
        return None, ""
    text = " ".join(name.split())
    guard = _first_match(POSITIVE_GUARDS, text)
    if guard is not None:
        return "Positif", guard
    negative = _first_match(NEGATIVE_PATTERNS, text)
    if negative is not None:
        return "Negatif", negative
    return None, ""


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None:
            return match.group()
    return None
