"""The catalogue of validation rules: a stable id, a severity, and an Indonesian message template.

Modelled on frictionless-py's error catalogue: the id is for machines (JSON, tests, filters), the
title and description are for the docs (``docs/rules.md`` is generated from this module), and the
template renders the message a planner reads. Every message names the value found, what was
expected and how to fix it.

Rule ids are a public interface: never rename one; retire it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from iku_excel.model import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    description: str
    template: str

    @property
    def params(self) -> tuple[str, ...]:
        """The placeholders the template needs."""
        return tuple(name for _, name, _, _ in Formatter().parse(self.template) if name is not None)


_RULES: tuple[Rule, ...] = (
    # --- numbers ----------------------------------------------------------------------------------
    Rule(
        "unparseable-number",
        "error",
        "Angka tidak terbaca",
        'Sel berisi teks yang bukan angka (mis. salah ketik "32..420"). Nilai itu tidak dipakai '
        "dalam perhitungan.",
        '{column} berisi "{value}" yang tidak dapat dibaca sebagai angka ({reason}). '
        "Ketik angkanya saja, mis. 1234,5, dan tulis satuannya di kolom Satuan.",
    ),
    Rule(
        "ambiguous-number",
        "error",
        "Angka bermakna ganda",
        'Angka seperti "1.234" bisa berarti seribu dua ratus tiga puluh empat (cara Indonesia) '
        "atau 1,234 (cara Inggris). iku-excel tidak menebak.",
        '{column} berisi "{value}" yang dapat dibaca sebagai {readings}, juga dengan Format Angka '
        "{style} yang dipakai. Ketik sebagai angka tanpa pemisah ribuan (mis. 1234) atau dengan "
        "koma desimal (mis. 1,234).",
    ),
    Rule(
        "number-stored-as-text",
        "info",
        "Angka disimpan sebagai teks",
        'Angka diketik sebagai teks (mis. "80 %" atau "706 Orang"). iku-excel membacanya, tetapi '
        "rumus Excel tidak dapat merujuknya, sehingga capaiannya ditulis sebagai nilai, "
        "bukan rumus.",
        '{column} berisi teks "{value}" yang dibaca sebagai {number}{reading}. Ketik {number} '
        "sebagai angka (tanpa satuan) agar capaian dihitung dengan rumus Excel yang hidup.",
    ),
    Rule(
        "inline-unit-mismatch",
        "error",
        "Satuan di sel berbeda dengan kolom Satuan",
        'Satuan yang tertulis di dalam sel (mis. "706 Orang") berbeda dengan satuan indikator.',
        '{column} berisi "{value}" bersatuan {inline_unit}, sedangkan Satuan indikator adalah '
        "{unit}. Samakan satuannya: ubah nilai atau kolom Satuan.",
    ),
    Rule(
        "percent-over-100",
        "warning",
        "Persentase di atas 100 %",
        'Indikator "Persentase ..." mengukur bagian dari keseluruhan, sehingga nilainya tidak '
        "dapat melebihi 100 %.",
        '{column} bernilai {value} % untuk indikator persentase "{indicator}"; nilai yang '
        "mungkin 0–100 %. Periksa angka atau definisi operasionalnya.",
    ),
    # --- target and realisasi ---------------------------------------------------------------------
    Rule(
        "missing-target",
        "error",
        "Target kosong",
        "Indikator tanpa target tidak dapat dihitung capaiannya.",
        'Target indikator "{indicator}" kosong. Isi target tahun {year} dari RPJMD{hint}.',
    ),
    Rule(
        "missing-realisasi",
        "warning",
        "Realisasi kosong",
        "Tanpa realisasi (tahunan atau triwulan), capaian dikosongkan dan indikator tidak ikut "
        "dalam rata-rata. Nilai kosong tidak pernah dianggap 0.",
        'Realisasi indikator "{indicator}" kosong{value_note}. Isi Realisasi atau Realisasi TW '
        "I–IV; bila datanya belum ada, biarkan kosong (capaian tidak dihitung).",
    ),
    Rule(
        "target-zero",
        "warning",
        "Target nol",
        "Capaian adalah perbandingan dengan target; target 0 tidak memberi perbandingan, sehingga "
        "capaian dikosongkan (bukan 0).",
        'Target indikator "{indicator}" adalah 0, sehingga capaian tidak dapat dihitung '
        "dengan rumus {formula}. Jelaskan capaiannya di Keterangan, atau gunakan target bukan nol.",
    ),
    Rule(
        "realisasi-zero",
        "warning",
        "Realisasi nol pada rumus B",
        "Rumus polaritas negatif B (T/R × 100) tidak terdefinisi bila realisasi 0.",
        'Realisasi indikator "{indicator}" adalah 0 dan rumus polaritas negatif B membagi dengan '
        "realisasi, sehingga capaian dikosongkan. Pertimbangkan rumus A di Pengaturan.",
    ),
    Rule(
        "realisasi-range",
        "error",
        "Realisasi berupa rentang",
        "Realisasi harus satu angka; hanya target yang boleh berupa rentang.",
        '{column} berisi rentang "{value}". Isi realisasi dengan satu angka.',
    ),
    Rule(
        "quarterly-mismatch",
        "warning",
        "Realisasi tahunan berbeda dengan triwulan",
        "Bila Realisasi tahunan dan Realisasi TW I–IV sama-sama diisi, keduanya harus cocok "
        "menurut Agregasi Triwulan indikator.",
        "Realisasi tahunan {value} berbeda dengan {method} triwulan ({expected}). iku-excel "
        "memakai Realisasi tahunan; perbaiki salah satunya atau pilih Agregasi Triwulan yang "
        "tepat.",
    ),
    Rule(
        "reported-capaian-mismatch",
        "error",
        "Capaian yang dilaporkan salah",
        "Capaian yang diketik/dilaporkan harus sama dengan hasil rumus (boleh dibulatkan atau "
        "dipotong ke jumlah desimal yang diketik).",
        "Capaian dilaporkan {value} %, padahal {formula} = {expected} %.{hint} Ganti dengan "
        "{expected} % (atau salin dari kolom Capaian (%)).",
    ),
    # --- identity and structure -------------------------------------------------------------------
    Rule(
        "duplicate-code",
        "error",
        "Kode ganda",
        "Kode indikator harus unik di satu sheet agar indikator dapat dicocokkan dengan RPJMD.",
        'Kode "{code}" sudah dipakai di baris {first_row}. Beri kode yang unik.',
    ),
    Rule(
        "missing-sasaran",
        "error",
        "Indikator tanpa sasaran",
        "Setiap indikator harus berada di bawah satu sasaran strategis.",
        'Indikator "{indicator}" tidak memiliki Sasaran Strategis. Isi kolom Sasaran Strategis.',
    ),
    Rule(
        "sasaran-without-indicator",
        "warning",
        "Sasaran tanpa indikator",
        "Baris sasaran yang tidak diikuti satu pun indikator tidak ikut dilaporkan.",
        'Sasaran "{sasaran}" tidak memiliki indikator. Tambahkan indikatornya atau hapus baris '
        "ini.",
    ),
    Rule(
        "missing-indicator-name",
        "error",
        "Nama indikator kosong",
        "Baris berisi angka tetapi tanpa nama indikator.",
        "Baris {row} berisi data tetapi kolom Indikator Kinerja kosong. Isi nama indikatornya.",
    ),
    Rule(
        "invalid-polarity",
        "error",
        "Polaritas tidak dikenal",
        "Polaritas harus Positif atau Negatif.",
        'Polaritas "{value}" tidak dikenal; dianggap Positif. Pilih Positif atau Negatif.',
    ),
    Rule(
        "invalid-quarterly-aggregation",
        "warning",
        "Agregasi Triwulan tidak dikenal",
        "Agregasi Triwulan harus Jumlah, Nilai Akhir atau Rata-rata.",
        'Agregasi Triwulan "{value}" tidak dikenal; dipakai {default}. Pilih Jumlah, Nilai Akhir '
        "atau Rata-rata.",
    ),
    Rule(
        "missing-weight",
        "warning",
        "Bobot kosong",
        'Agregasi Sasaran "Rata-rata Tertimbang" memerlukan Bobot untuk setiap indikator.',
        'Bobot indikator "{indicator}" kosong atau bukan angka, sehingga indikator ini tidak ikut '
        "rata-rata tertimbang. Isi Bobot (mis. 1).",
    ),
    # --- settings ---------------------------------------------------------------------------------
    Rule(
        "invalid-setting",
        "error",
        "Pengaturan tidak valid",
        "Nilai di sheet Pengaturan tidak dikenal atau bukan angka; nilai bawaan dipakai.",
        'Pengaturan "{key}" berisi "{value}"; yang diharapkan {expected}. Dipakai {default}.',
    ),
    Rule(
        "missing-setting",
        "warning",
        "Pengaturan kosong",
        "Pengaturan penting yang kosong (mis. Tahun) membuat sebagian pemeriksaan dilewati.",
        'Pengaturan "{key}" kosong. {effect}',
    ),
    Rule(
        "invalid-predicate-scale",
        "error",
        "Skala predikat kustom tidak valid",
        "Tabel skala predikat kustom (Predikat | Batas Bawah) harus tanpa tumpang tindih dan tanpa "
        "celah.",
        "Skala predikat kustom tidak valid: {problems}. Perbaiki tabel Predikat | Batas Bawah (%) "
        "di sheet Pengaturan.",
    ),
    Rule(
        "missing-sheet",
        "warning",
        "Sheet tidak ada",
        "Sheet RPJMD atau Pengaturan tidak ada; pemeriksaan yang memerlukannya dilewati.",
        'Sheet "{missing}" tidak ditemukan ({effect}). Sheet yang ada: {existing}.',
    ),
    Rule(
        "no-rpjmd",
        "info",
        "Tidak ada RPJMD",
        "Workbook yang diadopsi (tabel milik perencana, lewat iku-excel adopt) tidak memiliki "
        "sheet RPJMD; pemeriksaan terhadap RPJMD dilewati.",
        "Tidak ada RPJMD: tabel di sheet {sheet_name} diperiksa tanpa pemeriksaan terhadap RPJMD. "
        'Tambahkan sheet "RPJMD" bila ingin target dibandingkan dengan RPJMD.',
    ),
    # --- against the RPJMD -----------------------------------------------------------------------
    Rule(
        "not-in-rpjmd",
        "warning",
        "Indikator tidak ada di RPJMD",
        "Indikator IKU dicocokkan dengan RPJMD menurut Kode, lalu menurut nama.",
        'Indikator "{indicator}" (kode "{code}") tidak ditemukan di sheet RPJMD. Samakan Kode '
        "atau nama indikatornya dengan RPJMD.",
    ),
    Rule(
        "unit-mismatch-rpjmd",
        "error",
        "Satuan berbeda dengan RPJMD",
        "Satuan indikator di IKU harus sama dengan di RPJMD; angka dengan satuan berbeda tidak "
        "dapat dibandingkan.",
        'Satuan "{unit}" ({value}) berbeda dengan satuan RPJMD "{rpjmd_unit}" ({rpjmd_value}, '
        "{rpjmd_cell}). Nyatakan target dan realisasi dalam satuan RPJMD.",
    ),
    Rule(
        "target-differs-from-rpjmd",
        "error",
        "Target berbeda dengan RPJMD",
        "Target tahun berjalan harus sama dengan target RPJMD untuk tahun itu.",
        "Target {value} berbeda dengan target RPJMD tahun {year} {expected} ({rpjmd_cell}). "
        "Salin target dari RPJMD, atau perbarui RPJMD bila sudah direvisi.",
    ),
    Rule(
        "polarity-mismatch-rpjmd",
        "error",
        "Polaritas berbeda dengan RPJMD",
        "Polaritas indikator harus sama dengan di RPJMD.",
        "Polaritas {value} berbeda dengan polaritas RPJMD {expected} ({rpjmd_cell}). Samakan "
        "polaritasnya.",
    ),
    Rule(
        "missing-rpjmd-target",
        "warning",
        "Target RPJMD tahun ini kosong",
        "Baris RPJMD tidak memiliki target untuk tahun yang dilaporkan.",
        'Target RPJMD tahun {year} untuk "{indicator}" kosong. Isi kolom Target {year} di RPJMD.',
    ),
    Rule(
        "rpjmd-trajectory",
        "warning",
        "Lintasan target RPJMD berbalik arah",
        "Untuk polaritas Positif target tahunan RPJMD tidak boleh turun; untuk Negatif tidak boleh "
        "naik.",
        "Target {year} ({value}) {direction} dibanding target {previous_year} ({previous}) pada "
        'indikator {polarity} "{indicator}". Periksa target RPJMD.',
    ),
    Rule(
        "final-target-mismatch",
        "warning",
        "Target Akhir berbeda dengan target tahun terakhir",
        "Target Akhir RPJMD seharusnya sama dengan target tahun terakhir periode.",
        'Target Akhir {value} berbeda dengan Target {year} ({expected}) untuk "{indicator}". '
        "Samakan keduanya.",
    ),
    # --- aggregation ------------------------------------------------------------------------------
    Rule(
        "mixed-units-in-ratio",
        "error",
        "Satuan campuran pada Rasio Jumlah",
        'Agregasi "Rasio Jumlah" (Σ realisasi × 100 / Σ target) hanya bermakna bila semua '
        "indikator bersatuan sama.",
        'Sasaran "{sasaran}" dijumlahkan dengan Rasio Jumlah tetapi satuannya campuran ({units}); '
        'capaian sasaran dikosongkan. Pilih Agregasi Sasaran "Rata-rata" di Pengaturan.',
    ),
    # --- issue 9: real numbers and indicator kinds ----------------------------------------------
    Rule(
        "multiple-quantities",
        "error",
        "Dua besaran dalam satu sel",
        'Satu sel berisi dua besaran (mis. "11 jenis; 50.000 lembar"). Satu indikator hanya '
        "boleh punya satu besaran; nilai itu tidak dipakai.",
        '{column} berisi "{value}": dua besaran ({parts}) dalam satu sel. Pecah indikator ini '
        "menjadi satu indikator per besaran (satu baris per satuan).",
    ),
    Rule(
        "number-format-suggestion",
        "warning",
        "Angka ditulis dengan format lain",
        "Angka teks di workbook ini hanya masuk akal bila dibaca dengan format angka yang lain "
        '(mis. banyak "0.35" di workbook berformat Indonesia). Satu peringatan untuk seluruh '
        "workbook, bukan satu galat per sel.",
        '{count} sel berisi angka yang ditulis dengan cara {other} (mis. "{example}" di {first}), '
        "sedangkan Format Angka workbook ini {style}. Angka itu tetap dibaca, tetapi bila "
        'workbook ini memang ditulis dengan cara {other}, isi Format Angka = "{other}" di '
        "Pengaturan.",
    ),
    Rule(
        "grade-unreadable",
        "error",
        "Nilai/predikat tidak terbaca",
        "Target atau realisasi berupa nilai (Opini BPK, nilai SAKIP, level, mutu) tetapi skala "
        "nilainya tidak dapat ditentukan.",
        'Indikator "{indicator}": {reason}. Capaian dikosongkan. Gunakan nilai dari satu '
        "skala di tabel Skala Nilai, atau tulis nama skalanya di kolom Satuan.",
    ),
    Rule(
        "invalid-grade-scale",
        "error",
        "Tabel Skala Nilai tidak sah",
        "Tabel Skala Nilai di Pengaturan harus berisi nama skala, nilai dan urutan 1, 2, 3, ... "
        "(1 = nilai terendah) tanpa loncatan atau ganda.",
        "Skala nilai {scale} di tabel Skala Nilai tidak dapat dipakai: {problems}. Skala "
        "bawaan dipakai; perbaiki tabelnya.",
    ),
    Rule(
        "composite-realisasi-mismatch",
        "error",
        "Realisasi berbeda dengan Pembilang/Penyebut",
        "Bila Pembilang dan Penyebut diisi, realisasi dihitung dari keduanya; realisasi yang "
        "diketik harus sama (boleh dibulatkan ke desimal yang diketik).",
        "Realisasi {value}, padahal Pembilang / Penyebut = {formula} = {expected}. iku-excel "
        "memakai {expected}; perbaiki Realisasi, Pembilang atau Penyebut.",
    ),
    Rule(
        "invalid-composite",
        "error",
        "Pembilang/Penyebut tidak lengkap",
        "Indikator komposit perlu Pembilang dan Penyebut yang keduanya terisi dan Penyebut "
        "bukan 0.",
        'Indikator "{indicator}": {problem}. Realisasi diambil dari kolom Realisasi; lengkapi '
        "Pembilang dan Penyebut atau kosongkan keduanya.",
    ),
    Rule(
        "polarity-inferred",
        "warning",
        "Polaritas kosong, disimpulkan dari nama",
        "Polaritas kosong (di IKU dan RPJMD) pada indikator yang namanya jelas berpolaritas "
        'negatif (mis. "Angka kematian ibu"): dihitung sebagai negatif, tidak pernah diam-diam '
        "positif.",
        'Polaritas indikator "{indicator}" kosong; namanya ("{phrase}") menunjukkan polaritas '
        "{polarity}, sehingga capaian dihitung sebagai {polarity}. Isi kolom Polaritas agar "
        "pasti.",
    ),
    Rule(
        "typed-average-mismatch",
        "error",
        "Rata-rata capaian yang diketik salah",
        'Rata-rata capaian sasaran atau keseluruhan yang diketik (baris "Rata-rata capaian") '
        "harus sama dengan hasil hitungan, dengan aturan yang sama seperti capaian indikator.",
        '"{label}" ({scope}) diketik {value} %, padahal {method} = {expected} %.{hint} Ganti '
        "dengan {expected} %.",
    ),
    # --- periods and the LKjIP columns ------------------------------------------------------------
    Rule(
        "no-period-targets",
        "info",
        "Laporan triwulan tanpa Target TW",
        "Periode Laporan triwulan membandingkan realisasi s.d. triwulan dengan Target TW dari "
        "lampiran Perjanjian Kinerja; tanpa kolom Target TW I–IV hanya perbandingan dengan "
        "target tahunan yang ditampilkan.",
        "Periode Laporan {period}, tetapi sheet IKU tidak memiliki kolom Target TW I–IV; capaian "
        "dibandingkan dengan target tahunan saja. Tambahkan kolom Target TW I … Target TW IV "
        "dari lampiran Perjanjian Kinerja.",
    ),
    Rule(
        "missing-period-target",
        "warning",
        "Target triwulan kosong",
        "Pada laporan triwulan, indikator tanpa Target TW periode itu tidak mempunyai capaian "
        "triwulan (tidak dianggap 0).",
        'Target {period} indikator "{indicator}" kosong; capaian s.d. {period} dikosongkan. '
        "Isi target triwulan dari lampiran Perjanjian Kinerja.",
    ),
    Rule(
        "target-below-standard",
        "warning",
        "Target lebih lemah dari standar nasional",
        "Target yang lebih rendah dari Standar Nasional (polaritas positif), atau lebih tinggi "
        "(polaritas negatif), adalah sasaran yang lebih lemah dari standar.",
        'Target {value} indikator "{indicator}" (polaritas {polarity}) lebih lemah dari Standar '
        "Nasional {standard}. Periksa target atau tulis alasannya di Keterangan.",
    ),
    Rule(
        "missing-analysis",
        "warning",
        "Analisis capaian belum diisi",
        "LKjIP menjelaskan setiap capaian di bawah 100 %: faktor penghambat dan tindak lanjutnya.",
        'Capaian "{indicator}" {capaian} % (di bawah 100 %), tetapi Faktor Penghambat atau '
        "Tindak Lanjut kosong. Isi keduanya.",
    ),
    Rule(
        "capaian-trend",
        "info",
        "Capaian turun dua tahun berturut-turut",
        "Capaian yang turun dua tahun berturut-turut perlu dibahas dalam analisis LKjIP.",
        'Capaian "{indicator}" turun dua tahun berturut-turut: {trend}. Bahas penyebabnya di '
        "Faktor Penghambat.",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def make_finding(
    rule_id: str, *, sheet: str, cell: str = "", code: str = "", **params: object
) -> Finding:
    """Render a finding of ``rule_id``; every placeholder of the template must be given."""
    rule = RULES[rule_id]
    params = {"code": code, **params}  # the indicator code is also a template placeholder
    missing = [p for p in rule.params if p not in params]
    if missing:
        raise KeyError(f"rule {rule_id} needs {missing}")
    message = rule.template.format(**params)
    return Finding(rule.id, rule.severity, sheet, cell, code, message)
