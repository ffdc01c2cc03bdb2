"""The shape of the code: built-in plugins use only the public API, and no module imports
itself back through others."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import ingest
import ingest.helpers
from tests.conftest import REPO

PUBLIC = {"ingest": set(ingest.__all__), "ingest.helpers": set(ingest.helpers.__all__)}


def _modules(folder: str) -> Iterator[tuple[str, Path]]:
    """(module name, path) under ``folder`` of the repository: ``ingest`` is at the top,
    ``ingest_plugins`` in ``plugins/``."""
    root = REPO / folder
    base = REPO if folder == "ingest" else root  # plugins/ holds the package ingest_plugins
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(base).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(name: str, path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every import statement of the module, nested ones included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            yield base, [alias.name for alias in node.names]


@pytest.mark.parametrize(("name", "path"), list(_modules("plugins")), ids=str)
def test_built_in_plugins_import_only_the_public_api(name: str, path: Path) -> None:
    for module, names in _imports(name, path):
        if module != "ingest" and not module.startswith("ingest."):
            continue
        assert module in PUBLIC, f"{path}: imports {module}; use ingest or ingest.helpers"
        private = set(names) - PUBLIC[module]
        assert not private, f"{path}: imports {sorted(private)} from {module}, not public"


def _graph() -> dict[str, set[str]]:
    modules = dict(_modules("ingest")) | dict(_modules("plugins"))
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, names in _imports(name, path):
            # `from ingest import memory` imports the module ingest.memory; other names
            # come from the package's __init__.
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            if len(targets) < len(names) or not names:
                targets.append(module)
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def test_no_module_imports_itself_back() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_the_hookimpl_marker_is_made_once() -> None:
    makers = [
        path
        for _, path in [*_modules("ingest"), *_modules("plugins")]
        if "HookimplMarker(" in path.read_text(encoding="utf-8")
    ]
    assert makers == [REPO / "ingest" / "__init__.py"]
