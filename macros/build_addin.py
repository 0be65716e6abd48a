"""Build the IKU ribbon add-in ``macros/iku_excel.xlam`` from its text sources, without Excel.

Run ``python macros/build_addin.py`` (any OS) after editing a source; commit the sources and the
rebuilt add-in together (``tests/test_addin.py`` fails when they drift apart). The build needs
the ``addin`` and ``excel`` extras: ``pip install -e ".[addin,excel]"``. When upgrading xlwings,
change its pin in ``setup.cfg`` (the ``excel`` extra) and ``iku_excel.addin.ADDIN_XLWINGS_VERSION``
together.

Inputs:

- xlwings' BSD-licensed ``quickstart_addin_ribbon.xlam`` from the *installed* xlwings package. Its
  VBA modules ``xlwings`` (``RunPython``) and ``Dictionary`` are kept as xlwings ships them,
  except that the ``xlwings`` module's ``PROJECT_NAME`` becomes ``iku_excel`` (xlwings' documented
  way to rename a custom add-in: its settings then live in ``iku_excel.conf``). The module
  declares the xlwings version, which must equal the version of the xlwings package that
  RunPython runs (on macOS the AppleScript it calls is named after it).
- ``macros/*.bas``: our standard VBA modules (the ribbon callbacks), written with pyOpenVBA. The
  template's ``RibbonMyAddin`` module is removed.
- ``macros/customUI/customUI14.xml``: the ribbon (Office 2010+ namespace
  ``http://schemas.microsoft.com/office/2009/07/customui``, related from the package with
  ``http://schemas.microsoft.com/office/2007/relationships/ui/extensibility``). The template's
  ``customUI/customUI.xml`` part and its relationship are removed.

The build is reproducible: line endings of the sources are normalised, the zip is written anew
with fixed member order, timestamps (1980-01-01), attributes and compression level, so the same
inputs give the same bytes. "Same inputs" includes the versions of xlwings and pyOpenVBA (and the
zlib behind Python's ``zlib`` module); ``macros/README.md`` records the ones used.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

try:
    import xlwings
    from pyopenvba import ExcelFile
except ImportError as missing:  # the optional extras
    sys.exit(f'build_addin.py needs {missing.name}: pip install -e ".[addin,excel]"')

MACROS_DIR = Path(__file__).resolve().parent
DEFAULT_OUTPUT = MACROS_DIR / "iku_excel.xlam"
CUSTOM_UI_SOURCE = MACROS_DIR / "customUI" / "customUI14.xml"

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
XLWINGS_MODULE = "xlwings"
PROJECT_NAME_TEMPLATE = 'Public Const PROJECT_NAME As String = "myaddin"'
PROJECT_NAME_IKU = 'Public Const PROJECT_NAME As String = "iku_excel"'
#: The add-in's own (inactive) xlwings settings sheet, renamed to follow PROJECT_NAME.
CONF_SHEET_TEMPLATE = b'name="_myaddin.conf"'
CONF_SHEET_IKU = b'name="_iku_excel.conf"'

WORKBOOK_PART = "xl/workbook.xml"
PACKAGE_RELS_PART = "_rels/.rels"
CONTENT_TYPES_PART = "[Content_Types].xml"
CUSTOM_UI_PART = "customUI/customUI14.xml"
OLD_CUSTOM_UI_PART = "customUI/customUI.xml"
CUSTOM_UI_RELATIONSHIP_ID = "rIdIkuRibbon"
REL_CUSTOM_UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_CUSTOM_UI_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
CUSTOM_UI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
RELATIONSHIPS_NAMESPACE = "http://schemas.openxmlformats.org/package/2006/relationships"

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_COMPRESSLEVEL = 6
ZIP_EXTERNAL_ATTR = 0o600 << 16

_XLWINGS_VERSION_RE = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)
_VB_NAME_RE = re.compile(r'\AAttribute VB_Name = "([^"]+)"\n')


class BuildError(Exception):
    """The sources or the template are not what the build expects."""


@dataclass(frozen=True)
class Sources:
    """Everything the add-in is built from, read and normalised."""

    template: bytes
    modules: dict[str, str]  # module name -> source with LF line endings
    custom_ui: bytes


def template_path() -> Path:
    """The ribbon add-in template shipped inside the installed xlwings package."""
    return Path(xlwings.__file__).resolve().parent / TEMPLATE_NAME


def normalise_text(raw: bytes, source: Path) -> str:
    """Decode a text source as ASCII (VBA stores code page 1252) with LF line endings."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{source}: only ASCII text is allowed ({exc})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def read_sources(macros_dir: Path = MACROS_DIR) -> Sources:
    """Read the template, the ``*.bas`` modules and the ribbon XML."""
    modules: dict[str, str] = {}
    for path in sorted(macros_dir.glob("*.bas")):
        text = normalise_text(path.read_bytes(), path)
        match = _VB_NAME_RE.match(text)
        if match is None or match.group(1) != path.stem:
            raise BuildError(f'{path}: the first line must be Attribute VB_Name = "{path.stem}"')
        modules[path.stem] = text
    if not modules:
        raise BuildError(f"no .bas module in {macros_dir}")
    custom_ui_path = macros_dir / "customUI" / "customUI14.xml"
    custom_ui = normalise_text(custom_ui_path.read_bytes(), custom_ui_path).encode("ascii")
    root = etree.fromstring(custom_ui)
    if root.tag != f"{{{CUSTOM_UI_NAMESPACE}}}customUI":
        raise BuildError(f"{custom_ui_path}: root must be customUI in {CUSTOM_UI_NAMESPACE}")
    return Sources(template_path().read_bytes(), modules, custom_ui)


def crlf(text: str) -> str:
    """VBA keeps module source with CRLF line endings."""
    return text.replace("\n", "\r\n")


def patch_xlwings_module(source: str) -> str:
    """Rename the add-in's xlwings project and check the version it declares."""
    match = _XLWINGS_VERSION_RE.search(source)
    if match is None:
        raise BuildError("the template's xlwings module declares no XLWINGS_VERSION")
    if match.group(1) != xlwings.__version__:
        raise BuildError(
            f"the template declares xlwings {match.group(1)}, the installed package is "
            f"{xlwings.__version__}"
        )
    if source.count(PROJECT_NAME_TEMPLATE) != 1:
        raise BuildError(f"the template's xlwings module lacks {PROJECT_NAME_TEMPLATE!r}")
    return source.replace(PROJECT_NAME_TEMPLATE, PROJECT_NAME_IKU)


def write_vba(template: bytes, modules: dict[str, str], workdir: Path) -> bytes:
    """Return the template package with our VBA modules in it (written by pyOpenVBA)."""
    source_path = workdir / "template.xlam"
    target_path = workdir / "with_vba.xlam"
    source_path.write_bytes(template)
    with ExcelFile(source_path) as book:
        project = book.vba_project()
        existing = {name.casefold() for name in project.module_names()}
        for required in (TEMPLATE_RIBBON_MODULE, XLWINGS_MODULE):
            if required.casefold() not in existing:
                raise BuildError(f"the template has no VBA module {required!r}")
        book.set_module(XLWINGS_MODULE, patch_xlwings_module(book.get_module(XLWINGS_MODULE)))
        project.delete_module(TEMPLATE_RIBBON_MODULE)
        existing.discard(TEMPLATE_RIBBON_MODULE.casefold())
        for name, text in modules.items():
            if name.casefold() in existing:
                raise BuildError(f"module {name!r} would replace one of xlwings' modules")
            project.add_module(name, crlf(text))
        book.save(target_path)
    return target_path.read_bytes()


def rewrite_package_rels(rels: bytes) -> bytes:
    """Drop every ribbon relationship and relate the 2010 ribbon part instead."""
    root = etree.fromstring(rels)
    tag = f"{{{RELATIONSHIPS_NAMESPACE}}}Relationship"
    for rel in root.findall(tag):
        if rel.get("Type") in (REL_CUSTOM_UI_2007, REL_CUSTOM_UI_2010):
            root.remove(rel)
    if any(rel.get("Id") == CUSTOM_UI_RELATIONSHIP_ID for rel in root.findall(tag)):
        raise BuildError(f"relationship id {CUSTOM_UI_RELATIONSHIP_ID} is taken")
    etree.SubElement(
        root,
        tag,
        Id=CUSTOM_UI_RELATIONSHIP_ID,
        Type=REL_CUSTOM_UI_2010,
        Target=CUSTOM_UI_PART,
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rename_conf_sheet(workbook_xml: bytes) -> bytes:
    """Rename the add-in's inactive settings sheet ``_myaddin.conf`` to ``_iku_excel.conf``."""
    if workbook_xml.count(CONF_SHEET_TEMPLATE) != 1:
        raise BuildError("the template's workbook.xml has no _myaddin.conf sheet")
    return workbook_xml.replace(CONF_SHEET_TEMPLATE, CONF_SHEET_IKU)


def repack(package: bytes, custom_ui: bytes) -> bytes:
    """Write the package anew: ribbon parts swapped, fixed member metadata (reproducible)."""
    members: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        names = source.namelist()
        if CONTENT_TYPES_PART not in names:
            raise BuildError(f"the template has no {CONTENT_TYPES_PART}")
        # Content types first, as Office writes it; the other parts keep the template's order.
        names.remove(CONTENT_TYPES_PART)
        for name in [CONTENT_TYPES_PART, *names]:
            data = source.read(name)
            if name in (OLD_CUSTOM_UI_PART, CUSTOM_UI_PART):
                continue
            if name == PACKAGE_RELS_PART:
                data = rewrite_package_rels(data)
            elif name == WORKBOOK_PART:
                data = rename_conf_sheet(data)
            members.append((name, data))
    members.append((CUSTOM_UI_PART, custom_ui))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system = 0  # MS-DOS, whatever OS builds it
            # Python >= 3.11 writes 0o600 << 16 when this is 0; fix it for every version.
            info.external_attr = ZIP_EXTERNAL_ATTR
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=ZIP_COMPRESSLEVEL)
    return buffer.getvalue()


def build_bytes(sources: Sources) -> bytes:
    """The add-in's bytes for the given sources."""
    with tempfile.TemporaryDirectory(prefix="iku_addin_") as tmp:
        package = write_vba(sources.template, sources.modules, Path(tmp))
    return repack(package, sources.custom_ui)


def build(output: Path = DEFAULT_OUTPUT, macros_dir: Path = MACROS_DIR) -> Path:
    """Build the add-in from the sources in ``macros_dir`` into ``output``; return ``output``."""
    data = build_bytes(read_sources(macros_dir))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return output


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="default: %(default)s"
    )
    args = parser.parse_args(argv)
    try:
        path = build(args.output)
    except BuildError as exc:
        print(f"build_addin: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} (xlwings {xlwings.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
