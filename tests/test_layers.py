"""Imports only go down the layers of docs/architecture.md, and no two files import each other.

Read from the source (every import statement, at the top of a module or inside a
function), so that a lazy import cannot hide a dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. Apps on one line are peers: neither imports the other.
LAYERS = [
    ("shared",),
    ("accounts",),
    ("localities",),
    ("cadres",),
    ("reports",),
    ("notices", "phone"),
    ("demo",),
    ("deployment",),
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for app in LEVEL for path in (ROOT / app).rglob("*.py")}


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """The project's modules that `name` imports (a name imported from a package counts as its module if it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            # `import cadres.models.x` depends on the deepest project module it names.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _app(module: str) -> str:
    return module.partition(".")[0]


def test_every_app_of_the_project_has_a_layer():
    from django.conf import settings

    project_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert project_apps | {"deployment"} == set(LEVEL)


def _upward(module: str) -> list[str]:
    return sorted(
        target
        for target in GRAPH[module]
        if _app(target) != _app(module) and LEVEL[_app(target)] >= LEVEL[_app(module)]
    )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down(module):
    assert _upward(module) == [], f"{module} imports from its own layer or above"


def _is_view_module(module: str) -> bool:
    return ".views" in module or module.endswith(".offline")


def test_no_view_module_imports_another_view_module():
    """Views share what they need through the layers below them (models, access, services, forms)."""
    crossing = [
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if _is_view_module(module) and _is_view_module(target) and _app(module) != "deployment"
    ]
    assert crossing == []


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    for start in GRAPH:
        if start in index:
            continue
        work = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_two_files_import_each_other_even_through_others():
    assert _cycles() == []


def test_the_checks_see_an_upward_import_and_a_cycle(monkeypatch):
    """The tests above would pass on an empty graph: they must see what they are meant to refuse."""
    assert "cadres.models" in GRAPH["reports.models"]  # They do read the imports.
    monkeypatch.setitem(GRAPH, "localities.models", GRAPH["localities.models"] | {"cadres.models"})
    assert _upward("localities.models") == ["cadres.models"]
    assert ["cadres.models", "localities.models"] in _cycles()
    monkeypatch.setitem(GRAPH, "notices.sending", GRAPH["notices.sending"] | {"phone.views"})
    assert _upward("notices.sending") == ["phone.views"]  # Peers do not import each other.
