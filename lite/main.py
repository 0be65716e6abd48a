"""# IKU: Periksa dan Perbarui Capaian

Tombol iku-excel di xlwings Lite, tanpa memasang Python.

- **Periksa**: memeriksa sheet IKU dan RPJMD, membuat ulang sheet Validasi.
- **Perbarui Capaian**: mengisi Capaian (%), membuat ulang sheet Capaian dan Validasi.
- **Templat Baru**: cara memulai dari templat.
- **Bantuan**: alamat panduan.

Panduan: docs/panduan-pengguna.md, bagian "xlwings Lite".
"""

# The xlwings Lite entry of iku-excel (pasted into the Lite editor as the workbook's main.py).
# Each script awaits iku_excel.lite, which holds the logic, the error handling and the tests.
import xlwings as xw
from xlwings import script

from iku_excel import lite


@script(name="Periksa")
async def periksa(book: xw.Book):
    """Periksa angka dan buat ulang sheet Validasi (isi sheet lain tidak diubah)."""
    await lite.check(book)


@script(name="Perbarui Capaian")
async def perbarui_capaian(book: xw.Book):
    """Isi kolom Capaian (%) di sheet IKU, buat ulang sheet Capaian dan Validasi."""
    await lite.refresh(book)


@script(name="Templat Baru")
async def templat_baru(book: xw.Book):
    """Cara memulai workbook IKU baru dari templat."""
    await lite.new_workbook(book)


@script(name="Bantuan")
async def bantuan(book: xw.Book):
    """Alamat panduan iku-excel."""
    await lite.help(book)


if lite.ADOPT_AVAILABLE:  # the button exists from the iku-excel version that has it

    @script(name="Adopsi Tabel")
    async def adopsi_tabel(book: xw.Book):
        """Ubah tabel IKU yang sudah ada menjadi bentuk yang dibaca iku-excel."""
        await lite.adopt(book)
