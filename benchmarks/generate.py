"""Generate realistic IKU workbooks of any size for the benchmark (deterministic with a seed).

A generated workbook starts from the template (:func:`iku_excel.template.build_template`) and is
filled the way a planner fills it: about five indicators per sasaran, an RPJMD row for every IKU
row (same code, unit and polarity, yearly targets that move in the right direction), a mix of
positive and negative polarity and of units, and a few rows of the kinds met in real workbooks:

- ``quarterly``: realisasi given only per triwulan (``Agregasi Triwulan`` Jumlah or Nilai Akhir);
- ``text_number``: realisasi typed as text with a unit or a decimal comma (``"80 %"``, ``"72,5"``);
- ``wrong_reported``: a typed ``Capaian Dilaporkan (%)`` that does not match target and realisasi;
- ``target_differs``: an IKU target that differs from the RPJMD target of the year;
- ``missing_realisasi``: no realisasi at all.

``python benchmarks/generate.py 2000 out.xlsx [--seed 1]`` writes one workbook.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from iku_excel import contract
from iku_excel.template import (
    CellValue,
    TableColumn,
    build_template,
    iku_layout,
    rpjmd_layout,
    save_reproducible,
)

YEAR = 2024
RPJMD_START = 2021
RPJMD_END = 2026
AGENCY = "Dinas Sosial Kabupaten Contoh"

#: Share of indicators of each special kind (at least one of each when there are >= 20 rows).
SPECIAL_RATES: dict[str, float] = {
    "quarterly": 0.04,
    "text_number": 0.03,
    "wrong_reported": 0.01,
    "target_differs": 0.01,
    "missing_realisasi": 0.01,
}
#: The rule each special kind is expected to trigger in ``check`` (None: no finding expected).
EXPECTED_RULES: dict[str, str | None] = {
    "quarterly": None,
    "text_number": "number-stored-as-text",
    "wrong_reported": "reported-capaian-mismatch",
    "target_differs": "target-differs-from-rpjmd",
    "missing_realisasi": "missing-realisasi",
}

_SETTINGS: dict[str, CellValue] = {
    "agency": AGENCY,
    "government": "Pemerintah Kabupaten Contoh",
    "year": YEAR,
    "negative_formula": "A",
    "predicate_scale": "Permendagri 86/2017",
    "sasaran_aggregation": "Rata-rata",
    "city": "Contoh",
    "report_date": "Januari 2025",
    "signer_title": "KEPALA DINAS SOSIAL KABUPATEN CONTOH",
    "signer_name": "NAMA PENANDATANGAN, S.Sos, M.Si",
    "signer_rank": "Pembina Tingkat I",
    "signer_nip": "197001011995031001",
}

_SASARAN_VERBS = (
    "Meningkatnya",
    "Terpenuhinya",
    "Menurunnya",
    "Terwujudnya",
    "Menguatnya",
    "Terlaksananya",
    "Meningkatnya kualitas",
    "Meluasnya jangkauan",
)
_SASARAN_OBJECTS = (
    "pelayanan sosial bagi PMKS",
    "perlindungan sosial korban bencana",
    "pemberdayaan fakir miskin",
    "rehabilitasi sosial penyandang disabilitas",
    "jaminan sosial keluarga",
    "kesejahteraan lanjut usia",
    "perlindungan anak terlantar",
    "pemberdayaan potensi sumber kesejahteraan sosial",
    "penanganan gelandangan dan pengemis",
    "data terpadu kesejahteraan sosial",
    "akuntabilitas kinerja perangkat daerah",
    "tata kelola keuangan dinas",
)
_SASARAN_PLACES = ("", " di perkotaan", " di perdesaan", " berbasis keluarga", " secara terpadu")
_MISI = (
    "Mewujudkan masyarakat yang sejahtera dan berdaya saing",
    "Meningkatkan kualitas pelayanan publik",
    "Mewujudkan tata kelola pemerintahan yang baik",
)
_TUJUAN = (
    "Meningkatnya kesejahteraan sosial masyarakat",
    "Menurunnya angka kemiskinan",
    "Meningkatnya kinerja birokrasi",
)
_SUBJECTS = (
    "PMKS terlantar",
    "korban bencana alam dan sosial",
    "penyandang disabilitas",
    "anak terlantar",
    "lanjut usia terlantar",
    "keluarga fakir miskin",
    "gelandangan dan pengemis",
    "korban tindak kekerasan",
    "keluarga penerima manfaat",
    "pekerja sosial masyarakat",
)
_ACTIONS = (
    "yang tertangani",
    "yang mendapat bantuan sosial",
    "yang direhabilitasi",
    "yang terlayani",
)
_BIDANG = (
    "Bidang Rehabilitasi Sosial",
    "Bidang Perlindungan dan Jaminan Sosial",
    "Bidang Pemberdayaan Sosial",
    "Sekretariat",
)


@dataclass(frozen=True)
class _Kind:
    """A family of indicators: name pattern, unit, polarity and the range of its target."""

    name: str
    unit: str
    polarity: str
    low: float
    high: float
    decimals: int


_KINDS: tuple[tuple[_Kind, int], ...] = (  # (kind, weight)
    (_Kind("Persentase {subject} {action}", "%", "Positif", 60, 95, 0), 45),
    (_Kind("Jumlah {subject} {action}", "Orang", "Positif", 100, 5000, 0), 15),
    (
        _Kind("Jumlah dokumen perencanaan dan pelaporan {subject}", "Dokumen", "Positif", 2, 12, 0),
        8,
    ),
    (_Kind("Indeks kepuasan {subject} terhadap layanan", "Indeks", "Positif", 65, 85, 1), 10),
    (_Kind("Persentase {subject} yang kembali menjadi PMKS", "%", "Negatif", 5, 25, 1), 8),
    (_Kind("Jumlah kasus {subject} yang dilaporkan", "Kasus", "Negatif", 20, 300, 0), 7),
    (_Kind("Rata-rata waktu pelayanan {subject}", "Hari", "Negatif", 3, 14, 0), 7),
)


@dataclass
class GeneratedWorkbook:
    """What :func:`generate_workbook` wrote."""

    path: Path
    n_indicators: int
    n_sasaran: int
    codes: list[str] = field(default_factory=list)
    #: Number of indicators of each special kind (keys of :data:`SPECIAL_RATES`).
    specials: Counter[str] = field(default_factory=Counter)


def generate_workbook(path: Path, n_indicators: int, *, seed: int = 1) -> GeneratedWorkbook:
    """Write a workbook of ``n_indicators`` IKU rows (and as many RPJMD rows) to ``path``."""
    if n_indicators < 1:
        raise ValueError("n_indicators must be >= 1")
    rng = random.Random(f"{seed}:{n_indicators}")
    path = Path(path)
    build_template(path, year=YEAR, agency=AGENCY, rpjmd_start=RPJMD_START, rpjmd_end=RPJMD_END)
    wb = load_workbook(path)
    _fill_settings(wb[contract.SHEET_PENGATURAN])
    specials = _pick_specials(rng, n_indicators)
    iku_rows, rpjmd_rows, n_sasaran, codes = _make_rows(rng, n_indicators, specials)
    _write_rows(wb[contract.SHEET_RPJMD], rpjmd_layout(RPJMD_START, RPJMD_END), rpjmd_rows)
    _write_rows(wb[contract.SHEET_IKU], iku_layout(), iku_rows)
    save_reproducible(wb, path)
    return GeneratedWorkbook(
        path, n_indicators, n_sasaran, codes, Counter(k for k in specials if k is not None)
    )


# --- Rows -----------------------------------------------------------------------------------------


def batch_folder(example: Path, folder: Path, count: int) -> list[Path]:
    """``folder`` emptied (made when missing) and filled with ``count`` copies of ``example``
    (``IKU_000.xlsx``...): a batch for ``iku-excel refresh FOLDER --jobs N``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = [folder / f"IKU_{i:03d}.xlsx" for i in range(count)]
    for file in files:
        shutil.copyfile(example, file)
    return files


def _pick_specials(rng: random.Random, n: int) -> list[str | None]:
    """The special kind of each row (None for an ordinary row); kinds never overlap."""
    out: list[str | None] = [None] * n
    free = list(range(n))
    rng.shuffle(free)
    for kind, rate in SPECIAL_RATES.items():
        count = round(rate * n)
        if n >= 20:
            count = max(1, count)
        for index in free[:count]:
            out[index] = kind
        free = free[count:]
    return out


def _sasaran_name(index: int) -> str:
    combos = len(_SASARAN_VERBS) * len(_SASARAN_OBJECTS) * len(_SASARAN_PLACES)
    k = index % combos
    verb = _SASARAN_VERBS[k % len(_SASARAN_VERBS)]
    obj = _SASARAN_OBJECTS[(k // len(_SASARAN_VERBS)) % len(_SASARAN_OBJECTS)]
    place = _SASARAN_PLACES[k // (len(_SASARAN_VERBS) * len(_SASARAN_OBJECTS))]
    name = f"{verb} {obj}{place}"
    return name if index < combos else f"{name} (tahap {index // combos + 1})"


def _round(x: float, decimals: int) -> float | int:
    return round(x) if decimals == 0 else round(x, decimals)


def _capaian(polarity: str, target: float, realisasi: float) -> float:
    """Capaian with the workbook's settings (negative formula A)."""
    if polarity == "Positif":
        return realisasi / target * 100
    return (2 - realisasi / target) * 100


def _make_rows(
    rng: random.Random, n: int, specials: list[str | None]
) -> tuple[list[dict[str, CellValue]], list[dict[str, CellValue]], int, list[str]]:
    kinds = [k for k, _ in _KINDS]
    weights = [w for _, w in _KINDS]
    years = range(RPJMD_START, RPJMD_END + 1)
    iku: list[dict[str, CellValue]] = []
    rpjmd: list[dict[str, CellValue]] = []
    codes: list[str] = []
    sasaran_index = 0
    while len(iku) < n:
        sasaran = _sasaran_name(sasaran_index)
        sasaran_index += 1
        misi = rng.randrange(len(_MISI))
        group_size = min(rng.randint(3, 7), n - len(iku))
        for position in range(1, group_size + 1):
            special = specials[len(iku)]
            kind = rng.choices(kinds, weights)[0]
            if special == "quarterly" and kind.unit in ("Indeks", "Hari"):
                kind = kinds[0]  # quarterly figures need a summable or progress-type unit
            code = f"{sasaran_index}.{position}"
            name = kind.name.format(subject=rng.choice(_SUBJECTS), action=rng.choice(_ACTIONS))
            # The trajectory stays inside [low, high]: up for Positif, down for Negatif.
            step = (kind.high - kind.low) * rng.uniform(0.01, 0.04)
            span = step * len(years)
            sign = 1 if kind.polarity == "Positif" else -1
            if sign > 0:
                base = rng.uniform(kind.low, kind.high - span)
            else:
                base = rng.uniform(kind.low + span, kind.high)
            targets = {
                y: _round(base + sign * step * (y - RPJMD_START + 1), kind.decimals) for y in years
            }
            if kind.unit == "%" and kind.polarity == "Positif":
                targets = {y: min(t, 100) for y, t in targets.items()}
            target = targets[YEAR]
            realisasi = _round(float(target) * rng.uniform(0.75, 1.15), kind.decimals)
            if kind.unit == "%":
                realisasi = min(realisasi, 100)
            rpjmd.append(
                {
                    "code": code,
                    "misi": _MISI[misi],
                    "tujuan": _TUJUAN[misi],
                    "sasaran": sasaran,
                    "indicator": name,
                    "unit": kind.unit,
                    "polarity": kind.polarity,
                    "baseline": _round(base, kind.decimals),
                    **{f"target_{y}": t for y, t in targets.items()},
                    "final_target": targets[RPJMD_END],
                }
            )
            row: dict[str, CellValue] = {
                "code": code,
                "sasaran": sasaran,
                "indicator": name,
                "definition": f"{name} dibandingkan dengan sasaran tahun {YEAR}",
                "unit": kind.unit,
                "polarity": kind.polarity,
                "target": target,
                "realisasi": realisasi,
                "data_source": f"Laporan {rng.choice(_BIDANG)}",
                "responsible": rng.choice(_BIDANG),
            }
            if rng.random() < 0.9:
                row["capaian_last_year"] = round(rng.uniform(70, 115), 2)
            if rng.random() < 0.3 or special == "wrong_reported":
                row["reported_capaian"] = round(_capaian(kind.polarity, target, realisasi), 2)
            _apply_special(rng, row, special, kind)
            iku.append(row)
            codes.append(code)
    return iku, rpjmd, sasaran_index, codes


def _apply_special(
    rng: random.Random, row: dict[str, CellValue], special: str | None, kind: _Kind
) -> None:
    realisasi = row["realisasi"]
    assert isinstance(realisasi, int | float)
    if special == "quarterly":
        del row["realisasi"]
        if kind.unit == "%":  # progress-type: the last quarter is the annual value
            row["quarterly_aggregation"] = "Nilai Akhir"
            quarters = [_round(realisasi * f, kind.decimals) for f in (0.4, 0.6, 0.85)]
            row.update(tw1=quarters[0], tw2=quarters[1], tw3=quarters[2], tw4=realisasi)
        else:  # counts: the quarters add up to the annual value
            row["quarterly_aggregation"] = "Jumlah"
            total = int(realisasi)
            cuts = sorted(rng.randint(0, total) for _ in range(3))
            parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], total - cuts[2]]
            row.update(tw1=parts[0], tw2=parts[1], tw3=parts[2], tw4=parts[3])
    elif special == "text_number":
        if kind.decimals:
            row["realisasi"] = f"{realisasi:.{kind.decimals}f}".replace(".", ",")
        else:
            row["realisasi"] = f"{int(realisasi)} {kind.unit}"
    elif special == "wrong_reported":
        reported = row["reported_capaian"]
        assert isinstance(reported, float)
        row["reported_capaian"] = round(reported + rng.choice((-1, 1)) * rng.uniform(5, 20), 2)
    elif special == "target_differs":
        target = row["target"]
        assert isinstance(target, int | float)
        row["target"] = _round(float(target) * 0.9 - 1, kind.decimals)  # stays > 0
        row.pop("reported_capaian", None)  # one finding per special row
    elif special == "missing_realisasi":
        del row["realisasi"]
        row.pop("reported_capaian", None)


# --- Writing --------------------------------------------------------------------------------------

_WRAP_TOP = Alignment(vertical="top", wrap_text=True)


def _fill_settings(ws: Worksheet) -> None:
    """Fill the ``Nilai`` column of ``Pengaturan`` for the keys in :data:`_SETTINGS`."""
    by_key = {s.key: s.attr for s in contract.SETTINGS}
    for row in range(2, ws.max_row + 1):
        attr = by_key.get(str(ws.cell(row=row, column=1).value or ""))
        if attr in _SETTINGS:
            cell = ws.cell(row=row, column=2, value=_SETTINGS[attr])
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _write_rows(
    ws: Worksheet, layout: Sequence[TableColumn], rows: list[dict[str, CellValue]]
) -> None:
    position = {col.key: index for index, col in enumerate(layout, start=1)}
    for row_index, row in enumerate(rows, start=2):
        for key, value in row.items():
            cell = ws.cell(row=row_index, column=position[key], value=value)
            cell.alignment = _WRAP_TOP
            if isinstance(value, str):
                cell.data_type = "s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of indicators")
    parser.add_argument("out", type=Path, help="output .xlsx")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    info = generate_workbook(args.out, args.n, seed=args.seed)
    print(f"{info.path}: {info.n_indicators} indikator, {info.n_sasaran} sasaran")
    print(f"baris khusus: {dict(info.specials)}")


if __name__ == "__main__":
    main()
