"""The package's import graph: no cycles at module level, and the core never imports a shell.

Read from the source with ``ast`` (nothing is imported): every module-level ``import`` and
``from ... import`` outside ``if TYPE_CHECKING:``; importing a submodule counts as importing
its parent packages too, as it does at run time. Imports inside functions (the command line's
lazy imports) are not module-level and cannot form a cycle at import time, but the core's
rule (no shell) covers them as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
CORE = ("openmdt.language", "openmdt.knowledge", "openmdt.engine", "openmdt.backends",
        "openmdt.cases")
SHELLS = ("openmdt.cli", "openmdt.web")


def _modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _resolve(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _imported(name: str, node: ast.stmt) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = _package_of(name, MODULES[name]).split(".")
            base = ".".join(package[:len(package) - node.level + 1] + [base] * bool(base))
        submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
        yield from submodules
        if len(submodules) < len(node.names):
            yield base


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Try):
            yield from node.body
        else:
            yield node


def _edges(name: str, nodes: Iterator[ast.stmt] | list[ast.stmt]) -> set[str]:
    targets = set()
    for node in nodes:
        for imported in _imported(name, node):
            module = _resolve(imported)
            if module is None or not module.startswith("openmdt") or module == name:
                continue
            targets.add(module)
            parent = module.rpartition(".")[0]
            while parent:  # a submodule's import runs its packages first
                if parent in MODULES and parent != name and not name.startswith(parent + "."):
                    targets.add(parent)
                parent = parent.rpartition(".")[0]
    return targets


def _graph() -> dict[str, set[str]]:
    """Each module and the modules its import runs."""
    return {name: _edges(name, list(_top_level(ast.parse(path.read_text(encoding="utf-8")))))
            for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def test_no_import_cycle_at_module_level() -> None:
    assert _cycle(_graph()) is None


def test_the_graph_sees_a_cycle_when_there_is_one() -> None:
    graph = _graph()
    assert "openmdt.language" in graph["openmdt.engine.evaluate"] or any(
        "openmdt.language" in targets for targets in graph.values())
    graph["openmdt.language"] = graph["openmdt.language"] | {"openmdt.engine.evaluate"}
    assert _cycle(graph) is not None


@pytest.mark.parametrize("core", CORE)
def test_the_core_never_imports_a_shell(core: str) -> None:
    offenders = []
    for name, path in MODULES.items():
        if name != core and not name.startswith(core + "."):
            continue
        every = list(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
        statements = [n for n in every if isinstance(n, ast.Import | ast.ImportFrom)]
        offenders += [f"{name} imports {t}" for t in _edges(name, statements)
                      if t.startswith(SHELLS)]
    assert not offenders
