"""Build the adopt corpus: workbooks laid out like tables published in real LKjIP / IKU / PK
documents (sources and what was copied: tests/adopt/README.md), with the expected mapping.

Run ``python tests/adopt/build_corpus.py OUTDIR`` to write the .xlsx files; the tests call
:func:`build_all` into a temporary folder. Each case: ``rows`` (values from A1), ``merges``
(1-based (r1, c1, r2, c2)), ``expected`` (field map, skipped rows, capaian per indicator worked
out by hand: positif R/T x 100, negatif (2 - R/T) x 100, IKU-rules.md formula A), and
``polarity`` (what the injected polarity helper answers for this case's indicator names).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Case = dict[str, Any]
NA = None

SAMPANG: Case = {
    "file": "sampang_inspektorat_2019.xlsx",
    "sheet": "Tabel 3.1",
    "rows": [
        ["Tabel 3.1"],
        ["Interval Penilaian Kinerja"],
        ["NO", "INTERVAL NILAI REALISASI KINERJA", "KRITERIA PENILAIAN REALISASI KINERJA"],
        [1, "91 % ≤ 100 %", "Sangat Baik"],
        [2, "76 % ≤ 90%", "Baik"],
        [3, "66 % ≤ 75 %", "Cukup"],
        [4, "51 % ≤ 65 %", "Kurang"],
        [5, "≤ 50 %", "Sangat Kurang"],
        [],
        ["Tabel 3.1 Pencapaian Kinerja"],
        ["N0", "Indikator Kinerja Utama", "Satuan", "Target", "Realisasi", "Capaian"],
        ["Sasaran Strategis 1. Meningkatnya Akuntabilitas Keuangan Dan Kinerja Pemerintah Daerah"],
        [1, "Persentase penurunan temuan keuangan yang bersifat materil", "%", "55%", "n/a", "n/a"],
    ],
    "merges": [(12, 1, 12, 6)],
    "expected": {
        "header_rows": [11],
        "field_map": {
            "A": "no",
            "B": "indicator",
            "C": "unit",
            "D": "target",
            "E": "realisasi",
            "F": "capaian",
        },
        "skipped": {12: "band"},
        "sasaran_source": "baris pita",
        # realisasi "n/a": no capaian (None), as published ("n/a").
        "indicators": [
            (
                13,
                "Meningkatnya Akuntabilitas Keuangan Dan Kinerja Pemerintah Daerah",
                55.0,
                None,
                None,
            )
        ],
    },
}

_SS_PEMBERDAYAAN = "Meningkatnya Pelayanan Publik, Akuntabilitas Kinerja dan Laporan Keuangan"
_PEMBERDAYAAN_ROWS = [
    ("pembayaran jasa komunikasi, sumber daya air dan listrik", "12 kali", "12 kali", 100),
    ("pembayaran jasa administrasi keuangan", "1 tahun", "1 tahun", 100),
    ("pengadaan peralatan kebersihan kantor", "4 kali", "2 kali", 50),
    ("pengadaan alat tulis kantor", "1 tahun", "1 tahun", 100),
    (
        "Jumlah jenis berang cetakan; jumlah penggandaan",
        "11 jenis; 50.000 lembar",
        "11 jenis; 50.000 lembar",
        100,
    ),
    ("jumlah komponen instalasi listrik/penerangan", "65 buah", "65 buah", 100),
    ("pembayaran tagihan surat kabar", "12 kali", "12 kali", 100),
    ("pembayaran makan minum rapat/tamu", "1 tahun", "1 tahun", 100),
    ("pembayaran koordinasi dan konsultasi ke luar daerah", "1 tahun", "1 tahun", 100),
    ("pembayaran jasa kerja PHTT", "11 kali", "11 kali", 100),
    ("Pembayaran monitoring, evaluasi dalam daerah", "1 tahun", "1 tahun", 100),
    ("jumlah perlengkapan gedung kantor", "1 unit", "1 unit", 100),
    ("jumlah peralatan gedung kantor", "5 unit", "5 unit", 100),
    ("jumlah kendaraan yang terpelihara", "12 unit", "12 unit", 100),
    ("jumlah peralatan gedung/kantor yang terpelihara", "5 unit", "5 unit", 100),
    ("jumlah rumah dinas yang terpelihara", "1 unit", "1 unit", 100),
    (
        "jumlah laporan keuangan, perjanjian kinerja, LAKIP, LKPJ dan LPPD",
        "5 dokumen",
        "5 dokumen",
        100,
    ),
]
# Capaian by hand, positif R/T x 100: every row R = T -> 100, except
# "pengadaan peralatan kebersihan kantor" 2/4 x 100 = 50. The compound target
# "11 jenis; 50.000 lembar" is two quantities: no number, so no capaian (issue 9).
PEMBERDAYAAN: Case = {
    "file": "pemberdayaan_pengukuran_kinerja.xlsx",
    "sheet": "Pengukuran Kinerja",
    "rows": [
        ["Tabel Pengukuran Kinerja"],
        ["Sasaran strategis", "Indikator", "Target", "Realisasi", "% Capaian"],
        *[
            [_SS_PEMBERDAYAAN if i == 0 else None, n, t, r, c]
            for i, (n, t, r, c) in enumerate(_PEMBERDAYAAN_ROWS)
        ],
        [],
        ["Pagu (Rp)", "Realisasi Anggaran (Rp)", "Serapan (%)", "Efisiensi (%)"],
        # 1.028.058.131 / 1.041.759.500 x 100 = 98,68 %; efisiensi 100 - 98,68 = 1,32 %.
        ["1.041.759.500", "1.028.058.131", "98,68", "1,32"],
    ],
    "merges": [(3, 1, 19, 1)],
    "expected": {
        "header_rows": [2],
        "field_map": {
            "A": "sasaran",
            "B": "indicator",
            "C": "target",
            "D": "realisasi",
            "E": "capaian",
        },
        "skipped": {21: "efficiency", 22: "efficiency"},
        "sasaran_source": "sel gabungan",
        "indicators": [
            (3 + i, _SS_PEMBERDAYAAN, None, None, None)
            if ";" in t
            else (3 + i, _SS_PEMBERDAYAAN, float(t.split()[0]), float(r.split()[0]), float(c))
            for i, (_, t, r, c) in enumerate(_PEMBERDAYAAN_ROWS)
        ],
        "efficiency_rows": 1,
    },
}

MANGGARAI: Case = {
    "file": "manggarai_timur_kematian_2019.xlsx",
    "sheet": "Tabel 3.8",
    "rows": [
        ["Tabel; 3.8"],
        ["Anlisis Pencapaian Sasaran Strategis 5"],
        ["Menurunnya Kematian Ibu Baru Melahirkan dan Anak Baru Lahir"],
        [
            "NO.",
            "Indikator Sasaran",
            "Capaian Kinerja Tahun 2015",
            "Capaian Kinerja Tahun 2016",
            "Capaian Kinerja Tahun 2017",
            "Capaian Kinerja Tahun 2018",
            "Tahun 2019",
            None,
            "Capaian Kinerja Tahun 2019",
        ],
        [None, None, None, None, None, None, "Target", "Realisasi", None],
        [
            "1.",
            "Angka Kematian Ibu per 100.000KH",
            "0,15",
            "0,21",
            "0,19",
            "0,17",
            "0,16",
            "0,19",
            "87,10",
        ],
        [
            "2.",
            "Angka Kematian Bayi per 1.000KH",
            "8,49",
            "8,17",
            "8,17",
            "8,10",
            "9,20",
            "9,53",
            "96,54",
        ],
        [
            "3.",
            "Angka Kematian Balita per 1.000KH",
            "1,5",
            "0,55",
            "2,41",
            "0,30",
            "0,64",
            "0,18",
            "72,52",
        ],
        ["Rata-rata Capain Kinerja", None, "81,93", "83,65", "83,14", "91,02", None, None, "85,38"],
    ],
    "merges": [
        (4, 1, 5, 1),
        (4, 2, 5, 2),
        (4, 3, 5, 3),
        (4, 4, 5, 4),
        (4, 5, 5, 5),
        (4, 6, 5, 6),
        (4, 7, 4, 8),
        (4, 9, 5, 9),
        (9, 1, 9, 2),
    ],
    "polarity": {"Angka Kematian": "Negatif"},
    "expected": {
        "header_rows": [4, 5],
        "field_map": {
            "A": "no",
            "B": "indicator",
            "C": "capaian@2015",
            "D": "capaian@2016",
            "E": "capaian@2017",
            "F": "capaian@2018",
            "G": "target@2019",
            "H": "realisasi@2019",
            "I": "capaian@2019",
        },
        "reporting_year": 2019,
        "skipped": {9: "total"},
        "sasaran_source": "judul",
        # Negatif, (2 - R/T) x 100:
        #   AKI (2 - 0,19/0,16) x 100 = (2 - 1,1875) x 100 = 81,25 (published 87,10 = T/R);
        #   AKB (2 - 9,53/9,20) x 100 = 96,413... (published 96,54 = T/R);
        #   AKBalita (2 - 0,18/0,64) x 100 = (2 - 0,28125) x 100 = 171,875
        #   (published 72,52: no formula gives it, a published arithmetic error).
        "indicators": [
            (6, "Menurunnya Kematian Ibu Baru Melahirkan dan Anak Baru Lahir", 0.16, 0.19, 81.25),
            (
                7,
                "Menurunnya Kematian Ibu Baru Melahirkan dan Anak Baru Lahir",
                9.20,
                9.53,
                (2 - 9.53 / 9.20) * 100,
            ),
            (8, "Menurunnya Kematian Ibu Baru Melahirkan dan Anak Baru Lahir", 0.64, 0.18, 171.875),
        ],
        "capaian_warnings": 3,
    },
}

LAMPUNG: Case = {
    "file": "lampung_akb_2015.xlsx",
    "sheet": "Tabel 3.37",
    "rows": [
        ["Tabel 3.37 Angka Kematian Bayi (AKB) per 1000 Kelahiran Hidup"],
        [
            "No",
            "Indikator Kinerja",
            "Satuan",
            "Target 2015",
            "Realisasi 2015",
            "Capaian (%)",
            "Target Akhir RPJMD 2019",
            "Capaian thd Target Akhir (%)",
        ],
        [1, "Angka Kematian Bayi (AKB)", "per 1000 KH", 32, "4,88", "184,75", 24, "179,67"],
    ],
    "merges": [],
    "polarity": {"Angka Kematian": "Negatif"},
    "expected": {
        "header_rows": [2],
        "field_map": {
            "A": "no",
            "B": "indicator",
            "C": "unit",
            "D": "target@2015",
            "E": "realisasi@2015",
            "F": "capaian",
            "G": "final_target@2019",
            "H": "final_capaian",
        },
        "reporting_year": 2015,
        "skipped": {},
        "sasaran_source": None,
        # Negatif: (2 - 4,88/32) x 100 = (2 - 0,1525) x 100 = 184,75 (as published).
        "indicators": [(3, "", 32.0, 4.88, 184.75)],
        "capaian_warnings": 0,
    },
}

BBPOM_44: Case = {
    "file": "bbpom_yogyakarta_tabel44_2020.xlsx",
    "sheet": "Tabel 44",
    "rows": [
        [
            "Tabel 44. Realisasi Indikator Kinerja Tingkat Efisiensi Penggunaan Anggaran "
            "tahun 2020 dibandingkan dengan target Tahun 2022 dan 2024"
        ],
        [2020, None, None, 2022, None, None, 2024, None, None],
        [
            "Target 2020",
            "Realisasi 2020",
            "Capaian 2020",
            "Target 2022",
            "Realisasi 2020",
            "Asumsi Capaian 2022",
            "Target 2024",
            "Realisasi 2020",
            "Asumsi Capaian 2024",
        ],
        ["95,00", 100, "105,26", "97,00", 100, "103,09", "99,00", 100, "101,01"],
    ],
    "merges": [(2, 1, 2, 3), (2, 4, 2, 6), (2, 7, 2, 9)],
    # "Realisasi 2020" heads three columns: refuse rather than guess.
    "expected": {"refusal": "duplicate-header", "header": "Realisasi 2020"},
}

BBPOM_45: Case = {
    "file": "bbpom_klaster4_tabel45_2020.xlsx",
    "sheet": "Tabel 45",
    "rows": [
        ["Tabel 45. Capaian Indikator Kinerja Tingkat Efisiensi Penggunaan Anggaran Tahun 2020"],
        ["BPOM/ BBPOM", "Target", "Realisasi", "Capaian"],
        ["BADAN POM", "95,00", None, None],
        ["BBPOM di Yogyakarta", "95,00", 100, "105,26"],
        ["BBPOM di Banda Aceh", "95,00", 100, "105,26"],
        ["BBPOM di Denpasar", "86,00", 100, "116,28"],
        ["BBPOM di Jayapura", "95,00", 100, "105,26"],
    ],
    "merges": [],
    # Rows are offices, not indicators: no Indikator column -> refusal.
    "expected": {"refusal": "no-indicator", "header": "Indikator"},
}

OGAN_ILIR: Case = {
    "file": "ogan_ilir_pendidikan_anggaran_2016.xlsx",
    "sheet": "Anggaran",
    "rows": [
        ["NO", "PROGRAM", "PAGU ANGGARAN (Rp.)", "REALISASI", None, "Sisa (Rp.)"],
        [None, None, None, "(Rp.)", "%", None],
        [1, 2, 3, 4, 5, 6],
        [
            "1.",
            "Program Pelayanan Administrasi Perkantoran",
            "925.896.500,00",
            "826.994.935,00",
            "89,32",
            "98.901.565,00",
        ],
        ["2.", "Program", "230.000.000,00", "216.006.947,00", "93,92", "13.993.053,00"],
        [
            "3.",
            "Program Peningkatan Disiplin Aparatur",
            "25.000.000,00",
            "24.800.000,00",
            "99,20",
            "200.000,00",
        ],
        [
            "4.",
            "Program Peningkatan Kapasitas Sumber Daya Aparatur",
            "50.000.000,00",
            "26.740.000,00",
            "53,48",
            "23.260.000,00",
        ],
    ],
    "merges": [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 1, 5), (1, 6, 2, 6)],
    # A budget table (Pagu / Realisasi) is not a capaian table: Pagu must never become Target.
    # Only No / Realisasi score as capaian-table headers: no header row found at all.
    "expected": {"refusal": "no-header", "header": ""},
}

_SS_TD = "Meningkatnya pemahaman dan pengamalan ajaran agama"
TANAH_DATAR: Case = {
    "file": "tanah_datar_iku_rpjmd_2011_2015.xlsx",
    "sheet": "Lampiran I",
    "rows": [
        ["LAMPIRAN I."],
        ["INDIKATOR KINERJA UTAMA PEMERINTAH KABUPATEN TANAH DATAR"],
        [
            "No.",
            "SASARAN STRATEGIS",
            "INDIKATOR KINERJA UTAMA",
            "TARGET RPJMD Kab. Tanah Datar",
            None,
            None,
            None,
            None,
            "PENJELASAN",
            "SKPD PENANGGUNG JAWAB",
        ],
        [None, None, None, 2011, 2012, 2013, 2014, 2015, None, None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"],
        [
            "1.",
            _SS_TD,
            "1. Persentase masjid dan mushala yang dikunjungi dalam rangka pembinaan keagamaan",
            "19,29%",
            "20,00%",
            "20,71%",
            "21,43%",
            "22,14%",
            "Formulasi perhitungan : Jumlah mesjid/mushala yg dikunjungi / Jumlah mesjid/mushala "
            "yang ditargetkan x 100%",
            "Sekretariat Daerah dan Kecamatan",
        ],
        [
            None,
            None,
            "2. Persentase Peningkatan zakat yang terhimpun",
            "400%",
            "25,00%",
            "6,67%",
            "25,00%",
            "20,00%",
            "Tipe perhitungan : Kualitatif",
            "Bagian Kesra",
        ],
        [
            None,
            None,
            "3. Jumlah anak yang Khatam Al-Qur'an (orang)",
            "3.000",
            "3.000",
            "3.000",
            "3.000",
            "3.000",
            "Tipe perhitungan : Non Kualitatif",
            "Bagian Kesra",
        ],
        [
            None,
            None,
            "4. Jumlah masyarakat yang mendaftar berangkat haji",
            600,
            600,
            600,
            600,
            600,
            "Tipe perhitungan : Non Kualitatif",
            "Bagian Kesra",
        ],
        [
            None,
            None,
            "5. Jumlah peserta Qurban (orang)",
            "30.000",
            "30.000",
            "30.000",
            "30.000",
            "30.000",
            "Tipe perhitungan : Non Kualitatif",
            "Bagian Kesra",
        ],
    ],
    "merges": [
        (3, 1, 4, 1),
        (3, 2, 4, 2),
        (3, 3, 4, 3),
        (3, 4, 3, 8),
        (3, 9, 4, 9),
        (3, 10, 4, 10),
        (6, 2, 10, 2),
    ],
    "expected": {
        "header_rows": [3, 4],
        "field_map": {
            "A": "no",
            "B": "sasaran",
            "C": "indicator",
            "D": "target@2011",
            "E": "target@2012",
            "F": "target@2013",
            "G": "target@2014",
            "H": "target@2015",
            "I": "definition",
            "J": "responsible",
        },
        "reporting_year": 2015,
        "skipped": {5: "column-numbers"},
        "sasaran_source": "sel gabungan",
        # Targets only (an RPJMD table): no realisasi, no capaian. "3.000" / "30.000" are
        # three and thirty thousand: a dot before exactly three digits groups thousands.
        "indicators": [
            (6, _SS_TD, 22.14, None, None),
            (7, _SS_TD, 20.0, None, None),
            (8, _SS_TD, 3000.0, None, None),
            (9, _SS_TD, 600.0, None, None),
            (10, _SS_TD, 30000.0, None, None),
        ],
    },
}

_BIRO = [
    ("Indeks Kepuasan Pelayanan Pimpinan", "N/A", "3,5", "3,6", "Rumah Tangga", 3.6),
    ("Indeks Kepuasan Pelayanan Tamu", "N/A", "3.5", "3,75", "Protokol", 3.75),
    (
        "Persentase kepatuhan pelaksanaan Undang-Undang Pelayanan Publik (Zona Hijau)",
        "N/A",
        "100%",
        "100%",
        "Protokol",
        100.0,
    ),
    (
        "Persentase sarana dan prasarana yang berkualitas baik",
        "80%",
        "83%",
        "85%",
        "Tata Usaha",
        85.0,
    ),
    (
        "Persentase peningkatan kuantitas sarana dan prasarana",
        "N/A",
        "20%",
        "21%",
        "Tata Usaha",
        21.0,
    ),
    (
        "Jumlah naskah dinas yang dilayani dengan e-Arsip",
        "N/A",
        "1.500bh",
        "1.550bh",
        "Tata Usaha",
        1550.0,
    ),
    ("Indeks Kepuasan Pelayanan Surat Masuk", "N/A", "3,5", "3,6", "Tata Usaha", 3.6),
    (
        "Waktu rata-rata penerbitan Surat Perintah Membayar (SPM)",
        "2 hari",
        "2 hari",
        "2 hari",
        "Keuangan",
        2.0,
    ),
    (
        "Waktu rata-rata penerbitan Surat Perintah Pembayaran (SPP)",
        "N/A",
        "2 hari",
        "2 hari",
        "Keuangan",
        2.0,
    ),
    (
        "Persentase bertambahnya penerimaan retribusi pemakaian Aset Daerah",
        "N/A",
        "3%",
        "3,1%",
        "Keuangan",
        3.1,
    ),
]
BIRO_UMUM: Case = {
    "file": "biro_umum_manual_iku_2016.xlsx",
    "sheet": "Matriks IKU",
    "rows": [
        ["MATRIKS CASCADING IKU BIRO UMUM"],
        ["No", "Nama Indikator Kinerja Utama (IKU)", "Baseline", "Target", None, "Unit in Charge"],
        [None, None, 2015, 2016, 2017, None],
        *[[i + 3, n, b, t16, t17, u] for i, (n, b, t16, t17, u, _) in enumerate(_BIRO)],
        [],
        ["KEPALA BIRO UMUM,"],
        ["HERI NOFIARDI, SE, MM"],
        ["NIP. 19621119 198611 1 001"],
    ],
    "merges": [(2, 1, 3, 1), (2, 2, 3, 2), (2, 4, 2, 5), (2, 6, 3, 6)],
    "polarity": {"Waktu rata-rata": "Negatif"},
    "expected": {
        "header_rows": [2, 3],
        "field_map": {
            "A": "no",
            "B": "indicator",
            "C": "baseline@2015",
            "D": "target@2016",
            "E": "target@2017",
            "F": "responsible",
        },
        "reporting_year": 2017,
        "skipped": {15: "signature", 16: "below", 17: "signature"},
        "sasaran_source": None,
        # Targets only: "1.550bh" is 1550 (thousands dot; unit "bh").
        "indicators": [(4 + i, "", t, None, None) for i, (*_, t) in enumerate(_BIRO)],
    },
}

KEMENDAG_PK: Case = {
    "file": "kemendag_lampiran_pk.xlsx",
    "sheet": "Lampiran PK",
    "rows": [
        ["LAMPIRAN PERJANJIAN KINERJA TAHUN .... KEMENTERIAN PERDAGANGAN"],
        [
            "No",
            "Sasaran Strategis",
            "Indikator Sasaran Strategis",
            "Target",
            "Prediksi Capaian (%)",
            None,
            None,
            None,
        ],
        [None, None, None, None, "Tw 1", "Tw 2", "Tw 3", "Tw 4"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "(ilustrasi) Sasaran", "(ilustrasi) Indikator", "100%", 25, 50, 75, 100],
        [],
        ["No", "Program", "Anggaran (Rp)", "Prediksi Capaian (%)", None, None, None],
        [None, None, None, "Tw 1", "Tw 2", "Tw 3", "Tw 4"],
        ["(9)", "(10)", "(11)", "(12)", "(13)", "(14)", "(15)"],
        [],
        ["..., ... 20xx Menteri Perdagangan R.I."],
        ["ttd"],
        ["(...)"],
    ],
    "merges": [(2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 3, 3), (2, 4, 3, 4), (2, 5, 2, 8), (7, 4, 7, 7)],
    "expected": {
        "header_rows": [2, 3],
        "field_map": {
            "A": "no",
            "B": "sasaran",
            "C": "indicator",
            "D": "target",
            "E": "tw_target#1",
            "F": "tw_target#2",
            "G": "tw_target#3",
            "H": "tw_target#4",
        },
        "skipped": {
            4: "column-numbers",
            7: "second-table",
            8: "below",
            9: "below",
            11: "signature",
            12: "signature",
            13: "below",
        },
        "sasaran_source": "kolom",
        # TW targets 25/50/75/100 with TW IV = target 100: cumulative ("Nilai Akhir"); they are
        # targets, never realisasi: no realisasi, no capaian.
        "indicators": [(5, "(ilustrasi) Sasaran", 100.0, None, None)],
        "aggregation": {5: "Nilai Akhir"},
    },
}

PPPOMN: Case = {
    "file": "pppomn_triwulan_2021.xlsx",
    "sheet": "Tabel 14",
    "rows": [
        ["Tabel 14. Realisasi Anggaran Per Sasaran Strategis"],
        [
            "sasaran strategis",
            "Indikator",
            "target 2021",
            "Target Triwulan (kumulatif)",
            None,
            None,
            None,
            "Realisasi Per Triwulan (kumulatif)",
            None,
            None,
            None,
            "Capaian terhadap target",
        ],
        [None, None, None, "I", "II", "III", "IV", "I", "II", "III", "IV", None],
        ["(ilustrasi) SS", "(ilustrasi) A", 100, 20, 45, 70, 100, 18, 40, None, None, "40"],
        [None, "(ilustrasi) B", 100, 25, 25, 25, 25, 20, 30, None, None, "50"],
        [None, "(ilustrasi) C", 100, 0, 0, 0, 100, 0, 0, None, None, None],
    ],
    "merges": [
        (2, 1, 3, 1),
        (2, 2, 3, 2),
        (2, 3, 3, 3),
        (2, 4, 2, 7),
        (2, 8, 2, 11),
        (2, 12, 3, 12),
        (4, 1, 6, 1),
    ],
    "expected": {
        "header_rows": [2, 3],
        "field_map": {
            "A": "sasaran",
            "B": "indicator",
            "C": "target@2021",
            "D": "tw_target#1",
            "E": "tw_target#2",
            "F": "tw_target#3",
            "G": "tw_target#4",
            "H": "tw_realisasi#1",
            "I": "tw_realisasi#2",
            "J": "tw_realisasi#3",
            "K": "tw_realisasi#4",
            "L": "capaian",
        },
        "reporting_year": 2021,
        "skipped": {},
        "sasaran_source": "sel gabungan",
        # A: TW IV = 100 = target, rising -> Nilai Akhir; realisasi = last TW (40): 40/100x100=40.
        # B: 25+25+25+25 = 100 = target -> Jumlah; realisasi 20+30 = 50: 50/100x100 = 50.
        # C: 0/0/0/100 fits both readings -> undecided, warning, no realisasi, no capaian.
        "indicators": [
            (4, "(ilustrasi) SS", 100.0, 40.0, 40.0),
            (5, "(ilustrasi) SS", 100.0, 50.0, 50.0),
            (6, "(ilustrasi) SS", 100.0, None, None),
        ],
        "aggregation": {4: "Nilai Akhir", 5: "Jumlah", 6: None},
    },
}

KULON_PROGO: Case = {
    "file": "kulon_progo_rasio_guru_murid.xlsx",
    "sheet": "Rasio Guru",
    "rows": [
        ["URUSAN WAJIB PELAYANAN DASAR > URUSAN PENDIDIKAN > Rasio Guru dengan Murid"],
        ["Kode", "Grafik", "Nama Elemen", "Satuan", 2021, 2022, 2023, 2024, 2025],
        ["1.1.1", None, "Rasio Guru dengan Murid"],
        [
            "1.1.1.1",
            None,
            "Rasio Jumlah Murid per Guru Jenjang SD",
            "-",
            "11,44",
            "9,65",
            "10,32",
            "14,74",
            "N/A",
        ],
        [
            "1.1.1.2",
            None,
            "Rasio Jumlah Murid per Guru Jenjang SMP",
            "-",
            "9,56",
            "7,67",
            "9,79",
            "11,15",
            "N/A",
        ],
        [
            "1.1.1.3",
            None,
            "Rasio guru per murid pendidikan dasar per kelas rata-rata",
            "-",
            "10,5",
            "8,66",
            "10,06",
            "12,14",
            "N/A",
        ],
        ["Keterangan warna angka isi :"],
    ],
    "merges": [],
    # Bare years with no Target/Realisasi word: which is it? Refuse.
    "expected": {"refusal": "year-unlabelled", "header": "2021"},
}

CASES: list[Case] = [
    SAMPANG,
    PEMBERDAYAAN,
    MANGGARAI,
    LAMPUNG,
    BBPOM_44,
    BBPOM_45,
    OGAN_ILIR,
    TANAH_DATAR,
    BIRO_UMUM,
    KEMENDAG_PK,
    PPPOMN,
    KULON_PROGO,
]


def write_case(case: Case, folder: Path) -> Path:
    """Write one case's workbook (one sheet, values as typed, merges applied)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = case["sheet"]
    for r, line in enumerate(case["rows"], start=1):
        for c, value in enumerate(line, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for r1, c1, r2, c2 in case["merges"]:
        sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    path = folder / case["file"]
    book.save(path)
    return path


def build_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_case(case, folder) for case in CASES]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus"
    for p in build_all(out):
        print(p)
