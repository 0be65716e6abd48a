"""Find the capaian table in a planner's own sheets and map it: header rows, columns, rows.

:func:`detect_table` takes :class:`~iku_excel.model.SheetGrid` objects (values) and, per sheet,
the merged ranges (``SheetGrid`` does not carry them; the reader must supply them), and returns a
:class:`~iku_excel.adopt.mapping.DetectionResult`: a mapping, or a refusal naming the header it
could not place. It never raises for a strange layout. Polaritas missing from the table is
inferred by the injected ``infer_polarity(name) -> (polarity | None, reason)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from iku_excel.adopt import rows as R
from iku_excel.adopt.figures import capaian_of, realisasi_from_quarters, tw_reading
from iku_excel.adopt.header_rows import (
    Header,
    find_header,
    is_column_numbers,
    merged_top_left,
    table_width,
)
from iku_excel.adopt.headers import (
    UNIQUE_FIELDS,
    HeaderMeaning,
    classify,
    nearest,
    normalise,
)
from iku_excel.adopt.mapping import (
    CellRange,
    ColumnRole,
    DetectionResult,
    IndicatorRow,
    Refusal,
    SkippedRow,
    TableMapping,
)
from iku_excel.model import SheetGrid
from iku_excel.numbers import ParsedNumber, parse_number

InferPolarity = Callable[[str], tuple[str | None, str]]


def default_infer_polarity() -> InferPolarity:
    """The inference from indicator names in :mod:`iku_excel.polarity`."""
    from iku_excel.polarity import infer_polarity

    return infer_polarity


def detect_table(
    grids: SheetGrid | Sequence[SheetGrid],
    merges: Mapping[str, Sequence[CellRange]] | None = None,
    *,
    year: int | None = None,
    infer_polarity: InferPolarity | None = None,
) -> DetectionResult:
    """Find and map the capaian table in the best-scoring sheet of ``grids``."""
    sheets = [grids] if isinstance(grids, SheetGrid) else list(grids)
    infer = infer_polarity or default_infer_polarity()
    best: tuple[Header, SheetGrid] | None = None
    for grid in sheets:
        header = find_header(grid, list((merges or {}).get(grid.name, ())))
        if header and (best is None or header.score > best[0].score):
            best = (header, grid)
    if best is None:
        name = sheets[0].name if sheets else ""
        return DetectionResult(
            None,
            Refusal(
                "no-header",
                "tidak ada baris yang terbaca sebagai judul kolom tabel capaian "
                "(Indikator, Target, Realisasi).",
                name,
            ),
        )
    header, grid = best
    return _map_table(grid, header, list((merges or {}).get(grid.name, ())), year, infer)


def detect_with_config(
    grid: SheetGrid,
    columns: Sequence[ColumnRole],
    header_rows: Sequence[int],
    *,
    year: int | None = None,
    merges: Sequence[CellRange] = (),
    infer_polarity: InferPolarity | None = None,
) -> DetectionResult:
    """Read ``grid`` with columns and header rows given (a saved ``Pemetaan``), not detected.

    The rows are classified as :func:`detect_table` does; only the header search is skipped, so
    a planner's edit of the mapping is what the table is read with.
    """
    meanings = {
        role.col: HeaderMeaning(role.field, role.year, role.quarter, role.header or role.field)
        for role in columns
    }
    rows = tuple(header_rows) or (1,)
    header = Header(rows, meanings, 0)
    infer = infer_polarity or default_infer_polarity()
    return _map_table(grid, header, list(merges), year, infer)


# --- Columns ------------------------------------------------------------------------------------


def _refuse(
    code: str,
    message: str,
    grid: SheetGrid,
    found: Header,
    header: str = "",
    nearest_field: str | None = None,
) -> DetectionResult:
    texts = [m.text for m in found.meanings.values()] + [
        str(grid.value(found.rows[0], c) or "") for c in range(1, table_width(grid) + 1)
    ]
    return DetectionResult(
        None,
        Refusal(
            code,
            message,
            grid.name,
            found.rows[0],
            header,
            nearest(texts, nearest_field) if nearest_field else None,
        ),
    )


def _assign(
    grid: SheetGrid, header: Header, year: int | None
) -> tuple[list[ColumnRole], int | None, list[int]] | DetectionResult:
    seen: dict[tuple[str, int | None, int | None], HeaderMeaning] = {}
    roles: list[ColumnRole] = []
    for c, m in sorted(header.meanings.items()):
        if m.field == "year_only":
            return _refuse(
                "year-unlabelled",
                f'kolom "{m.text}" hanya berisi tahun, tanpa keterangan Target atau Realisasi.',
                grid,
                header,
                header=m.text,
            )
        if m.field is None:
            continue
        key = (m.field, m.year, m.quarter)
        if m.field in UNIQUE_FIELDS and key in seen:
            return _refuse(
                "duplicate-header",
                f'dua kolom sama-sama terbaca sebagai "{m.text}" ({seen[key].text} dan {m.text}); '
                "tidak jelas mana yang dipakai.",
                grid,
                header,
                header=m.text,
            )
        seen[key] = m
        roles.append(ColumnRole(c, m.field, m.year, m.quarter, m.text))
    fields = {r.field for r in roles}
    if "indicator" not in fields:
        return _refuse(
            "no-indicator",
            "tidak ada kolom Indikator.",
            grid,
            header,
            header="Indikator",
            nearest_field="indicator",
        )
    if not fields & {"target", "realisasi", "tw_target", "tw_realisasi"}:
        return _refuse(
            "no-target",
            "tidak ada kolom Target maupun Realisasi.",
            grid,
            header,
            header="Target",
            nearest_field="target",
        )
    yearly = {"target", "realisasi", "capaian", "tw_target", "tw_realisasi"}
    years = sorted({r.year for r in roles if r.year is not None and r.field in yearly})
    if year is not None and years and year not in years:
        return _refuse(
            "year-missing",
            f"tahun {year} tidak ada di judul kolom.",
            grid,
            header,
            header=str(year),
        )
    chosen = year if year is not None else (years[-1] if years else None)
    return roles, chosen, [y for y in years if y != chosen]


# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class _State:
    band_sasaran: str = ""
    column_sasaran: str = ""
    heading: str = ""
    below: bool = False
    efficiency_header: list[str] | None = None


def _main_columns(roles: list[ColumnRole], chosen: int | None) -> dict[str, int]:
    """Field -> column for the reporting year (a yeared column beats an un-yeared one)."""
    out: dict[str, int] = {}
    for role in roles:
        if role.quarter is not None:
            continue
        if role.year is None and role.field not in out:
            out[role.field] = role.col
    for role in roles:
        yearly = role.field in ("target", "realisasi", "capaian")
        if yearly and role.quarter is None and role.year is not None and role.year == chosen:
            out[role.field] = role.col
    return out


def _num(grid: SheetGrid, row: int, col: int | None) -> ParsedNumber:
    if col is None:
        return parse_number(None)
    return parse_number(grid.value(row, col), grid.number_format(row, col))


def _value(p: ParsedNumber) -> float | None:
    return p.value if p.status == "ok" and p.kind in ("number", "ratio") else None


def _map_table(
    grid: SheetGrid,
    header: Header,
    merges: list[CellRange],
    year: int | None,
    infer: InferPolarity,
) -> DetectionResult:
    # Over 80 lines: one pass over the rows with a small state machine (band, heading, below
    # the table, efficiency block); splitting it would scatter that state over several helpers.
    assigned = _assign(grid, header, year)
    if isinstance(assigned, DetectionResult):
        return assigned
    roles, chosen, history_years = assigned
    main = _main_columns(roles, chosen)
    start = header.rows[-1] + 1
    skipped: list[SkippedRow] = []
    if is_column_numbers(list(grid.values[start - 1]) if start <= grid.n_rows else []):
        skipped.append(SkippedRow(start, "column-numbers", "baris nomor kolom (1) (2) ...", ""))
        start += 1
    title = _title_lines(grid, header.rows[0])
    state = _State()
    sources: set[str] = set()
    indicators: list[IndicatorRow] = []
    efficiency: list[dict[str, object]] = []
    warnings: list[str] = []
    for r in range(start, grid.n_rows + 1):
        line = list(grid.values[r - 1])
        if not R.texts(line):
            if state.efficiency_header is not None:
                state.efficiency_header = None
            continue
        if state.efficiency_header is not None:
            efficiency.append(dict(zip(state.efficiency_header, line, strict=False)))
            skipped.append(SkippedRow(r, "efficiency", "baris data analisis efisiensi", ""))
            continue
        kind = R.kind_of(line)
        if kind is not None:
            k, reason = kind
            if k == "efficiency":
                state.efficiency_header = [str(v or "") for v in line]
            if k in ("sumber", "note", "signature", "efficiency"):
                state.below = True
            skipped.append(SkippedRow(r, k, reason, R.first_text(line)[:60]))
            continue
        if not state.below and _looks_like_header(line):
            state.below = True
            skipped.append(SkippedRow(r, "second-table", "judul tabel lain di bawah tabel", ""))
            continue
        if state.below:
            skipped.append(SkippedRow(r, "below", "di bawah tabel", R.first_text(line)[:60]))
            continue
        band = R.is_band(line)
        if band is not None:
            state.band_sasaran = band
            skipped.append(SkippedRow(r, "band", "baris pita sasaran", band[:60]))
            continue
        if R.is_other_band(line):
            skipped.append(
                SkippedRow(r, "band", "baris pita (visi/misi/tujuan)", R.first_text(line))
            )
            continue
        ind = _indicator_row(grid, r, main, roles, chosen, merges, state, sources, infer, warnings)
        if ind is None:
            skipped.append(
                SkippedRow(
                    r, "heading", "judul kelompok; indikatornya di baris berikut", state.heading
                )
            )
            continue
        indicators.append(ind)
    if not main.get("sasaran") and not state.band_sasaran and title:
        sasaran = _title_sasaran(title)
        if sasaran:
            indicators = [replace(i, sasaran=i.sasaran or sasaran) for i in indicators]
            sources.add("judul")
    if not indicators:
        return _refuse("no-rows", "tabel tidak berisi baris indikator.", grid, header)
    if "target" not in main and "realisasi" not in main:
        warnings.append("tidak ada kolom Target/Realisasi untuk tahun laporan.")
    elif "realisasi" not in main and not any(i.realisasi_from_quarters for i in indicators):
        warnings.append("tidak ada kolom Realisasi: capaian tidak dapat dihitung.")
    source = _source_label(sources)
    return DetectionResult(
        TableMapping(
            sheet=grid.name,
            header_rows=header.rows,
            columns=tuple(roles),
            reporting_year=chosen,
            history_years=tuple(history_years),
            sasaran_source=source,
            indicators=tuple(indicators),
            skipped=tuple(skipped),
            title_lines=tuple(title),
            efficiency=tuple(efficiency),
            warnings=tuple(warnings),
        )
    )


def _looks_like_header(line: Sequence[object]) -> bool:
    found = {classify(v).field for v in line if normalise(v) and len(normalise(v)) <= 40}
    return len(found - {None, "year_only"}) >= 3


def _source_label(sources: set[str]) -> str | None:
    for label in ("kolom", "sel gabungan", "baris pita", "judul"):
        if label in sources:
            return label
    return None


def _title_lines(grid: SheetGrid, header_row: int) -> list[str]:
    lines: list[str] = []
    for r in range(1, header_row):
        cells = [str(v).strip() for v in grid.values[r - 1] if normalise(v)]
        if len(cells) == 1 and not cells[0].replace(".", "").isdigit():
            lines.append(cells[0])
        elif cells:
            lines = []  # another table above: only the lines right above count
    return lines


def _title_sasaran(title: list[str]) -> str:
    for i, line in enumerate(title):
        t = normalise(line)
        pos = t.find("sasaran")
        if pos < 0:
            continue
        rest = line[pos:].split(None, 2)
        tail = (
            rest[2] if len(rest) > 2 and normalise(rest[1]) == "strategis" else " ".join(rest[1:])
        )
        tail = tail.lstrip("0123456789.: ").strip()
        if tail:
            return tail
        if i + 1 < len(title):
            return title[i + 1].strip()
    return ""


def _sasaran_cell(
    grid: SheetGrid,
    r: int,
    col: int | None,
    merges: list[CellRange],
    state: _State,
    sources: set[str],
) -> str:
    if col is None:
        if state.band_sasaran:
            sources.add("baris pita")
        return state.band_sasaran
    top = merged_top_left(merges, r, col)
    value = grid.value(*top) if top else grid.value(r, col)
    text = str(value).strip() if normalise(value) else ""
    if text:
        merged = top is not None and any(m[0] < m[2] for m in merges if (m[0], m[1]) == top)
        sources.add("sel gabungan" if merged else "kolom")
        state.column_sasaran = text
        return text
    if state.column_sasaran:
        sources.add("kolom")
        return state.column_sasaran  # left blank under the first row of its group
    if state.band_sasaran:
        sources.add("baris pita")
    return state.band_sasaran


def _polarity(
    grid: SheetGrid, r: int, col: int | None, name: str, infer: InferPolarity
) -> tuple[str | None, str, str]:
    text = normalise(grid.value(r, col)) if col else ""
    if text.startswith(("neg", "-", "↓", "turun")):
        return "Negatif", "kolom", ""
    if text.startswith(("pos", "+", "↑", "naik")):
        return "Positif", "kolom", ""
    guess, reason = infer(name)
    if guess in ("Positif", "Negatif"):
        return guess, "disimpulkan", reason
    return None, "tidak diketahui", "polaritas tidak diketahui; dianggap Positif"


def _has_numbers(grid: SheetGrid, r: int, roles: list[ColumnRole]) -> bool:
    data = {"target", "realisasi", "capaian", "tw_target", "tw_realisasi", "baseline"}
    return any(
        _num(grid, r, role.col).status in ("ok", "ambiguous", "invalid")
        for role in roles
        if role.field in data | {"final_target"}
    )


def _indicator_row(
    grid: SheetGrid,
    r: int,
    main: dict[str, int],
    roles: list[ColumnRole],
    chosen: int | None,
    merges: list[CellRange],
    state: _State,
    sources: set[str],
    infer: InferPolarity,
    warnings: list[str],
) -> IndicatorRow | None:
    raw_name = grid.value(r, main["indicator"])
    name = str(raw_name).strip() if normalise(raw_name) else ""
    next_name = normalise(grid.value(r + 1, main["indicator"]))
    if not name or (
        not _has_numbers(grid, r, roles) and (name.endswith(":") or R.is_child_name(next_name))
    ):
        state.heading = name.rstrip(": ").strip()
        return None
    if R.is_child_name(name) and state.heading:
        name = f"{state.heading} {R.strip_child_mark(name)}"
    else:
        state.heading = ""
    sasaran = _sasaran_cell(grid, r, main.get("sasaran"), merges, state, sources)
    target_p = _num(grid, r, main.get("target"))
    real_p = _num(grid, r, main.get("realisasi"))
    unit_col = main.get("unit")
    unit = (
        str(grid.value(r, unit_col)).strip()
        if unit_col and normalise(grid.value(r, unit_col))
        else ""
    )
    unit = unit or (target_p.unit or real_p.unit or "")
    polarity, pol_source, pol_reason = _polarity(grid, r, main.get("polaritas"), name, infer)
    tw_t = _quarters(grid, r, roles, "tw_target", chosen)
    tw_r = _quarters(grid, r, roles, "tw_realisasi", chosen)
    target = _value(target_p)
    aggregation = (
        tw_reading(target, tw_t, name, warnings) if any(v is not None for v in tw_t) else None
    )
    realisasi = _value(real_p)
    from_quarters = False
    if main.get("realisasi") is None and any(v is not None for v in tw_r):
        realisasi = realisasi_from_quarters(tw_r, aggregation)
        from_quarters = realisasi is not None
        if realisasi is None:
            warnings.append(
                f'"{name}": realisasi triwulan tidak dijumlahkan (cara baca belum jelas).'
            )
    reported = _value(_num(grid, r, main.get("capaian")))
    capaian = capaian_of(target_p, realisasi, polarity)
    if reported is not None and capaian is not None and abs(reported - capaian) > 0.01:
        warnings.append(
            f'"{name}" (baris {r}): capaian tertulis {reported:g} berbeda dari hitungan '
            f"{capaian:.2f}."
        )
    history: dict[int, dict[str, float | None]] = {}
    for role in roles:
        if role.year is not None and role.year != chosen and role.quarter is None:
            history.setdefault(role.year, {})[role.field] = _value(_num(grid, r, role.col))
    return IndicatorRow(
        row=r,
        sasaran=sasaran,
        name=name,
        unit=unit,
        polarity=polarity,
        polarity_source=pol_source,
        polarity_reason=pol_reason,
        target=target,
        realisasi=realisasi,
        reported_capaian=reported,
        capaian=capaian,
        quarterly_aggregation=aggregation,
        realisasi_from_quarters=from_quarters,
        tw_targets=tw_t,
        tw_realisasi=tw_r,
        history=history,
        raw={"target": target_p.raw, "realisasi": real_p.raw},
    )


def _quarters(
    grid: SheetGrid, r: int, roles: list[ColumnRole], fld: str, chosen: int | None
) -> tuple[float | None, ...]:
    cols = {
        role.quarter: role.col
        for role in roles
        if role.field == fld and role.quarter and role.year in (None, chosen)
    }
    if not cols:
        return ()
    return tuple(_value(_num(grid, r, cols.get(q))) for q in (1, 2, 3, 4))
