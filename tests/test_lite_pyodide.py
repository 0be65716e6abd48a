"""The xlwings Lite path inside Pyodide (node, offline), against CPython's run of the same.

The project's wheel and xlwings' pure wheel are loaded from local files into the Pyodide of the
``pyodide`` npm package at :data:`PYODIDE_VERSION` (the version xlwings Lite runs); nothing else
is installed, and the Pyodide CDN is never reached, so a compiled dependency on the Lite path
would fail here. ``lite/main.py``'s scripts run through xlwings' ``custom_scripts_call`` on the
example, the percent-formatted fixture and a generated 2,000-indicator workbook; the fake Lite
client (``tests/helpers/lite_client.py``) answers the async format and formula reads in both
runs. Figures and recorded actions must equal CPython's.

``.ci/run`` installs node (Debian ``nodejs``) and the npm package into
``~/.cache/iku-excel-pyodide`` (``IKU_PYODIDE_DIR`` points elsewhere); without them the test is
skipped with the reason. Timings are printed (``-s``) and recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import asyncio
import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlwings
from packaging.requirements import Requirement

from iku_excel import lite
from tests.helpers import lite_client
from tests.helpers.xlwings_replay import enable_remote_engine, payload
from tests.test_lite import EXAMPLE, PERCENT, figures, load_main, run_script

pytestmark = [pytest.mark.pyodide, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
#: The Pyodide xlwings Lite runs (``.ci/run`` installs the same npm version).
PYODIDE_VERSION = "314.0.7"
CACHE = Path(os.environ.get("IKU_PYODIDE_CACHE", Path.home() / ".cache" / "iku-excel-pyodide"))
PYODIDE_DIR = Path(os.environ.get("IKU_PYODIDE_DIR", CACHE / "node_modules" / "pyodide"))
#: What the wheel may carry: Python source and data, nothing compiled.
COMPILED = (".so", ".pyd", ".dll", ".dylib", ".wasm")


def _pyodide_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (.ci/run installs Debian's nodejs)")
    package = PYODIDE_DIR / "package.json"
    if not package.exists():
        pytest.skip(f"no pyodide npm package in {PYODIDE_DIR} (.ci/run installs it)")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    if version != PYODIDE_VERSION:
        pytest.skip(f"pyodide {version} in {PYODIDE_DIR}, not {PYODIDE_VERSION}")
    return node


def _xlwings_wheel() -> Path:
    """xlwings' pure wheel at the installed version (cached; downloaded once)."""
    folder = CACHE / "wheels"
    name = f"xlwings-{xlwings.__version__}-py3-none-any.whl"
    if not (folder / name).exists():
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
                *("--only-binary=:all:", "--platform", "any", "-d", str(folder)),
                f"xlwings=={xlwings.__version__}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not (folder / name).exists():
            pytest.skip(f"xlwings' pure wheel is not cached and cannot be downloaded: {name}")
    return folder / name


def _our_wheel(tmp: Path) -> Path:
    """The project's wheel, built from a copy of the sources (the worktree stays clean)."""
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "iku_excel", src / "iku_excel", ignore=ignore)
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    build = [*command, "--no-build-isolation", "-w", str(tmp / "dist"), str(src)]
    if subprocess.run(build, capture_output=True, check=False).returncode != 0:
        # no `wheel` package here: let pip fetch the build requirements (pyproject.toml)
        isolated = [*command, "-w", str(tmp / "dist"), str(src)]
        subprocess.run(isolated, capture_output=True, check=True)
    (wheel,) = (tmp / "dist").glob("iku_excel-*.whl")
    return wheel


def _check_wheel_is_pure(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(archive.read(meta_name))
        tag = archive.read(meta_name.replace("METADATA", "WHEEL")).decode()
    assert not [n for n in names if n.endswith(COMPILED)]
    assert "Tag: py3-none-any" in tag
    emscripten = {"sys_platform": "emscripten", "platform_system": "Emscripten", "extra": ""}
    pulled = [
        r
        for r in map(Requirement, meta.get_all("Requires-Dist") or [])
        if r.marker is None or r.marker.evaluate(emscripten)
    ]
    assert pulled == []  # micropip would fetch nothing besides the wheel itself


def _case(path: Path) -> dict[str, Any]:
    return {"payload": payload(path), "table": lite_client.table_from_file(path)}


def _cpython(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the Pyodide run must reproduce: figures and the two scripts' recorded actions."""
    lite_client.install(monkeypatch, path)
    main = load_main(monkeypatch)
    ev = asyncio.run(lite.check(xlwings.Book(json=payload(path))))
    assert ev is not None
    out: dict[str, Any] = {"figures": json.loads(json.dumps(_figures(ev)))}
    for key, script in (("check_actions", "periksa"), ("refresh_actions", "perbarui_capaian")):
        book = xlwings.Book(json=payload(path))
        run_script(main, script, book)
        out[key] = json.loads(json.dumps(book.json()["actions"]))
    return out


def _figures(ev: Any) -> dict[str, Any]:
    indicators, findings = figures(ev)
    return {"indicators": indicators, "findings": findings}


def test_the_lite_path_in_pyodide_equals_cpython(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = _pyodide_or_skip()
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    enable_remote_engine()
    from benchmarks.generate import generate_workbook

    big = tmp_path / "generated-2000.xlsx"
    generate_workbook(big, 2000)
    books = {"example": EXAMPLE, "percent": PERCENT, "generated-2000": big}
    wheels = [_our_wheel(tmp_path), _xlwings_wheel()]
    _check_wheel_is_pure(wheels[0])
    files = {
        "/lite/main.py": str(ROOT / "lite" / "main.py"),
        "/helpers/lite_client.py": str(ROOT / "tests" / "helpers" / "lite_client.py"),
    }
    for name, path in books.items():
        case = tmp_path / f"{name}.json"
        case.write_text(json.dumps(_case(path)), encoding="utf-8")
        files[f"/books/{name}.json"] = str(case)
    config = tmp_path / "config.json"
    output = tmp_path / "out.json"
    config.write_text(
        json.dumps(
            {
                "pyodide_dir": str(PYODIDE_DIR),
                "wheels": [str(w) for w in wheels],
                "files": files,
                "driver": str(ROOT / "tests" / "pyodide" / "driver.py"),
                "output": str(output),
            }
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [node, str(ROOT / "tests" / "pyodide" / "run.mjs"), str(config)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    got = json.loads(output.read_text(encoding="utf-8"))
    assert got["platform"] == "emscripten"
    assert got["loaded_forbidden"] == []
    assert "Perbarui Capaian" in got["scripts"] and "Periksa" in got["scripts"]
    for name, path in books.items():
        expected = _cpython(path, monkeypatch)
        ran = got["books"][name]
        assert ran["figures"] == expected["figures"], name
        assert ran["check_actions"] == expected["check_actions"], name
        assert ran["refresh_actions"] == expected["refresh_actions"], name
    timings = {
        "load_pyodide_s": got["node"]["load_pyodide_s"],
        "start_s (wheels + imports)": got["start_s"],
        "node_total_s": got["node"]["total_s"],
    }
    for name in books:
        for script in ("check", "refresh"):
            timings[f"{script} {name}"] = got["books"][name][f"{script}_s"]
    print("\npyodide timings:", json.dumps(timings, indent=1))
