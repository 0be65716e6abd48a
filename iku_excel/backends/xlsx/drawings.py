"""A rendered sheet's drawing and charts put into the package: part names, relationships, types.

:func:`link_drawing` is the splice's step for a rendered sheet (:class:`RenderedSheet`)
with a ``drawing``: the drawing and chart parts get names (a replaced sheet's own drawing and
chart parts are reused in order, so refreshing twice gives the same package; any left over
become orphans the splice removes), the drawing's relationships to its charts, content-type
overrides and a drawing relationship in the sheet's relationships. The ``<drawing r:id>``
element is written by the sheet's stream, or put into a rendered sheet's XML by
:func:`with_drawing`, in the schema's place.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from iku_excel.backends.xlsx.chart import CT_CHART, CT_DRAWING, RT_CHART, RT_DRAWING, drawing_rels
from iku_excel.backends.xlsx.ooxml import (
    MAIN_NS,
    PARSER,
    PKG_REL_NS,
    R_NS,
    insert_in_order,
    local,
    ns_of,
    q,
    relative_target,
    rels_name,
)
from iku_excel.backends.xlsx.package_edit import PackageEdit

#: Children of <worksheet> in schema order (CT_Worksheet).
WORKSHEET_ORDER = (
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def with_drawing(xml: bytes, rel_id: str) -> bytes:
    """``xml`` with ``<drawing r:id=rel_id/>`` in its schema place. Inserted as text when it
    goes last (the sheet writer's sheets), so every other byte of the sheet stays as rendered;
    else through lxml."""
    root = etree.fromstring(xml, PARSER)
    later = WORKSHEET_ORDER[WORKSHEET_ORDER.index("drawing") + 1 :]
    prefix = next((p for p, ns in root.nsmap.items() if ns == R_NS and p), None)
    end = xml.rfind(b"</worksheet>")
    if prefix and end >= 0 and not any(local(child.tag) in later for child in root):
        text = f'<drawing {prefix}:id="{rel_id}"/>'.encode()
        return xml[:end] + text + xml[end:]
    element = etree.Element(q("drawing", ns_of(root) or MAIN_NS))
    element.set(q("id", R_NS), rel_id)
    insert_in_order(root, element, WORKSHEET_ORDER)
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _old_names(edit: PackageEdit, old_part: str | None) -> tuple[str | None, list[str]]:
    """The replaced sheet's drawing part and that drawing's chart parts, in order."""
    if old_part is None:
        return None, []
    _, rels = edit.rels(old_part)
    for rel in rels:
        drawing = edit.target(old_part, rel) if rel.type == RT_DRAWING else None
        if drawing is None or edit.content_type(drawing) != CT_DRAWING:
            continue
        _, chart_rels = edit.rels(drawing)
        charts = [edit.target(drawing, r) for r in chart_rels if r.type == RT_CHART]
        return drawing, [c for c in charts if c is not None and edit.content_type(c) == CT_CHART]
    return None, []


def link_drawing(
    edit: PackageEdit,
    sheet_part: str,
    old_part: str | None,
    rels: bytes | None,
    drawing: bytes,
    charts: tuple[bytes, ...],
) -> tuple[str, bytes]:
    """Put ``drawing`` and ``charts`` into the package for the sheet at ``sheet_part`` (which
    replaces ``old_part``, or is new: None); returns the drawing's relationship id (for the
    sheet's ``<drawing>``) and the sheet's relationships (``rels`` plus the drawing's)."""
    base = posixpath.dirname(posixpath.dirname(sheet_part))
    drawing_name, old_charts = _old_names(edit, old_part)
    reserved: set[str] = set()
    if drawing_name is None:
        drawing_name = edit.free_name(posixpath.join(base, "drawings"), "drawing", reserved)
    reserved.add(drawing_name.lower())
    chart_names: list[str] = []
    for i in range(len(charts)):
        name = old_charts[i] if i < len(old_charts) else None
        if name is None:
            name = edit.free_name(posixpath.join(base, "charts"), "chart", reserved)
        reserved.add(name.lower())
        chart_names.append(name)
    edit.put(drawing_name, drawing)
    edit.set_content_type(drawing_name, CT_DRAWING)
    targets = [relative_target(drawing_name, name) for name in chart_names]
    edit.put(rels_name(drawing_name), drawing_rels(targets))
    for name, data in zip(chart_names, charts, strict=True):
        edit.put(name, data)
        edit.set_content_type(name, CT_CHART)
    edit.ensure_rels_default()

    if rels is not None:
        rels_root = etree.fromstring(rels, PARSER)
    else:
        rels_root = etree.Element(q("Relationships", PKG_REL_NS), nsmap={None: PKG_REL_NS})
    used = {el.get("Id") for el in rels_root.iter(q("Relationship", PKG_REL_NS))}
    number = 1
    while f"rId{number}" in used:
        number += 1
    rel_id = f"rId{number}"
    relationship = etree.SubElement(rels_root, q("Relationship", PKG_REL_NS))
    relationship.set("Id", rel_id)
    relationship.set("Type", RT_DRAWING)
    relationship.set("Target", relative_target(sheet_part, drawing_name))

    rels_xml = _DECLARATION + etree.tostring(rels_root, encoding="UTF-8", xml_declaration=False)
    return rel_id, rels_xml
