"""The house: layers look down only, no import cycle between files, `states/` in small files.

The imports are read from the sources (every `import` and `from ... import`, inside
functions too, but not those under `if TYPE_CHECKING:`, which never run), so a cycle that
only a lazy import hides still fails here.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ("infoshare", "states", "workflows", "activities", "worker")


def module_files() -> dict[str, Path]:
    """Every module of the installed tree, by dotted name."""
    modules: dict[str, Path] = {"worker": ROOT / "worker.py"}
    for package in TOP_LEVEL[:-1]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # Alembic loads these by path, never by import
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Dotted names imported anywhere in `tree` (relative ones resolved)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))


@functools.cache  # the sources do not change during a run: read them once
def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports (a name resolves to its module file)."""
    modules = module_files()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = set()
        for imported in imported_names(tree, name, path.name == "__init__.py"):
            if imported in modules and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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


def without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between files, a package's `__init__` re-exports aside: importing
    `states.rules` to reach `states.rules.dpia` is one edge, not a loop through the
    package (Python's own import of a parent package is not a dependency of the code)."""
    return {
        name: {t for t in targets if not name.startswith(t + ".")}
        for name, targets in graph.items()
    }


def test_no_import_cycle_between_files() -> None:
    assert cycles(without_packages(import_graph())) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The negative control: the same walk sees a loop hidden in a function's import."""
    source = "def f():\n    from b import x\n"
    names = set(imported_names(ast.parse(source), "a", False))
    graph = {"a": names & {"b"}, "b": {"c"}, "c": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_nothing_imports_the_command_line() -> None:
    """Shared runtime lives in `infoshare.runtime`: the worker, web form, audit tools and
    benchmark import it, never `infoshare.cli`."""
    offenders = {
        name: sorted(t for t in targets if t.startswith("infoshare.cli"))
        for name, targets in import_graph().items()
        if not name.startswith("infoshare.cli")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("states", ("workflows", "activities", "worker", "infoshare")),
        # the workflow names its activities (passed through the sandbox), never the reverse
        ("activities", ("workflows", "worker", "infoshare.cli", "infoshare.web")),
        ("workflows", ("worker", "infoshare.cli", "infoshare.web", "infoshare.audit")),
        ("infoshare.runtime", ("worker", "infoshare.cli", "infoshare.web", "infoshare.audit")),
        ("infoshare.database", ("activities", "worker", "infoshare.cli", "infoshare.web")),
        ("infoshare.web", ("worker", "infoshare.cli", "infoshare.audit", "infoshare.bench")),
        ("infoshare.audit", ("worker", "infoshare.cli", "infoshare.web", "infoshare.bench")),
    ],
)
def test_layers_look_down_only(lower: str, upper: tuple[str, ...]) -> None:
    """A lower layer imports nothing of the layers above it (docs/developers/architecture.md
    draws them)."""
    graph = import_graph()
    upward = {
        name: sorted(t for t in targets if any(t == u or t.startswith(u + ".") for u in upper))
        for name, targets in graph.items()
        if name == lower or name.startswith(lower + ".")
    }
    assert {k: v for k, v in upward.items() if v} == {}


def test_states_reads_in_small_files() -> None:
    """`states/` follows the protocol's sections; no file over about 300 lines."""
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in (ROOT / "states").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 320
    }
    assert long == {}
