"""From sheet grids to the workbook model: find headers, map columns, parse cells and settings.

Pure: takes :class:`~iku_excel.model.SheetGrid` objects (produced by any engine) and returns an
:class:`~iku_excel.model.IkuWorkbook` plus the findings met while reading. A workbook that cannot
be read at all (no IKU sheet, no recognisable header) raises :class:`ContractError`.

Quirks handled (each has a fixture workbook in ``tests/fixtures``):
- the header row may sit below title rows, and may be followed by a row of column numbers 1..n;
- headers differ in case, spacing and line breaks, and old names are accepted (``ANGKA AWAL``,
  ``RENCANA TINGKAT CAPAIAN``...);
- the sasaran is often written once (or in a merged cell) for a group of indicators: an empty
  Sasaran Strategis takes the one above it; a row with a sasaran and nothing else opens a group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from iku_excel import contract
from iku_excel.a1 import cell_address
from iku_excel.adopt.mapping import SHEET_PEMETAAN
from iku_excel.aggregates import typed_aggregate
from iku_excel.capaian import NAMED_SCALES, custom_scale, default_quarterly_aggregation
from iku_excel.errors import ContractError
from iku_excel.kinds import read_grade_scales
from iku_excel.model import (
    CellRef,
    Finding,
    IkuIndicator,
    IkuWorkbook,
    PredicateScale,
    RpjmdIndicator,
    Settings,
    SheetGrid,
    TableLayout,
    TypedAggregate,
    Value,
)
from iku_excel.numbers import Style, normalise_unit, parse_number, style_from_label
from iku_excel.rules import make_finding

HEADER_SCAN_ROWS = 40


@dataclass
class _Collector:
    findings: list[Finding] = field(default_factory=list)

    def add(
        self, rule: str, *, sheet: str, cell: str = "", code: str = "", **params: object
    ) -> None:
        self.findings.append(make_finding(rule, sheet=sheet, cell=cell, code=code, **params))


def find_sheet(names: Sequence[str], wanted: str) -> str | None:
    """The actual name of sheet ``wanted`` (case and spacing ignored), or None."""
    key = contract.normalise_header(wanted)
    for name in names:
        if contract.normalise_header(name) == key:
            return name
    return None


def text(value: object) -> str:
    """A cell as text: None -> "", 1.0 -> "1", 1.1 -> "1.1", strings stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return f"{value:.15g}"
    return " ".join(str(value).split())


_YEAR_SUFFIX = re.compile(r"^(.*?)\s*(?:tahun\s*)?(\d{4})$")


def _header_key(norm: str, index: dict[str, str], year: int | None) -> str | None:
    """The column key of a normalised header, understanding a year suffix.

    ``Target 2023`` in a 2023 workbook is ``Target``; ``% Capaian 2022`` is last year's capaian.
    """
    key = index.get(norm)
    if key is not None or year is None:
        return key
    m = _YEAR_SUFFIX.match(norm)
    if not m or not m.group(1):
        return None
    base, y = index.get(m.group(1)), int(m.group(2))
    if y == year:
        return base
    if y == year - 1 and base in ("capaian", "reported_capaian", "capaian_last_year"):
        return "capaian_last_year"
    return None


def _header_texts(grid: SheetGrid, row: int, two_rows: bool) -> list[object]:
    """The header texts of ``row``; with ``two_rows``, each column's text in the row below wins
    over the (merged) text above it, as in ``2023`` spanning ``TARGET | REALISASI``."""
    upper = list(grid.values[row - 1])
    if not two_rows:
        return upper
    lower = list(grid.values[row]) if row < grid.n_rows else []
    width = max(len(upper), len(lower))
    out: list[object] = []
    for col in range(width):
        below = lower[col] if col < len(lower) else None
        above = upper[col] if col < len(upper) else None
        out.append(below if text(below) else above)
    return out


def locate_header(
    grid: SheetGrid,
    columns: tuple[contract.Column, ...],
    *,
    years: bool = False,
    year: int | None = None,
) -> TableLayout:
    """Find the header of a table: the row (or pair of rows) within the first rows that matches
    the most headers and holds every required one.

    Raises ContractError naming the required columns that were not found.
    """
    index = contract.header_index(columns)
    required = {c.key for c in columns if c.required}
    best: tuple[int, int, dict[str, int], dict[int, int]] | None = None
    partial: tuple[int, dict[str, int]] | None = None
    for row in range(1, min(grid.n_rows, HEADER_SCAN_ROWS) + 1):
        for two_rows in (False, True):
            if two_rows and row >= grid.n_rows:
                continue
            found: dict[str, int] = {}
            year_cols: dict[int, int] = {}
            for col, value in enumerate(_header_texts(grid, row, two_rows), start=1):
                if value is None:
                    continue
                norm = contract.normalise_header(value)
                if years:
                    m = contract.RPJMD_YEAR_PATTERN.match(norm)
                    if m:
                        year_cols.setdefault(int(m.group(1)), col)
                        continue
                key = _header_key(norm, index, year)
                if key is not None and key not in found:
                    found[key] = col
            score = len(found) + len(year_cols)
            # A single row wins ties: a second row is used only when it adds headers.
            if required <= found.keys() and (best is None or score > best[0]):
                best = (score, row + (1 if two_rows else 0), found, year_cols)
            if not two_rows and (partial is None or len(found) > len(partial[1])):
                partial = (row, found)
    if best is None:
        raise ContractError(_no_header_message(grid, columns, partial))
    _, header_row, found, year_cols = best
    width = max((len(line) for line in grid.values), default=0)
    return TableLayout(grid.name, header_row, found, year_cols, grid.n_rows, width)


def _no_header_message(
    grid: SheetGrid,
    columns: tuple[contract.Column, ...],
    partial: tuple[int, dict[str, int]] | None,
) -> str:
    """Names the sheet, the row taken as header, the header not found and the nearest seen."""
    import difflib

    wanted = ", ".join(c.header for c in columns if c.required)
    if partial is None or not partial[1]:
        return f"Sheet {grid.name}: baris judul kolom tidak ditemukan (kolom wajib: {wanted})."
    row, found = partial
    missing = [c for c in columns if c.required and c.key not in found]
    seen = [text(v) for v in grid.values[row - 1] if text(v)]
    used = {text(grid.value(row, col)) for col in found.values()}
    others = [t for t in seen if t not in used] or seen
    name = missing[0].header if missing else wanted
    close = difflib.get_close_matches(name.casefold(), [t.casefold() for t in others], 1, 0.0)
    nearest = next((t for t in others if close and t.casefold() == close[0]), "")
    hint = f' Judul terdekat yang terlihat: "{nearest}".' if nearest else ""
    return (
        f'Sheet {grid.name}: judul kolom "{name}" tidak ditemukan di baris {row} '
        f"(baris yang dibaca sebagai judul kolom; kolom wajib: {wanted}).{hint}"
    )


def _is_column_number_row(grid: SheetGrid, row: int) -> bool:
    """True for the row of column numbers (1, 2, 3...) printed under a report header."""
    if row > grid.n_rows:
        return False
    nums = [v for v in grid.values[row - 1] if v is not None and v != ""]
    if len(nums) < 3:
        return False
    ints: list[int] = []
    for v in nums:
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float) and float(v).is_integer():
            ints.append(int(v))
        elif isinstance(v, str) and v.strip().strip("().").isdigit():
            ints.append(int(v.strip().strip("().")))
        else:
            return False
    return ints == list(range(ints[0], ints[0] + len(ints)))


def _value(grid: SheetGrid, layout: TableLayout, row: int, key: str, style: Style = "id") -> Value:
    col = layout.columns.get(key)
    if col is None:
        return Value(parse_number(None), None)
    return Value(
        parse_number(grid.value(row, col), grid.number_format(row, col), style=style),
        CellRef(grid.name, row, col),
    )


def _text(grid: SheetGrid, layout: TableLayout, row: int, key: str) -> str:
    col = layout.columns.get(key)
    return text(grid.value(row, col)) if col is not None else ""


def _polarity(raw: str) -> Literal["Positif", "Negatif"] | None:
    norm = contract.normalise_header(raw)
    if norm in ("positif", "positive", "+", "maksimal", "maximize", "naik"):
        return "Positif"
    if norm in ("negatif", "negative", "-", "minimal", "minimize", "turun"):
        return "Negatif"
    return None


def _read_polarity(
    grid: SheetGrid, layout: TableLayout, row: int, code: str, out: _Collector
) -> tuple[Literal["Positif", "Negatif"], bool]:
    """The row's polaritas (Positif when empty or unknown) and whether it was given."""
    raw = _text(grid, layout, row, "polarity")
    if not raw:
        return "Positif", False
    polarity = _polarity(raw)
    if polarity is None:
        cell = cell_address(row, layout.columns["polarity"])
        out.add("invalid-polarity", sheet=grid.name, cell=cell, code=code, value=raw)
        return "Positif", False
    return polarity, True


def _data_rows(grid: SheetGrid, layout: TableLayout) -> range:
    start = layout.header_row + 1
    if _is_column_number_row(grid, start):
        start += 1
    return range(start, grid.n_rows + 1)


def _row_is_empty(grid: SheetGrid, layout: TableLayout, row: int) -> bool:
    cols = list(layout.columns.values()) + list(layout.year_columns.values())
    return all(text(grid.value(row, c)) == "" for c in cols)


# --- IKU ------------------------------------------------------------------------------------------

_NUMERIC_IKU_KEYS = (
    "weight",
    "target",
    "tw1",
    "tw2",
    "tw3",
    "tw4",
    "realisasi",
    "capaian_last_year",
    "reported_capaian",
)


def read_iku(
    grid: SheetGrid,
    out: _Collector,
    year: int | None = None,
    style: Style = "id",
    aggregates: list[TypedAggregate] | None = None,
) -> tuple[list[IkuIndicator], TableLayout]:
    """The indicators of the IKU sheet; typed ``Rata-rata capaian`` rows go to ``aggregates``."""
    layout = locate_header(grid, contract.IKU_READ_COLUMNS, year=year)
    indicators: list[IkuIndicator] = []
    sheet = grid.name
    current_sasaran = ""
    sasaran_row = 0
    sasaran_has_indicator = True

    def close_group() -> None:
        if not sasaran_has_indicator and current_sasaran:
            col = layout.columns["sasaran"]
            out.add(
                "sasaran-without-indicator",
                sheet=sheet,
                cell=cell_address(sasaran_row, col),
                sasaran=current_sasaran,
            )

    for row in _data_rows(grid, layout):
        if _row_is_empty(grid, layout, row):
            continue
        sasaran = _text(grid, layout, row, "sasaran")
        name = _text(grid, layout, row, "indicator")
        code = _text(grid, layout, row, "code")
        values = {key: _value(grid, layout, row, key, style) for key in _NUMERIC_IKU_KEYS}
        has_numbers = any(not v.is_blank for v in values.values())
        typed = typed_aggregate(row, name, sasaran, current_sasaran, values)
        if typed is not None:
            if aggregates is not None:
                aggregates.append(typed)
            continue
        if sasaran and sasaran != current_sasaran:
            close_group()
            current_sasaran, sasaran_row, sasaran_has_indicator = sasaran, row, False
        if not name:
            if has_numbers:
                out.add(
                    "missing-indicator-name",
                    sheet=sheet,
                    cell=cell_address(row, layout.columns["indicator"]),
                    code=code,
                    row=row,
                )
            continue
        if not current_sasaran:
            out.add(
                "missing-sasaran",
                sheet=sheet,
                cell=cell_address(row, layout.columns["sasaran"]),
                code=code,
                indicator=name,
            )
        sasaran_has_indicator = True
        unit = _text(grid, layout, row, "unit")
        polarity, polarity_given = _read_polarity(grid, layout, row, code, out)
        unit_key = normalise_unit(unit or values["target"].parsed.unit or "")
        default_agg = default_quarterly_aggregation(unit_key)
        agg_raw = _text(grid, layout, row, "quarterly_aggregation")
        agg = default_agg
        if agg_raw:
            match = [
                c
                for c in contract.QUARTERLY_AGGREGATIONS
                if contract.normalise_choice(c) == contract.normalise_choice(agg_raw)
            ]
            if match:
                agg = match[0]
            else:
                out.add(
                    "invalid-quarterly-aggregation",
                    sheet=sheet,
                    cell=cell_address(row, layout.columns["quarterly_aggregation"]),
                    code=code,
                    value=agg_raw,
                    default=default_agg,
                )
        indicators.append(
            IkuIndicator(
                row=row,
                code=code,
                sasaran=current_sasaran,
                indicator=name,
                definition=_text(grid, layout, row, "definition"),
                unit=unit,
                polarity=polarity,
                polarity_given=polarity_given,
                quarterly_aggregation=agg,
                weight=values["weight"],
                target=values["target"],
                quarters=(values["tw1"], values["tw2"], values["tw3"], values["tw4"]),
                realisasi=values["realisasi"],
                capaian_last_year=values["capaian_last_year"],
                reported_capaian=values["reported_capaian"],
                data_source=_text(grid, layout, row, "data_source"),
                responsible=_text(grid, layout, row, "responsible"),
                note=_text(grid, layout, row, "note"),
                numerator=_value(grid, layout, row, "numerator", style),
                denominator=_value(grid, layout, row, "denominator", style),
            )
        )
    close_group()
    return indicators, layout


# --- RPJMD ----------------------------------------------------------------------------------------


def read_rpjmd(
    grid: SheetGrid, out: _Collector, style: Style = "id"
) -> tuple[list[RpjmdIndicator], TableLayout]:
    layout = locate_header(grid, contract.RPJMD_COLUMNS, years=True)
    rows: list[RpjmdIndicator] = []
    sheet = grid.name
    last_sasaran = ""
    for row in _data_rows(grid, layout):
        if _row_is_empty(grid, layout, row):
            continue
        name = _text(grid, layout, row, "indicator")
        sasaran = _text(grid, layout, row, "sasaran") or last_sasaran
        last_sasaran = sasaran
        if not name:
            continue
        code = _text(grid, layout, row, "code")
        polarity, given = _read_polarity(grid, layout, row, code, out)
        targets = {
            year: Value(
                parse_number(grid.value(row, col), grid.number_format(row, col), style=style),
                CellRef(sheet, row, col),
            )
            for year, col in sorted(layout.year_columns.items())
        }
        rows.append(
            RpjmdIndicator(
                row=row,
                code=code,
                misi=_text(grid, layout, row, "misi"),
                tujuan=_text(grid, layout, row, "tujuan"),
                sasaran=sasaran,
                indicator=name,
                unit=_text(grid, layout, row, "unit"),
                polarity=polarity,
                baseline=_value(grid, layout, row, "baseline", style),
                targets=targets,
                final_target=_value(grid, layout, row, "final_target", style),
                polarity_given=given,
            )
        )
    return rows, layout


# --- Pengaturan -----------------------------------------------------------------------------------


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
    raw: object, key: str, sheet: str, cell: str, out: _Collector, *, required: bool, effect: str
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
    raw: object, setting: contract.Setting, sheet: str, cell: str, out: _Collector
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


def read_settings(grid: SheetGrid | None, out: _Collector) -> Settings:
    if grid is None:
        return Settings(predicate_scale=NAMED_SCALES[contract.PREDICATE_SCALES[0]])
    sheet = grid.name
    origin = _find_pair_header(grid, *contract.SETTINGS_HEADER)
    key_col = origin[1] if origin else 1
    first_row = origin[0] + 1 if origin else 1
    found: dict[str, tuple[object, CellRef]] = {}
    by_norm = {contract.normalise_header(s.key): s for s in contract.READ_SETTINGS}
    for row in range(first_row, grid.n_rows + 1):
        setting = by_norm.get(contract.normalise_header(grid.value(row, key_col)))
        if setting is not None and setting.attr not in found:
            found[setting.attr] = (grid.value(row, key_col + 1), CellRef(sheet, row, key_col + 1))

    def raw(attr: str) -> object:
        return found[attr][0] if attr in found else None

    def cell(attr: str) -> str:
        return found[attr][1].address if attr in found else ""

    by_attr = {s.attr: s for s in contract.READ_SETTINGS}
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
        values[attr] = text(raw(attr))
    nip = raw("signer_nip")
    if isinstance(nip, int | float) and not isinstance(nip, bool):
        # As Excel shows it: 15 significant digits (an 18-digit NIP has lost the rest).
        digits = str(int(Decimal(f"{nip:.15g}")))
        if len(digits) > 15:
            out.add(
                "invalid-setting",
                sheet=sheet,
                cell=cell("signer_nip"),
                key="NIP",
                value=digits,
                expected="NIP ditulis sebagai teks (angka 18 digit kehilangan "
                "digit terakhirnya di Excel)",
                default=digits,
            )
        values["signer_nip"] = digits
    else:
        values["signer_nip"] = text(nip)
    values["year"] = _int_setting(
        raw("year"),
        "Tahun",
        sheet,
        cell("year"),
        out,
        required=True,
        effect="Target tidak dapat dicocokkan dengan kolom RPJMD.",
    )
    values["rpjmd_start"] = _int_setting(
        raw("rpjmd_start"),
        "Tahun Awal RPJMD",
        sheet,
        cell("rpjmd_start"),
        out,
        required=False,
        effect="",
    )
    values["rpjmd_end"] = _int_setting(
        raw("rpjmd_end"),
        "Tahun Akhir RPJMD",
        sheet,
        cell("rpjmd_end"),
        out,
        required=False,
        effect="",
    )
    formula = _choice_setting(
        raw("negative_formula"), by_attr["negative_formula"], sheet, cell("negative_formula"), out
    )
    values["negative_formula"] = formula
    cap_parsed = parse_number(raw("cap"))
    cap: float | None = None
    if (
        cap_parsed.status == "ok"
        and cap_parsed.kind == "number"
        and cap_parsed.value is not None
        and cap_parsed.value > 0
    ):
        cap = cap_parsed.value
    elif cap_parsed.status != "missing":
        out.add(
            "invalid-setting",
            sheet=sheet,
            cell=cell("cap"),
            key="Batas Atas Capaian (%)",
            value=text(raw("cap")),
            expected="kosong atau angka positif, mis. 100 atau 120",
            default="tanpa batas",
        )
    values["cap"] = cap
    scale_name = _choice_setting(
        raw("predicate_scale"), by_attr["predicate_scale"], sheet, cell("predicate_scale"), out
    )
    scale = _custom_scale(grid, out) if scale_name == "Kustom" else NAMED_SCALES[scale_name]
    values["predicate_scale"] = scale
    values["sasaran_aggregation"] = _choice_setting(
        raw("sasaran_aggregation"),
        by_attr["sasaran_aggregation"],
        sheet,
        cell("sasaran_aggregation"),
        out,
    )
    style_label = _choice_setting(
        raw("number_style"), by_attr["number_style"], sheet, cell("number_style"), out
    )
    values["number_style"] = style_from_label(style_label) or "id"
    values["grade_mode"] = _choice_setting(
        raw("grade_mode"), by_attr["grade_mode"], sheet, cell("grade_mode"), out
    )
    values["grade_scales"] = read_grade_scales(grid, out.findings)
    refs = {attr: ref for attr, (_, ref) in found.items()}
    return Settings(refs=refs, **values)  # type: ignore[arg-type]


def _custom_scale(grid: SheetGrid, out: _Collector) -> PredicateScale:
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


# --- Whole workbook -------------------------------------------------------------------------------


def read_workbook(
    grids: Mapping[str, SheetGrid], sheet_names: Sequence[str]
) -> tuple[IkuWorkbook, list[Finding]]:
    """Read the contract sheets of one workbook. ``grids`` maps actual sheet names to grids.

    Raises ContractError when the IKU sheet is missing or has no recognisable header.
    """
    out = _Collector()
    names = tuple(sheet_names)
    existing = ", ".join(names)
    iku_name = find_sheet(names, contract.SHEET_IKU)
    if iku_name is None or iku_name not in grids:
        raise ContractError(
            f'Sheet "{contract.SHEET_IKU}" tidak ditemukan. Sheet yang ada: {existing}. '
            "Untuk memakai tabel capaian Anda sendiri, jalankan "
            '"iku-excel adopt NAMA_FILE" atau tombol "Adopsi Tabel" di tab IKU.'
        )
    settings_name = find_sheet(names, contract.SHEET_PENGATURAN)
    if settings_name is None:
        out.add(
            "missing-sheet",
            sheet=contract.SHEET_PENGATURAN,
            missing=contract.SHEET_PENGATURAN,
            effect="pengaturan bawaan dipakai",
            existing=existing,
        )
    settings = read_settings(grids.get(settings_name) if settings_name else None, out)
    aggregates: list[TypedAggregate] = []
    style = settings.number_style
    indicators, iku_layout = read_iku(grids[iku_name], out, settings.year, style, aggregates)
    rpjmd_name = find_sheet(names, contract.SHEET_RPJMD)
    rpjmd: list[RpjmdIndicator] = []
    rpjmd_layout: TableLayout | None = None
    if rpjmd_name is None or rpjmd_name not in grids:
        out.add(
            "missing-sheet",
            sheet=contract.SHEET_RPJMD,
            missing=contract.SHEET_RPJMD,
            effect="pemeriksaan terhadap RPJMD dilewati",
            existing=existing,
        )
    else:
        rpjmd, rpjmd_layout = read_rpjmd(grids[rpjmd_name], out, style)
    workbook = IkuWorkbook(
        sheet_names=names,
        settings=settings,
        indicators=tuple(indicators),
        rpjmd=tuple(rpjmd),
        iku_layout=iku_layout,
        rpjmd_layout=rpjmd_layout,
        typed_aggregates=tuple(aggregates),
    )
    return workbook, out.findings


def read_settings_sheet(grid: SheetGrid | None) -> tuple[Settings, list[Finding]]:
    """The ``Pengaturan`` sheet alone (None: defaults), for an adopted workbook."""
    out = _Collector()
    return read_settings(grid, out), out.findings


def read_rpjmd_sheet(grid: SheetGrid) -> tuple[list[RpjmdIndicator], TableLayout, list[Finding]]:
    """The ``RPJMD`` sheet alone, for an adopted workbook. Raises ContractError."""
    out = _Collector()
    rows, layout = read_rpjmd(grid, out)
    return rows, layout, out.findings


def sheets_to_read(sheet_names: Sequence[str]) -> list[str]:
    """The actual names of the sheets the reader needs (those that exist).

    An adopted workbook (no IKU sheet, a ``Pemetaan`` sheet) needs the sheet the mapping names,
    known only once the mapping is read: every sheet is read then.
    """
    if find_sheet(sheet_names, contract.SHEET_IKU) is None and find_sheet(
        sheet_names, SHEET_PEMETAAN
    ):
        return list(sheet_names)
    wanted = (contract.SHEET_PENGATURAN, contract.SHEET_RPJMD, contract.SHEET_IKU)
    return [n for n in (find_sheet(sheet_names, w) for w in wanted) if n is not None]
