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


def test_authentication_exported_names():
    from feathers_cli.runtime import authentication

    assert sorted(authentication.__all__) == [
        "AuthStore",
        "AuthenticationBaseStrategy",
        "AuthenticationService",
        "JWTStrategy",
        "LocalStrategy",
        "MemoryAuthStore",
        "RedisAuthStore",
        "SQLAuthStore",
        "authenticate",
        "hash_password",
        "protect",
    ]
    for name in authentication.__all__:
        assert getattr(authentication, name) is not None


def test_runtime_uses_only_relative_imports_and_never_the_cli():
    for path in RUNTIME.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("feathers"), f"{path.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("feathers"), f"{path.name}: {alias.name}"


def test_rest_exported_names():
    from feathers_cli.runtime import rest

    assert sorted(rest.__all__) == ["DEFAULT_MAX_BODY_SIZE", "RestTransport", "rest"]
    for name in rest.__all__:
        assert getattr(rest, name) is not None


def test_schema_exported_names():
    from feathers_cli.runtime import schema

    assert sorted(schema.__all__) == [
        "ConfigError",
        "OMIT",
        "Resolver",
        "partial_model",
        "query_model",
        "resolve_data",
        "resolve_external",
        "resolve_result",
        "validate_config",
        "validate_data",
        "validate_query",
    ]
    for name in schema.__all__:
        assert getattr(schema, name) is not None


def test_sync_exported_names():
    from feathers_cli.runtime import sync

    assert sorted(sync.__all__) == ["RedisBackend", "Sync", "SyncBackend", "sync"]
    for name in sync.__all__:
        assert getattr(sync, name) is not None


def test_static_exported_names():
    from feathers_cli.runtime import static

    assert sorted(static.__all__) == ["StaticTransport", "serve_static"]
