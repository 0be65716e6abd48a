"""The Capaian sheet's footnote: every formula and setting the sheet used, in Indonesian."""

from __future__ import annotations

from iku_excel.model import PredicateScale, Settings
from iku_excel.numbers import format_number
from iku_excel.text import formula_text

PERIOD_FOOTNOTE = (
    "• Laporan {period}: Realisasi = realisasi triwulan yang sudah diisi menurut Agregasi "
    "Triwulan; Target = Target TW dari Perjanjian Kinerja (Agregasi Jumlah: kumulatif, dijumlah "
    "bila target per triwulan); % capaian dan predikat dihitung terhadap target itu, dan "
    "terhadap target tahunan di kolom % Capaian terhadap Target tahunan."
)


def footnote_lines(settings: Settings, scale: PredicateScale) -> list[str]:
    """The formulas and settings used, in Indonesian (the Capaian sheet's footnote)."""
    f = settings.negative_formula
    lines = [
        "Catatan perhitungan (dihitung oleh iku-excel; rumus Excel di sel dapat ditelusuri):",
        "• Capaian indikator berpolaritas positif = Realisasi × 100 / Target.",
        f"• Capaian indikator berpolaritas negatif (rumus {f}) = {formula_text('Negatif', f)}"
        + {
            "A": " — sama dengan (2 − Realisasi/Target) × 100 (PermenPANRB 8/2021).",
            "B": ".",
            "C": " — tingkat penurunan: realisasi sama dengan target memberi 0 %.",
        }[f],
        "• Target berupa rentang: realisasi di dalam rentang = 100 %; di luar rentang dipakai "
        "batas terdekat sebagai target.",
        "• Target 0 (atau realisasi 0 pada rumus B) dan realisasi kosong: capaian dikosongkan "
        "dan tidak ikut rata-rata.",
    ]
    if settings.cap is None:
        lines.append("• Batas atas capaian: tidak ada.")
    else:
        lines.append(
            f"• Batas atas capaian: {format_number(settings.cap, 2, trim=True)} % "
            "(dan batas bawah 0 %); kolom Capaian (%) di sheet IKU memuat nilai "
            "sebelum dibatasi."
        )
    agg = settings.sasaran_aggregation
    agg_text = {
        "Rata-rata": "rata-rata capaian indikatornya",
        "Rata-rata Tertimbang": "rata-rata capaian indikatornya, ditimbang dengan Bobot",
        "Rasio Jumlah": "Σ realisasi × 100 / Σ target indikatornya",
    }[agg]
    lines.append(
        f"• Capaian sasaran dan capaian keseluruhan = {agg_text} (Agregasi Sasaran: {agg})."
    )
    bands = []
    for band in scale.bands:
        if band.lower is None:
            bands.append(f"lainnya {band.label}")
        else:
            op = ">" if band.strict else "≥"
            bands.append(f"{op} {format_number(band.lower, 2, trim=True)} {band.label}")
    lines.append(
        f"• Predikat ({scale.name}): "
        + "; ".join(bands)
        + ". Predikat dibaca dari % capaian yang dibulatkan 2 desimal, seperti tampil "
        "(tabel Skala Predikat di kanan tabel)."
    )
    lines.append(
        "• % Capaian terhadap Target Akhir = rumus yang sama dengan Target Akhir "
        "RPJMD sebagai target."
    )
    return lines
