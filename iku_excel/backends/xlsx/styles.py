"""Style merging: adding the fonts, fills, borders, number formats, xfs and dxfs new cells need
to the user's ``styles.xml``, reusing identical entries (so a second refresh adds nothing).

:class:`StyleBook` is the user's ``styles.xml``; :class:`RenderedStyles` maps the style indices
of a rendered sheet's own ``styles.xml`` onto it.
"""

from __future__ import annotations

from lxml import etree

from iku_excel.backends.xlsx.ooxml import XmlPart, detached_copy, elements, local, ns_of, q

_STYLE_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_STYLE_ITEM = {
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellXfs": "xf",
    "dxfs": "dxf",
}
_FONT_BOOLEANS = {"b", "i", "strike", "outline", "shadow", "condense", "extend"}
Key = tuple[object, ...]


def _element_key(element: etree._Element, font: bool = False) -> Key:
    """A comparable value of an element: tag, attributes, text and children, whitespace ignored.

    For a font the children's order is ignored (``CT_Font`` is a choice) and ``<b/>`` equals
    ``<b val="1"/>``.
    """
    children: list[Key] = []
    for child in elements(element):
        if font and local(child.tag) in _FONT_BOOLEANS:
            on = child.get("val") not in ("0", "false")
            children.append((child.tag, (("val", "1" if on else "0"),), "", ()))
        else:
            children.append(_element_key(child))
    if font:
        children.sort(key=repr)
    attributes = tuple(sorted((str(k), str(v)) for k, v in element.attrib.items()))
    return (element.tag, attributes, (element.text or "").strip(), tuple(children))


class StyleBook:
    """The original ``styles.xml``: append-or-reuse of fonts, fills, borders, xfs, dxfs, numFmts."""

    def __init__(self, part: XmlPart) -> None:
        self.part = part
        self.root = part.root
        self.ns = ns_of(self.root)
        self._items: dict[str, list[etree._Element]] = {}
        self._keys: dict[str, dict[Key, int]] = {}
        self._numfmts: dict[str, int] | None = None
        self._numfmt_xf_cache: dict[tuple[int, str], int] = {}

    def _container(self, section: str, create: bool) -> etree._Element | None:
        found = self.root.find(q(section, self.ns))
        if found is None and create:
            found = etree.Element(q(section, self.ns))
            found.set("count", "0")
            position = _STYLE_ORDER.index(section)
            later = [
                child
                for child in elements(self.root)
                if local(child.tag) in _STYLE_ORDER
                and _STYLE_ORDER.index(local(child.tag)) > position
            ]
            if later:
                later[0].addprevious(found)
            else:
                self.root.append(found)
            self.part.dirty = True
        return found

    def items(self, section: str) -> list[etree._Element]:
        if section not in self._items:
            container = self._container(section, create=False)
            self._items[section] = (
                [] if container is None else elements(container, _STYLE_ITEM[section])
            )
        return self._items[section]

    def add(self, section: str, element: etree._Element) -> int:
        """Index of an entry equal to ``element`` in ``section``, appending it when new."""
        if section not in self._keys:
            keys: dict[Key, int] = {}
            for index, item in enumerate(self.items(section)):
                keys.setdefault(_element_key(item, font=section == "fonts"), index)
            self._keys[section] = keys
        key = _element_key(element, font=section == "fonts")
        found = self._keys[section].get(key)
        if found is not None:
            return found
        container = self._container(section, create=True)
        assert container is not None
        items = self.items(section)
        container.append(element)
        items.append(element)
        container.set("count", str(len(items)))
        self._keys[section][key] = len(items) - 1
        self.part.dirty = True
        return len(items) - 1

    def numfmt_id(self, code: str) -> int:
        """Id of number format ``code``: built-in, already defined, or a fresh id >= 164."""
        from iku_excel.backends.xlsx.stylesheet import BUILTIN_FORMATS_REVERSE

        builtin = BUILTIN_FORMATS_REVERSE.get(code)
        if builtin is not None:
            return int(builtin)
        if self._numfmts is None:
            self._numfmts = {}
            for item in self.items("numFmts"):
                try:
                    self._numfmts.setdefault(
                        item.get("formatCode") or "", int(item.get("numFmtId") or "")
                    )
                except ValueError:
                    continue
        if code in self._numfmts:
            return self._numfmts[code]
        used = [163, *self._numfmts.values()]
        for item in self.items("numFmts"):
            with_id = item.get("numFmtId") or ""
            if with_id.isdigit():
                used.append(int(with_id))
        new_id = max(used) + 1
        element = etree.Element(q("numFmt", self.ns))
        element.set("numFmtId", str(new_id))
        element.set("formatCode", code)
        container = self._container("numFmts", create=True)
        assert container is not None
        container.append(element)
        self.items("numFmts").append(element)
        container.set("count", str(len(self.items("numFmts"))))
        self._numfmts[code] = new_id
        self.part.dirty = True
        return new_id

    def default_font_id(self) -> int:
        xfs = self.items("cellXfs")
        font_id = xfs[0].get("fontId") if xfs else "0"
        index = int(font_id) if font_id and font_id.isdigit() else 0
        return index if index < len(self.items("fonts")) else 0

    def default_font(self) -> etree._Element | None:
        fonts = self.items("fonts")
        return fonts[self.default_font_id()] if fonts else None

    def xf_with_numfmt(self, base: int, code: str) -> int:
        """Index of a copy of cell xf ``base`` whose number format is ``code``."""
        cached = self._numfmt_xf_cache.get((base, code))
        if cached is not None:
            return cached
        xfs = self.items("cellXfs")
        if 0 <= base < len(xfs):
            new = detached_copy(xfs[base])
        elif xfs:
            new = detached_copy(xfs[0])
        else:
            new = etree.Element(q("xf", self.ns))
            for attribute in ("fontId", "fillId", "borderId", "xfId"):
                new.set(attribute, "0")
        new.set("numFmtId", str(self.numfmt_id(code)))
        new.set("applyNumberFormat", "1")
        index = self.add("cellXfs", new)
        self._numfmt_xf_cache[(base, code)] = index
        return index


class RenderedStyles:
    """Maps style indices of a rendered sheet's ``styles.xml`` onto the original's."""

    def __init__(self, root: etree._Element, book: StyleBook) -> None:
        self.book = book

        def section(name: str) -> list[etree._Element]:
            container = root.find(q(name))
            return [] if container is None else elements(container, _STYLE_ITEM[name])

        self.fonts, self.fills, self.borders = (
            section("fonts"),
            section("fills"),
            section("borders"),
        )
        self.xfs, self.dxfs = section("cellXfs"), section("dxfs")
        self.numfmt_codes = {
            int(item.get("numFmtId") or 0): item.get("formatCode") or ""
            for item in section("numFmts")
        }
        self._xf_cache: dict[int, int] = {}
        self._dxf_cache: dict[int, int] = {}

    def _numfmt(self, numfmt_id: int) -> int:
        if numfmt_id < 164 or numfmt_id not in self.numfmt_codes:
            return numfmt_id
        return self.book.numfmt_id(self.numfmt_codes[numfmt_id])

    def _font(self, index: int) -> int:
        if index == 0 or index >= len(self.fonts):
            return self.book.default_font_id()
        font = detached_copy(self.fonts[index])
        default = self.book.default_font()
        if default is not None:
            present = {local(child.tag) for child in elements(font)}
            copied: tuple[str, ...] = ()
            if "name" not in present:
                copied += ("name", "family", "charset", "scheme")
            if "sz" not in present:
                copied += ("sz",)
            for child in elements(default):
                if local(child.tag) in copied:
                    font.append(detached_copy(child))
        return self.book.add("fonts", font)

    def _simple(self, section: str, items: list[etree._Element], index: int, reserved: int) -> int:
        """Fills 0-1 and border 0 are the spec's reserved defaults: map them onto the original's."""
        if index < reserved and index < len(self.book.items(section)):
            return index
        if index >= len(items):
            return 0
        return self.book.add(section, detached_copy(items[index]))

    def xf(self, index: int) -> int:
        """The original's cell xf index for rendered cell xf ``index`` (0 stays 0)."""
        if index == 0 or index >= len(self.xfs):
            return 0
        cached = self._xf_cache.get(index)
        if cached is not None:
            return cached
        source = self.xfs[index]
        new = etree.Element(q("xf", self.book.ns))
        for name, value in source.attrib.items():
            if name in ("pivotButton", "quotePrefix") and value in ("0", "false"):
                continue
            new.set(name, value)
        new.set("numFmtId", str(self._numfmt(int(source.get("numFmtId") or 0))))
        new.set("fontId", str(self._font(int(source.get("fontId") or 0))))
        new.set("fillId", str(self._simple("fills", self.fills, int(source.get("fillId") or 0), 2)))
        new.set(
            "borderId",
            str(self._simple("borders", self.borders, int(source.get("borderId") or 0), 1)),
        )
        new.set("xfId", "0")  # named styles of the rendered sheets are not carried over
        for child in elements(source):
            new.append(detached_copy(child))
        result = self.book.add("cellXfs", new)
        self._xf_cache[index] = result
        return result

    def dxf(self, index: int) -> int:
        cached = self._dxf_cache.get(index)
        if cached is not None:
            return cached
        if index >= len(self.dxfs):
            raise ValueError(f"rendered styles have no dxf {index}")
        dxf = detached_copy(self.dxfs[index])
        for numfmt in elements(dxf, "numFmt"):
            code = numfmt.get("formatCode")
            if code is not None:
                numfmt.set("numFmtId", str(self.book.numfmt_id(code)))
        result = self.book.add("dxfs", dxf)
        self._dxf_cache[index] = result
        return result


# --- Patching an existing worksheet ---------------------------------------------------------------
