"""Tests of the IKU ribbon add-in: its build, its package, its VBA, and the installer.

The add-in ``macros/iku_excel.xlam`` is committed next to its text sources; these tests rebuild it
from the sources and check that the committed bytes equal the build, then read the build with
oletools' olevba (VBA), lxml (ribbon XML, package relationships) and zipfile. ``iku_excel.addin``
is tested against fake Windows/macOS home folders.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import xlwings
from click.testing import CliRunner
from lxml import etree
from oletools.olevba import VBA_Parser

from iku_excel import addin
from iku_excel.cli import EXIT_UNREADABLE, cli

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
COMMITTED_ADDIN = MACROS / "iku_excel.xlam"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "customUI14-subset.xsd"

CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_UI_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
ADDIN_MAIN_CT = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
#: The VBA modules xlwings' template brings and the build keeps.
TEMPLATE_MODULES = {"ThisWorkbook", "Sheet2", "Dictionary", "xlwings"}
#: Ribbon label -> the function of iku_excel.ribbon it must run.
EXPECTED_BUTTONS = {
    "Periksa": "check",
    "Perbarui Capaian": "refresh",
    "Adopsi Tabel": "adopt",
    "Templat Baru": "new_workbook",
    "Rekap Folder": "rekap_folder",
    "Bantuan": "help",
}
RIBBON_MODULE = "iku_excel.ribbon"

_RUN_PYTHON_COMMAND = re.compile(r'"import ([\w.]+); \1\.(\w+)\(\)"')
_PROCEDURE = re.compile(
    r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?Sub[ \t]+(\w+)[ \t]*\(([^)]*)\)"
    r"(.*?)^[ \t]*End Sub",
    re.I | re.M | re.S,
)
_RIBBON_SIGNATURE = re.compile(r"^(?:ByRef\s+)?control\s+As\s+IRibbonControl$", re.I)


# --- helpers and fixtures ------------------------------------------------------------------------


def _load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_addin", MACROS / "build_addin.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_addin() -> ModuleType:
    return _load_build_module()


@pytest.fixture(scope="module")
def built(build_addin: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The add-in built from the sources in macros/ into a temporary folder."""
    return build_addin.build(tmp_path_factory.mktemp("addin") / "iku_excel.xlam")


@pytest.fixture(scope="module")
def modules(built: Path) -> dict[str, str]:
    """VBA module name -> source, as olevba extracts them from the built add-in."""
    parser = VBA_Parser(str(built))
    try:
        return {
            name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
            for _, _, name, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _read(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(member)


def _custom_ui(path: Path) -> etree._Element:
    return etree.fromstring(_read(path, "customUI/customUI14.xml"))


def _buttons(custom_ui: etree._Element) -> list[etree._Element]:
    return custom_ui.findall(f".//{{{CUSTOM_UI_NS}}}button")


def _procedures(code: str) -> dict[str, tuple[str, str]]:
    """Sub name -> (parameter list, body) for every Sub of a VBA module."""
    return {m.group(1): (m.group(2).strip(), m.group(3)) for m in _PROCEDURE.finditer(code)}


def _ribbon_command(module_code: str, sub: str) -> tuple[str, str]:
    """The (Python module, function) a ribbon callback runs, checking how it gets there."""
    procedures = _procedures(module_code)
    assert sub in procedures, f"no Sub {sub}"
    params, body = procedures[sub]
    assert _RIBBON_SIGNATURE.match(params), f"{sub}({params}) is not a ribbon callback"
    commands = _RUN_PYTHON_COMMAND.findall(body)
    assert len(commands) == 1, f"{sub} must name exactly one Python command: {commands}"
    # The command string goes to RunPython, directly or through one helper of the module.
    first_statement = body.strip().split()[0]
    runner = body if first_statement == "RunPython" else procedures[first_statement][1]
    assert re.search(r"^\s*RunPython\s+\w+", runner, re.M), f"{sub} does not reach RunPython"
    return commands[0]


# --- the committed add-in is its sources, built --------------------------------------------------


def test_committed_addin_equals_a_build_of_its_sources(built: Path) -> None:
    assert COMMITTED_ADDIN.read_bytes() == built.read_bytes(), (
        "macros/iku_excel.xlam differs from its sources: run python macros/build_addin.py "
        f"(and check the installed xlwings {xlwings.__version__} and pyOpenVBA versions against "
        "macros/README.md)"
    )


def test_build_is_reproducible(build_addin: ModuleType, built: Path, tmp_path: Path) -> None:
    again = build_addin.build(tmp_path / "again.xlam")
    assert again.read_bytes() == built.read_bytes()


def test_zip_members_have_fixed_metadata(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {(i.date_time, i.create_system, i.external_attr) for i in infos} == {
        ((1980, 1, 1, 0, 0, 0), 0, 0o600 << 16)
    }


@pytest.mark.parametrize(
    ("file_name", "content", "problem"),
    [
        (
            "Bad.bas",
            'Attribute VB_Name = "Bad"\nSub X()\n  MsgBox "Sudah dicek \u2713"\nEnd Sub\n',
            "ASCII",
        ),
        ("Bad.bas", "Sub X()\nEnd Sub\n", "VB_Name"),
        ("Bad.bas", 'Attribute VB_Name = "Other"\nSub X()\nEnd Sub\n', "VB_Name"),
        ("xlwings.bas", 'Attribute VB_Name = "xlwings"\nSub X()\nEnd Sub\n', "replace"),
    ],
)
def test_build_rejects_bad_modules(
    build_addin: ModuleType, tmp_path: Path, file_name: str, content: str, problem: str
) -> None:
    (tmp_path / "customUI").mkdir()
    (tmp_path / "customUI" / "customUI14.xml").write_bytes(
        (MACROS / "customUI" / "customUI14.xml").read_bytes()
    )
    (tmp_path / file_name).write_text(content, encoding="utf-8")
    with pytest.raises(build_addin.BuildError, match=problem):
        build_addin.build(tmp_path / "out.xlam", macros_dir=tmp_path)


# --- VBA -----------------------------------------------------------------------------------------


def test_bas_sources_equal_the_extracted_modules(modules: dict[str, str]) -> None:
    sources = sorted(MACROS.glob("*.bas"))
    assert sources, "no .bas source in macros/"
    for path in sources:
        text = path.read_text(encoding="ascii").replace("\r\n", "\n")
        assert modules[path.stem].rstrip("\n") == text.rstrip("\n"), path.name


def test_modules_are_xlwings_modules_plus_ours(modules: dict[str, str]) -> None:
    ours = {path.stem for path in MACROS.glob("*.bas")}
    assert set(modules) == TEMPLATE_MODULES | ours  # the template's RibbonMyAddin is gone


def test_xlwings_module_declares_the_installed_version_and_our_project(
    modules: dict[str, str],
) -> None:
    code = modules["xlwings"]
    declared = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', code, re.M)
    project = re.search(r'^Public Const PROJECT_NAME As String = "([^"]+)"', code, re.M)
    assert declared is not None and project is not None
    assert declared.group(1) == addin.ADDIN_XLWINGS_VERSION == xlwings.__version__
    assert project.group(1) == addin.PROJECT_NAME
    assert re.search(r"^Public Function RunPython\(PythonCommand As String\)", code, re.M)


def test_every_onaction_runs_a_ribbon_function(built: Path, modules: dict[str, str]) -> None:
    buttons = _buttons(_custom_ui(built))
    commands: dict[str, tuple[str, str]] = {}
    for button in buttons:
        module_name, _, sub = button.get("onAction", "").partition(".")
        assert module_name in modules, f"onAction {button.get('onAction')!r}: no such module"
        commands[button.get("label", "")] = _ribbon_command(modules[module_name], sub)
    assert commands == {label: (RIBBON_MODULE, f) for label, f in EXPECTED_BUTTONS.items()}


def test_ribbon_functions_exist_in_python() -> None:
    if importlib.util.find_spec(RIBBON_MODULE) is None:
        pytest.skip("iku_excel.ribbon not built yet")
    ribbon = importlib.import_module(RIBBON_MODULE)
    missing = [
        name for name in EXPECTED_BUTTONS.values() if not callable(getattr(ribbon, name, None))
    ]
    assert missing == []


def test_callback_guards_unsaved_workbook_and_clears_status_bar(modules: dict[str, str]) -> None:
    # Every Sub that calls RunPython sets the status bar before and clears it on both exits.
    runners = [
        body
        for name, (_, body) in _procedures(modules["IKURibbon"]).items()
        if re.search(r"^\s*RunPython\s", body, re.M)
    ]
    assert len(runners) == 1
    body = runners[0]
    assert re.search(r"\.Path = vbNullString", body)
    assert body.index("On Error GoTo") < body.index("RunPython")
    assert len(re.findall(r"Application\.StatusBar = False", body)) == 2


# --- ribbon XML ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def test_ribbon_validates_against_the_schema(built: Path, schema: etree.XMLSchema) -> None:
    custom_ui = _custom_ui(built)
    assert schema.validate(custom_ui), schema.error_log
    assert [b.get("label") for b in _buttons(custom_ui)] == list(EXPECTED_BUTTONS)
    tab = custom_ui.find(f".//{{{CUSTOM_UI_NS}}}tab")
    assert tab is not None and tab.get("label") == "IKU"


def _set_first(tag: str, attribute: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        element = root.find(f".//{{{CUSTOM_UI_NS}}}{tag}")
        assert element is not None
        element.set(attribute, value)

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set_first("button", "size", "huge"),
        _set_first("button", "id", "ikuTab"),  # ids must be unique
        _set_first("button", "onClick", "IKURibbon.Periksa"),
        _set_first("tab", "keytip", "IKUX"),
        _set_first("button", "label", ""),
    ],
)
def test_schema_rejects_invalid_ribbons(
    built: Path, schema: etree.XMLSchema, change: Callable[[etree._Element], None]
) -> None:
    custom_ui = _custom_ui(built)
    change(custom_ui)
    assert not schema.validate(custom_ui)


# --- package -------------------------------------------------------------------------------------


def _relationships(path: Path, member: str) -> list[dict[str, str]]:
    root = etree.fromstring(_read(path, member))
    return [dict(rel.attrib) for rel in root.findall(f"{{{RELS_NS}}}Relationship")]


def test_package_relates_the_2010_ribbon_part_only(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        names = set(package.namelist())
    rels = _relationships(built, "_rels/.rels")
    ribbon = [r for r in rels if r["Type"] in (REL_UI_2010, REL_UI_2007)]
    assert ribbon == [
        {"Id": ribbon[0]["Id"], "Type": REL_UI_2010, "Target": "customUI/customUI14.xml"}
    ]
    assert "customUI/customUI.xml" not in names
    assert [r["Target"] for r in rels if r["Type"] == REL_OFFICE_DOCUMENT] == ["xl/workbook.xml"]
    assert len({r["Id"] for r in rels}) == len(rels)
    for rels_part, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
        for rel in _relationships(built, rels_part):
            assert base + rel["Target"] in names, f"{rels_part}: {rel['Target']} is missing"
    assert _custom_ui(built).tag == f"{{{CUSTOM_UI_NS}}}customUI"


def test_content_types_cover_every_part(built: Path) -> None:
    root = etree.fromstring(_read(built, "[Content_Types].xml"))
    defaults = {
        str(d.get("Extension")): d.get("ContentType") for d in root.iter(f"{{{CT_NS}}}Default")
    }
    overrides = {
        str(o.get("PartName")): o.get("ContentType") for o in root.iter(f"{{{CT_NS}}}Override")
    }
    assert overrides["/xl/workbook.xml"] == ADDIN_MAIN_CT
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    # The ribbon part is plain XML ([MS-CUSTOMUI2]): covered by the xml default, no override.
    assert defaults["xml"] == "application/xml"
    assert not any("customUI" in part for part in overrides)
    with zipfile.ZipFile(built) as package:
        for name in package.namelist():
            if name == "[Content_Types].xml":
                continue
            assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name


def test_settings_sheet_follows_the_project_name(built: Path) -> None:
    workbook = etree.fromstring(_read(built, "xl/workbook.xml"))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheets = [s.get("name") for s in workbook.iter(f"{{{main}}}sheet")]
    assert sheets == [f"_{addin.PROJECT_NAME}.conf"]


# --- iku_excel.addin -----------------------------------------------------------------------------


@pytest.fixture
def fake_xlam(tmp_path: Path) -> Path:
    path = tmp_path / "source" / addin.ADDIN_NAME
    path.parent.mkdir()
    path.write_bytes(b"PK fake add-in")
    return path


@pytest.fixture
def windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake Windows user on which Excel has run once; yields %APPDATA%."""
    appdata = tmp_path / "Users" / "planner" / "AppData" / "Roaming"
    (appdata / "Microsoft" / "Excel").mkdir(parents=True)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(appdata))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Users" / "planner"))
    monkeypatch.delenv("CONDA_DEFAULT_ENV", raising=False)
    monkeypatch.delenv("CONDA_EXE", raising=False)
    yield appdata


@pytest.fixture
def macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake macOS user with Office installed; yields the home folder."""
    home = tmp_path / "Users" / "planner"
    (home / "Library" / "Group Containers" / "UBF8T346G9.Office").mkdir(parents=True)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(home))
    yield home


def test_windows_install_status_remove(windows: Path, fake_xlam: Path) -> None:
    xlstart = windows / "Microsoft" / "Excel" / "XLSTART"
    conf = windows.parents[1] / ".iku_excel" / "iku_excel.conf"
    assert addin.status() == addin.AddinStatus(False, xlstart / addin.ADDIN_NAME, conf)

    installed = addin.install(fake_xlam, interpreter=r"C:\Python311\python.exe")

    assert installed == xlstart / addin.ADDIN_NAME
    assert installed.read_bytes() == fake_xlam.read_bytes()
    assert conf.read_text() == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'
    assert addin.status().installed is True
    assert addin.remove() == installed
    assert not installed.exists()
    assert addin.status().installed is False
    assert addin.remove() is None
    assert conf.exists()  # the user's settings stay


def test_windows_keeps_existing_settings(windows: Path, fake_xlam: Path) -> None:
    conf = addin.config_path()
    conf.parent.mkdir(parents=True)
    conf.write_text('"INTERPRETER_WIN","D:\\own\\python.exe"\n')
    addin.install(fake_xlam, interpreter=r"C:\Python311\python.exe")
    assert conf.read_text() == '"INTERPRETER_WIN","D:\\own\\python.exe"\n'
    addin.configure(r"C:\Python311\python.exe", overwrite=True)
    assert conf.read_text() == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'


def test_windows_conda_settings(
    windows: Path, fake_xlam: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONDA_DEFAULT_ENV", "iku")
    monkeypatch.setenv("CONDA_EXE", r"C:\Users\planner\miniconda3\Scripts\conda.exe")
    addin.install(fake_xlam)
    assert addin.config_path().read_text() == (
        '"CONDA PATH","C:\\Users\\planner\\miniconda3"\n"CONDA ENV","iku"\n'
    )


def test_windows_without_excel_folder(windows: Path, fake_xlam: Path) -> None:
    (windows / "Microsoft" / "Excel").rmdir()
    with pytest.raises(addin.ExcelNotAvailable):
        addin.install(fake_xlam)
    with pytest.raises(addin.ExcelNotAvailable):
        addin.status()


def test_macos_install_status_remove(macos: Path, fake_xlam: Path) -> None:
    startup = macos / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel"
    conf = macos / "Library/Containers/com.microsoft.Excel/Data/iku_excel.conf"

    installed = addin.install(fake_xlam, interpreter="/opt/iku/bin/python")

    assert installed == startup / addin.ADDIN_NAME
    assert installed.read_bytes() == fake_xlam.read_bytes()
    assert conf.read_text() == '"INTERPRETER_MAC","/opt/iku/bin/python"\n'
    script = (
        macos
        / "Library/Application Scripts/com.microsoft.Excel"
        / f"xlwings-{xlwings.__version__}.applescript"
    )
    shipped = Path(xlwings.__file__).parent / script.name
    assert script.read_bytes() == shipped.read_bytes()
    assert addin.status() == addin.AddinStatus(True, installed, conf)
    assert addin.remove() == installed
    assert addin.status().installed is False


def test_macos_refuses_other_xlwings_version(
    macos: Path, fake_xlam: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addin, "ADDIN_XLWINGS_VERSION", "0.0.1")
    with pytest.raises(addin.AddinError):
        addin.install(fake_xlam)
    assert addin.status().installed is False


@pytest.mark.parametrize("call", [addin.install, addin.remove, addin.status, addin.config_path])
def test_linux_has_no_excel(
    call: Callable[[], object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(addin.ExcelNotAvailable):
        call()
    assert list(tmp_path.iterdir()) == []


def test_missing_source_is_reported(windows: Path, tmp_path: Path) -> None:
    with pytest.raises(addin.AddinError):
        addin.install(tmp_path / "nowhere.xlam")


def test_default_addin_file_is_the_built_one() -> None:
    assert addin.default_addin_file().read_bytes() == COMMITTED_ADDIN.read_bytes()


def test_packaged_addin_is_the_built_one() -> None:
    """The wheel ships iku_excel/data/iku_excel.xlam: it must equal macros/iku_excel.xlam."""
    root = Path(__file__).resolve().parent.parent
    packaged = root / "iku_excel" / "data" / "iku_excel.xlam"
    assert packaged.read_bytes() == (root / "macros" / "iku_excel.xlam").read_bytes(), (
        "run: cp macros/iku_excel.xlam iku_excel/data/"
    )


@pytest.mark.parametrize("found", [None, "0.30.0"])
def test_install_says_what_to_run_without_the_right_xlwings(
    windows: Path, fake_xlam: Path, monkeypatch: pytest.MonkeyPatch, found: str | None
) -> None:
    monkeypatch.setattr(addin, "installed_xlwings_version", lambda: found)
    result = CliRunner().invoke(cli, ["addin", "install"])
    assert result.exit_code == EXIT_UNREADABLE
    (line,) = result.stderr.strip().splitlines()
    assert 'pip install "iku-excel[excel]"' in line and addin.ADDIN_XLWINGS_VERSION in line
    assert "Traceback" not in result.output
    assert addin.status().installed is False


def test_installed_xlwings_version_reads_the_distribution_without_importing_it() -> None:
    assert addin.installed_xlwings_version() == xlwings.__version__
    addin.check_xlwings()  # the test environment has the add-in's version
