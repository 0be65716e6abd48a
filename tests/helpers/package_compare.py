"""Compare two OOXML packages (.xlsx/.xlsm) to prove a write lost nothing.

``iku-excel refresh`` may change a few members of a workbook (the workbook part, its
relationships, the content types, the styles, the IKU sheet) and add new ones (the output
sheets). :func:`compare_packages` checks that everything else is untouched and that the members it
did change still hold everything they held before.

Rules:

- every member of ``before`` exists in ``after``, except ``xl/calcChain.xml`` (which a writer must
  drop when it replaces formulas; its relationship and content-type entry may go with it);
- members not in ``touched`` are byte-identical after decompression (when ``touched`` is not
  given it is taken as the members whose bytes differ, so only the next rule applies), and new
  members must be listed in ``touched`` when it is given;
- a touched XML member still holds every element it held: an element is identified by the path of
  tag names from the root (namespace URIs, not prefixes), its attributes and, for leaf elements,
  its text; the comparison is a multiset, so order does not matter and duplicates count.
  Ignored, because a writer may legitimately change them (:data:`IGNORED_ATTRIBUTES`): ``s``
  (style id) and ``t`` (value type) of cells, ``spans`` of rows, ``ref`` of ``<dimension>``,
  ``tabSelected`` of sheet views, ``activeTab``/``firstSheet`` of workbook views, ``count`` and
  ``uniqueCount`` of the shared-string table; and the text of cell values and formulas
  (``<v>``, ``<f>``, ``<is>`` content), which refresh writes;
- namespace declarations are preserved: the root's prefix-to-URI map and attributes
  (``mc:Ignorable`` among them) are unchanged, and every prefix declared anywhere in ``before``
  is still declared, bound to the same URI, in ``after`` (``mc:AlternateContent`` ``Requires``
  names prefixes, so renaming them breaks the file).
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

CALC_CHAIN = "xl/calcChain.xml"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
#: Members that may disappear (a writer that replaces formulas must drop the calculation chain).
ALLOWED_TO_DISAPPEAR = frozenset({CALC_CHAIN})

#: (element local name, attribute name) pairs left out of an element's identity.
IGNORED_ATTRIBUTES = frozenset(
    {
        ("c", "s"),
        ("c", "t"),
        ("row", "spans"),
        ("dimension", "ref"),
        ("sheetView", "tabSelected"),
        ("workbookView", "activeTab"),
        ("workbookView", "firstSheet"),
        ("sst", "count"),
        ("sst", "uniqueCount"),
        # styles.xml collections grow when a writer adds styles; their ``count`` follows
        *(
            (collection, "count")
            for collection in (
                "numFmts",
                "fonts",
                "fills",
                "borders",
                "cellStyleXfs",
                "cellXfs",
                "cellStyles",
                "dxfs",
            )
        ),
    }
)
#: Children of a cell ``<c>`` whose text is left out of their identity (values and formulas);
#: the text of inline strings (``<c><is>...``) is left out too.
IGNORED_CELL_TEXT = frozenset({"v", "f"})

MAX_REPORTED = 10
XML_SUFFIXES = (".xml", ".rels", ".vml")

ElementKey = tuple[str, tuple[tuple[str, str], ...], str]


def _read(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def members_changed(before: Path, after: Path) -> set[str]:
    """Members that are new in ``after`` or whose bytes differ (after decompression)."""
    old, new = _read(before), _read(after)
    return {name for name, data in new.items() if old.get(name) != data}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _is_xml(name: str, data: bytes) -> bool:
    return name.endswith(XML_SUFFIXES) or data.lstrip()[:5] == b"<?xml"


def _element_keys(root: etree._Element) -> Counter[ElementKey]:
    keys: Counter[ElementKey] = Counter()

    def walk(el: etree._Element, path: str, parent: str, in_inline_string: bool) -> None:
        local = _local(str(el.tag))
        attrs = tuple(
            sorted(
                (str(name), str(value))
                for name, value in el.attrib.items()
                if (local, _local(str(name))) not in IGNORED_ATTRIBUTES
            )
        )
        children = [child for child in el if isinstance(child.tag, str)]
        text = ""
        cell_text = parent == "c" and local in IGNORED_CELL_TEXT
        if not children and not cell_text and not in_inline_string:
            text = (el.text or "").strip()
        keys[(path, attrs, text)] += 1
        for child in children:
            walk(child, f"{path}/{child.tag!s}", local, in_inline_string or local == "is")

    walk(root, str(root.tag), "", False)
    return keys


def _declared_prefixes(root: etree._Element) -> set[tuple[str | None, str]]:
    return {pair for el in root.iter() if isinstance(el.tag, str) for pair in el.nsmap.items()}


def _describe(key: ElementKey) -> str:
    path, attrs, text = key
    tags = "/".join(_local(part) for part in path.split("/{") if part)
    attr_text = " ".join(f'{_local(n)}="{v}"' for n, v in attrs)
    out = f"<{tags}{' ' + attr_text if attr_text else ''}>"
    return f"{out}{text[:40]}" if text else out


def _calc_chain_entry(key: ElementKey) -> bool:
    attrs = dict(key[1])
    return attrs.get("PartName") == "/" + CALC_CHAIN or attrs.get("Type") == REL_CALC_CHAIN


def _compare_xml(name: str, old: bytes, new: bytes, calc_chain_dropped: bool) -> list[str]:
    try:
        old_root = etree.fromstring(old)
        new_root = etree.fromstring(new)
    except etree.XMLSyntaxError as exc:
        return [f"{name}: not well-formed XML: {exc}"]
    problems = []
    if old_root.tag != new_root.tag:
        return [f"{name}: root element {old_root.tag!s} became {new_root.tag!s}"]
    lost_ns = set(old_root.nsmap.items()) - set(new_root.nsmap.items())
    if lost_ns:
        problems.append(
            f"{name}: root namespace declarations lost or renamed: {sorted(lost_ns, key=str)}"
        )
    if dict(old_root.attrib) != dict(new_root.attrib):
        problems.append(
            f"{name}: root attributes changed: {dict(old_root.attrib)} -> {dict(new_root.attrib)}"
        )
    lost_decl = _declared_prefixes(old_root) - _declared_prefixes(new_root)
    if lost_decl:
        problems.append(f"{name}: namespace prefixes lost or renamed: {sorted(lost_decl, key=str)}")
    missing = _element_keys(old_root) - _element_keys(new_root)
    if calc_chain_dropped:
        for key in [k for k in missing if _calc_chain_entry(k)]:
            del missing[key]
    for i, (key, count) in enumerate(sorted(missing.items())):
        if i == MAX_REPORTED:
            problems.append(f"{name}: ... and {len(missing) - MAX_REPORTED} more missing elements")
            break
        times = f" ({count} of them)" if count > 1 else ""
        problems.append(f"{name}: element missing{times}: {_describe(key)}")
    return problems


def compare_packages(before: Path, after: Path, *, touched: set[str] | None = None) -> list[str]:
    """Human-readable problems found between ``before`` and ``after`` (empty: nothing lost)."""
    old, new = _read(before), _read(after)
    problems: list[str] = []
    for name in sorted(set(old) - set(new)):
        if name not in ALLOWED_TO_DISAPPEAR:
            problems.append(f"{name}: member missing")
    calc_chain_dropped = CALC_CHAIN in old and CALC_CHAIN not in new
    changed = {name for name, data in new.items() if old.get(name) != data}
    allowed = changed if touched is None else touched
    for name in sorted(changed - allowed):
        what = "new member" if name not in old else "member changed"
        problems.append(f"{name}: {what} but not allowed to change")
    for name in sorted(changed & allowed):
        if name in old and _is_xml(name, old[name]):
            problems.extend(_compare_xml(name, old[name], new[name], calc_chain_dropped))
    return problems
