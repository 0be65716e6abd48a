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
from functools import lru_cache
from typing import Literal

from iku_excel import contract
from iku_excel.a1 import cell_address
from iku_excel.aggregates import typed_aggregate
from iku_excel.capaian import default_quarterly_aggregation
from iku_excel.errors import ContractError
from iku_excel.extras import history_columns, read_extras
from iku_excel.model import (
    Finding,
    IkuExtras,
    IkuIndicator,
    IkuWorkbook,
    RpjmdIndicator,
    Settings,
    SheetGrid,
    TableLayout,
    TypedAggregate,
    Value,
)
from iku_excel.numbers import Style, normalise_unit
from iku_excel.reader_base import HEADER_SCAN_ROWS, Collector, RowCells, text
from iku_excel.settings_reader import read_settings
from iku_excel.slots import slot_builder


def find_sheet(names: Sequence[str], wanted: str) -> str | None:
    """The actual name of sheet ``wanted`` (case and spacing ignored), or None."""
    key = contract.normalise_header(wanted)
    for name in names:
        if contract.normalise_header(name) == key:
            return name
    return None


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
    # each text of the first rows is folded once: every row is read alone and paired with the
    # rows above and below it, and the data rows below the header repeat their texts
    folded: dict[str, str] = {}
    keys: dict[str, str | None] = {}
    for row in range(1, min(grid.n_rows, HEADER_SCAN_ROWS) + 1):
        for two_rows in (False, True):
            if two_rows and row >= grid.n_rows:
                continue
            found: dict[str, int] = {}
            year_cols: dict[int, int] = {}
            for col, value in enumerate(_header_texts(grid, row, two_rows), start=1):
                if value is None:
                    continue
                # texts only: 1, 1.0 and True would be one key
                norm = folded.get(value) if type(value) is str else None
                if norm is None:
                    norm = contract.normalise_header(value)
                    if type(value) is str:
                        folded[value] = norm
                if years:
                    m = contract.RPJMD_YEAR_PATTERN.match(norm)
                    if m:
                        year_cols.setdefault(int(m.group(1)), col)
                        continue
                if norm in keys:
                    key = keys[norm]
                else:
                    key = keys[norm] = _header_key(norm, index, year)
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


@lru_cache(maxsize=256)  # a workbook types a handful of spellings on thousands of rows
def _polarity(raw: str) -> Literal["Positif", "Negatif"] | None:
    norm = contract.normalise_header(raw)
    if norm in ("positif", "positive", "+", "maksimal", "maximize", "naik"):
        return "Positif"
    if norm in ("negatif", "negative", "-", "minimal", "minimize", "turun"):
        return "Negatif"
    return None


def _read_polarity(
    cells: RowCells, layout: TableLayout, code: str, out: Collector
) -> tuple[Literal["Positif", "Negatif"], bool]:
    """The row's polaritas (Positif when empty or unknown) and whether it was given."""
    raw = cells.text(layout.columns.get("polarity"))
    if not raw:
        return "Positif", False
    polarity = _polarity(raw)
    if polarity is None:
        cell = cell_address(cells.row, layout.columns["polarity"])
        out.add("invalid-polarity", sheet=cells.sheet, cell=cell, code=code, value=raw)
        return "Positif", False
    return polarity, True


def _data_rows(grid: SheetGrid, layout: TableLayout) -> range:
    start = layout.header_row + 1
    if _is_column_number_row(grid, start):
        start += 1
    return range(start, grid.n_rows + 1)


def _table_columns(layout: TableLayout) -> tuple[int, ...]:
    """Every column the table's header names: a row empty in all of them is skipped."""
    return (*layout.columns.values(), *layout.year_columns.values())


# --- IKU ------------------------------------------------------------------------------------------

#: The columns :func:`~iku_excel.extras.read_extras` reads besides the earlier years.
_LKJIP_KEYS = frozenset(c.key for c in contract.LKJIP_OPTIONAL_COLUMNS)
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
    out: Collector,
    year: int | None = None,
    style: Style = "id",
    aggregates: list[TypedAggregate] | None = None,
) -> tuple[list[IkuIndicator], TableLayout]:
    """The indicators of the IKU sheet; typed ``Rata-rata capaian`` rows go to ``aggregates``."""
    layout = locate_header(grid, contract.IKU_READ_COLUMNS, year=year)
    history = history_columns(grid, layout, year)
    # without an optional LKjIP column or an earlier year, every row's extras are empty: one
    # shared (frozen) IkuExtras instead of reading ten absent columns per row
    no_extras = None if history or _LKJIP_KEYS & layout.columns.keys() else IkuExtras()
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

    cols = layout.columns
    table_columns = _table_columns(layout)
    numeric = [(key, cols.get(key)) for key in _NUMERIC_IKU_KEYS]
    for row in _data_rows(grid, layout):
        cells = RowCells(grid, row)
        if cells.is_empty(table_columns):
            continue
        sasaran = cells.text(cols.get("sasaran"))
        name = cells.text(cols.get("indicator"))
        code = cells.text(cols.get("code"))
        values = {key: cells.number(col, style) for key, col in numeric}
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
        row_indicator = _indicator(
            cells, grid, layout, out, style, history, values, current_sasaran, name, code, no_extras
        )
        indicators.append(row_indicator)
    close_group()
    return indicators, layout


def _indicator(
    cells: RowCells,
    grid: SheetGrid,
    layout: TableLayout,
    out: Collector,
    style: Style,
    history: dict[int, dict],
    values: dict[str, Value],
    sasaran: str,
    name: str,
    code: str,
    no_extras: IkuExtras | None = None,
) -> IkuIndicator:
    """One indicator row of the IKU sheet, its numbers already parsed into ``values``."""
    cols = layout.columns
    row = cells.row
    unit = cells.text(cols.get("unit"))
    polarity, polarity_given = _read_polarity(cells, layout, code, out)
    unit_key = normalise_unit(unit or values["target"].parsed.unit or "")
    return slot_builder(IkuIndicator)(
        row=row,
        code=code,
        sasaran=sasaran,
        indicator=name,
        definition=cells.text(cols.get("definition")),
        unit=unit,
        polarity=polarity,
        polarity_given=polarity_given,
        quarterly_aggregation=_quarterly_aggregation(cells, layout, code, unit_key, out),
        weight=values["weight"],
        target=values["target"],
        quarters=(values["tw1"], values["tw2"], values["tw3"], values["tw4"]),
        realisasi=values["realisasi"],
        capaian_last_year=values["capaian_last_year"],
        reported_capaian=values["reported_capaian"],
        data_source=cells.text(cols.get("data_source")),
        responsible=cells.text(cols.get("responsible")),
        note=cells.text(cols.get("note")),
        numerator=cells.number(cols.get("numerator"), style),
        denominator=cells.number(cols.get("denominator"), style),
        extras=read_extras(grid, layout, row, history) if no_extras is None else no_extras,
    )


def _quarterly_aggregation(
    cells: RowCells, layout: TableLayout, code: str, unit_key: str, out: Collector
) -> str:
    """The row's Agregasi Triwulan: as typed when it is a known choice, else the unit's default."""
    default_agg = default_quarterly_aggregation(unit_key)
    agg_raw = cells.text(layout.columns.get("quarterly_aggregation"))
    if not agg_raw:
        return default_agg
    choice = _aggregation_choice(agg_raw)
    if choice is not None:
        return choice
    out.add(
        "invalid-quarterly-aggregation",
        sheet=cells.sheet,
        cell=cell_address(cells.row, layout.columns["quarterly_aggregation"]),
        code=code,
        value=agg_raw,
        default=default_agg,
    )
    return default_agg


# --- RPJMD ----------------------------------------------------------------------------------------


def read_rpjmd(
    grid: SheetGrid, out: Collector, style: Style = "id"
) -> tuple[list[RpjmdIndicator], TableLayout]:
    layout = locate_header(grid, contract.RPJMD_COLUMNS, years=True)
    rows: list[RpjmdIndicator] = []
    last_sasaran = ""
    cols = layout.columns
    table_columns = _table_columns(layout)
    years = sorted(layout.year_columns.items())
    for row in _data_rows(grid, layout):
        cells = RowCells(grid, row)
        if cells.is_empty(table_columns):
            continue
        name = cells.text(cols.get("indicator"))
        sasaran = cells.text(cols.get("sasaran")) or last_sasaran
        last_sasaran = sasaran
        if not name:
            continue
        code = cells.text(cols.get("code"))
        polarity, given = _read_polarity(cells, layout, code, out)
        targets = {year: cells.number(col, style) for year, col in years}
        rows.append(
            slot_builder(RpjmdIndicator)(
                row=row,
                code=code,
                misi=cells.text(cols.get("misi")),
                tujuan=cells.text(cols.get("tujuan")),
                sasaran=sasaran,
                indicator=name,
                unit=cells.text(cols.get("unit")),
                polarity=polarity,
                baseline=cells.number(cols.get("baseline"), style),
                targets=targets,
                final_target=cells.number(cols.get("final_target"), style),
                polarity_given=given,
            )
        )
    return rows, layout


# --- Whole workbook -------------------------------------------------------------------------------


def read_workbook(
    grids: Mapping[str, SheetGrid], sheet_names: Sequence[str]
) -> tuple[IkuWorkbook, list[Finding]]:
    """Read the contract sheets of one workbook. ``grids`` maps actual sheet names to grids.

    Raises ContractError when the IKU sheet is missing or has no recognisable header.
    """
    out = Collector()
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
    out = Collector()
    return read_settings(grid, out), out.findings


def read_rpjmd_sheet(grid: SheetGrid) -> tuple[list[RpjmdIndicator], TableLayout, list[Finding]]:
    """The ``RPJMD`` sheet alone, for an adopted workbook. Raises ContractError."""
    out = Collector()
    rows, layout = read_rpjmd(grid, out)
    return rows, layout, out.findings


def is_adopted(sheet_names: Sequence[str]) -> bool:
    """True for a workbook read through its ``Pemetaan`` sheet (no IKU sheet, see ``adopt``)."""
    return find_sheet(sheet_names, contract.SHEET_IKU) is None and (
        find_sheet(sheet_names, contract.SHEET_PEMETAAN) is not None
    )


def sheets_to_read(sheet_names: Sequence[str]) -> list[str]:
    """The actual names of the sheets the reader needs (those that exist).

    An adopted workbook (:func:`is_adopted`) needs the sheet the mapping names, known only once
    the mapping is read: every sheet is read then.
    """
    if is_adopted(sheet_names):
        return list(sheet_names)
    wanted = (contract.SHEET_PENGATURAN, contract.SHEET_RPJMD, contract.SHEET_IKU)
    return [n for n in (find_sheet(sheet_names, w) for w in wanted) if n is not None]


@lru_cache(maxsize=256)  # a handful of spellings on thousands of rows
def _aggregation_choice(raw: str) -> str | None:
    """The Agregasi Triwulan choice ``raw`` names (case and spacing ignored), or None."""
    for choice in contract.QUARTERLY_AGGREGATIONS:
        if contract.normalise_choice(choice) == contract.normalise_choice(raw):
            return choice
    return None
