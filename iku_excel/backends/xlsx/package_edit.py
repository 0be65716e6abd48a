"""The user's package being edited: parsed parts, and the members changed, added and deleted.

:class:`PackageEdit` reads parts on demand (parsed once), records new member data, and at the end
removes the parts nothing refers to any more (with their relationships and content types) and
lists the members of the new package. It writes nothing; the splice decides what changes.
"""

from __future__ import annotations

from lxml import etree

from iku_excel.backends.xlsx.ooxml import (
    CT_NS,
    PARSER,
    PKG_REL_NS,
    Rel,
    XmlPart,
    q,
    rels_name,
    resolve_target,
)
from iku_excel.backends.xlsx.zippackage import (
    THREAD_FROM,
    Deflated,
    Deflating,
    XlsxPackage,
    ZipEntry,
)
from iku_excel.errors import UnsafeWorkbookError


class PackageEdit:
    """The source package's parts as parsed, and the new package's members."""

    def __init__(self, package: XlsxPackage) -> None:
        self.package = package
        self.parts: dict[str, XmlPart] = {}
        self.output: dict[str, bytes | Deflated] = {}
        #: members of ``output`` already being deflated (used when the bytes did not change since)
        self.deflating: dict[str, Deflating] = {}
        self.new_members: list[str] = []
        self.deleted: set[str] = set()
        types_name = package.find("[Content_Types].xml")
        if types_name is None:
            raise UnsafeWorkbookError("Paket tanpa [Content_Types].xml: bukan file xlsx.")
        self.types = self.part(types_name)

    def part(self, name: str) -> XmlPart:
        if name not in self.parts:
            self.parts[name] = XmlPart(name, self.package.read(name))
        return self.parts[name]

    def rels(self, source: str) -> tuple[XmlPart | None, list[Rel]]:
        name = self.package.find(rels_name(source))
        if name is None:
            return None, []
        part = self.part(name)
        return part, [
            Rel(
                element.get("Id") or "",
                element.get("Type") or "",
                element.get("Target") or "",
                element.get("TargetMode") == "External",
                element,
            )
            for element in part.root.iter(q("Relationship", PKG_REL_NS))
        ]

    def target(self, source: str, rel: Rel) -> str | None:
        if rel.external:
            return None
        return self.package.find(resolve_target(source, rel.target))

    def content_type(self, name: str) -> str | None:
        root = self.types.root
        for override in root.iter(q("Override", CT_NS)):
            if (override.get("PartName") or "").lstrip("/").lower() == name.lower():
                return override.get("ContentType")
        extension = name.rpartition(".")[2].lower()
        for default in root.iter(q("Default", CT_NS)):
            if (default.get("Extension") or "").lower() == extension:
                return default.get("ContentType")
        return None

    def put(self, name: str, data: bytes | Deflated) -> None:
        if self.package.find(name) is None and name not in self.output:
            self.new_members.append(name)
        self.output[self.package.find(name) or name] = data

    def put_deflating(self, name: str, data: bytes) -> None:
        """:meth:`put`, and when ``data`` is big, start deflating it in a helper thread (the
        patched IKU sheet, while the output sheets are rendered)."""
        self.put(name, data)
        if len(data) >= THREAD_FROM:
            self.deflating[self.package.find(name) or name] = Deflating(data)

    def set_content_type(self, name: str, content_type: str) -> None:
        """An ``Override`` giving part ``name`` ``content_type`` (added, or corrected)."""
        for override in self.types.root.iter(q("Override", CT_NS)):
            if (override.get("PartName") or "").lstrip("/").lower() == name.lower():
                if override.get("ContentType") != content_type:
                    override.set("ContentType", content_type)
                    self.types.dirty = True
                return
        override = etree.SubElement(self.types.root, q("Override", CT_NS))
        override.set("PartName", "/" + name)
        override.set("ContentType", content_type)
        self.types.dirty = True

    def free_name(self, folder: str, stem: str, reserved: set[str]) -> str:
        """``folder/stemN.xml`` with the lowest N no member, new member or ``reserved`` uses."""
        taken = set(self.package.by_lower) | {n.lower() for n in self.new_members} | reserved
        number = 1
        while f"{folder}/{stem}{number}.xml".lower() in taken:
            number += 1
        return f"{folder}/{stem}{number}.xml"

    def ensure_rels_default(self) -> None:
        for default in self.types.root.iter(q("Default", CT_NS)):
            if (default.get("Extension") or "").lower() == "rels":
                return
        default = etree.Element(q("Default", CT_NS))
        default.set("Extension", "rels")
        default.set("ContentType", "application/vnd.openxmlformats-package.relationships+xml")
        self.types.root.insert(0, default)
        self.types.dirty = True

    # -- orphans --

    def _exists_after(self, name: str) -> str | None:
        exact = self.package.find(name)
        if exact is not None:
            return None if exact in self.deleted else exact
        return next((new for new in self.new_members if new.lower() == name.lower()), None)

    def _targets(self, source: str, after: bool) -> list[str]:
        members_rels = rels_name(source)
        root: etree._Element | None = None
        if after:
            exact = self._exists_after(members_rels)
            if exact is None:
                return []
            data = self.output.get(exact)
            if isinstance(data, bytes):
                root = etree.fromstring(data, PARSER)
            elif exact in self.parts:
                root = self.parts[exact].root
            else:
                root = self.part(exact).root
        else:
            exact = self.package.find(members_rels)
            if exact is None:
                return []
            original = (
                self.parts[exact].original if exact in self.parts else self.package.read(exact)
            )
            root = etree.fromstring(original, PARSER)
        targets: list[str] = []
        for rel in root.iter(q("Relationship", PKG_REL_NS)):
            if rel.get("TargetMode") == "External":
                continue
            resolved = resolve_target(source, rel.get("Target") or "")
            found = self._exists_after(resolved) if after else self.package.find(resolved)
            if found is not None:
                targets.append(found)
        return targets

    def reachable(self, after: bool) -> set[str]:
        seen: set[str] = set()
        stack = self._targets("", after)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self._targets(name, after))
        return seen

    def drop_orphans(self, reachable_before: set[str]) -> None:
        """Remove parts that only the replaced content referred to (with their rels and types)."""
        for name in reachable_before - self.reachable(after=True):
            if name not in self.output:
                self.deleted.add(name)
        for name in list(self.deleted):
            rels = self.package.find(rels_name(name))
            if rels is not None and rels not in self.output:
                self.deleted.add(rels)
        gone = {"/" + name.lower() for name in self.deleted}
        for override in list(self.types.root.iter(q("Override", CT_NS))):
            if (override.get("PartName") or "").lower() in gone:
                parent = override.getparent()
                if parent is not None:
                    parent.remove(override)
                self.types.dirty = True

    def entries(self, reference: str) -> list[ZipEntry]:
        """The new package's members; new ones take the zip metadata of member ``reference``."""
        entries: list[ZipEntry] = []
        for info in self.package.infos:
            name = info.filename
            if name in self.deleted:
                continue
            data: bytes | Deflated | None = None
            if name in self.output:
                data = self.output[name]
                ahead = self.deflating.get(name)
                if ahead is not None and ahead.data is data:
                    data = ahead.result()
            elif name in self.parts and self.parts[name].dirty:
                data = self.parts[name].serialise()
            entries.append(ZipEntry(name, info, data))
        info = self.package.info_by_name[reference]
        entries.extend(ZipEntry(name, info, self.output[name]) for name in self.new_members)
        return entries
