"""The public names of the runtime change only on purpose."""

import ast
import pathlib

import feathers_cli.runtime as runtime

RUNTIME = pathlib.Path(runtime.__file__).parent


def test_exported_names():
    assert sorted(runtime.__all__) == [
        "Application",
        "Channel",
        "CombinedChannel",
        "EventEmitter",
        "HookContext",
        "HookedMethod",
        "Lookup",
        "ServiceOptions",
        "__version__",
        "feathers",
        "get_service_options",
    ]
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_runtime_uses_only_relative_imports_and_never_the_cli():
    for path in RUNTIME.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("feathers"), f"{path.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("feathers"), f"{path.name}: {alias.name}"


def test_static_exported_names():
    from feathers_cli.runtime import static

    assert sorted(static.__all__) == ["StaticTransport", "serve_static"]
