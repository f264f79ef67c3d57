"""The layering, checked on the import graph: every import of every module, those inside
functions too (a function-level import is how a cycle hides).

- the domain, the search layer and the translations never import Reflex;
- the screens (state, pages, components) never import SQLAlchemy or SQLModel: they call the
  domain, which owns every query;
- the domain never imports a screen or a route, and the translations import nothing of ours
  but themselves and the settings: a domain error is put into words there, not the reverse;
- `domain/shared` imports no concept: the concepts stand on it;
- no import cycles between our modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("navigator", "search", "seed")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every module this file imports, wherever the import stands."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]
    modules = {_module_name(path): path for path in paths}
    return {module: _imports(path, module) for module, path in modules.items()}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_imports(graph: dict[str, set[str]], where: str, what: tuple[str, ...]) -> set:
    return {
        (module, imported)
        for module, imports in graph.items()
        if _within(module, where)
        for imported in imports
        if any(_within(imported, banned) for banned in what)
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of our modules that import each other (Tarjan)."""
    ours = {m: {i for i in imports if i in graph and i != m} for m, imports in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in ours[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(ours):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph()
CONCEPTS = sorted(
    {m.split(".")[2] for m in GRAPH if m.startswith("navigator.domain.") and m.count(".") >= 2}
    - {"shared", "models"}
)

RULES = [
    ("navigator.domain", ("reflex",)),
    ("search", ("reflex",)),
    ("navigator.i18n", ("reflex",)),
    ("navigator.state", ("sqlalchemy", "sqlmodel")),
    ("navigator.pages", ("sqlalchemy", "sqlmodel")),
    ("navigator.components", ("sqlalchemy", "sqlmodel")),
    (
        "navigator.domain",
        ("navigator.state", "navigator.pages", "navigator.components", "navigator.api"),
    ),
    ("navigator.i18n", ("navigator.domain", "navigator.state", "navigator.pages", "search")),
    ("navigator.domain.shared", tuple(f"navigator.domain.{c}" for c in CONCEPTS)),
]


@pytest.mark.parametrize(("where", "what"), RULES, ids=[f"{w}-{'|'.join(b)}" for w, b in RULES])
def test_the_layers_import_only_what_they_may(where, what):
    assert any(_within(m, where) for m in GRAPH), f"no module under {where}"
    assert forbidden_imports(GRAPH, where, what) == set()


def test_no_module_imports_itself_back_through_others():
    assert cycles(GRAPH) == []


def test_the_checks_catch_a_broken_layering():
    """The rules above can fail: a made-up graph that breaks each is caught."""
    broken = {
        "navigator.domain.x.api": {"reflex", "navigator.state.app"},
        "navigator.state.app": {"sqlmodel", "navigator.domain.x.api"},
        "navigator.domain.shared.db": {"navigator.domain.x.api"},
    }
    assert forbidden_imports(broken, "navigator.domain", ("reflex",))
    assert forbidden_imports(broken, "navigator.state", ("sqlmodel",))
    assert forbidden_imports(broken, "navigator.domain.shared", ("navigator.domain.x",))
    assert cycles(broken) == [["navigator.domain.x.api", "navigator.state.app"]]
    assert len(CONCEPTS) >= 7, CONCEPTS
