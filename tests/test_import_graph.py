"""The package's structure: no import circle, lazy imports included, and no module too long to read.

Every ``import`` and ``from ... import`` statement of ``src/subtrans`` counts,
at module level or inside a function (a lazy import is still a dependency).
Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``, so an edge to a
module is an edge to its packages too (except those the importing module sits
in, which are already running). Two views must be free of cycles:

- modules: no module depends on itself through others;
- areas: the package's first-level modules and subpackages (``subtrans.qa``,
  ``subtrans.mt``, ``subtrans.cli`` ...), so that no area reaches into one that
  reaches back.

Implementations that a registry names as ``"module:Class"`` strings (the MT
backends, the CLI's command groups, the package's lazy names) are found by
name when asked for and are not imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "subtrans"
MAX_LINES = 800


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, package)
    return found


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of this package it imports (and the packages that import runs)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        here = name if package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[:len(here.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target in modules:
                    for alias in node.names:
                        sub = f"{target}.{alias.name}"
                        targets.add(sub if sub in modules else target)
        edges = set(targets)
        for t in targets:
            edges |= {a for a in _ancestors(t) if a not in _ancestors(name) and a != name}
        edges.discard(name)
        graph[name] = edges
    return graph


def _area(name: str) -> str:
    return ".".join(name.split(".")[:2])


def area_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    areas: dict[str, set[str]] = {}
    for name, targets in graph.items():
        areas.setdefault(_area(name), set()).update(_area(t) for t in targets if _area(t) != _area(name))
    return areas


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "subtrans.formats" in graph["subtrans.checking"]                  # top level, relative
    assert "subtrans.lang.units" in graph["subtrans.qa.rules.parity"]        # inside a function
    assert "subtrans.lang" in graph["subtrans.qa.rules.parity"]              # ... and its package


@pytest.mark.parametrize("view", ["modules", "areas"])
def test_no_import_circle(view):
    graph = import_graph()
    if view == "areas":
        graph = area_graph(graph)
    assert cycles(graph) == []


def test_check_side_never_reaches_the_pipeline():
    """What `subtrans check` runs (the QA rules, formats, reports, profiles, glossaries) depends on no
    translation code, lazily or not."""
    graph = import_graph()
    reach: set[str] = set()
    todo = ["subtrans.checking", "subtrans.qa", "subtrans.reports"]
    while todo:
        m = todo.pop()
        if m not in reach:
            reach.add(m)
            todo.extend(graph.get(m, ()))
    assert not {m for m in reach if m.startswith(("subtrans.pipeline", "subtrans.translating", "subtrans.mt"))}


def test_no_module_is_too_long_to_read():
    long = {str(path.relative_to(SRC)): n for path, _ in _modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
