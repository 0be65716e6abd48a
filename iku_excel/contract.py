"""The workbook contract: sheet names, column headers, settings keys and their choices.

Everything that names a part of an IKU workbook lives here, once. The template builder, the
readers of both engines, the validator and the docs all take their names from this module, so a
header renamed here is renamed everywhere (and ``docs/workbook-contract.md`` is generated from it).

Pure data: no workbook library is imported here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# --- Sheets ---------------------------------------------------------------------------------------

SHEET_PETUNJUK = "Petunjuk"
SHEET_PENGATURAN = "Pengaturan"
SHEET_RPJMD = "RPJMD"
SHEET_IKU = "IKU"
#: Output sheets that ``refresh`` (re)builds.
SHEET_CAPAIAN = "Capaian"
SHEET_VALIDASI = "Validasi"
#: The visible sheet holding the mapping of an adopted workbook (``iku_excel.adopt``).
SHEET_PEMETAAN = "Pemetaan"

#: The input sheets of the template, in order.
INPUT_SHEETS = (SHEET_PETUNJUK, SHEET_PENGATURAN, SHEET_RPJMD, SHEET_IKU)


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``key`` is the English identifier used in code; ``header`` the exact header of the template;
    ``aliases`` other headers found in real workbooks (compared after :func:`normalise_header`).
    """

    key: str
    header: str
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: float = 14


# --- IKU sheet ------------------------------------------------------------------------------------

IKU_COLUMNS: tuple[Column, ...] = (
    Column("code", "Kode", "Kode unik indikator, sama dengan Kode di sheet RPJMD.", width=8),
    Column(
        "sasaran",
        "Sasaran Strategis",
        "Sasaran strategis tempat indikator ini berada.",
        ("Sasaran",),
        required=True,
        width=34,
    ),
    Column(
        "indicator",
        "Indikator Kinerja",
        "Nama indikator kinerja utama.",
        ("Indikator", "Indikator Sasaran", "Indikator Kinerja Utama", "IKU"),
        required=True,
        width=40,
    ),
    Column(
        "definition",
        "Definisi Operasional",
        "Cara menghitung indikator (rumus, sumber).",
        ("Definisi", "Formulasi"),
        width=30,
    ),
    Column("unit", "Satuan", "Satuan: %, Orang, Dokumen, Indeks, rasio, ...", width=10),
    Column("polarity", "Polaritas", "Positif (makin tinggi makin baik) atau Negatif.", width=10),
    Column(
        "quarterly_aggregation",
        "Agregasi Triwulan",
        "Cara realisasi tahunan dihitung dari triwulan: Jumlah, Nilai Akhir, Rata-rata.",
        width=14,
    ),
    Column("weight", "Bobot", "Bobot untuk Agregasi Sasaran 'Rata-rata Tertimbang'.", width=8),
    Column(
        "target",
        "Target",
        "Target tahun berjalan (dari RPJMD).",
        ("Rencana Tingkat Capaian", "Target Tahun Ini"),
        required=True,
        width=11,
    ),
    Column(
        "tw1", "Realisasi TW I", "Realisasi triwulan I.", ("TW I", "Realisasi Triwulan I"), width=11
    ),
    Column(
        "tw2",
        "Realisasi TW II",
        "Realisasi triwulan II.",
        ("TW II", "Realisasi Triwulan II"),
        width=11,
    ),
    Column(
        "tw3",
        "Realisasi TW III",
        "Realisasi triwulan III.",
        ("TW III", "Realisasi Triwulan III"),
        width=11,
    ),
    Column(
        "tw4",
        "Realisasi TW IV",
        "Realisasi triwulan IV.",
        ("TW IV", "Realisasi Triwulan IV"),
        width=11,
    ),
    Column(
        "realisasi",
        "Realisasi",
        "Realisasi tahunan (kosongkan bila dihitung dari triwulan).",
        ("Realisasi Tahunan",),
        width=11,
    ),
    Column(
        "capaian",
        "Capaian (%)",
        "Diisi oleh iku-excel: % capaian tahun ini.",
        # No aliases: a column merely called "Capaian" or "% Capaian" holds what a planner
        # typed, which is checked as Capaian Dilaporkan and never overwritten.
        width=11,
    ),
    Column(
        "capaian_last_year",
        "Capaian Tahun Lalu (%)",
        "% capaian tahun sebelumnya.",
        ("Capaian Tahun Lalu",),
        width=12,
    ),
    Column(
        "reported_capaian",
        "Capaian Dilaporkan (%)",
        "% capaian yang sudah dilaporkan/diketik manual; diperiksa oleh iku-excel.",
        ("Capaian Dilaporkan", "Capaian", "% Capaian", "Persentase Capaian"),
        width=12,
    ),
    Column("data_source", "Sumber Data", "Asal data realisasi.", width=18),
    Column("responsible", "Penanggung Jawab", "Bidang/pejabat penanggung jawab.", width=18),
    Column("note", "Keterangan", "Catatan bebas.", width=24),
)

#: Composite indicators' columns: the reader understands them, the template does not ship them;
#: a planner adds them to the IKU sheet when needed.
COMPOSITE_COLUMNS: tuple[Column, ...] = (
    Column(
        "numerator",
        "Pembilang",
        "Indikator komposit: pembilang rumusnya (mis. jumlah desa berkembang). Bila Pembilang "
        "dan Penyebut diisi, realisasi dihitung = Pembilang / Penyebut (× 100 untuk %).",
        width=11,
    ),
    Column(
        "denominator",
        "Penyebut",
        "Indikator komposit: penyebut rumusnya (mis. jumlah seluruh desa).",
        width=11,
    ),
)
#: Columns a workbook may add to the IKU sheet; none is in the template, none is required, and a
#: workbook without them refreshes exactly as before.
LKJIP_OPTIONAL_COLUMNS: tuple[Column, ...] = (
    *(
        Column(
            f"tw_target{i}",
            f"Target TW {q}",
            f"Target s.d. triwulan {q} dari lampiran Perjanjian Kinerja (kumulatif, atau per "
            "triwulan bila jumlah keempatnya sama dengan Target untuk Agregasi Jumlah).",
            (f"Target Triwulan {q}",),
        )
        for i, q in enumerate(("I", "II", "III", "IV"), start=1)
    ),
    Column(
        "national_standard",
        "Standar Nasional",
        "Standar nasional/provinsi indikator (ditampilkan di samping capaian).",
        ("Standar Provinsi", "Target Nasional"),
    ),
    Column("budget", "Pagu (Rp)", "Pagu anggaran indikator/sasaran.", ("Pagu", "Anggaran (Rp)")),
    Column(
        "budget_spent",
        "Realisasi Anggaran (Rp)",
        "Realisasi anggaran indikator/sasaran.",
        ("Realisasi Anggaran",),
    ),
    Column("drivers", "Faktor Pendorong", "Analisis: faktor pendorong capaian."),
    Column("obstacles", "Faktor Penghambat", "Analisis: faktor penghambat capaian."),
    Column("follow_up", "Tindak Lanjut", "Analisis: tindak lanjut/solusi.", ("Solusi",)),
)
#: Every optional IKU column: none is in the template, none is required, and a workbook without
#: them is read and refreshed exactly as before.
OPTIONAL_IKU_COLUMNS: tuple[Column, ...] = COMPOSITE_COLUMNS + LKJIP_OPTIONAL_COLUMNS
#: Every IKU column the reader recognises.
IKU_READ_COLUMNS: tuple[Column, ...] = IKU_COLUMNS + OPTIONAL_IKU_COLUMNS

# --- RPJMD sheet ----------------------------------------------------------------------------------

RPJMD_COLUMNS: tuple[Column, ...] = (
    Column("code", "Kode", "Kode indikator, sama dengan Kode di sheet IKU.", width=8),
    Column("misi", "Misi", "Misi RPJMD.", width=26),
    Column("tujuan", "Tujuan", "Tujuan RPJMD.", width=26),
    Column("sasaran", "Sasaran", "Sasaran RPJMD.", ("Sasaran Strategis",), width=30),
    Column(
        "indicator",
        "Indikator",
        "Nama indikator.",
        ("Indikator Kinerja", "Indikator Sasaran"),
        required=True,
        width=40,
    ),
    Column("unit", "Satuan", "Satuan indikator.", width=10),
    Column("polarity", "Polaritas", "Positif atau Negatif.", width=10),
    Column(
        "baseline",
        "Kondisi Awal",
        "Kondisi awal periode RPJMD.",
        ("Angka Awal", "Baseline", "Kondisi Kinerja Awal"),
        width=11,
    ),
    Column(
        "final_target",
        "Target Akhir",
        "Target akhir periode RPJMD.",
        ("Target Akhir Periode", "Kondisi Kinerja Akhir"),
        width=11,
    ),
)
#: One column per year of the RPJMD period: ``Target 2019`` ... (``Target <year>``).
RPJMD_YEAR_HEADER = "Target {year}"
RPJMD_YEAR_PATTERN = re.compile(r"^target\s*(?:tahun\s*)?(\d{4})$")

# --- Pengaturan sheet -----------------------------------------------------------------------------

SETTINGS_HEADER = ("Kunci", "Nilai")
PREDICATE_SCALE_HEADER = ("Predikat", "Batas Bawah (%)")

PREDICATE_SCALES = (
    "Permendagri 86/2017",
    "Permendagri 86/2017 (Sangat Baik)",
    "PermenPANRB 8/2021",
    "Kustom",
)
SASARAN_AGGREGATIONS = ("Rata-rata", "Rata-rata Tertimbang", "Rasio Jumlah")
QUARTERLY_AGGREGATIONS = ("Jumlah", "Nilai Akhir", "Rata-rata")
POLARITIES = ("Positif", "Negatif")
NUMBER_STYLES = ("Indonesia", "Inggris")
GRADE_MODES = ("Rasio", "Nol")
#: Header of the optional grade-scale block in Pengaturan: scale name | grade | rank (worst = 1).
GRADE_SCALE_HEADER = ("Skala Nilai", "Nilai", "Urutan")


@dataclass(frozen=True)
class Setting:
    """One key of the ``Pengaturan`` sheet."""

    key: str
    attr: str
    description: str
    default: str = ""
    choices: tuple[str, ...] = field(default=())
    example: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "Nama Instansi", "agency", "Nama perangkat daerah (OPD).", example="Dinas Sosial Kota Jambi"
    ),
    Setting(
        "Pemerintah Daerah",
        "government",
        "Nama pemerintah daerah.",
        example="Pemerintah Kota Jambi",
    ),
    Setting("Tahun", "year", "Tahun anggaran yang dilaporkan.", example="2023"),
    Setting("Tahun Awal RPJMD", "rpjmd_start", "Tahun pertama periode RPJMD.", example="2018"),
    Setting("Tahun Akhir RPJMD", "rpjmd_end", "Tahun terakhir periode RPJMD.", example="2023"),
    Setting(
        "Rumus Polaritas Negatif",
        "negative_formula",
        "Rumus capaian indikator berpolaritas negatif: A = (2 − R/T) × 100, "
        "B = T/R × 100, C = (T − R)/T × 100.",
        default="A",
        choices=("A", "B", "C"),
    ),
    Setting(
        "Batas Atas Capaian (%)",
        "cap",
        "Batas atas capaian (kosong = tanpa batas; mis. 100 atau 120). Bila diisi, "
        "batas bawahnya 0.",
        default="",
    ),
    Setting(
        "Skala Predikat",
        "predicate_scale",
        "Skala predikat capaian.",
        default="Permendagri 86/2017",
        choices=PREDICATE_SCALES,
    ),
    Setting(
        "Agregasi Sasaran",
        "sasaran_aggregation",
        "Cara capaian sasaran dan capaian keseluruhan dihitung dari capaian indikator.",
        default="Rata-rata",
        choices=SASARAN_AGGREGATIONS,
    ),
    Setting("Kota", "city", "Tempat penandatanganan laporan.", example="Jambi"),
    Setting(
        "Tanggal Laporan", "report_date", "Tanggal penandatanganan laporan.", example="Januari 2024"
    ),
    Setting(
        "Jabatan Penandatangan",
        "signer_title",
        "Jabatan penandatangan.",
        example="KEPALA DINAS SOSIAL KOTA JAMBI",
    ),
    Setting(
        "Nama Penandatangan",
        "signer_name",
        "Nama penandatangan.",
        example="YUNITA INDRAWATI, AP, MP, CGCAE",
    ),
    Setting(
        "Pangkat/Golongan",
        "signer_rank",
        "Pangkat/golongan penandatangan.",
        example="Pembina Utama Muda",
    ),
    Setting(
        "NIP", "signer_nip", "NIP penandatangan (tulis sebagai teks).", example="196611201986031002"
    ),
)

#: Settings the reader understands but the template does not list (a planner adds the row, e.g.
#: ``Format Angka | Inggris`` or ``Periode Laporan | TW II``, under the others when needed).
OPTIONAL_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "Format Angka",
        "number_style",
        "Cara angka yang diketik sebagai teks ditulis: Indonesia (1.234,5: titik pemisah ribuan, "
        "koma desimal) atau Inggris (1,234.5).",
        default="Indonesia",
        choices=NUMBER_STYLES,
    ),
    Setting(
        "Capaian Nilai di Bawah Target",
        "grade_mode",
        "Indikator bernilai (Opini BPK, nilai SAKIP, level): capaian bila realisasi di bawah "
        "nilai target. Rasio = urutan realisasi / urutan target × 100 (urutan dari nilai "
        "terendah = 1); Nol = 0 %. Realisasi yang mencapai target selalu 100 %.",
        default="Rasio",
        choices=GRADE_MODES,
    ),
    Setting(
        "Periode Laporan",
        "report_period",
        "Periode yang dilaporkan: TW I, TW II, TW III (laporan s.d. triwulan itu, dibandingkan "
        "dengan Target TW) atau Tahunan.",
        default="Tahunan",
        choices=("TW I", "TW II", "TW III", "Tahunan"),
    ),
)
#: Every setting the reader recognises.
READ_SETTINGS: tuple[Setting, ...] = SETTINGS + OPTIONAL_SETTINGS

#: The reporting periods of ``Periode Laporan``: name -> number of triwulan covered.
REPORT_PERIODS = {"TW I": 1, "TW II": 2, "TW III": 3, "Tahunan": 4}
#: How a period is named in the Capaian sheet's title and headers.
PERIOD_TITLES = {1: "S.D. TRIWULAN I", 2: "S.D. TRIWULAN II", 3: "S.D. TRIWULAN III"}

#: Earlier years in the IKU sheet: ``Realisasi 2021``, ``Capaian 2021`` (year before Tahun).
HISTORY_PATTERN = re.compile(r"^(realisasi|capaian)\s*(?:tahun\s*)?(\d{4})(?:\s*\(%\))?$")


# --- Header matching ------------------------------------------------------------------------------


def normalise_header(text: object) -> str:
    """Fold a header for comparison: case, accents, spacing, line breaks and trailing colons.

    ``"  RENCANA TINGKAT\\nCAPAIAN "`` and ``"Rencana Tingkat Capaian"`` compare equal.
    """
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    s = s.replace("\u2013", "-").replace("\u2014", "-")
    s = re.sub(r"\s+", " ", s).strip().rstrip(":").strip()
    return s


def header_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Map every normalised header and alias to its column key."""
    out: dict[str, str] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            out[normalise_header(name)] = col.key
    return out


def normalise_choice(text: object) -> str:
    """Fold a choice value (``"rata - rata"`` equals ``"Rata-rata"``)."""
    s = normalise_header(text)
    return re.sub(r"\s*-\s*", "-", s)
