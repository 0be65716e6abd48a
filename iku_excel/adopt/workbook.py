"""An adopted workbook as the normal pipeline sees it: the ``Pemetaan`` sheet and the model.

:func:`read_adopted` turns the planner's own table, read through the ``Pemetaan`` sheet (the
source of truth once written: an edit there is what the next run uses), into the same
:class:`~iku_excel.model.IkuWorkbook` the reader builds for the template, with every
:class:`~iku_excel.model.Value` pointing at the planner's real cells; the evaluator, the
Capaian / Validasi sheets and the live formulas then work unchanged. :func:`pemetaan_sheet`
describes the ``Pemetaan`` sheet itself; :func:`result_column` picks the column, right of the
planner's table, where ``refresh`` writes its live Capaian (%) formulas. Pure: grids in, plain
data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from iku_excel import contract
from iku_excel.a1 import cell_address, column_letter
from iku_excel.adopt.detect import InferPolarity, detect_with_config
from iku_excel.adopt.headers import FIELDS
from iku_excel.adopt.mapping import (
    FIELD_LABELS,
    RESULT_KEY,
    SHEET_PEMETAAN,
    ColumnRole,
    DetectionResult,
    IndicatorRow,
    MappingConfig,
    TableMapping,
    from_rows,
    to_rows,
)
from iku_excel.capaian import default_quarterly_aggregation
from iku_excel.errors import ContractError
from iku_excel.model import (
    CellRef,
    Finding,
    IkuIndicator,
    IkuWorkbook,
    RpjmdIndicator,
    Settings,
    SheetGrid,
    TableLayout,
    Value,
)
from iku_excel.numbers import normalise_unit, parse_number
from iku_excel.reader import find_sheet, read_rpjmd_sheet, read_settings_sheet, text
from iku_excel.rules import make_finding
from iku_excel.sheets.spec import BASE_STYLES, Outputs, SheetSpec, Style, estimate_height

PEMETAAN_HEADERS = ("Kunci", "Nilai", "Keterangan")
_HEADER_SCAN = 10
_NOTE_WIDTH = 80
_AGGREGATIONS = {c.casefold(): c for c in contract.QUARTERLY_AGGREGATIONS}

#: IkuWorkbook column key of each adopted field (the reporting year's column).
_LAYOUT_KEYS = {
    "code": "code",
    "sasaran": "sasaran",
    "indicator": "indicator",
    "unit": "unit",
    "polaritas": "polarity",
    "weight": "weight",
    "target": "target",
    "realisasi": "realisasi",
    "capaian": "reported_capaian",
    "definition": "definition",
    "data_source": "data_source",
    "responsible": "responsible",
    "note": "note",
}


# --- The Pemetaan sheet ---------------------------------------------------------------------------


def read_config(grid: SheetGrid) -> MappingConfig:
    """The mapping a ``Pemetaan`` sheet holds (its ``Kunci | Nilai`` rows)."""
    start = 1
    for row in range(1, min(grid.n_rows, _HEADER_SCAN) + 1):
        if contract.normalise_header(grid.value(row, 1)) == "kunci":
            start = row + 1
            break
    rows = [
        (text(grid.value(r, 1)), text(grid.value(r, 2)))
        for r in range(start, grid.n_rows + 1)
        if text(grid.value(r, 1))
    ]
    return from_rows(rows)


def _config_errors(config: MappingConfig, names: Sequence[str], pemetaan: str) -> str | None:
    """What makes a (hand-edited) mapping unusable, in Indonesian; None when it is usable."""
    if not config.sheet:
        return f'sheet {pemetaan} tidak menyebut "Sheet" (nama sheet tabel capaian).'
    if find_sheet(names, config.sheet) is None:
        return (
            f'sheet {pemetaan} menyebut Sheet "{config.sheet}", yang tidak ada. '
            f"Sheet yang ada: {', '.join(names)}."
        )
    unknown = [c for c in config.columns if c.field not in FIELDS or c.field == "year_only"]
    if unknown:
        c = unknown[0]
        known = ", ".join(sorted(FIELD_LABELS))
        return (
            f'sheet {pemetaan}, "Kolom {column_letter(c.col)}": "{c.field}" bukan nama isi kolom '
            f"yang dikenal (yang dikenal: {known})."
        )
    if not any(c.field == "indicator" for c in config.columns):
        return f'sheet {pemetaan} tidak memetakan kolom Indikator ("Kolom X" = indicator).'
    return None


def pemetaan_sheet(mapping: TableMapping, result_col: int | None) -> SheetSpec:
    """The visible ``Pemetaan`` sheet: the mapping as ``Kunci | Nilai | Keterangan`` rows."""
    styles = dict(BASE_STYLES)
    styles["plain"] = Style(v_align="top", border=True)
    sheet = SheetSpec(SHEET_PEMETAAN, styles, tab_color="7F8C8D")
    sheet.put(1, 1, "PEMETAAN TABEL CAPAIAN (dibuat oleh iku-excel adopt)", "summary")
    sheet.put(
        2,
        1,
        "Sheet ini memberi tahu iku-excel cara membaca tabel Anda. Boleh diubah: kolom Nilai "
        "dipakai pada pemeriksaan berikutnya. Tabel Anda sendiri tidak diubah.",
        "footnote",
    )
    sheet.merges.append((2, 1, 2, 3))
    sheet.row_heights[2] = 30.0
    for col, head in enumerate(PEMETAAN_HEADERS, start=1):
        sheet.put(4, col, head, "header")
    headers = {role.col: role for role in mapping.columns}
    row = 5
    for key, value in to_rows(mapping, result_col):
        sheet.put(row, 1, key, "plain")
        sheet.put(row, 2, value, "plain")
        note = _explain(key, headers, mapping)
        sheet.put(row, 3, note or None, "text")
        if len(note) > _NOTE_WIDTH:
            sheet.estimated_heights[row] = estimate_height(note, _NOTE_WIDTH)
        row += 1
    sheet.column_widths.update({1: 26, 2: 24, 3: _NOTE_WIDTH})
    sheet.freeze = (5, 1)
    return sheet


def _explain(key: str, headers: Mapping[int, ColumnRole], mapping: TableMapping) -> str:
    if key == RESULT_KEY:
        return "kolom baru di kanan tabel: Capaian (%) hasil hitungan (rumus), diisi refresh"
    if key.startswith("Kolom "):
        col = next((c for c, r in headers.items() if column_letter(c) == key[6:]), None)
        role = headers.get(col) if col is not None else None
        return f'judul "{role.header}": {role.describe()}' if role else ""
    if key.startswith("Polaritas Baris "):
        row = int(key[16:])
        ind = next((i for i in mapping.indicators if i.row == row), None)
        if ind is None:
            return ""
        why = f" ({ind.polarity_reason})" if ind.polarity_reason else ""
        return f"{ind.name}{why}; ubah ke Positif atau Negatif bila keliru"
    if key.startswith("Agregasi Baris "):
        known = any(i.row == int(key[15:]) and i.quarterly_aggregation for i in mapping.indicators)
        if not known:
            return (
                "target triwulan cocok dengan dua cara baca (atau tidak cocok dengan target): "
                "isi Nilai Akhir (kumulatif) atau Jumlah agar realisasi triwulan dipakai"
            )
        return "cara triwulan dijumlahkan: Nilai Akhir (kumulatif) atau Jumlah"
    return {
        "Sheet": "sheet tempat tabel capaian Anda",
        "Baris Judul": "baris judul kolom tabel",
        "Tahun Laporan": "tahun yang dilaporkan",
        "Sumber Sasaran": "dari mana nama sasaran diambil",
    }.get(key, "")


def result_column(grid: SheetGrid, mapping: TableMapping) -> int:
    """The first column right of everything in the table's rows (header to last indicator)."""
    first = mapping.header_rows[0]
    last = max([i.row for i in mapping.indicators] + list(mapping.header_rows))
    used = max((c.col for c in mapping.columns), default=0)
    for r in range(first, last + 1):
        line = grid.values[r - 1] if r <= grid.n_rows else ()
        filled = [c for c, v in enumerate(line, start=1) if text(v)]
        used = max([used, *filled])
    return used + 1


# --- The model ------------------------------------------------------------------------------------


def mapping_of(
    grids: Mapping[str, SheetGrid],
    names: Sequence[str],
    *,
    infer_polarity: InferPolarity | None = None,
) -> tuple[TableMapping, MappingConfig]:
    """The table mapping re-read through the workbook's ``Pemetaan``. Raises ContractError."""
    pemetaan = find_sheet(names, SHEET_PEMETAAN)
    if pemetaan is None or pemetaan not in grids:
        raise ContractError(f'Sheet "{SHEET_PEMETAAN}" tidak ditemukan.')
    config = read_config(grids[pemetaan])
    problem = _config_errors(config, names, pemetaan)
    if problem is not None:
        raise ContractError(f"Pemetaan tidak dapat dipakai: {problem}")
    sheet = find_sheet(names, config.sheet)
    assert sheet is not None
    grid = grids[sheet]
    if config.result_col is not None:
        grid = _without_column(grid, config.result_col)
    result = detect_with_config(
        grid,
        config.columns,
        config.header_rows,
        year=config.reporting_year,
        infer_polarity=infer_polarity,
    )
    if result.mapping is None:
        assert result.refusal is not None
        raise ContractError(refusal_message(result))
    return result.mapping, config


def refusal_message(result: DetectionResult) -> str:
    """One Indonesian line: why the table cannot be read, naming sheet, header row and header."""
    r = result.refusal
    assert r is not None
    parts = [f"Tabel di sheet {r.sheet or '?'} tidak dapat dibaca: {r.message}"]
    if r.header_row:
        parts.append(f"Baris yang dibaca sebagai judul kolom: baris {r.header_row}.")
    if r.header:
        parts.append(f'Judul yang tidak ditemukan/tidak dapat ditempatkan: "{r.header}".')
    if r.nearest:
        parts.append(f'Judul terdekat yang terlihat: "{r.nearest}".')
    return " ".join(parts)


def _without_column(grid: SheetGrid, col: int) -> SheetGrid:
    """``grid`` with column ``col`` emptied (the Capaian (%) column refresh added)."""
    values = [
        [None if c == col else v for c, v in enumerate(line, start=1)] for line in grid.values
    ]
    return SheetGrid(grid.name, values, grid.formats)


def read_adopted(
    grids: Mapping[str, SheetGrid],
    names: Sequence[str],
    *,
    infer_polarity: InferPolarity | None = None,
) -> tuple[IkuWorkbook, list[Finding]]:
    """The model of an adopted workbook, and the findings met reading it.

    Raises :class:`~iku_excel.errors.ContractError` when the ``Pemetaan`` cannot be used or the
    table cannot be read with it (the message names sheet, header row and header).
    """
    mapping, config = mapping_of(grids, names, infer_polarity=infer_polarity)
    settings_name = find_sheet(names, contract.SHEET_PENGATURAN)
    settings, findings = read_settings_sheet(grids.get(settings_name) if settings_name else None)
    if settings.year is None and mapping.reporting_year is not None:
        settings = _with_year(settings, mapping.reporting_year)
    grid = grids[mapping.sheet]
    main = _main_columns(mapping)
    layout = TableLayout(
        mapping.sheet,
        mapping.header_rows[-1],
        {_LAYOUT_KEYS[f]: c for f, c in main.items() if f in _LAYOUT_KEYS},
        {},
        grid.n_rows,
        max((c.col for c in mapping.columns), default=0),
    )
    quarter_cols = {
        role.quarter: role.col
        for role in mapping.columns
        if role.field == "tw_realisasi"
        and role.quarter
        and role.year in (None, mapping.reporting_year)
    }
    last_year = mapping.reporting_year - 1 if mapping.reporting_year else None
    last_year_col = mapping.column_of("capaian", last_year) if last_year else None
    indicators = tuple(
        _indicator(grid, ind, main, quarter_cols, last_year_col, config)
        for ind in mapping.indicators
    )
    rpjmd_name = find_sheet(names, contract.SHEET_RPJMD)
    rpjmd: tuple[RpjmdIndicator, ...] = ()
    rpjmd_layout: TableLayout | None = None
    if rpjmd_name is not None and rpjmd_name in grids:
        rows, rpjmd_layout, rpjmd_findings = read_rpjmd_sheet(grids[rpjmd_name])
        rpjmd = tuple(rows)
        findings.extend(rpjmd_findings)
    else:
        findings.append(
            make_finding(
                "no-rpjmd",
                sheet=mapping.sheet,
                cell=cell_address(mapping.header_rows[0], 1),
                sheet_name=mapping.sheet,
            )
        )
    workbook = IkuWorkbook(
        sheet_names=tuple(names),
        settings=settings,
        indicators=indicators,
        rpjmd=rpjmd,
        iku_layout=layout,
        rpjmd_layout=rpjmd_layout,
    )
    return workbook, findings


def _with_year(settings: Settings, year: int) -> Settings:
    return replace(settings, year=year)


def _main_columns(mapping: TableMapping) -> dict[str, int]:
    """Field -> column for the reporting year (a yeared column beats an un-yeared one)."""
    out: dict[str, int] = {}
    for role in mapping.columns:
        if role.quarter is None and role.year is None:
            out.setdefault(role.field, role.col)
    for role in mapping.columns:
        if role.quarter is None and role.year is not None and role.year == mapping.reporting_year:
            out[role.field] = role.col
    return out


def _indicator(
    grid: SheetGrid,
    ind: IndicatorRow,
    main: Mapping[str, int],
    quarter_cols: Mapping[int, int],
    last_year_col: int | None,
    config: MappingConfig,
) -> IkuIndicator:
    row = ind.row

    def value(col: int | None) -> Value:
        if col is None:
            return Value(parse_number(None), None)
        return Value(
            parse_number(grid.value(row, col), grid.number_format(row, col)),
            CellRef(grid.name, row, col),
        )

    def cell_text(fld: str) -> str:
        col = main.get(fld)
        return text(grid.value(row, col)) if col else ""

    target = value(main.get("target"))
    edited = config.polarity.get(row, "").casefold()
    if edited in ("positif", "negatif"):
        polarity = "Negatif" if edited == "negatif" else "Positif"
        given = True
    else:
        polarity = "Negatif" if ind.polarity == "Negatif" else "Positif"
        given = ind.polarity_source == "kolom"
    unit = ind.unit or target.parsed.unit or ""
    aggregation = _AGGREGATIONS.get(config.aggregation.get(row, "").casefold()) or (
        ind.quarterly_aggregation
    )
    if aggregation and quarter_cols:
        quarters = tuple(value(quarter_cols.get(q)) for q in (1, 2, 3, 4))
    else:  # how the quarters add up is unknown: they are not used
        quarters = tuple(value(None) for _ in range(4))
    return IkuIndicator(
        row=row,
        code=cell_text("code"),
        sasaran=ind.sasaran,
        indicator=ind.name,
        definition=cell_text("definition"),
        unit=unit,
        polarity=polarity,  # type: ignore[arg-type]
        polarity_given=given,
        quarterly_aggregation=aggregation or default_quarterly_aggregation(normalise_unit(unit)),
        weight=value(main.get("weight")),
        target=target,
        quarters=quarters,  # type: ignore[arg-type]
        realisasi=value(main.get("realisasi")),
        capaian_last_year=value(last_year_col),
        reported_capaian=value(main.get("capaian")),
        data_source=cell_text("data_source"),
        responsible=cell_text("responsible"),
        note=cell_text("note"),
    )


# --- Writing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PemetaanOutputs(Outputs):
    """Outputs that write the ``Pemetaan`` sheet only (``adopt``): no IKU cell, no other sheet.

    ``capaian`` / ``validasi`` are required fields of :class:`Outputs`; here they carry the
    same ``Pemetaan`` spec and are not written (:attr:`sheets` is ``extra`` alone).
    """

    @property
    def sheets(self) -> tuple[SheetSpec, ...]:
        return self.extra


def adopt_outputs(mapping: TableMapping, result_col: int | None) -> PemetaanOutputs:
    spec = pemetaan_sheet(mapping, result_col)
    return PemetaanOutputs(mapping.sheet, None, [], spec, spec, (spec,))


def result_header(grids: Mapping[str, SheetGrid], names: Sequence[str]) -> tuple[str, int, int]:
    """(sheet, header row, column) where refresh writes its ``Capaian (%)`` column."""
    mapping, config = mapping_of(grids, names)
    col = config.result_col or result_column(grids[mapping.sheet], mapping)
    return mapping.sheet, mapping.header_rows[0], col


def candidate_grids(
    names: Sequence[str], grids: Mapping[str, SheetGrid], sheet: str | None
) -> tuple[dict[str, SheetGrid], dict[str, int]]:
    """The sheets ``adopt`` looks for the table in, and the result column a previous adopt chose.

    The column a previous ``refresh`` filled is emptied in the grid first, so adopting again
    after a refresh maps the table as the first time. Raises ContractError for a workbook that
    already has an IKU sheet, or a ``sheet`` that does not exist.
    """
    existing = ", ".join(names)
    if find_sheet(names, contract.SHEET_IKU) is not None:
        raise ContractError(
            f'Workbook ini sudah memiliki sheet "{contract.SHEET_IKU}" (templat iku-excel): '
            "adopsi tidak diperlukan; jalankan check atau refresh."
        )
    previous: dict[str, int] = {}
    out = dict(grids)
    pemetaan = find_sheet(names, SHEET_PEMETAAN)
    if pemetaan is not None and pemetaan in grids:
        config = read_config(grids[pemetaan])
        mapped = find_sheet(names, config.sheet) if config.sheet else None
        if mapped is not None and mapped in grids and config.result_col is not None:
            previous[mapped] = config.result_col
            out[mapped] = _without_column(grids[mapped], config.result_col)
    if sheet is not None:
        actual = find_sheet(names, sheet)
        if actual is None or actual not in out:
            raise ContractError(f'Sheet "{sheet}" tidak ditemukan. Sheet yang ada: {existing}.')
        return {actual: out[actual]}, previous
    own = {
        contract.normalise_header(n)
        for n in (
            SHEET_PEMETAAN,
            contract.SHEET_PENGATURAN,
            contract.SHEET_RPJMD,
            contract.SHEET_CAPAIAN,
            contract.SHEET_VALIDASI,
        )
    }
    return {n: g for n, g in out.items() if contract.normalise_header(n) not in own}, previous


def render_indicators(mapping: TableMapping) -> str:
    """The indicators as read, one line each, for the planner to check before saving."""

    def num(x: float | None) -> str:
        return (
            "-" if x is None else f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        )

    lines = [f"Indikator ({len(mapping.indicators)}): baris | target | realisasi | capaian | nama"]
    for ind in mapping.indicators:
        lines.append(
            f"  {ind.row:>4} | {num(ind.target)} | {num(ind.realisasi)} | {num(ind.capaian)} | "
            f"{ind.name[:60]}"
        )
    return "\n".join(lines)
