"""The Petunjuk sheet's text: what every sheet, column and setting of the template means.

Pure data built from :mod:`iku_excel.contract` (no workbook library): :func:`petunjuk_sections`
gives the sections as (term, explanation) rows; :mod:`iku_excel.template` lays them out.
"""

from __future__ import annotations

from iku_excel import contract as c
from iku_excel.a1 import column_letter

#: The Skala Predikat choice that reads the custom table in Pengaturan.
CUSTOM_SCALE = "Kustom"
assert CUSTOM_SCALE in c.PREDICATE_SCALES
#: Columns of the custom predikat table in the Pengaturan sheet (E:F).
SCALE_LABEL_COLUMN = 5
SCALE_BOUND_COLUMN = 6


def setting_key(attr: str) -> str:
    """The Pengaturan key of the setting stored in attribute ``attr``."""
    return next(s.key for s in c.SETTINGS if s.attr == attr)


def iku_header(key: str) -> str:
    """The IKU sheet's header of column ``key``."""
    return next(col.header for col in c.IKU_COLUMNS if col.key == key)


# Long function: the Petunjuk sheet's prose as one block of data; splitting it would split the text.
def petunjuk_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """The instruction text: sections of (term, explanation) rows."""
    capaian = iku_header("capaian")
    reported = iku_header("reported_capaian")
    aggregation = iku_header("quarterly_aggregation")
    tw = [iku_header(k) for k in ("tw1", "tw4")]
    settings: list[tuple[str, str]] = []
    for s in c.SETTINGS:
        text = s.description
        if s.choices:
            text += " Pilihan: " + "; ".join(s.choices) + "."
        if s.default:
            text += f" Bawaan: {s.default}."
        elif s.example:
            text += f" Contoh: {s.example}."
        settings.append((s.key, text))
    label, bound = c.PREDICATE_SCALE_HEADER
    scale_columns = f"{column_letter(SCALE_LABEL_COLUMN)}:{column_letter(SCALE_BOUND_COLUMN)}"
    settings.append(
        (
            f"{label} / {bound}",
            f"Tabel di kolom {scale_columns} sheet {c.SHEET_PENGATURAN}, dipakai hanya bila "
            f'{setting_key("predicate_scale")} = "{CUSTOM_SCALE}": satu baris per predikat '
            "dengan batas bawah capaiannya (%); batas yang kosong berarti semua capaian di "
            "bawahnya.",
        )
    )
    return [
        (
            "Isi workbook",
            [
                (c.SHEET_PETUNJUK, "Halaman ini: cara mengisi dan memeriksa workbook."),
                (
                    c.SHEET_PENGATURAN,
                    "Identitas instansi, tahun, penandatangan laporan dan pilihan rumus "
                    f"(kolom {c.SETTINGS_HEADER[1]}). {c.SETTINGS_HEADER[0]} di kolom A jangan "
                    "diubah.",
                ),
                (
                    c.SHEET_RPJMD,
                    "Indikator RPJMD/Renstra: kondisi awal, target per tahun (satu kolom "
                    f"{c.RPJMD_YEAR_HEADER.format(year='<tahun>')} per tahun periode) dan "
                    "target akhir.",
                ),
                (
                    c.SHEET_IKU,
                    "Indikator Kinerja Utama tahun ini: satu baris per indikator, dengan target "
                    "dan realisasinya.",
                ),
                (
                    c.SHEET_CAPAIAN,
                    "Dibuat ulang oleh iku-excel setiap kali diperbarui: capaian per indikator, "
                    "per sasaran dan keseluruhan, dengan predikat. Jangan diedit.",
                ),
                (
                    c.SHEET_VALIDASI,
                    "Dibuat ulang oleh iku-excel: daftar temuan pemeriksaan (angka tidak "
                    "terbaca, target berbeda dengan RPJMD, capaian dilaporkan yang tidak sesuai, "
                    "dan sebagainya). Jangan diedit.",
                ),
            ],
        ),
        (
            f"Mengisi sheet {c.SHEET_IKU}",
            [
                (
                    "Satu baris",
                    f"Satu baris untuk satu indikator. {iku_header('code')} menghubungkan "
                    f"baris {c.SHEET_IKU} dengan baris {c.SHEET_RPJMD} yang sama; setiap "
                    f"indikator harus punya {iku_header('sasaran')}.",
                ),
                (
                    iku_header("target"),
                    f"Ambil dari target {c.SHEET_RPJMD} untuk tahun ini. iku-excel memeriksa "
                    f"kesamaannya dengan sheet {c.SHEET_RPJMD} (nilai, satuan, polaritas).",
                ),
                (
                    iku_header("realisasi"),
                    f"Isi per triwulan ({tw[0]} s.d. {tw[1]}) atau langsung realisasi tahunan. "
                    "Bila hanya triwulan yang diisi, realisasi tahunan dihitung menurut "
                    f"{aggregation} (bila kosong: Nilai Akhir untuk satuan %, Jumlah untuk "
                    "satuan lain). Bila data belum ada, biarkan kosong: jangan diisi 0.",
                ),
                (
                    capaian,
                    "Diisi otomatis oleh iku-excel (judul kolom berwarna abu-abu). Jangan "
                    "diketik: nilainya akan ditimpa.",
                ),
                (
                    reported,
                    "Bila capaian sudah pernah dilaporkan atau diketik dalam dokumen, tulis di "
                    "sini: iku-excel membandingkannya dengan hasil hitungannya dan melaporkan "
                    "perbedaannya.",
                ),
                (
                    "Kolom lain",
                    "Boleh dikosongkan bila tidak dipakai. Judul kolom (baris 1) jangan diganti.",
                ),
            ],
        ),
        (
            f"Kolom sheet {c.SHEET_IKU}",
            [(col.header, col.description) for col in c.IKU_COLUMNS],
        ),
        (
            "Menulis angka",
            [
                (
                    "Angka",
                    'Ketik angka sebagai angka (mis. 706), bukan teks ("706 Orang"). Satuan '
                    f"ditulis di kolom {iku_header('unit')}.",
                ),
                (
                    "Persen",
                    "Untuk indikator persen ketik 80, bukan 80% atau 0,8, dan tulis % di kolom "
                    f"{iku_header('unit')}.",
                ),
                (
                    "Teks angka",
                    'Teks gaya Indonesia seperti "1.234,5" (titik pemisah ribuan, koma desimal) '
                    "tetap dipahami, tetapi angka biasa lebih baik. Teks yang meragukan tidak "
                    f"ditebak: dilaporkan di sheet {c.SHEET_VALIDASI}.",
                ),
                (
                    "Data kosong",
                    'Kosongkan sel bila data tidak ada; "-" atau "n/a" juga dianggap kosong dan '
                    "dilaporkan.",
                ),
            ],
        ),
        (c.SHEET_PENGATURAN, settings),
        (
            "Memeriksa dan memperbarui",
            [
                (
                    "Memeriksa",
                    "iku-excel check FILE: memeriksa workbook tanpa mengubahnya dan menampilkan "
                    "temuan.",
                ),
                (
                    "Memperbarui",
                    f"iku-excel refresh FILE: mengisi {capaian} serta membuat ulang sheet "
                    f"{c.SHEET_CAPAIAN} dan {c.SHEET_VALIDASI}. Tutup file di Excel lebih dahulu.",
                ),
                (
                    "Dari Excel",
                    "Dengan add-in iku-excel terpasang, gunakan tab IKU di ribbon untuk memeriksa "
                    "dan memperbarui workbook yang sedang dibuka.",
                ),
            ],
        ),
    ]
