"""Validate a written workbook against the Open XML SDK's rules, via ``openxml-audit``.

``openxml-audit`` is a pure-Python port of the Open XML SDK validator (schema, semantic and
package checks, the same ones Excel's "We found a problem with some content" is closest to).
:func:`problems` returns what it reports minus the classes listed in :data:`ALLOWED`, each
allowed for a written reason; a test asserts the list is empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A reported error we accept, and why.
Allowance = tuple[str, Callable[[Any], bool]]

ALLOWED: list[Allowance] = [
    (
        # openpyxl (which wrote the template and the example) writes <font> children as
        # name, family, color, sz ...; the schema's CT_Font is a fixed sequence (b, i, ...,
        # sz, color, name, family, charset, scheme). Excel, LibreOffice and the SDK's own
        # loader read any order; only strict schema validation objects.
        "openpyxl's font child order in styles.xml",
        lambda e: (
            e.part_uri == "/xl/styles.xml"
            and re.fullmatch(r"/styleSheet\[1\]/fonts\[1\]/font\[\d+\]", e.path or "") is not None
            and e.description.startswith("Unexpected element")
        ),
    ),
    (
        # Inline strings (<c t="inlineStr">) are valid SpreadsheetML; the tool flags them only
        # because Excel converts them to shared strings on its next save. Our writer uses them
        # on purpose: it never has to rewrite the user's sharedStrings.xml.
        "inline strings without a shared-strings part",
        lambda e: "inline-string cell(s)" in e.description,
    ),
]


@dataclass(frozen=True)
class Problem:
    """One reported error that no allowance covers."""

    part: str
    path: str
    description: str

    def __str__(self) -> str:
        return f"{self.part} {self.path}: {self.description}"


def problems(path: Path, max_errors: int = 1000) -> list[Problem]:
    """Every error ``openxml-audit`` reports for ``path`` (Office 2019), minus allowed ones."""
    from openxml_audit import OpenXmlValidator
    from openxml_audit.errors import FileFormat

    validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=max_errors)
    result = validator.validate(str(path))
    return [
        Problem(error.part_uri or "", error.path or "", error.description)
        for error in result.errors
        if not any(allowed(error) for _reason, allowed in ALLOWED)
    ]
