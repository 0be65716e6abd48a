// Runs a Python driver inside Pyodide under node, offline: the Pyodide distribution comes from
// the npm package's folder, the Python packages from local wheel files.
// Usage: node run.mjs CONFIG.json
// CONFIG: {"pyodide_dir", "wheels": [paths], "files": {"/pyodide/path": "local path"},
//          "driver": "local path of a .py file", "output": "local path for the driver's JSON"}
// The driver writes its result to /out.json; the fake Lite client answers getRangeData through
// the Python function the driver registers as `lite_range_data` (tests/helpers/lite_client.py).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const started = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(config.pyodide_dir, "pyodide.mjs")));
const pyodide = await loadPyodide({ indexURL: config.pyodide_dir + path.sep });
const loaded = performance.now();

pyodide.FS.mkdirTree("/wheels");
for (const wheel of config.wheels) {
  pyodide.FS.writeFile("/wheels/" + path.basename(wheel), fs.readFileSync(wheel));
}
for (const [target, source] of Object.entries(config.files)) {
  pyodide.FS.mkdirTree(path.posix.dirname(target));
  pyodide.FS.writeFile(target, fs.readFileSync(source));
}

// What xlwings Lite's task pane offers Python as `js.xlwings` (the parts the scripts use).
const flushed = [];
globalThis.xlwings = {
  getRangeData: async (sheet, address, keys) =>
    pyodide.globals.get("lite_range_data")(sheet, address, keys),
  runActions: async (payload) => {
    flushed.push(...payload.actions);
  },
};
// The actions flushed to "Excel" since the last call (a read flushes the queued writes).
globalThis.ikuFlushedActions = () => JSON.stringify(flushed.splice(0));

await pyodide.runPythonAsync(fs.readFileSync(config.driver, "utf8"));
await pyodide.runPythonAsync("await go()");
const result = JSON.parse(new TextDecoder().decode(pyodide.FS.readFile("/out.json")));
result.node = { load_pyodide_s: (loaded - started) / 1000, total_s: (performance.now() - started) / 1000 };
fs.writeFileSync(config.output, JSON.stringify(result));
