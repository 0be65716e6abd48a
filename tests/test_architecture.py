"""The package's shape, held by tests: a module map that cannot drift, small modules and functions
(or a written reason), first docstring lines that say what a module owns, no import cycles."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "iku_excel"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: A long function carries this comment on the line above its ``def`` (or in its body's first
#: lines), followed by the reason.
LONG_REASON = re.compile(r"#\s*(long function|over 80 lines)\s*:\s*\S", re.IGNORECASE)
#: Modules allowed past MAX_MODULE_LINES, each with the reason.
LONG_MODULES: dict[str, str] = {}


def modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_every_module_is_in_the_developer_map() -> None:
    text = (ROOT / "docs" / "developer.md").read_text(encoding="utf-8")
    start = text.index("## Module map")
    block = text[start : text.index("```", text.index("```", start) + 3)]
    missing = []
    for path in modules():
        rel = path.relative_to(PACKAGE)
        if rel.name not in block or (len(rel.parts) > 1 and f"{rel.parts[-2]}/" not in block):
            missing.append(str(rel))
    assert missing == [], f"add these modules to the map in docs/developer.md: {missing}"


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_says_what_it_owns_and_stays_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source))
    assert doc and doc.strip(), "the module's first docstring line must say what it owns"
    lines = source.count("\n")
    rel = str(path.relative_to(PACKAGE))
    assert lines <= MAX_MODULE_LINES or rel in LONG_MODULES, f"{rel}: {lines} lines"


def long_functions_without_reason(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        length = node.end_lineno - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        first = min([d.lineno for d in node.decorator_list] + [node.lineno])
        around = "\n".join(lines[max(0, first - 3) : node.body[0].lineno + 3])
        if not LONG_REASON.search(around):
            out.append(f"{node.name} ({length} lines)")
    return out


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_long_functions_say_why(path: Path) -> None:
    assert long_functions_without_reason(path) == []


def top_level_imports(path: Path) -> set[str]:
    """The iku_excel modules ``path`` imports when it is imported (not lazily, not for types)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if isinstance(node, ast.Try) else [node]:
            if isinstance(sub, ast.Import):
                found.update(a.name for a in sub.names if a.name.startswith("iku_excel"))
            elif isinstance(sub, ast.ImportFrom):
                base = sub.module or ""
                if sub.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - sub.level + 1])
                    base = f"{base}.{sub.module}" if sub.module else base
                if base.startswith("iku_excel"):
                    found.add(base)
                    found.update(f"{base}.{a.name}" for a in sub.names)
    names = {module_name(p) for p in modules()}
    return {n for n in found if n in names and n != module_name(path)}


def test_no_import_cycles() -> None:
    graph = {module_name(p): top_level_imports(p) for p in modules()}
    # A package's __init__ importing its own submodules is not a cycle of concern.
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not d.startswith(name + ".")}
    seen: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for dep in sorted(graph.get(node, ())):
            if seen.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in seen:
                visit(dep, [*stack, dep])
        seen[node] = 2

    for name in sorted(graph):
        if name not in seen:
            visit(name, [name])
    assert cycles == []
