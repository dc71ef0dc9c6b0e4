"""`feathers generate service`: a service folder, its test, and its registration.

    answers = ServiceAnswers(name="messages", path=None, adapter="sql", methods=None)
    generated = plan_service(project, answers)     # validates everything, writes nothing
    apply_changes(generated.changes)

For `api/todos` it plans::

    <package>/services/api/__init__.py          (when missing: the `api` folder's package)
    <package>/services/api/todos/__init__.py    PATH, METHODS, register_api_todos(app), hooks
    <package>/services/api/todos/service.py     TodosService (sql: and the api_todos table)
    migrations/versions/<rev>_create_api_todos.py   (sql only: creates the table)
    tests/services/test_api_todos_service.py
    <package>/services/__init__.py              + import and call of register_api_todos

The adapter defaults to `sql` in a project with a database (`default_adapter`), else
`memory`. In a project with authentication (`has_authentication`) the service requires a
login by default (`ServiceAnswers(auth=True)`): `authenticate("jwt")` first in around `all`,
as Feathers' generator does, so an anonymous call is NotAuthenticated before any other hook
(query or data validation) looks at it; its test then signs up and logs in a user.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CLIError, UsageError
from ..inject import AlreadyExists, Changes, Plan
from ..project import Project
from ..render import render_fragment
from ..runtime.hooks import HOOK_TYPES as HOOK_POSITIONS
from ..runtime.service import STANDARD_METHODS
from ..toml_edits import TomlEditError, get_value
from .connection import has_database, sql_service_context, sql_service_files
from .landing import plan_demo_service
from .names import ServiceNames, service_names
from .schema import check_schema, plan_schema

__all__ = [
    "ADAPTERS",
    "GENERATED_METHODS",
    "HOOK_POSITIONS",
    "GeneratedService",
    "RegisteredService",
    "ServiceAnswers",
    "authentication_source",
    "default_adapter",
    "has_authentication",
    "parse_methods",
    "plan_service",
    "registered_services",
]

ADAPTERS = ("sql", "memory", "custom")
# The methods a generated service exposes unless --methods says otherwise: the runtime's
# STANDARD_METHODS without `update`, as Feathers' generator (`patch` is what clients want).
GENERATED_METHODS = tuple(method for method in STANDARD_METHODS if method != "update")
# HOOK_POSITIONS (the runtime's HOOK_TYPES: around, before, after, error) are the slots of a
# hook map; the hook generator's HOOK_STYLES (around, regular) are the kinds of hook function.

SERVICES_MARKERS = {
    "imports": "# feathers:service-imports",
    "registrations": "# feathers:service-registrations",
}

# One call per method that a client may not make, for the generated test of exposed methods.
_EXAMPLE_CALLS = {
    "find": "find()",
    "get": "get(0)",
    "create": 'create({"text": "hello"})',
    "update": 'update(0, {"text": "hello"})',
    "patch": 'patch(0, {"text": "hello"})',
    "remove": "remove(0)",
}
# The same calls over REST (httpx), for the generated REST test.
_EXAMPLE_REST_CALLS = {
    "find": 'get(f"/{PATH}")',
    "get": 'get(f"/{PATH}/0")',
    "create": 'post(f"/{PATH}", json={"text": "hello"})',
    "update": 'put(f"/{PATH}/0", json={"text": "hello"})',
    "patch": 'patch(f"/{PATH}/0", json={"text": "hello"})',
    "remove": 'delete(f"/{PATH}/0")',
}
# What an anonymous client tries, per exposed method, over a socket and over REST (httpx), in
# the test of a service that requires a login: a record that exists (`record`, at `item`),
# so the refusal shows that authentication comes before everything else.
_ANONYMOUS_CALLS = {
    "find": ("find()", 'get(f"/{PATH}")'),
    "get": ('get(record["id"])', "get(item)"),
    "create": ('create({"text": "anonymous"})', 'post(f"/{PATH}", json={"text": "anonymous"})'),
    "update": (
        'update(record["id"], {"text": "anonymous"})',
        'put(item, json={"text": "anonymous"})',
    ),
    "patch": (
        'patch(record["id"], {"text": "anonymous"})',
        'patch(item, json={"text": "anonymous"})',
    ),
    "remove": ('remove(record["id"])', "delete(item)"),
}
# With a schema, also a query and data it refuses: still NotAuthenticated, not BadRequest.
_ANONYMOUS_INVALID_CALLS = {
    "find": ('find({"query": {"nonexistent": 1}})', 'get(f"/{PATH}", params={"nonexistent": "1"})'),
    "create": ('create({"text": 5})', 'post(f"/{PATH}", json={"text": 5})'),
}
# The ways a generated test reaches the service, per transport of [tool.feathers] transports.
_CLIENT_WAYS = {"socketio": "over a socket", "rest": "over REST"}


@dataclass(frozen=True)
class ServiceAnswers:
    name: str
    path: str | None = None
    adapter: str = "memory"
    methods: list[str] | None = None
    schema: str = "pydantic"
    """`pydantic`: a schema.py validating data and queries; `none`: any data is taken."""
    auth: bool = False
    """Whether clients must log in (`authenticate("jwt")`); the project needs authentication."""


def default_adapter(project: Project) -> str:
    """`sql` when the project has a database, else `memory`."""
    return "sql" if has_database(project) else "memory"


def authentication_source(project: Project) -> str | None:
    """Where the project sets up authentication (`feathers generate authentication` writes
    both): `"authentication.py"`, `"[authentication] in config"`, or None without it."""
    if (project.package_dir / "authentication.py").exists():
        return "authentication.py"
    config = project.root / "config" / "default.toml"
    try:
        configured = config.is_file() and get_value(config.read_text("utf-8"), "authentication")
    except (OSError, UnicodeDecodeError, TomlEditError) as error:
        raise CLIError(f"cannot read config/default.toml: {error}") from None
    return "[authentication] in config" if configured else None


def has_authentication(project: Project) -> bool:
    """Whether users log in to the project: the default of `generate service --auth`."""
    return authentication_source(project) is not None


@dataclass(frozen=True)
class GeneratedService:
    names: ServiceNames
    adapter: str
    methods: list[str]
    changes: Changes
    schema: str = "pydantic"
    auth: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "service",
            "service": {
                "name": self.names.name,
                "path": self.names.path,
                "module": self.names.module,
                "folder": "/".join(self.names.folder),
                "class": self.names.class_name,
                "adapter": self.adapter,
                "methods": self.methods,
                "schema": self.schema,
                "auth": self.auth,
            },
            **self.changes.to_json(),
        }

    def summary(self) -> str:
        return (
            f"Service {self.names.class_name} at path '{self.names.path}' "
            f"({self.adapter}; methods {','.join(self.methods)}; schema {self.schema}; "
            f"{'login required' if self.auth else 'no login'})."
        )

    def next_steps(self) -> str:
        test_file = next(p for p in self.changes.created if p.name.startswith("test_"))
        steps = f"Run its tests: pytest {self.changes.relative(test_file)}"
        if self.adapter == "sql":
            where = (
                "fields to the model in its schema.py"
                if self.schema != "none"
                else ("columns in its service.py")
            )
            steps += (
                "\nCreate its table in the development database: feathers migrate"
                f"\n(add {where}, then: alembic revision --autogenerate -m "
                '"..." and feathers migrate)'
            )
        return steps


@dataclass(frozen=True)
class RegisteredService:
    """A service the project registers: its path and, for generated ones, its module."""

    path: str
    file: Path
    methods: list[str] | None = None
    """METHODS of a generated registration module; None for other registrations."""


def parse_methods(value: str) -> list[str]:
    """`"find,get"` -> `["find", "get"]`, in Feathers' order; `UsageError` for unknown ones."""
    wanted = {item.strip() for item in value.split(",") if item.strip()}
    unknown = sorted(wanted - set(STANDARD_METHODS))
    if unknown or not wanted:
        raise UsageError(
            f"--methods {value!r}: unknown {', '.join(unknown) or 'empty list'}; "
            f"choose from {','.join(STANDARD_METHODS)}"
        )
    return [method for method in STANDARD_METHODS if method in wanted]


def registered_services(project: Project) -> list[RegisteredService]:
    """Every service path the app's code registers: `PATH = "..."` of generated registration
    modules and literal paths of `app.use("...", ...)` calls anywhere in the package."""
    found = []
    for file in sorted(project.package_dir.rglob("*.py")):
        try:
            tree = ast.parse(file.read_bytes(), filename=str(file))
        except (SyntaxError, ValueError, OSError):
            continue
        constants = _module_constants(tree)
        if isinstance(constants.get("PATH"), str):
            methods = constants.get("METHODS")
            found.append(
                RegisteredService(
                    path=constants["PATH"].strip("/"),
                    file=file,
                    methods=list(methods) if isinstance(methods, list) else None,
                )
            )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "use"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append(RegisteredService(path=node.args[0].value.strip("/"), file=file))
    return found


def plan_service(project: Project, answers: ServiceAnswers) -> GeneratedService:
    """Validate the answers against the project and compute every change, writing nothing."""
    if answers.adapter not in ADAPTERS:
        raise UsageError(
            f"--adapter {answers.adapter!r} is not supported; choose from: {', '.join(ADAPTERS)}"
        )
    schema = check_schema(answers.schema)
    login = _login_settings(project) if answers.auth else None
    methods = list(answers.methods) if answers.methods is not None else list(GENERATED_METHODS)
    names = service_names(answers.name, answers.path)
    folder = project.package_dir.joinpath("services", *names.folder)
    test_file = project.root / "tests" / "services" / f"test_{names.qualified}_service.py"
    _check_free(project, names, [folder, folder.with_suffix(".py"), test_file])

    plan = Plan(project.root)
    context = _template_context(project, names, answers.adapter, methods, schema)
    context.update(auth=login is not None, **(login or {}))
    if login is not None:
        if "socketio" in context["transports"]:  # over REST the test reads the error's name
            context["error_imports"] = sorted({*context["error_imports"], "NotAuthenticated"})
        context["anonymous_calls"] = _anonymous_calls(methods, schema)
    class_template = f"service/{answers.adapter}.py.jinja"
    if answers.adapter == "sql":
        # refuses a project without a database
        for new_file in sql_service_files(project, names, schema=schema):
            plan.create(new_file.path, new_file.content)
        context.update(sql_service_context(names))
        class_template = "sql/service.py.jinja"
    plan.create(folder / "__init__.py", render_fragment("service/registration.py.jinja", context))
    plan.create(folder / "service.py", render_fragment(class_template, context))
    plan.create(test_file, render_fragment("service/test_service.py.jinja", context))
    if schema == "pydantic":
        plan_schema(plan, project, names, adapter=answers.adapter, methods=methods, folder=folder)
    _plan_packages(plan, project, names)
    _plan_registration(plan, project, names)
    plan_demo_service(plan, project.root, names.path)
    changes = plan.finish()
    return GeneratedService(names, answers.adapter, methods, changes, schema, answers.auth)


def _login_settings(project: Project) -> dict[str, str]:
    """What the test of a service with `--auth` needs to sign up and log in: the users
    service's path and the login field, from `[authentication]` in config/default.toml.
    `CLIError` (nothing written) in a project without authentication."""
    if not has_authentication(project):
        raise CLIError(
            "--auth: this project has no authentication; add it first with "
            "`feathers generate authentication`; nothing was written"
        )
    config = project.root / "config" / "default.toml"
    text = config.read_text("utf-8") if config.is_file() else ""
    settings = get_value(text, "authentication", {})  # one parse of the file
    settings = settings if isinstance(settings, dict) else {}
    local = settings.get("local", {})
    local = local if isinstance(local, dict) else {}
    field = local.get("username_field", local.get("usernameField", "email"))
    users = settings.get("service", "users")
    if not (isinstance(field, str) and isinstance(users, str)):
        raise CLIError(
            "[authentication] in config/default.toml: `service` and `local.username_field` "
            "must be strings; nothing was written"
        )
    return {"users_path": users.strip("/"), "username_field": field}


def _check_free(project: Project, names: ServiceNames, paths: list[Path]) -> None:
    """Refuse a path another service takes, or files that exist."""
    for registered in registered_services(project):
        if registered.path == names.path:
            where = registered.file.relative_to(project.root).as_posix()
            raise AlreadyExists(
                f"a service at path {names.path!r} already exists (registered in {where}); "
                "nothing was written"
            )
    for existing in paths:
        if existing.exists():
            where = existing.relative_to(project.root).as_posix()
            raise AlreadyExists(
                f"{where} already exists: pick another name or --path; nothing was written"
            )


def _plan_packages(plan: Plan, project: Project, names: ServiceNames) -> None:
    """The `__init__.py` of each folder a nested service (api/todos) needs."""
    services_dir = project.package_dir / "services"
    for depth in range(1, len(names.folder)):
        package = services_dir.joinpath(*names.folder[:depth]) / "__init__.py"
        if not package.exists():
            prefix = "/".join(names.folder[:depth])
            plan.create(package, f'"""The services under `{prefix}/`."""\n')


def _plan_registration(plan: Plan, project: Project, names: ServiceNames) -> None:
    registry = project.package_dir / "services" / "__init__.py"
    plan.insert(
        registry,
        SERVICES_MARKERS["imports"],
        [f"from .{'.'.join(names.folder)} import {names.register_function}"],
        where="with the imports at the top",
        sorted_imports=True,
    )
    plan.insert(
        registry,
        SERVICES_MARKERS["registrations"],
        [f"{names.register_function}(app)"],
        where="as the last line of register_services(app)",
    )


def _template_context(
    project: Project, names: ServiceNames, adapter: str, methods: list[str], schema: str
) -> dict[str, Any]:
    slots = {position: ["all"] for position in HOOK_POSITIONS}
    # Feathers' generator also lays out the before hooks of each method.
    slots["before"] = ["all", *methods]
    hidden = [method for method in STANDARD_METHODS if method not in methods]
    error_imports = []
    if "remove" in methods and "get" in methods:
        error_imports.append("NotFound")
    transports = _client_transports(project)
    if hidden and "socketio" in transports:
        error_imports.append("MethodNotAllowed")
    if schema == "pydantic" and ("create" in methods or "find" in methods):
        error_imports.append("BadRequest")
    return {
        "package": project.package,
        "path": names.path,
        "class_name": names.class_name,
        "register_function": names.register_function,
        "module_import": ".".join([project.package, "services", *names.folder]),
        "adapter": adapter,
        "schema": schema,
        "methods": methods,
        "positions": HOOK_POSITIONS,
        "slots": slots,
        "needs_lookup": any(m in methods for m in ("get", "update", "patch", "remove")),
        "error_imports": sorted(error_imports),
        "hidden_method": hidden[0] if hidden else None,
        "hidden_call": _EXAMPLE_CALLS[hidden[0]] if hidden else None,
        "hidden_rest_call": _EXAMPLE_REST_CALLS[hidden[0]] if hidden else None,
        "transports": transports,
        "client_ways": " and ".join(_CLIENT_WAYS[t] for t in transports),
        "not_allowed_error": "MethodNotAllowed",
    }


def _anonymous_calls(methods: list[str], schema: str) -> list[tuple[str, str]]:
    """The (socket, REST) calls an anonymous client makes in the test of a service with auth."""
    calls = [_ANONYMOUS_CALLS[method] for method in methods]
    if schema == "pydantic":
        calls += [_ANONYMOUS_INVALID_CALLS[m] for m in methods if m in _ANONYMOUS_INVALID_CALLS]
    return calls


def _client_transports(project: Project) -> list[str]:
    """The transports of `[tool.feathers] transports` that generated tests use; projects that
    record none (or none known) get the socket tests, as before REST existed."""
    recorded = project.config.get("transports")
    known = [t for t in recorded if t in _CLIENT_WAYS] if isinstance(recorded, list) else []
    return known or ["socketio"]


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    constants: dict[str, Any] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                continue
    return constants
