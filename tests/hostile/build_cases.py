"""Hostile and faulty inputs for the CLI: zip bombs, runaway ranges, XML attacks, damage, traps.

Each :class:`Case` builds one input from the shipped example workbook (or from nothing) and
states what ``iku-excel check`` and ``iku-excel refresh`` must do with it: exit 0/1 when the
file is fine to read, exit 2 with a message fragment when it must be refused. Where today's
outcome differs from the true one, ``check_pending`` / ``refresh_pending`` say why (most often
:data:`LIMITS`: the case needs :mod:`iku_excel.limits` and the sparse reader wired into the
reader); the test marks those strict xfail, so they fail the moment they start passing and the
mark must go. The files stay small (bombs are deflated at level 9 from a stream) so building
all of them takes a few seconds.

Run ``python tests/hostile/build_cases.py OUT_DIR`` to write every case into a folder.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__":  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hostile.surgery import (
    BILLION_LAUGHS,
    CT_DOCX,
    CT_XLSB,
    CT_XLSX,
    IKU,
    XXE,
    MiB,
    add_rows,
    case_renamed,
    cell_row,
    copy_example,
    dangling_symlink,
    declared_sizes,
    deep_nesting,
    duplicated,
    edited,
    encrypted_zip_flag,
    folder,
    injected_indicator,
    inline,
    insert_before,
    long_text,
    long_varied_text,
    many_members,
    members,
    ole,
    padded_sheet,
    prefixed,
    raw,
    replace_once,
    shared_strings_base,
    sheet_edit,
    sst_edit,
    sst_sheet_edit,
    symlink_loop,
    symlink_to_example,
    truncated,
    with_doctype,
    with_method,
    with_streamed_member,
    write_zip,
)

#: Exit codes of the CLI (see iku_excel.cli.EXIT_CODES): the example has error findings.
FINE = (0, 1)
REFUSED = 2


LIMITS = "limits not yet wired into the reader"
TUPLE_MESSAGE = "xlsx_reader raises NotAnXlsx(path, text): the message is a tuple repr"
DOCTYPE_CHECK = "check accepts a DOCTYPE in package parts that refresh refuses"


@dataclass(frozen=True)
class Case:
    """One hostile input and the CLI's true expected behaviour on it."""

    name: str
    build: Callable[[Path], None]
    check: tuple[int, ...] | int
    refresh: tuple[int, ...] | int
    fragment: str = ""  # in stderr when refused (exit 2)
    check_pending: str = ""  # why today's check differs from the true outcome (strict xfail)
    refresh_pending: str = ""  # the same for refresh
    refresh_fragment: str | None = None  # when refresh's refusal words differ from check's
    max_rss_mb: int = 1000  # peak RSS of each run
    file_name: str = "IKU.xlsx"


# --- The cases ------------------------------------------------------------------------------------


def _zip_cases() -> list[Case]:
    big = 48 * MiB  # over RATIO_MIN_SIZE at ~1000:1; the size limits have their own cases
    return [
        Case(
            "deflate-bomb-unused-member",
            with_streamed_member("xl/media/bom.bin", big),
            REFUSED,
            REFUSED,
            "melebihi batas",
        ),
        Case(
            "deflate-ratio-bomb-small",
            with_streamed_member("xl/media/rasio.bin", 8 * MiB, fill=b"\0"),
            REFUSED,
            REFUSED,
            "rasio kompresi",
        ),
        Case(
            "bzip2-member",
            with_streamed_member("xl/media/bom.bz2", 16 * MiB, zipfile.ZIP_BZIP2, b"\0"),
            REFUSED,
            REFUSED,
            "kompresi",
        ),
        Case(
            "bzip2-sheet",
            with_method(IKU, zipfile.ZIP_BZIP2),
            REFUSED,
            REFUSED,
            "kompresi",
        ),
        Case(
            "lzma-sheet",
            with_method(IKU, zipfile.ZIP_LZMA),
            REFUSED,
            REFUSED,
            "kompresi",
        ),
        Case(
            "many-members",
            many_members(12_000),
            REFUSED,
            REFUSED,
            "jumlah bagian zip",
        ),
        Case(
            "duplicate-iku-sheet",
            duplicated(IKU, 1, members()[IKU].replace(b"<v>100</v>", b"<v>1</v>")),
            REFUSED,
            REFUSED,
            "lebih dari sekali",
        ),
        Case(
            "duplicate-styles-many",
            duplicated("xl/styles.xml", 50),
            REFUSED,
            REFUSED,
            "lebih dari sekali",
        ),
        Case(
            "duplicate-workbook-other-case",
            case_renamed("xl/workbook.xml", "XL/Workbook.xml"),
            REFUSED,
            REFUSED,
            "lebih dari sekali",
        ),
        Case(
            "huge-stored-member-declared",
            declared_sizes("xl/theme/theme1.xml", 3 * 1024 * MiB),
            REFUSED,
            REFUSED,
            "melebihi batas",
        ),
        Case(
            "padded-iku-sheet",
            padded_sheet(big),
            REFUSED,
            REFUSED,
            "melebihi batas",
        ),
        Case("truncated-half", truncated(0.5), REFUSED, REFUSED, "rusak"),
        Case("truncated-100-bytes", truncated(100 / 17_000), REFUSED, REFUSED, "rusak"),
        Case("truncated-directory", truncated(0.99), REFUSED, REFUSED, "rusak"),
        Case("encrypted-zip-flag", encrypted_zip_flag, REFUSED, REFUSED, "terenkripsi"),
        Case("self-extractor-prefix", prefixed(b"MZ" + b"\0" * 510), REFUSED, REFUSED, "Bukan"),
    ]


#: Peak RSS for a sheet with one far-away value: the sparse reader needs tens of MB.
STRAY_RSS_MB = 300


def _range_cases() -> list[Case]:
    far = inline("XFD1048576", "nyasar")
    return [
        Case(
            "stray-XFD1048576-iku",
            sheet_edit(add_rows(cell_row(1_048_576, far))),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-CV1048576-iku",
            sheet_edit(add_rows(cell_row(1_048_576, inline("CV1048576", "nyasar")))),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-A1048576-iku",
            sheet_edit(add_rows(cell_row(1_048_576, '<c r="A1048576"><v>1</v></c>'))),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-XFD1048576-rpjmd",
            sheet_edit(add_rows(cell_row(1_048_576, far)), "xl/worksheets/sheet3.xml"),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-XFD1048576-petunjuk",
            sheet_edit(add_rows(cell_row(1_048_576, far)), "xl/worksheets/sheet1.xml"),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        # valid XML in other spellings of the address (python-calamine reads them all): a
        # stray cell the guard did not see made python-calamine abort the process
        Case(
            "stray-XFD1048576-single-quotes",
            sheet_edit(add_rows(b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-XFD1048576-newline-before-r",
            sheet_edit(add_rows(b'<row\nr="1048576"><c\nr="XFD1048576"><v>1</v></c></row>')),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "stray-ZZ99999-past-its-row",
            sheet_edit(add_rows(b'<row r="60"><c r="ZZ99999"><v>1</v></c></row>')),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "styled-empty-XFD1048576",
            sheet_edit(add_rows(cell_row(1_048_576, '<c r="XFD1048576" s="2"/>'))),
            FINE,
            FINE,
            max_rss_mb=STRAY_RSS_MB,
        ),
        Case(
            "giant-dimension-few-cells",
            sheet_edit(
                replace_once(b'<dimension ref="A1:T4"/>', b'<dimension ref="A1:XFD1048576"/>')
            ),
            FINE,
            FINE,
        ),
        Case(
            "garbage-dimension",
            sheet_edit(replace_once(b'<dimension ref="A1:T4"/>', b'<dimension ref="-5:ZZZZ0"/>')),
            FINE,
            FINE,
        ),
        Case(
            "merge-whole-sheet",
            sheet_edit(
                insert_before(
                    b"<dataValidations",
                    b'<mergeCells count="1"><mergeCell ref="U10:XFD1048576"/></mergeCells>',
                )
            ),
            FINE,
            FINE,
        ),
        Case(
            "validation-whole-sheet",
            sheet_edit(replace_once(b'sqref="F2:F500"', b'sqref="F2:F1048576 A1:XFD1048576"')),
            FINE,
            FINE,
        ),
    ]


def _xml_cases() -> list[Case]:
    cases: list[Case] = []
    parts = {
        "iku": IKU,
        "workbook": "xl/workbook.xml",
        "styles": "xl/styles.xml",
        "content-types": "[Content_Types].xml",
        "rels": "_rels/.rels",
        "workbook-rels": "xl/_rels/workbook.xml.rels",
    }
    for label, part in parts.items():
        for attack, doctype in (("billion-laughs", BILLION_LAUGHS), ("xxe", XXE)):
            cases.append(
                Case(
                    f"{attack}-{label}",
                    sheet_edit(with_doctype(doctype), part),
                    REFUSED,
                    REFUSED,
                    "DOCTYPE",
                )
            )
    for attack, doctype in (("billion-laughs", BILLION_LAUGHS), ("xxe", XXE)):
        cases.append(
            Case(
                f"{attack}-shared-strings",
                sst_edit(with_doctype(doctype)),
                REFUSED,
                REFUSED,
                "DOCTYPE",
            )
        )
    cases.append(
        Case(
            "xxe-entity-used-in-iku-cell",
            sheet_edit(
                lambda xml: with_doctype(XXE)(xml.replace(b"<t>Positif</t>", b"<t>&xxe;</t>", 1))
            ),
            REFUSED,
            REFUSED,
            "DOCTYPE",
        )
    )
    bad = b"Persentase \xff\xfe pelayanan"
    cases += [
        Case(
            "bad-utf8-iku",
            sheet_edit(replace_once(b"Persentase pelayanan", bad)),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "bad-utf8-shared-strings",
            sst_edit(replace_once(b"Persentase pelayanan", bad)),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "bad-utf8-workbook",
            sheet_edit(replace_once(b'name="Petunjuk"', b'name="Petunjuk\xff"'), "xl/workbook.xml"),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "unclosed-iku-sheet",
            sheet_edit(lambda xml: xml[: len(xml) // 2]),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "malformed-styles",
            edited({"xl/styles.xml": b"<styleSheet><fonts>"}),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "deep-nesting-iku",
            sheet_edit(deep_nesting(5_000)),
            FINE,
            REFUSED,  # the writer's parser stops at depth 256: refused, nothing written
            "rusak",
        ),
    ]
    return cases


def _structure_cases() -> list[Case]:
    wb_rels = "xl/_rels/workbook.xml.rels"
    return [
        Case("example-as-is", copy_example, FINE, FINE),
        Case("shared-strings-example", shared_strings_base, FINE, FINE),
        Case("missing-workbook-part", edited({"xl/workbook.xml": None}), REFUSED, REFUSED, "Bukan"),
        Case(
            "missing-iku-part",
            edited({IKU: None}),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "missing-content-types",
            edited({"[Content_Types].xml": None}),
            REFUSED,
            REFUSED,
            "Bukan",
        ),
        Case("missing-package-rels", edited({"_rels/.rels": None}), REFUSED, REFUSED, "Bukan"),
        Case(
            "missing-workbook-rels",
            edited({wb_rels: None}),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case("missing-styles", edited({"xl/styles.xml": None}), FINE, REFUSED, "styles.xml"),
        Case(
            "wrong-main-content-type",
            sheet_edit(replace_once(CT_XLSX, CT_DOCX), "[Content_Types].xml"),
            REFUSED,
            REFUSED,
            "Bukan",
        ),
        Case(
            "xlsb-content-type",
            sheet_edit(replace_once(CT_XLSX, CT_XLSB), "[Content_Types].xml"),
            REFUSED,
            REFUSED,
            "xlsb",
        ),
        Case(
            "workbook-without-sheets",
            sheet_edit(
                lambda xml: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml), "xl/workbook.xml"
            ),
            REFUSED,
            REFUSED,
            "IKU",
        ),
        Case(
            "encrypted-ole",
            ole({"EncryptionInfo": b"\0" * 64, "EncryptedPackage": b"\0" * 64}),
            REFUSED,
            REFUSED,
            "kata sandi",
        ),
        Case("legacy-xls", ole({"Workbook": b"\0" * 64}), REFUSED, REFUSED, ".xls"),
        Case("empty-file", raw(b""), REFUSED, REFUSED, "kosong"),
        Case("random-bytes", raw(bytes(range(256)) * 8), REFUSED, REFUSED, "Bukan"),
        Case(
            "pdf-renamed",
            raw(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
            REFUSED,
            REFUSED,
            "Bukan",
        ),
        Case(
            "plain-zip", lambda p: write_zip(p, {"readme.txt": b"halo"}), REFUSED, REFUSED, "Bukan"
        ),
        Case(
            "directory-named-xlsx",
            folder,
            REFUSED,
            REFUSED,
            "folder",
            refresh_fragment="Tidak ada file",  # refresh takes a folder as "every file in it"
        ),
        Case(
            "symlink-loop",
            symlink_loop,
            REFUSED,
            REFUSED,
            "tidak ditemukan",
        ),
        Case("dangling-symlink", dangling_symlink, REFUSED, REFUSED, "tidak ditemukan"),
        Case("symlink-to-workbook", symlink_to_example, FINE, FINE),
        Case(
            "very-long-file-name",
            copy_example,
            FINE,
            FINE,
            file_name="I" * 245 + ".xlsx",
        ),
        Case(
            "unicode-file-name",
            copy_example,
            FINE,
            FINE,
            file_name="IKU Dinsos — Jambi ✓ 2023.xlsx",
        ),
        Case(
            "path-traversal-member",
            edited({"../../keluar.xml": b"<a/>", "/mutlak.xml": b"<a/>"}),
            FINE,
            FINE,
        ),
    ]


def _cell_cases() -> list[Case]:
    first_value = b'<c r="I2" s="2" t="n"><v>100</v></c>'
    return [
        Case("formula-injection-indicator", injected_indicator, FINE, FINE),
        Case("string-32767", sheet_edit(long_text(32_767 - 8)), FINE, FINE),
        Case(
            "string-over-32767",
            sheet_edit(long_text(40_000)),
            FINE,
            FINE,
        ),
        # Expectation changed from FINE: five million times "x" deflates about 1000:1, which is
        # exactly the padding MAX_RATIO refuses (no real cell holds it: Excel stops at 32,767
        # characters). The huge string itself is still read: see string-5-million-varied.
        Case(
            "string-5-million",
            sheet_edit(long_text(5_000_000)),
            REFUSED,
            REFUSED,
            "rasio kompresi",
        ),
        Case(
            "string-5-million-varied",
            sheet_edit(long_varied_text(5_000_000)),
            FINE,
            FINE,
        ),
        Case(
            "style-id-negative",
            sheet_edit(replace_once(b'r="I2" s="2"', b'r="I2" s="-1"')),
            FINE,
            FINE,
        ),
        Case(
            "style-id-huge",
            sheet_edit(replace_once(b'r="I2" s="2"', b'r="I2" s="4294967296"')),
            FINE,
            FINE,
        ),
        Case(
            "style-count-absurd",
            sheet_edit(
                lambda xml: re.sub(rb'<cellXfs count="\d+"', b'<cellXfs count="2147483647"', xml),
                "xl/styles.xml",
            ),
            FINE,
            FINE,
        ),
        Case(
            "numfmt-id-huge",
            sheet_edit(
                replace_once(
                    b'<numFmts count="0"/>',
                    b'<numFmts count="1"><numFmt numFmtId="4294967295" formatCode="0.0%"/>'
                    b"</numFmts>",
                ),
                "xl/styles.xml",
            ),
            FINE,
            FINE,
        ),
        Case(
            "row-zero",
            sheet_edit(add_rows(cell_row(0, '<c r="A0"><v>1</v></c>'))),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "row-2-pow-31",
            sheet_edit(add_rows(cell_row(2**31, f'<c r="A{2**31}"><v>1</v></c>'))),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "column-beyond-XFD",
            sheet_edit(add_rows(cell_row(9, '<c r="XFE9"><v>1</v></c>'))),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "shared-string-index-out-of-range",
            sst_sheet_edit(lambda xml: re.sub(rb'(t="s"><v>)\d+', rb"\g<1>999999", xml, count=1)),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "shared-string-count-absurd",
            sst_edit(lambda xml: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2147483647"', xml)),
            FINE,
            FINE,
        ),
        Case(
            "number-not-a-number",
            sheet_edit(replace_once(first_value, b'<c r="I2" s="2" t="n"><v>NaN</v></c>')),
            FINE,
            FINE,
        ),
        Case(
            "number-overflow",
            sheet_edit(replace_once(first_value, b'<c r="I2" s="2" t="n"><v>1e999</v></c>')),
            FINE,
            FINE,
        ),
        Case(
            "cell-ref-garbage",
            sheet_edit(replace_once(first_value, b'<c r="1I" s="2" t="n"><v>100</v></c>')),
            REFUSED,
            REFUSED,
            "rusak",
        ),
        Case(
            "error-values",
            sheet_edit(replace_once(first_value, b'<c r="I2" s="2" t="e"><v>#DIV/0!</v></c>')),
            FINE,
            FINE,
        ),
    ]


def all_cases() -> list[Case]:
    """Every hostile case, names unique."""
    cases = _zip_cases() + _range_cases() + _xml_cases() + _structure_cases() + _cell_cases()
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


def build_case(case: Case, folder_path: Path) -> Path:
    """Build ``case`` in its own folder under ``folder_path``; returns the input's path."""
    home = folder_path / case.name
    home.mkdir(parents=True, exist_ok=True)
    path = home / case.file_name
    case.build(path)
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "hostile-cases")
    for case in all_cases():
        path = build_case(case, out)
        size = path.stat().st_size if path.is_file() else 0
        print(f"{case.name:<40} {size:>10,} B  check={case.check} refresh={case.refresh}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
