"""The CLI's layers: no import cycles, each concept defined once, the typer layer on top.

Like the runtime's import test (tests/runtime/test_public_api.py), this reads the sources:
every `import`/`from` inside `feathers_cli` (outside the vendored runtime), at any depth,
local imports included, is an edge of the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import feathers_cli

PACKAGE = Path(feathers_cli.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The feathers_cli modules (not the runtime) that `path` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in MODULES and not candidate.startswith("feathers_cli.runtime"):
                found.add(candidate)
    found.discard(name)
    return found


SOURCES = {
    module_name(path): path
    for path in PACKAGE.rglob("*.py")
    if "runtime" not in path.relative_to(PACKAGE).parts
}
MODULES = set(SOURCES) | {"feathers_cli.runtime"}
GRAPH = {name: imports_of(path) for name, path in SOURCES.items()}


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(GRAPH.get(start, ()))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(GRAPH.get(name, ()))
    return seen


def test_the_graph_is_read():
    assert "feathers_cli.inject" in GRAPH["feathers_cli.generators.connection"]
    assert "feathers_cli.render" in GRAPH["feathers_cli.generators.hook"]


def test_no_import_cycles():
    cycles = sorted(name for name in GRAPH if name in reachable(name))
    assert cycles == []


def test_the_two_renderers_never_import_each_other():
    assert "feathers_cli.app_template" not in reachable("feathers_cli.render")
    assert "feathers_cli.render" not in reachable("feathers_cli.app_template")


def test_only_the_typer_layer_imports_typer_and_nothing_imports_it():
    typer_layer = {"feathers_cli.main"} | {
        n for n in GRAPH if n.startswith("feathers_cli.commands")
    }
    for name, path in SOURCES.items():
        uses_typer = "import typer" in path.read_text()
        if name not in typer_layer:
            assert not uses_typer, name
            assert not (GRAPH[name] & typer_layer), name


def test_library_modules_do_not_print():
    typer_layer = ("feathers_cli.commands", "feathers_cli.main")
    for name, path in SOURCES.items():
        if name.startswith(typer_layer):
            continue
        calls = [
            node.func.id
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        ]
        assert "print" not in calls, name


def test_functions_stay_short():
    long = []
    for name, path in SOURCES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 50:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []


def test_each_concept_is_defined_once():
    from feathers_cli.generators import connection, hook, new, service
    from feathers_cli.runtime import hooks as runtime_hooks
    from feathers_cli.runtime import service as runtime_service

    assert new.DATABASES is connection.DATABASES
    assert set(connection.SQL_DATABASES) < set(connection.DATABASES)
    assert service.STANDARD_METHODS is runtime_service.STANDARD_METHODS
    assert set(service.GENERATED_METHODS) < set(runtime_service.STANDARD_METHODS)
    assert service.HOOK_POSITIONS is runtime_hooks.HOOK_TYPES
    assert hook.HOOK_STYLES == ("around", "regular")
    definitions: dict[str, list[str]] = {}
    for name, path in SOURCES.items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.FunctionDef | ast.ClassDef):
                targets = node.targets if isinstance(node, ast.Assign) else [node]
                for target in targets:
                    if getattr(target, "id", getattr(target, "name", "")).isupper():
                        definitions.setdefault(target.id, []).append(name)
    # EPILOG: each command module's own help examples, by convention of the typer layer.
    twice = {k: where for k, where in definitions.items() if len(where) > 1 and k != "EPILOG"}
    assert twice == {}
