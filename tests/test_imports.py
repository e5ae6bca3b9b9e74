"""The project's own modules import one way (DESIGN.md, "Layout").

The core (``pokerrt/realtime``, ``accounts``, ``timers``) imports no app;
``lobby`` imports no other app; ``tables`` imports ``lobby``; ``tournament``
imports both; ``pokerrt/demo`` sits above them all and nothing imports it.
And no module imports itself back through others: a cycle is two modules
that cannot be understood, tested or split one without the other.

Imports are read with ``ast``, not by importing: every ``import`` counts,
inside functions and under ``if TYPE_CHECKING`` too, since a cycle deferred
to call time is still a cycle of meaning. An import of ``a.b.c`` counts as
an edge to ``a.b.c`` only, not to the packages ``a`` and ``a.b`` Python also
runs on the way: otherwise a package whose ``__init__`` re-exports a
submodule would look like a cycle with every user of that submodule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("pokerrt", "tables", "lobby", "tournament")
SKIPPED_DIRS = {"migrations", "tests", "__pycache__"}

APPS = ("tables", "lobby", "tournament")
DEMO = "pokerrt.demo"
CORE = ("pokerrt.realtime", "pokerrt.accounts", "pokerrt.timers")

# importer -> what it may not import, each a package prefix. The demo is
# checked apart: nothing outside it may import it.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    **{core: APPS for core in CORE},
    "lobby": ("tables", "tournament"),
    "tables": ("tournament",),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    modules = {}
    for root in ROOTS:
        for path in (REPO / root).rglob("*.py"):
            if SKIPPED_DIRS.isdisjoint(path.relative_to(REPO).parts):
                modules[_module_name(path)] = path
    return modules


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names one import statement asks for, relative ones resolved."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if not is_package:
            package.pop()
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    # ``from package import module`` imports the submodule; when the name is
    # a function or class instead, _nearest_module takes the module defining it.
    for alias in node.names:
        yield f"{base}.{alias.name}" if alias.name != "*" else base


def _nearest_module(name: str, modules: dict[str, Path]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports anywhere in its body."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in _named(node, module, is_package):
                    target = _nearest_module(name, modules)
                    if target is not None and target != module:
                        edges.add(target)
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_through(start: str, component: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path start -> ... -> start inside the component (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{start} is in no cycle of {sorted(component)}")


def import_cycles(graph: dict[str, set[str]]) -> list[str]:
    """One cycle per tangle of modules, spelled ``a -> b -> a``, and who else is in it."""
    report = []
    for component in sorted(_strongly_connected(graph)):
        cycle = _cycle_through(component[0], set(component), graph)
        others = sorted(set(component) - set(cycle))
        line = " -> ".join(cycle)
        report.append(line + (f"  (tangled with {', '.join(others)})" if others else ""))
    return report


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for importer, imported in sorted(graph.items()):
        if not _within(importer, DEMO):
            found.extend(
                f"{importer} imports {target} (nothing imports {DEMO}: it sits above every app)"
                for target in sorted(imported)
                if _within(target, DEMO)
            )
        for layer, banned in FORBIDDEN.items():
            if not _within(importer, layer):
                continue
            found.extend(
                f"{importer} imports {target} ({layer} may not import {package})"
                for target in sorted(imported)
                for package in banned
                if _within(target, package)
            )
    return found


def test_the_projects_modules_import_each_other_without_a_cycle():
    cycles = import_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_core_imports_no_app_lobby_no_other_app_and_no_app_the_demo():
    wrong = forbidden_imports(import_graph())
    assert not wrong, "imports against DESIGN.md's layers:\n" + "\n".join(wrong)


def test_the_walk_sees_function_level_relative_and_submodule_imports():
    graph = import_graph()
    # accounts.signals imports its actions inside a function, relatively
    assert "pokerrt.accounts.actions" in graph["pokerrt.accounts.signals"]
    # pokerrt.urls: ``from . import health, views`` imports both submodules
    assert {"pokerrt.health", "pokerrt.views"} <= graph["pokerrt.urls"]
    # an imported name resolves to the module that defines it
    assert "pokerrt.realtime.envelope" in graph["pokerrt.strict"]


def test_a_cycle_is_reported_by_its_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"},
             "x": {"y"}, "y": {"x", "z"}, "z": {"x"}}
    assert import_cycles(graph) == [
        "a -> b -> c -> a",
        "d -> e -> d",
        "x -> y -> x  (tangled with z)",
    ]


def test_the_layers_and_the_demo_are_enforced():
    graph = {
        "pokerrt.timers.actions": {"tables.models"},
        "lobby.models": {"tournament.models", "pokerrt.realtime.streams"},
        "tables.views": {"pokerrt.demo.world", "lobby.models"},
        "pokerrt.demo.world": {"tables.models", "pokerrt.demo.apps"},
    }
    assert forbidden_imports(graph) == [
        "lobby.models imports tournament.models (lobby may not import tournament)",
        "pokerrt.timers.actions imports tables.models (pokerrt.timers may not import tables)",
        "tables.views imports pokerrt.demo.world (nothing imports pokerrt.demo: it sits above every app)",
    ]
