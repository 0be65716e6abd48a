"""The splice: a new package built from the user's package and a plan of rendered sheets and cells.

Loading a user's workbook with openpyxl and saving it again drops shapes, slicers, sparklines,
threaded comments, 2010 validations and data bars, cached values and the ribbon of an .xlsm. So
this module never round-trips a workbook. It treats the file as what it is, a zip package of XML
parts, and changes only the parts it must:

* **cell writes** into an existing worksheet (the ``IKU`` sheet's "Capaian (%)" column), by
  :mod:`~iku_excel.backends.xlsx.cellpatch`: every other element and attribute is kept;
* **whole sheets** (``Capaian``, ``Validasi``) rendered as XML by
  :mod:`~iku_excel.backends.xlsx.sheet_writer`: a rendered sheet replaces the original sheet of
  that name (same part, position, sheetId, state and VBA code name) or becomes a new sheet
  appended last;
* ``styles.xml`` gets the fonts/fills/borders/number formats/xfs/dxfs the new cells need,
  reusing identical entries so a second refresh adds nothing (refreshing is idempotent: the same
  plan applied to the output gives the same bytes);
* ``workbook.xml``, its relationships and ``[Content_Types].xml`` get the new sheets; defined
  names local to a replaced sheet (print titles, print area, filter database) are replaced by
  the rendered sheet's; ``calcChain.xml`` is removed when formulas are written or sheets
  replaced (a stale calc chain makes Excel offer to "repair" the file).

Every other zip member is copied compressed byte for byte (same CRC, same compressed data).

Decisions, for the record:

* Strings are written inline (``t="inlineStr"``), so ``sharedStrings.xml`` is never touched. Text
  that starts with ``=`` stays text; only :attr:`CellWrite.formula` makes a formula.
* Formula cells carry their cached value with the right type (number, ``t="str"``, ``t="b"``,
  ``t="e"`` for the Excel error literals such as ``#DIV/0!``). ``fullCalcOnLoad`` is *not* set by
  default: our cached values are right, a forced recalculation would make Excel ask "save
  changes?" on every close of a file nobody edited, and Protected View does not calculate anyway.
  The cost: the user's own formulas that depend on the written cells may show their old cached
  values until Excel recalculates them (F9). Set :attr:`PackagePlan.full_calc_on_load` when that
  matters more.
* ``docProps/app.xml`` is left untouched: its list of sheet titles goes stale, which is harmless
  (Excel and LibreOffice ignore it on load and rewrite it on save).
* Writes over a shared formula (how Excel saves a filled-down column) are allowed: overwritten
  cells leave the group; when the group's master is overwritten, the first remaining member
  becomes the master (its formula translated with openpyxl's ``Translator``). Array formulas and
  data tables are refused: Excel itself refuses to change part of them.
* Sheets are matched by name case-insensitively, as Excel does; a replaced sheet keeps the
  user's spelling of its name. A hidden sheet is never made the active tab.
* A replaced sheet's old relationships go with it. Parts that become unreachable through the
  package's relationships (its drawing, comments, VML, printer settings...) are removed with their
  own relationships and content-type overrides, so the package stays orphan-free; parts still
  referenced from elsewhere stay. A sheet holding a table, pivot table, slicer or timeline is
  refused rather than replaced: other parts refer to those by name.
* New parts and changed parts keep deterministic zip metadata (the timestamp of the member they
  replace, else of the workbook part), so the output depends only on the input and the plan.

Not one of these results has been opened in real Microsoft Excel yet (LibreOffice, openpyxl and
python-calamine read them); say so until it has been.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from iku_excel.a1 import cell_address
from iku_excel.backends.xlsx.cellpatch import SheetPatcher, read_tables
from iku_excel.backends.xlsx.drawings import link_drawing, with_drawing
from iku_excel.backends.xlsx.ooxml import (
    CT_NS,
    CT_WORKSHEET,
    MAIN_NS,
    PARSER,
    PKG_REL_NS,
    R_NS,
    RT_CALC_CHAIN,
    RT_NOT_REPLACEABLE,
    RT_OFFICE_DOCUMENT,
    RT_REVISION_HEADERS,
    RT_STRICT_OFFICE_DOCUMENT,
    RT_STYLES,
    RT_WORKSHEET,
    SHEET_KIND_NAMES,
    STRICT_MAIN_NS,
    WORKBOOK_MAIN_TYPES,
    Rel,
    detached_copy,
    elements,
    insert_in_order,
    is_true,
    local,
    ns_of,
    q,
    relative_target,
    rels_name,
)
from iku_excel.backends.xlsx.package_edit import PackageEdit
from iku_excel.backends.xlsx.plan import (
    CellWrite,
    PackagePlan,
    RenderedSheet,
    StyleMaps,
    validate_write,
)
from iku_excel.backends.xlsx.sheettext import parse_skeleton, set_tab_selected
from iku_excel.backends.xlsx.styles import RenderedStyles, StyleBook
from iku_excel.backends.xlsx.textpatch import TextPatcher
from iku_excel.backends.xlsx.zippackage import Deflated, XlsxPackage, ZipEntry, write_zip
from iku_excel.errors import UnsafeWorkbookError


def apply_plan(src: Path | XlsxPackage, plan: PackagePlan, dst: Path) -> list[str]:
    """Read the package ``src``, apply ``plan`` and write the complete new package to ``dst``.

    Everything is checked and built in memory before the first byte of ``dst`` is written;
    :class:`UnsafeWorkbookError` (nothing written) when it can't be done safely: a cell write into
    a merged range other than its top-left cell, into a table's header or totals row or a column
    with a calculated-column formula, into an array formula or a data table (What-If) range; a
    target that is a chartsheet/dialogsheet/macro sheet; a protected target sheet; a protected
    workbook structure when sheets are added or replaced; a replaced sheet holding a table, pivot
    table, slicer or timeline; strict OOXML; a legacy shared workbook; a package needing zip64.
    ValueError for a plan that is wrong in itself (unknown sheet, bad cell).

    Writes over a shared formula (Excel's fill-down) are allowed: overwritten cells leave the
    group, and when its master is overwritten the first remaining member becomes the master.

    ``src`` is a path or a package already open (the file engine's, read once per run).
    ``dst`` must not be ``src``: write through :func:`iku_excel.backends.safe_io.atomic_write`.
    Returns the members written from new data (the others are copied as stored).
    """
    dst = Path(dst)
    package = src if isinstance(src, XlsxPackage) else XlsxPackage.load(Path(src))
    if dst.exists() and package.path.exists() and dst.resolve() == package.path.resolve():
        raise ValueError("apply_plan: dst must differ from src (use safe_io.atomic_write)")
    package.check_for_splice()
    entries = _Splicer(package, plan).build()
    try:
        return write_zip(package, entries, dst)
    except BaseException:
        dst.unlink(missing_ok=True)  # no half-written package left behind
        raise


@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rel_type: str
    part: str | None
    element: etree._Element
    hidden: bool


#: Children of <workbook> in schema order, for inserting a missing one in its place.
_WORKBOOK_ORDER = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
)


class _Splicer(PackageEdit):
    """Builds the member list of the new package; reads the source, writes nothing."""

    def __init__(self, package: XlsxPackage, plan: PackagePlan) -> None:
        super().__init__(package)
        self.plan = plan
        self._styles: StyleBook | None = None
        self._skeletons: dict[str, etree._Element] = {}

    # -- reading --

    @property
    def styles(self) -> StyleBook:
        if self._styles is None:
            rel = next((rel for rel in self.wb_rels if rel.type == RT_STYLES), None)
            name = None if rel is None else self.target(self.wb_name, rel)
            if name is None:
                raise UnsafeWorkbookError("Workbook tanpa styles.xml: file rusak?")
            self._styles = StyleBook(self.part(name))
        return self._styles

    def _read_sheets(self) -> list[_Sheet]:
        rels = {rel.id: rel for rel in self.wb_rels}
        container = self.workbook.root.find(q("sheets"))
        if container is None:
            raise UnsafeWorkbookError("workbook.xml tanpa daftar sheet: file rusak?")
        sheets: list[_Sheet] = []
        for element in elements(container, "sheet"):
            rel = rels.get(element.get(q("id", R_NS)) or "")
            sheet_id = element.get("sheetId") or ""
            sheets.append(
                _Sheet(
                    name=element.get("name") or "",
                    sheet_id=int(sheet_id) if sheet_id.isdigit() else 0,
                    rel_type=rel.type if rel is not None else "",
                    part=None if rel is None else self.target(self.wb_name, rel),
                    element=element,
                    hidden=element.get("state") in ("hidden", "veryHidden"),
                )
            )
        return sheets

    def _check_worksheet(self, sheet: _Sheet) -> str:
        """The part of ``sheet``; refuse chartsheets, dialogsheets, macro sheets, broken links."""
        kind = SHEET_KIND_NAMES.get(sheet.rel_type)
        if kind is not None or sheet.rel_type != RT_WORKSHEET:
            raise UnsafeWorkbookError(
                f"Sheet '{sheet.name}' adalah {kind or 'sheet jenis lain'}, bukan worksheet "
                f"biasa: ganti nama atau hapus sheet itu dulu."
            )
        if sheet.part is None:
            raise UnsafeWorkbookError(f"Sheet '{sheet.name}' tidak ditemukan di paket: file rusak?")
        if local(self._sheet_root(sheet.part).tag) != "worksheet":
            raise UnsafeWorkbookError(f"Sheet '{sheet.name}' bukan worksheet: file rusak?")
        return sheet.part

    def _sheet_root(self, name: str) -> etree._Element:
        """A worksheet part's root without its cells (its parsed tree when there is one): what
        the checks read, at the cost of the part's head and tail rather than a whole tree."""
        if name in self.parts:
            return self.parts[name].root
        root = self._skeletons.get(name)
        if root is None:
            root = self._skeletons[name] = parse_skeleton(name, self.package.read(name))
        return root

    def _patcher(self, part_name: str, title: str) -> SheetPatcher | TextPatcher:
        """The text patcher of a worksheet part, or the tree patcher when it cannot take it."""
        if part_name not in self.parts:
            data = self.package.read(part_name)
            root = self._sheet_root(part_name)
            text = TextPatcher.open(data, root, title, self.styles, self.date1904)
            if text is not None:
                return text
        return SheetPatcher(self.part(part_name), title, self.styles, self.date1904)

    # -- the plan --

    def _validate_plan(
        self, by_name: dict[str, _Sheet], rendered: tuple[RenderedSheet, ...]
    ) -> None:
        rendered_keys = {sheet.title.casefold() for sheet in rendered}
        for title, writes in self.plan.cell_writes.items():
            key = title.casefold()
            if key not in by_name:
                raise ValueError(f"cell_writes: the workbook has no sheet {title!r}")
            if key in rendered_keys:
                raise ValueError(
                    f"sheet {title!r} is both replaced by a rendered sheet and written into"
                )
            seen: set[tuple[int, int]] = set()
            for write in writes:
                validate_write(title, write)
                if (write.row, write.col) in seen:
                    raise ValueError(
                        f"two writes into {title}!{cell_address(write.row, write.col)}"
                    )
                seen.add((write.row, write.col))
        activate = self.plan.activate
        if activate is not None and activate.casefold() not in by_name | dict.fromkeys(
            rendered_keys
        ):
            raise ValueError(f"activate: no sheet {activate!r}")

    # -- building --

    def _open_workbook(self) -> None:
        """Find and check the workbook part, its relationships, sheets and date system."""
        _, root_rels = self.rels("")
        if any(rel.type == RT_STRICT_OFFICE_DOCUMENT for rel in root_rels):
            raise _strict_error()
        office = next((rel for rel in root_rels if rel.type == RT_OFFICE_DOCUMENT), None)
        workbook_name = None if office is None else self.target("", office)
        if workbook_name is None:
            raise UnsafeWorkbookError("Paket tanpa bagian workbook: bukan file xlsx.")
        main_type = self.content_type(workbook_name)
        if main_type not in WORKBOOK_MAIN_TYPES:
            raise UnsafeWorkbookError(f"Bukan workbook .xlsx/.xlsm (jenis isi {main_type}).")
        self.wb_name = workbook_name
        self.workbook = self.part(workbook_name)
        namespace = ns_of(self.workbook.root)
        if namespace == STRICT_MAIN_NS:
            raise _strict_error()
        if namespace != MAIN_NS:
            raise UnsafeWorkbookError(f"workbook.xml dengan namespace tak dikenal {namespace!r}.")
        self.wb_rels_part, self.wb_rels = self.rels(workbook_name)
        if self.wb_rels_part is None:
            raise UnsafeWorkbookError("Workbook tanpa relasi (workbook.xml.rels): file rusak?")
        if any(rel.type == RT_REVISION_HEADERS for rel in self.wb_rels):
            raise UnsafeWorkbookError(
                "Workbook ini 'Shared Workbook' model lama (ada riwayat revisi): matikan berbagi "
                "(Review > Share Workbook) dulu, lalu coba lagi."
            )
        self.sheets = self._read_sheets()
        properties = self.workbook.root.find(q("workbookPr"))
        self.date1904 = properties is not None and is_true(properties.get("date1904"))

    def build(self) -> list[ZipEntry]:
        """Check everything, then make every change in memory; the new package's members."""
        plan = self.plan
        self._open_workbook()
        reachable_before = self.reachable(after=False)

        rendered = plan.rendered.sheets if plan.rendered is not None else ()
        by_name = {sheet.name.casefold(): sheet for sheet in self.sheets}
        self._validate_plan(by_name, rendered)

        # Every check before any change.
        pairs: list[tuple[RenderedSheet, _Sheet | None]] = []
        if rendered:
            protection = self.workbook.root.find(q("workbookProtection"))
            if protection is not None and is_true(protection.get("lockStructure")):
                raise UnsafeWorkbookError(
                    "Struktur workbook diproteksi (Protect Workbook): sheet tidak dapat ditambah "
                    "atau diganti. Buka proteksinya dulu (Review > Protect Workbook)."
                )
            for new_sheet in rendered:
                existing = by_name.get(new_sheet.title.casefold())
                if existing is not None:
                    self._check_replaceable(existing, new_sheet)
                pairs.append((new_sheet, existing))
        patchers: list[tuple[SheetPatcher | TextPatcher, list[CellWrite], str]] = []
        for title, writes in plan.cell_writes.items():
            if not writes:
                continue
            sheet = by_name[title.casefold()]
            part_name = self._check_worksheet(sheet)
            patcher = self._patcher(part_name, sheet.name)
            patcher.check(writes, read_tables(self, part_name))
            patchers.append((patcher, writes, part_name))

        activate_key: str | None = None
        if plan.activate is not None:
            target = by_name.get(plan.activate.casefold())
            if target is None or not target.hidden:  # a hidden sheet is not activated
                activate_key = plan.activate.casefold()

        # Changes, in memory.
        drop_calc_chain = False
        for patcher, writes, part_name in patchers:
            if isinstance(patcher, TextPatcher):
                data, wrote, overwrote = patcher.apply(writes)
                if data != self.package.read(part_name):  # else (a refreshed file refreshed
                    self.put_deflating(part_name, data)  # again) copied as stored
            else:
                wrote, overwrote = patcher.apply(writes)
            drop_calc_chain = drop_calc_chain or wrote or overwrote
        patchers.clear()
        if plan.rendered is not None:
            mapper = RenderedStyles(etree.fromstring(plan.rendered.styles_xml, PARSER), self.styles)
            drop_calc_chain = self._splice_sheets(mapper, pairs, activate_key) or drop_calc_chain
        if activate_key is not None:
            self._activate(activate_key, {id(existing) for _, existing in pairs if existing})
        if plan.full_calc_on_load:
            self._full_calc_on_load()
        if drop_calc_chain:
            self._drop_calc_chain()
        self.drop_orphans(reachable_before)
        return self.entries(self.wb_name)

    def _check_replaceable(self, sheet: _Sheet, new_sheet: RenderedSheet) -> None:
        part_name = self._check_worksheet(sheet)
        root = self._sheet_root(part_name)
        protection = root.find(q("sheetProtection", ns_of(root)))
        if protection is not None and is_true(protection.get("sheet")) and not new_sheet.protected:
            raise UnsafeWorkbookError(
                f"Sheet '{sheet.name}' diproteksi (protected): buka proteksinya dulu (Review > "
                f"Unprotect Sheet), simpan, lalu coba lagi."
            )
        _, rels = self.rels(part_name)
        for rel in rels:
            what = RT_NOT_REPLACEABLE.get(rel.type)
            if what is not None:
                raise UnsafeWorkbookError(
                    f"Sheet '{sheet.name}' berisi {what} yang dirujuk bagian lain workbook: sheet "
                    f"ini tidak dapat dibuat ulang. Pindahkan {what} itu ke sheet lain dulu."
                )

    def _splice_sheets(
        self,
        mapper: RenderedStyles,
        pairs: list[tuple[RenderedSheet, _Sheet | None]],
        activate_key: str | None,
    ) -> bool:
        """Replace/append the rendered sheets; returns whether the calc chain must go."""
        maps = StyleMaps(mapper.xf, mapper.dxf)
        next_position = len(self.sheets)
        next_sheet_id = max((sheet.sheet_id for sheet in self.sheets), default=0) + 1
        drop_calc_chain = False
        for new_sheet, existing in pairs:
            key = new_sheet.title.casefold()
            if existing is not None and existing.part is not None:
                old_root = self._sheet_root(existing.part)
                ns = ns_of(old_root)
                properties = old_root.find(q("sheetPr", ns))
                code_name = None if properties is None else properties.get("codeName")
                if activate_key is not None:
                    selected = key == activate_key
                else:
                    selected = any(
                        is_true(view.get("tabSelected"))
                        for view in old_root.iter(q("sheetView", ns))
                    )
                part_name, position = existing.part, self.sheets.index(existing)
                drop_calc_chain = True
            else:
                code_name, selected = None, key == activate_key
                part_name, position = self._new_sheet_part(), next_position
                next_position += 1
                self._register_sheet(new_sheet.title, next_sheet_id, part_name)
                next_sheet_id += 1
            drop_calc_chain = True  # rendered sheets hold formulas
            sheet_rels_xml = new_sheet.rels
            drawing_id = None
            if new_sheet.drawing is not None:
                old_part = existing.part if existing is not None else None
                drawing_id, sheet_rels_xml = link_drawing(
                    self, part_name, old_part, sheet_rels_xml, new_sheet.drawing, new_sheet.charts
                )
            if new_sheet.stream is not None:  # deflated as it is written
                chunks = new_sheet.stream(maps, code_name, selected, drawing_id)
                old = self.package.cached(part_name) if existing is not None else None
                if old is None:
                    self.put(part_name, Deflated.of(chunks))
                elif (deflated := Deflated.unless_same(chunks, old)) is not None:
                    self.put(part_name, deflated)  # else rebuilt as it was: copied as stored
            else:
                xml = new_sheet.render(maps, code_name, selected)
                self.put(part_name, xml if drawing_id is None else with_drawing(xml, drawing_id))
            sheet_rels = rels_name(part_name)
            existing_rels = self.package.find(sheet_rels)
            if sheet_rels_xml is not None:
                self.put(existing_rels or sheet_rels, sheet_rels_xml)
                self.ensure_rels_default()
            elif existing_rels is not None:
                self.deleted.add(existing_rels)
            self._carry_defined_names(position, list(new_sheet.defined_names), existing is not None)
        return drop_calc_chain

    def _new_sheet_part(self) -> str:
        folder = posixpath.join(posixpath.dirname(self.wb_name), "worksheets")
        taken = set(self.package.by_lower) | {name.lower() for name in self.new_members}
        number = 1
        while f"{folder}/sheet{number}.xml".lower() in taken:
            number += 1
        return f"{folder}/sheet{number}.xml"

    def _register_sheet(self, title: str, sheet_id: int, part_name: str) -> None:
        """The new sheet's ``<sheet>`` entry, workbook relationship and content type."""
        assert self.wb_rels_part is not None
        used = {rel.id for rel in self.wb_rels}
        numbers = [int(rid[3:]) for rid in used if rid.startswith("rId") and rid[3:].isdigit()]
        number = max(numbers, default=0) + 1
        while f"rId{number}" in used:
            number += 1
        rel_id = f"rId{number}"
        relationship = etree.SubElement(self.wb_rels_part.root, q("Relationship", PKG_REL_NS))
        relationship.set("Id", rel_id)
        relationship.set("Type", RT_WORKSHEET)
        relationship.set("Target", relative_target(self.wb_name, part_name))
        self.wb_rels.append(Rel(rel_id, RT_WORKSHEET, part_name, False, relationship))
        self.wb_rels_part.dirty = True
        container = self.workbook.root.find(q("sheets"))
        assert container is not None
        entry = etree.SubElement(container, q("sheet"))
        entry.set("name", title)
        entry.set("sheetId", str(sheet_id))
        entry.set(q("id", R_NS), rel_id)
        self.workbook.dirty = True
        override = etree.SubElement(self.types.root, q("Override", CT_NS))
        override.set("PartName", "/" + part_name)
        override.set("ContentType", CT_WORKSHEET)
        self.types.dirty = True

    def _carry_defined_names(
        self, position: int, names: list[etree._Element], replaced: bool
    ) -> None:
        """Replace the sheet's built-in local names (print titles/area, filter) by the new ones."""
        root = self.workbook.root
        container = root.find(q("definedNames"))
        carried = {(name.get("name") or "").casefold() for name in names}
        if replaced and container is not None:
            for name in elements(container, "definedName"):
                label = (name.get("name") or "").casefold()
                if name.get("localSheetId") == str(position) and (
                    label.startswith("_xlnm.") or label in carried
                ):
                    container.remove(name)
                    self.workbook.dirty = True
            if not elements(container):
                root.remove(container)
                container = None
        if names:
            if container is None:
                container = etree.Element(q("definedNames"))
                insert_in_order(root, container, _WORKBOOK_ORDER)
            for name in names:
                copied = detached_copy(name)
                copied.set("localSheetId", str(position))
                container.append(copied)
            self.workbook.dirty = True

    def _activate(self, key: str, replaced_ids: set[int]) -> None:
        """Make sheet ``key`` the active tab and the only selected one."""
        root = self.workbook.root
        container = root.find(q("sheets"))
        entries = [] if container is None else elements(container, "sheet")
        position = next(
            index
            for index, entry in enumerate(entries)
            if (entry.get("name") or "").casefold() == key
        )
        views = root.find(q("bookViews"))
        if views is None:
            views = etree.Element(q("bookViews"))
            insert_in_order(root, views, _WORKBOOK_ORDER)
        view = views.find(q("workbookView"))
        if view is None:
            view = etree.SubElement(views, q("workbookView"))
        if view.get("activeTab") != str(position):
            view.set("activeTab", str(position))
            self.workbook.dirty = True
        first = view.get("firstSheet")
        if first is not None and first.isdigit() and int(first) > position:
            view.set("firstSheet", str(position))
            self.workbook.dirty = True
        for sheet in self.sheets:
            if id(sheet) in replaced_ids or sheet.part is None:
                continue
            selected = sheet.name.casefold() == key
            patched = self.output.get(sheet.part)
            if isinstance(patched, bytes):  # patched as text
                self.output[sheet.part] = set_tab_selected(patched, selected)
                continue
            if sheet.part not in self.parts:
                data = self.package.read(sheet.part)
                if not selected and b"tabSelected" not in data:
                    continue  # nothing to clear: leave the part unparsed and untouched
            part = self.part(sheet.part)
            for element in part.root.iter(q("sheetView", ns_of(part.root))):
                if selected and not is_true(element.get("tabSelected")):
                    element.set("tabSelected", "1")
                    part.dirty = True
                elif not selected and element.get("tabSelected") is not None:
                    del element.attrib["tabSelected"]
                    part.dirty = True

    def _full_calc_on_load(self) -> None:
        root = self.workbook.root
        calc = root.find(q("calcPr"))
        if calc is None:
            calc = etree.Element(q("calcPr"))
            insert_in_order(root, calc, _WORKBOOK_ORDER)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.workbook.dirty = True

    def _drop_calc_chain(self) -> None:
        assert self.wb_rels_part is not None
        for rel in list(self.wb_rels):
            if rel.type != RT_CALC_CHAIN:
                continue
            target = self.target(self.wb_name, rel)
            if target is not None:
                self.deleted.add(target)
            parent = rel.element.getparent()
            if parent is not None:
                parent.remove(rel.element)
            self.wb_rels.remove(rel)
            self.wb_rels_part.dirty = True


def _strict_error() -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        "Workbook disimpan sebagai 'Strict Open XML Spreadsheet': simpan ulang sebagai 'Excel "
        "Workbook (.xlsx)' biasa (File > Save As), lalu coba lagi."
    )
