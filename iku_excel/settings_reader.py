"""The Pengaturan sheet: settings keys and values, and the custom predikat scale, into Settings."""

from __future__ import annotations

from decimal import Decimal

from iku_excel import contract
from iku_excel.a1 import cell_address
from iku_excel.capaian import NAMED_SCALES, custom_scale
from iku_excel.kinds import read_grade_scales
from iku_excel.model import CellRef, PredicateScale, Settings, SheetGrid
from iku_excel.numbers import parse_number, style_from_label
from iku_excel.reader_base import HEADER_SCAN_ROWS, Collector, text


def _find_pair_header(grid: SheetGrid, left: str, right: str) -> tuple[int, int] | None:
    """(row, col) of a cell reading ``left`` with ``right`` just right of it."""
    lkey = contract.normalise_header(left)
    rkey = contract.normalise_header(right)
    for row in range(1, min(grid.n_rows, HEADER_SCAN_ROWS) + 1):
        for col, value in enumerate(grid.values[row - 1], start=1):
            if value is not None and contract.normalise_header(value) == lkey:
                right_value = contract.normalise_header(grid.value(row, col + 1))
                if right_value == rkey or right_value.startswith(rkey.split(" (")[0]):
                    return row, col
    return None


def _int_setting(
    raw: object, key: str, sheet: str, cell: str, out: Collector, *, required: bool, effect: str
) -> int | None:
    parsed = parse_number(raw)
    if parsed.status == "missing":
        if required:
            out.add("missing-setting", sheet=sheet, cell=cell, key=key, effect=effect)
        return None
    if parsed.status == "ok" and parsed.value is not None and float(parsed.value).is_integer():
        return int(parsed.value)
    out.add(
        "invalid-setting",
        sheet=sheet,
        cell=cell,
        key=key,
        value=text(raw),
        expected="sebuah tahun, mis. 2024",
        default="kosong",
    )
    return None


def _choice_setting(
    raw: object, setting: contract.Setting, sheet: str, cell: str, out: Collector
) -> str:
    if text(raw) == "":
        return setting.default
    wanted = contract.normalise_choice(raw)
    for choice in setting.choices:
        if contract.normalise_choice(choice) == wanted:
            return choice
    # "Rumus A" / "a" for the negative formula
    if setting.attr == "negative_formula" and wanted[-1:] in ("a", "b", "c"):
        return wanted[-1:].upper()
    out.add(
        "invalid-setting",
        sheet=sheet,
        cell=cell,
        key=setting.key,
        value=text(raw),
        expected="salah satu dari " + ", ".join(setting.choices),
        default=setting.default,
    )
    return setting.default


class _Found:
    """The settings keys found in Pengaturan: each one's raw value and cell."""

    def __init__(self, grid: SheetGrid) -> None:
        origin = _find_pair_header(grid, *contract.SETTINGS_HEADER)
        key_col = origin[1] if origin else 1
        first_row = origin[0] + 1 if origin else 1
        by_norm = {contract.normalise_header(s.key): s for s in contract.READ_SETTINGS}
        self.sheet = grid.name
        self.found: dict[str, tuple[object, CellRef]] = {}
        for row in range(first_row, grid.n_rows + 1):
            setting = by_norm.get(contract.normalise_header(grid.value(row, key_col)))
            if setting is not None and setting.attr not in self.found:
                ref = CellRef(grid.name, row, key_col + 1)
                self.found[setting.attr] = (grid.value(row, key_col + 1), ref)

    def raw(self, attr: str) -> object:
        return self.found[attr][0] if attr in self.found else None

    def cell(self, attr: str) -> str:
        return self.found[attr][1].address if attr in self.found else ""

    def choice(self, attr: str, out: Collector) -> str:
        setting = next(s for s in contract.READ_SETTINGS if s.attr == attr)
        return _choice_setting(self.raw(attr), setting, self.sheet, self.cell(attr), out)


def read_settings(grid: SheetGrid | None, out: Collector) -> Settings:
    """The workbook's settings; a bad value gives an ``invalid-setting`` finding and the default."""
    if grid is None:
        return Settings(predicate_scale=NAMED_SCALES[contract.PREDICATE_SCALES[0]])
    found = _Found(grid)
    values: dict[str, object] = {}
    for attr in (
        "agency",
        "government",
        "city",
        "report_date",
        "signer_title",
        "signer_name",
        "signer_rank",
    ):
        values[attr] = text(found.raw(attr))
    values["signer_nip"] = _nip(found, out)
    for attr, label, required, effect in (
        ("year", "Tahun", True, "Target tidak dapat dicocokkan dengan kolom RPJMD."),
        ("rpjmd_start", "Tahun Awal RPJMD", False, ""),
        ("rpjmd_end", "Tahun Akhir RPJMD", False, ""),
    ):
        values[attr] = _int_setting(
            found.raw(attr),
            label,
            found.sheet,
            found.cell(attr),
            out,
            required=required,
            effect=effect,
        )
    values["negative_formula"] = found.choice("negative_formula", out)
    values["cap"] = _cap(found, out)
    scale_name = found.choice("predicate_scale", out)
    scale = _custom_scale(grid, out) if scale_name == "Kustom" else NAMED_SCALES[scale_name]
    values["predicate_scale"] = scale
    values["sasaran_aggregation"] = found.choice("sasaran_aggregation", out)
    values["number_style"] = style_from_label(found.choice("number_style", out)) or "id"
    values["grade_mode"] = found.choice("grade_mode", out)
    values["grade_scales"] = read_grade_scales(grid, out.findings)
    values["report_period"] = found.choice("report_period", out)
    refs = {attr: ref for attr, (_, ref) in found.found.items()}
    return Settings(refs=refs, **values)  # type: ignore[arg-type]


def _nip(found: _Found, out: Collector) -> str:
    """The signer's NIP as Excel shows it (15 significant digits when typed as a number)."""
    nip = found.raw("signer_nip")
    if not isinstance(nip, int | float) or isinstance(nip, bool):
        return text(nip)
    digits = str(int(Decimal(f"{nip:.15g}")))
    if len(digits) > 15:  # an 18-digit NIP typed as a number has lost its last digits
        out.add(
            "invalid-setting",
            sheet=found.sheet,
            cell=found.cell("signer_nip"),
            key="NIP",
            value=digits,
            expected="NIP ditulis sebagai teks (angka 18 digit kehilangan "
            "digit terakhirnya di Excel)",
            default=digits,
        )
    return digits


def _cap(found: _Found, out: Collector) -> float | None:
    """``Batas Atas Capaian (%)``: empty (no cap) or a positive number."""
    parsed = parse_number(found.raw("cap"))
    if parsed.status == "ok" and parsed.kind == "number" and parsed.value and parsed.value > 0:
        return parsed.value
    if parsed.status != "missing":
        out.add(
            "invalid-setting",
            sheet=found.sheet,
            cell=found.cell("cap"),
            key="Batas Atas Capaian (%)",
            value=text(found.raw("cap")),
            expected="kosong atau angka positif, mis. 100 atau 120",
            default="tanpa batas",
        )
    return None


def _custom_scale(grid: SheetGrid, out: Collector) -> PredicateScale:
    origin = _find_pair_header(grid, *contract.PREDICATE_SCALE_HEADER)
    default = NAMED_SCALES[contract.PREDICATE_SCALES[0]]
    if origin is None:
        out.add(
            "invalid-predicate-scale",
            sheet=grid.name,
            cell="",
            problems=f'tabel "Predikat | Batas Bawah (%)" tidak ditemukan; dipakai {default.name}',
        )
        return default
    row0, col = origin
    rows: list[tuple[str, float | None]] = []
    problems: list[str] = []
    for row in range(row0 + 1, grid.n_rows + 1):
        label = text(grid.value(row, col))
        if not label:
            break
        parsed = parse_number(grid.value(row, col + 1))
        if parsed.status == "missing":
            rows.append((label, None))
        elif parsed.status == "ok" and parsed.kind == "number":
            rows.append((label, parsed.value))
        else:
            problems.append(f'batas bawah {label} "{text(grid.value(row, col + 1))}" bukan angka')
    scale, scale_problems = custom_scale(rows)
    problems.extend(scale_problems)
    if problems:
        out.add(
            "invalid-predicate-scale",
            sheet=grid.name,
            cell=cell_address(row0, col),
            problems="; ".join(problems),
        )
        if len(scale.bands) < 2:
            return default
    return scale
