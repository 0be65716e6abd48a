"""iku-excel: reads, validates and refreshes Indonesian IKU workbooks.

Glossary (the Indonesian domain words are kept verbatim in code, data and UI):

- **IKU** (Indikator Kinerja Utama): key performance indicator of a government agency.
- **OPD** (Organisasi/Perangkat Daerah, e.g. a *Dinas*): a local-government agency; one
  workbook per OPD per year.
- **SAKIP / LKjIP**: the performance-accountability system and its yearly report.
- **RPJMD / Renstra**: the 5-year regional / agency plan; per indicator a baseline
  (*kondisi awal*), one target per year and a final target (*target akhir*).
- **misi, tujuan, sasaran** (strategis): mission, goal, strategic objective; every indicator
  belongs to one sasaran.
- **satuan**: unit of an indicator (``%``, ``Orang``, ``Dokumen``, ``rasio``...).
- **target** (*rencana tingkat capaian*): the planned value for the year.
- **realisasi**: the achieved value; may be given per **triwulan** (quarter, TW I..IV).
- **capaian** (% capaian): achievement percentage computed from target and realisasi.
- **polaritas**: direction, *Positif* (higher is better) or *Negatif* (lower is better).
- **predikat**: a label read off a scale of capaian (e.g. *Sangat Tinggi*).
- **bobot**: weight of an indicator in a weighted average.
- **Pengaturan**: the settings sheet; **Validasi**: the sheet listing findings.

The core (:mod:`iku_excel.numbers`, :mod:`iku_excel.capaian`, :mod:`iku_excel.model`,
:mod:`iku_excel.reader`, :mod:`iku_excel.evaluate`, :mod:`iku_excel.sheets`) imports no workbook
library; engines live in :mod:`iku_excel.backends`. The module map is in ``docs/developer.md``.
"""

__version__ = "0.1.0"
