"""Runs inside Pyodide (``tests/pyodide/run.mjs``): installs the wheels, then ``go()`` runs the
Lite buttons on the books in ``/books/*.json`` and writes figures, recorded actions and timings
to ``/out.json``. Not a test module: pytest never imports it (no ``test_`` prefix)."""

import glob
import json
import os
import site
import sys
import time
import zipfile

t0 = time.perf_counter()
os.environ["XLWINGS_ON_SERVER"] = "true"  # as in xlwings Lite: xlwings.script is the Office.js one
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
target = site.getsitepackages()[0]
for wheel in sorted(glob.glob("/wheels/*.whl")):  # pure wheels: unpacking is installing
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)

import importlib.util  # noqa: E402

import js  # noqa: E402
from pyodide.ffi import to_js  # noqa: E402

sys.path.insert(0, "/helpers")
import lite_client  # noqa: E402
import xlwings as xw  # noqa: E402
from xlwings.pro.udfs_officejs import custom_scripts_call  # noqa: E402

spec = importlib.util.spec_from_file_location("lite_main", "/lite/main.py")
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
from iku_excel import lite  # noqa: E402

start_s = time.perf_counter() - t0
TABLE = {}
#: Seconds spent in the stand-in client and its number of reads (Excel's share, not ours).
CLIENT = {"s": 0.0, "reads": 0}


def lite_range_data(sheet, address, keys):
    t = time.perf_counter()
    answer = lite_client.range_data(TABLE, sheet, address, keys.to_py())
    result = to_js(answer, dict_converter=js.Object.fromEntries)
    CLIENT["s"] += time.perf_counter() - t
    CLIENT["reads"] += 1
    return result


def figures(ev):
    return {
        "indicators": [[r.indicator.code, r.capaian, r.predicate] for r in ev.indicators],
        "findings": sorted([f.rule, f.sheet, f.cell] for f in ev.findings),
    }


async def run(case, script):
    TABLE.clear()
    TABLE.update(case["table"])
    book = xw.Book(json=case["payload"])
    js.ikuFlushedActions()  # start empty
    CLIENT.update(s=0.0, reads=0)
    t = time.perf_counter()
    await custom_scripts_call(main, script, typehint_to_value={xw.Book: book})
    seconds = time.perf_counter() - t
    actions = json.loads(str(js.ikuFlushedActions())) + book.json()["actions"]
    return actions, {"s": seconds, "client_s": CLIENT["s"], "reads": CLIENT["reads"]}


async def go():
    out = {"start_s": start_s, "platform": sys.platform, "books": {}}
    for path in sorted(glob.glob("/books/*.json")):
        with open(path, encoding="utf-8") as handle:
            case = json.load(handle)
        name = os.path.basename(path)[: -len(".json")]
        TABLE.clear()
        TABLE.update(case["table"])
        ev = await lite.check(xw.Book(json=case["payload"]))
        check_actions, check_s = await run(case, "periksa")
        refresh_actions, refresh_s = await run(case, "perbarui_capaian")
        out["books"][name] = {
            "figures": figures(ev),
            "check_actions": check_actions,
            "refresh_actions": refresh_actions,
            "check_s": check_s,
            "refresh_s": refresh_s,
        }
    forbidden = ("lxml", "python_calamine", "openpyxl", "pandas", "numpy", "click", "tqdm")
    out["loaded_forbidden"] = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    out["scripts"] = sorted(
        getattr(f, "__xlscript__", {}).get("name") or ""
        for f in vars(main).values()
        if hasattr(f, "__xlscript__")
    )
    with open("/out.json", "w", encoding="utf-8") as handle:
        json.dump(out, handle)
