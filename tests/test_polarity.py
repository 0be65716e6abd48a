"""Tests of iku_excel.polarity: polaritas inferred from real indicator names, both directions."""

from __future__ import annotations

import pytest

from iku_excel.polarity import NEGATIVE_PATTERNS, POSITIVE_GUARDS, infer_polarity

# Real IKU / IKD names (RPJMD and Renstra of kabupaten/kota) that are Negatif; phrase that decides
NEGATIVE: list[tuple[str, str]] = [
    ("Angka Kematian Ibu (per 100.000 kelahiran hidup)", "Angka Kematian"),
    ("Angka Kematian Bayi (AKB) per 1.000 KH", "Angka Kematian"),
    ("Angka kematian balita per 1.000 kelahiran hidup", "Angka kematian"),
    ("Jumlah kematian ibu melahirkan", "kematian ibu"),
    ("AKI", "AKI"),
    ("Prevalensi stunting (pendek dan sangat pendek) pada balita", "Prevalensi"),
    ("Prevalensi Balita Gizi Buruk", "Prevalensi"),
    ("Angka kesakitan DBD per 100.000 penduduk", "Angka kesakitan"),
    ("Jumlah kasus HIV/AIDS baru", "Jumlah kasus"),
    ("Persentase penduduk miskin", "penduduk miskin"),
    ("Tingkat Kemiskinan", "Kemiskinan"),
    ("Tingkat Pengangguran Terbuka (TPT)", "Pengangguran"),
    ("Rasio panjang jalan kabupaten dalam kondisi rusak", "rusak"),
    ("Persentase jalan rusak berat", "rusak"),
    ("Indeks Gini", "Indeks Gini"),
    ("Rata-rata waktu penyelesaian perizinan (hari)", "waktu penyelesaian"),
    ("Lama waktu pelayanan KTP-el", "Lama waktu pelayanan"),
    ("Angka putus sekolah SD/MI", "putus sekolah"),
    ("Tingkat kriminalitas", "kriminalitas"),
    ("Jumlah pelanggaran Perda dan Perkada", "pelanggaran"),
    ("Jumlah kecelakaan lalu lintas", "kecelakaan"),
    ("Luas genangan banjir di kawasan perkotaan (Ha)", "genangan"),
    ("Tingkat Inflasi", "Inflasi"),
    ("Luas kawasan permukiman kumuh (Ha)", "permukiman kumuh"),
    ("Jumlah rumah tidak layak huni", "rumah tidak layak huni"),
    ("Angka buta aksara usia 15 tahun ke atas", "buta aksara"),
    ("Jumlah temuan BPK", "temuan"),
    ("Waktu tanggap kebakaran (menit)", "Waktu tanggap"),
    ("Case Fatality Rate (CFR) DBD", "Case Fatality Rate"),
    ("Insidensi malaria per 1.000 penduduk", "Insidensi"),
    ("Backlog kepemilikan rumah", "Backlog"),
    ("Jumlah konflik sosial", "konflik"),
    ("Prevalensi penyalahgunaan narkoba", "Prevalensi"),
    ("Angka penyalahgunaan narkoba di kalangan pelajar", "penyalahgunaan narkoba"),
    ("Persentase tunggakan PBB-P2", "tunggakan"),
    ("Emisi gas rumah kaca (ton CO2e)", "Emisi"),
    ("Jumlah timbulan sampah (ton/hari)", "timbulan sampah"),
    ("Jumlah desa tertinggal", "desa tertinggal"),
]


@pytest.mark.parametrize(("name", "phrase"), NEGATIVE)
def test_negative_names(name: str, phrase: str) -> None:
    assert infer_polarity(name) == ("Negatif", phrase)


# Names with a negative-sounding phrase that are Positif: reduction rates, handling, coverage
GUARDED: list[tuple[str, str]] = [
    ("Persentase penurunan angka kematian ibu", "penurunan"),
    ("Persentase penurunan prevalensi stunting", "penurunan"),
    ("Tingkat penurunan angka kemiskinan", "penurunan"),
    ("Persentase kasus kekerasan terhadap perempuan dan anak yang ditangani", "ditangani"),
    ("Cakupan penanganan balita gizi buruk", "penanganan"),
    ("Persentase pelanggaran Perda yang ditindaklanjuti", "ditindaklanjuti"),
    ("Persentase temuan BPK yang ditindaklanjuti", "ditindaklanjuti"),
    ("Persentase desa bebas banjir", "bebas"),
    (
        "Persentase penyelesaian kasus pelanggaran ketenteraman dan ketertiban umum",
        "penyelesaian kasus",
    ),
    ("Persentase perempuan korban kekerasan yang mendapat layanan", "mendapat layanan"),
    ("Angka kesembuhan TB paru", "kesembuhan"),
    ("Luas kawasan kumuh yang ditangani (Ha)", "ditangani"),
    ("Persentase pengendalian inflasi daerah", "pengendalian"),
    ("Waktu tanggap (response time) penanganan kebakaran", "penanganan"),
    ("Angka Harapan Hidup", "Harapan Hidup"),
    ("Persentase penurunan emisi gas rumah kaca", "penurunan"),
    ("Persentase rehabilitasi jalan rusak", "rehabilitasi"),
]


@pytest.mark.parametrize(("name", "phrase"), GUARDED)
def test_guarded_names(name: str, phrase: str) -> None:
    assert infer_polarity(name) == ("Positif", phrase)


# Positive indicators with no negative phrase: no evidence, the default stays
NO_EVIDENCE: list[object] = [
    "Indeks Pembangunan Manusia",
    "Rata-rata lama sekolah",
    "Harapan lama sekolah",
    "Persentase jalan kabupaten dalam kondisi mantap",
    "Persentase PMKS yang memperoleh bantuan sosial",
    "Indeks Kepuasan Masyarakat",
    "Opini BPK atas LKPD",
    "Laju pertumbuhan ekonomi",
    "Kasusastraan daerah yang dilestarikan",  # "kasus" only inside a word
    "",
    None,
    80,
]


@pytest.mark.parametrize("name", NO_EVIDENCE)
def test_no_evidence(name: object) -> None:
    assert infer_polarity(name) == (None, "")


def test_spacing_and_case_do_not_matter() -> None:
    assert infer_polarity("  ANGKA   KEMATIAN\nBAYI ") == ("Negatif", "ANGKA KEMATIAN")


def test_every_pattern_is_exercised_by_a_real_name() -> None:
    names = [" ".join(name.split()) for name, _ in NEGATIVE + GUARDED]
    unused = [
        pattern.pattern
        for pattern in NEGATIVE_PATTERNS + POSITIVE_GUARDS
        if not any(pattern.search(name) for name in names)
    ]
    assert unused == []
