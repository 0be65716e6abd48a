"""Grade (ordinal) targets and realisasi: scales, reading a grade cell, and its capaian.

Some IKU are not measured by a number but by a grade on an ordered scale: the Opini BPK on the
financial statements (``WTP``), the nilai SAKIP (``BB``), a maturity or capability level
(``Level 3``), the quality letter of the IKM (``B (Baik)``). A :class:`GradeScale` lists its
labels **worst first** (``labels[0]`` is the worst grade, ``labels[-1]`` the best), so the
*position* of a grade, counted from the worst grade = 1, is ``labels.index(label) + 1``.

Built-in scales (:data:`DEFAULT_SCALES`), worst -> best, with the other ways cells write them:

* Opini BPK: TMP (Tidak Memberikan Pendapat, disclaimer) < TW (Tidak Wajar) < WDP (Wajar Dengan
  Pengecualian) < WTP (Wajar Tanpa Pengecualian, also "WTP-DPP").
* Nilai SAKIP: D < C < CC < B < BB < A < AA.
* Level maturitas/kapabilitas: 1 < 2 < 3 < 4 < 5 ("Level 3", "Tingkat 3", the SPIP names Rintisan,
  Berkembang, Terdefinisi, Terkelola dan Terukur, Optimum, and the APIP capability names
  Initial, Infrastructure, Integrated, Managed, Optimizing).
* Mutu IKM: D (Tidak Baik) < C (Kurang Baik) < B (Baik) < A (Sangat Baik); cells say "Baik", "B"
  or "B (Baik)".

Reading a cell (:func:`grade_candidates`): case, spacing, a trailing dot and a leading word such as
"Opini", "Predikat", "Nilai", "Level", "Mutu", "Minimal" are ignored; "B (Baik)", "B - Baik" and
"A: Sangat Baik" are read as two names that must denote the same grade of one scale. A label can
belong to several scales ("B" is a nilai SAKIP and a mutu IKM): :func:`detect_scale` resolves that
with the other cell of the row (target vs realisasi: "B" against "BB" is SAKIP, "B" against
"Baik" is IKM) or an explicit scale name, and otherwise reports it as ambiguous. Callers read a
cell as a number first; grades are for cells that are not numbers, or rows whose scale is set
(maturity levels "3" and "4" read as numbers give the same capaian as their positions).

Capaian (:func:`grade_capaian`): a grade scale says which grade is better, not by how much, so

* realisasi at or above the target grade: 100 % (never more: exceeding a WTP target is not 133 %);
* below it, mode ``"rasio"`` (default): ``position(realisasi) / position(target) × 100``, positions
  counted from the worst grade = 1 (target WTP = 4, realisasi WDP = 3 -> 75 %; the worst grade
  still scores ``1 / position(target)``, never 0);
* below it, mode ``"nol"``: 0 % (the target was simply not reached).

Grades have no polarity: the scale's order says what is better. Planners may define their own
scale as a small table (label, rank from the worst = 1): :func:`scale_from_table` validates it and
returns the problems as data. Pure module: standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_SCALES",
    "GRADE_MODES",
    "IKM",
    "MATURITAS",
    "OPINI_BPK",
    "SAKIP",
    "GradeMode",
    "GradeScale",
    "GradeValue",
    "ScaleDetection",
    "TableProblem",
    "detect_scale",
    "find_scale",
    "grade_candidates",
    "grade_capaian",
    "parse_grade",
    "scale_from_table",
]

GradeMode = Literal["rasio", "nol"]
#: Capaian modes below the target grade: ratio of positions, or zero.
GRADE_MODES: tuple[GradeMode, ...] = ("rasio", "nol")


def _key(text: str) -> str:
    """Comparison key of a grade name: case folded, spacing collapsed, no trailing dot.

    Remembered (bounded): :func:`find_scale` asks for each indicator's unit and every scale's
    name, a handful of distinct texts over 100,000 calls in a 20,000-indicator workbook."""
    key = _KEYS.get(text)
    if key is None:
        key = " ".join(text.replace("\u00a0", " ").split()).casefold().rstrip(".").strip()
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        _KEYS[text] = key
    return key


_KEYS: dict[str, str] = {}
_KEYS_MAX = 10_000


@dataclass(frozen=True)
class GradeScale:
    """An ordered grade scale: ``labels`` worst first; ``aliases`` pairs other names with labels.

    ``aliases`` are ``(name, label)`` pairs (``("Baik", "B")``), matched like labels: any case and
    spacing. Raises ``ValueError`` for repeated or empty labels and aliases of unknown labels (a
    programming error; planner tables go through :func:`scale_from_table`).
    """

    name: str
    labels: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {_key(label): label for label in self.labels}
        if len(lookup) != len(self.labels) or "" in lookup:
            raise ValueError(f"grade scale {self.name!r}: labels must be distinct and non-empty")
        for alias, label in self.aliases:
            if label not in self.labels:
                raise ValueError(f"grade scale {self.name!r}: alias {alias!r} -> unknown {label!r}")
            lookup.setdefault(_key(alias), label)
        object.__setattr__(self, "_lookup", lookup)

    def label_of(self, text: str) -> str | None:
        """The label ``text`` names in this scale (a label or an alias, any case), or ``None``."""
        return self._lookup.get(_key(text))

    def position(self, label: str) -> int:
        """Position of ``label`` counted from the worst grade = 1."""
        return self.labels.index(label) + 1


@dataclass(frozen=True)
class GradeValue:
    """A grade read from a cell: which scale, which label, its position (worst = 1)."""

    scale: GradeScale
    label: str
    position: int
    raw: object


OPINI_BPK = GradeScale(
    "Opini BPK",
    ("TMP", "TW", "WDP", "WTP"),
    (
        ("Tidak Memberikan Pendapat", "TMP"),
        ("Tidak Menyatakan Pendapat", "TMP"),
        ("Disclaimer", "TMP"),
        ("Tidak Wajar", "TW"),
        ("Wajar Dengan Pengecualian", "WDP"),
        ("Wajar Tanpa Pengecualian", "WTP"),
        ("WTP-DPP", "WTP"),
        ("WTP DPP", "WTP"),
        ("Wajar Tanpa Pengecualian Dengan Paragraf Penjelasan", "WTP"),
    ),
)
SAKIP = GradeScale("Nilai SAKIP", ("D", "C", "CC", "B", "BB", "A", "AA"))
MATURITAS = GradeScale(
    "Level Maturitas",
    ("1", "2", "3", "4", "5"),
    (
        *((f"Level {n}", str(n)) for n in range(1, 6)),
        *((f"Tingkat {n}", str(n)) for n in range(1, 6)),
        # SPIP maturity names
        ("Rintisan", "1"),
        ("Berkembang", "2"),
        ("Terdefinisi", "3"),
        ("Terkelola dan Terukur", "4"),
        ("Optimum", "5"),
        # APIP capability (IACM) names
        ("Initial", "1"),
        ("Infrastructure", "2"),
        ("Integrated", "3"),
        ("Managed", "4"),
        ("Optimizing", "5"),
    ),
)
IKM = GradeScale(
    "Mutu IKM",
    ("D", "C", "B", "A"),
    (("Tidak Baik", "D"), ("Kurang Baik", "C"), ("Baik", "B"), ("Sangat Baik", "A")),
)
#: The built-in scales, in the order candidates are listed.
DEFAULT_SCALES: tuple[GradeScale, ...] = (OPINI_BPK, SAKIP, MATURITAS, IKM)

# A leading word that does not change the grade: "Opini WTP", "Predikat BB", "Minimal BB".
_PREFIX_RE = re.compile(
    r"^(?:opini(?:\s+bpk)?|predikat|nilai(?:\s+sakip)?|kategori|mutu(?:\s+pelayanan)?|"
    r"minimal|min\.?|paling\s+rendah)\s*[:.]?\s+",
    re.IGNORECASE,
)
# Two names of one grade: "B (Baik)", "B - Baik", "A: Sangat Baik", "B / Baik".
_TWO_NAMES_RE = re.compile(r"^(?P<a>[^()\-–:/]+?)\s*(?:\((?P<b>[^()]+)\)|[-–:/]\s*(?P<c>.+))$")


def grade_candidates(
    raw: object, scales: Sequence[GradeScale] = DEFAULT_SCALES
) -> tuple[GradeValue, ...]:
    """Every reading of ``raw`` as a grade, at most one per scale, in the order of ``scales``."""
    names = _names(raw)
    if names is None:
        return ()
    whole, parts = names
    found: list[GradeValue] = []
    for scale in scales:
        label = scale.label_of(whole)
        if label is None and parts:
            labels = {scale.label_of(part) for part in parts}
            label = labels.pop() if len(labels) == 1 else None
        if label is not None:
            found.append(GradeValue(scale, label, scale.position(label), raw))
    return tuple(found)


def parse_grade(raw: object, scales: Sequence[GradeScale] = DEFAULT_SCALES) -> GradeValue | None:
    """``raw`` read as a grade when exactly one of ``scales`` has it, else ``None``.

    ``None`` also when several scales have it ("B" in the default scales): use
    :func:`detect_scale` with the row's other cell, or pass the one scale.
    """
    found = grade_candidates(raw, scales)
    return found[0] if len(found) == 1 else None


def _names(raw: object) -> tuple[str, tuple[str, ...]] | None:
    """The grade name written in a cell, and its two parts for "B (Baik)"; ``None``: no text."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        if not (math.isfinite(raw) and float(raw).is_integer()):
            return None
        raw = str(int(raw))
    if not isinstance(raw, str):
        return None
    text = _key(raw)
    while (match := _PREFIX_RE.match(text)) is not None and match.end() < len(text):
        text = text[match.end() :]
    if not text:
        return None
    match = _TWO_NAMES_RE.match(text)
    second = match and (match["b"] or match["c"])
    if match is None or not second:
        return text, ()
    return text, (match["a"], second)


# --- Which scale a row uses -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleDetection:
    """The grade scale of one row (target and realisasi cells), or why none could be chosen.

    ``status``: ``ok`` (``scale``, and ``target``/``realisasi`` for the cells that hold a grade),
    ``ambiguous`` (several scales fit: ``candidates``), ``mismatch`` (the cells are grades of
    different scales, or one is not a grade of the chosen scale), ``none`` (no cell is a grade).
    ``reason`` explains anything but ``ok`` in Indonesian.
    """

    status: Literal["ok", "ambiguous", "mismatch", "none"]
    scale: GradeScale | None = None
    target: GradeValue | None = None
    realisasi: GradeValue | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""


_EMPTY_TOKENS = frozenset({"", "-", "–", "—", "n/a", "na", "#n/a", "belum ada data"})


def find_scale(name: str, scales: Sequence[GradeScale] = DEFAULT_SCALES) -> GradeScale | None:
    """The scale called ``name`` (any case and spacing), or ``None``."""
    wanted = _key(name)
    return next((scale for scale in scales if _key(scale.name) == wanted), None)


def detect_scale(
    target_raw: object,
    realisasi_raw: object,
    scales: Sequence[GradeScale] = DEFAULT_SCALES,
    *,
    scale: GradeScale | str | None = None,
) -> ScaleDetection:
    """Choose the grade scale of a row from its target and realisasi cells.

    With ``scale`` (a scale or the name of one of ``scales``) only that scale is tried; without
    it, the scales both filled cells fit (an empty cell does not constrain): exactly one is
    ``ok``, several ``ambiguous``, none ``mismatch``.
    """
    cells = {"target": target_raw, "realisasi": realisasi_raw}
    filled = {role: raw for role, raw in cells.items() if not _is_empty(raw)}
    if scale is not None:
        chosen = find_scale(scale, scales) if isinstance(scale, str) else scale
        if chosen is None:
            return ScaleDetection("none", reason=f"Skala nilai '{scale}' tidak dikenal")
        return _in_scale(chosen, filled)
    options = {role: grade_candidates(raw, scales) for role, raw in filled.items()}
    if not any(options.values()):
        return ScaleDetection("none", reason="Target dan realisasi bukan nilai/predikat")
    common = [
        s for s in scales if all(any(g.scale is s for g in found) for found in options.values())
    ]
    if len(common) == 1:
        return _in_scale(common[0], filled)
    if common:
        names = tuple(s.name for s in common)
        written = " / ".join(f"'{raw}'" for raw in filled.values())
        return ScaleDetection(
            "ambiguous",
            candidates=names,
            reason=(
                f"Nilai {written} ada di beberapa skala ({', '.join(names)}); tuliskan nama "
                "skalanya atau gunakan sebutan yang khas (misalnya 'B (Baik)' untuk mutu IKM)"
            ),
        )
    return ScaleDetection(
        "mismatch",
        reason=(
            f"Target '{target_raw}' dan realisasi '{realisasi_raw}' bukan nilai dari skala yang "
            "sama; samakan skalanya"
        ),
    )


def _in_scale(scale: GradeScale, filled: Mapping[str, object]) -> ScaleDetection:
    values: dict[str, GradeValue] = {}
    for role, raw in filled.items():
        found = grade_candidates(raw, (scale,))
        if not found:
            return ScaleDetection(
                "mismatch",
                scale=scale,
                reason=(
                    f"{role.capitalize()} '{raw}' bukan nilai skala {scale.name} "
                    f"({', '.join(scale.labels)})"
                ),
            )
        values[role] = found[0]
    return ScaleDetection(
        "ok", scale=scale, target=values.get("target"), realisasi=values.get("realisasi")
    )


def _is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and _key(raw) in _EMPTY_TOKENS)


# --- Capaian --------------------------------------------------------------------------------------


def grade_capaian(target: GradeValue, realisasi: GradeValue, mode: GradeMode = "rasio") -> float:
    """Capaian (%) of a grade realisasi against a grade target (rules: module docstring).

    Raises ``ValueError`` when the two grades are on different scales or ``mode`` is unknown
    (a caller's mistake: :func:`detect_scale` reports mixed scales as data).
    """
    if target.scale != realisasi.scale:
        raise ValueError(f"grades on different scales: {target.scale.name}, {realisasi.scale.name}")
    if mode not in GRADE_MODES:
        raise ValueError(f"unknown grade capaian mode {mode!r}; expected one of {GRADE_MODES}")
    if realisasi.position >= target.position:
        return 100.0
    if mode == "nol":
        return 0.0
    return realisasi.position / target.position * 100


# --- Planner-defined scales -----------------------------------------------------------------------


@dataclass(frozen=True)
class TableProblem:
    """One problem of a planner's scale table: row (1 = first row given), code, Indonesian text."""

    row: int
    code: Literal["empty-label", "duplicate-label", "bad-rank", "duplicate-rank", "rank-gap", "few"]
    message: str


def scale_from_table(
    rows: Iterable[Sequence[object]], name: str = "Skala Kustom"
) -> tuple[GradeScale | None, tuple[TableProblem, ...]]:
    """A :class:`GradeScale` from rows ``(label, rank)``, rank counted from the worst grade = 1.

    Rows whose cells are all empty are skipped. Ranks must be whole numbers 1..n without gaps or
    repeats, labels non-empty and distinct (any case), and there must be at least two grades.
    Returns the scale (``None`` when there is any problem) and the problems.
    """
    problems: list[TableProblem] = []
    by_rank: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        cells = [*row, None, None][:2]
        label_raw, rank_raw = cells
        if all(_is_blank(cell) for cell in cells):
            continue
        label = " ".join(str(label_raw).split()) if not _is_blank(label_raw) else ""
        rank = _whole(rank_raw)
        if not label:
            problems.append(TableProblem(index, "empty-label", f"Baris {index}: nama nilai kosong"))
        elif _key(label) in seen:
            problems.append(
                TableProblem(
                    index,
                    "duplicate-label",
                    f"Baris {index}: nilai '{label}' sudah ada di baris {seen[_key(label)]}",
                )
            )
        else:
            seen[_key(label)] = index
        if rank is None:
            problems.append(
                TableProblem(
                    index,
                    "bad-rank",
                    f"Baris {index}: urutan '{rank_raw}' harus bilangan bulat 1, 2, 3, ... "
                    "(1 = nilai terendah)",
                )
            )
        elif rank in by_rank:
            problems.append(
                TableProblem(
                    index,
                    "duplicate-rank",
                    f"Baris {index}: urutan {rank} sudah dipakai oleh '{by_rank[rank]}'",
                )
            )
        else:
            by_rank[rank] = label  # an empty label is reported once, not again as a rank gap
    problems.extend(_rank_problems(by_rank, len(seen)))
    if problems:
        return None, tuple(problems)
    labels = tuple(by_rank[rank] for rank in sorted(by_rank))
    return GradeScale(name, labels), ()


def _rank_problems(by_rank: Mapping[int, str], count: int) -> list[TableProblem]:
    problems: list[TableProblem] = []
    missing = sorted(set(range(1, len(by_rank) + 1)) - set(by_rank))
    if missing:
        problems.append(
            TableProblem(
                0,
                "rank-gap",
                f"Urutan harus 1 sampai {len(by_rank)} tanpa loncatan; tidak ada urutan "
                + ", ".join(str(rank) for rank in missing),
            )
        )
    if count < 2:
        problems.append(TableProblem(0, "few", "Skala nilai harus berisi paling sedikit dua nilai"))
    return problems


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _whole(cell: object) -> int | None:
    """A positive whole number from a rank cell (``3``, ``3.0``, ``"3"``), else ``None``."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, str):
        try:
            cell = float(cell.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(cell, int | float) and math.isfinite(cell) and float(cell).is_integer():
        rank = int(cell)
        return rank if rank >= 1 else None
    return None
