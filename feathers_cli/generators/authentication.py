"""`feathers generate authentication` (and `feathers new --auth`): users who log in.

    answers = AuthenticationAnswers(entity="user", path="users", strategies=["jwt", "local"])
    generated = plan_authentication(project, answers)   # validates everything, writes nothing
    apply_changes(generated.changes)

It plans::

    <package>/services/users/...      the users service (`generators.service`; sql when the
                                      project has a database: a unique e-mail, its migration
                                      also creating the auth store's feathers_auth_* tables;
                                      else memory, refusing a taken e-mail with the same
                                      Conflict) + authenticate("jwt"), hash_password, protect
    public/index.html                 + <meta name="feathers-authentication">: the landing
                                      page's demo signs up and logs in first
    <package>/authentication.py       configure_authentication(app): jwt and local strategies
    <package>/app.py                  + configure_authentication(app) at the connections marker
    <package>/channels.py             anonymous -> authenticated and user/<id> on login (when
                                      it is still the template's; else the steps are printed)
    config/default.toml               + [authentication] (no secret)
    README.md                         + ## Authentication (the secret in production)
    .env                              + FEATHERS_AUTH_SECRET=<random> (when it has none)
    .gitignore                        + .env
    tests/conftest.py                 + the secret for the tests (environment, .env, random)
    tests/test_authentication.py      sign up, log in, the password never leaves the server
    pyproject.toml                    + PyJWT, pwdlib[argon2,bcrypt]; python-dotenv for tests

The secret is never written into a config file: the runtime reads FEATHERS_AUTH_SECRET.
"""

from __future__ import annotations

import ast
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..envfile import SECRET_VARIABLE
from ..errors import UsageError
from ..inject import AlreadyExists, Changes, Plan
from ..paths import template_text
from ..project import Project
from ..render import render_fragment
from ..vendor import MANIFEST_NAME, sha256_text
from .connection import CONNECTIONS_MARKER
from .landing import DemoLogin, plan_demo_authentication
from .schema import HOOK_IMPORTS_MARKER
from .service import (
    GeneratedService,
    ServiceAnswers,
    authentication_source,
    default_adapter,
    plan_service,
)

__all__ = [
    "DEFAULT_STRATEGIES",
    "STRATEGIES",
    "AuthenticationAnswers",
    "GeneratedAuthentication",
    "parse_strategies",
    "plan_authentication",
]

STRATEGIES = ("local", "jwt")
DEFAULT_STRATEGIES = ("local", "jwt")
USERNAME_FIELD = "email"
AUTH_DEPENDENCIES = ("PyJWT>=2.8,<3", "pwdlib[argon2,bcrypt]>=0.2,<1", "pydantic>=2.7,<3")
TEST_DEPENDENCIES = ("python-dotenv>=1,<2",)
_ENTITY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
# The hooks of the users service, by hook-map slot (position, method), in order.
_USERS_HOOKS = {
    ("before", "find"): ['authenticate("jwt")'],
    ("before", "get"): ['authenticate("jwt")'],
    ("before", "create"): ["validate_data({entity}Data)", 'hash_password("password")'],
    ("before", "update"): [
        'authenticate("jwt")',
        "validate_data({entity}Data)",
        'hash_password("password")',
    ],
    ("before", "patch"): [
        'authenticate("jwt")',
        "validate_data({entity}Patch)",
        'hash_password("password")',
    ],
    ("before", "remove"): ['authenticate("jwt")'],
    ("after", "all"): ['protect("password")'],
}


@dataclass(frozen=True)
class AuthenticationAnswers:
    entity: str = "user"
    path: str = "users"
    strategies: tuple[str, ...] = DEFAULT_STRATEGIES


def parse_strategies(value: str, flag: str = "--strategies") -> tuple[str, ...]:
    """`"local,jwt"` -> `("local", "jwt")`; `UsageError` for anything else. Both are needed:
    users sign up and log in with a password (local) and every call after that carries the
    token (jwt)."""
    wanted = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in wanted if item not in STRATEGIES]
    if unknown or set(wanted) != set(STRATEGIES):
        raise UsageError(
            f"{flag} {value!r} is not supported: the generated users log in with local "
            f"(e-mail and password) and then use jwt tokens; pass {','.join(STRATEGIES)}"
        )
    return STRATEGIES


@dataclass(frozen=True)
class GeneratedAuthentication:
    answers: AuthenticationAnswers
    service: GeneratedService
    channels_updated: bool
    secret_written: bool
    changes: Changes
    landing_page_updated: bool | None = None
    """The landing page's demo logs in now (True), or the page has no tag to put the
    `<meta name="feathers-authentication">` under (False), or there is nothing to do (None)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "authentication",
            "authentication": {
                "entity": self.answers.entity,
                "service": self.service.names.path,
                "adapter": self.service.adapter,
                "strategies": list(self.answers.strategies),
                "channels_updated": self.channels_updated,
                "secret_written": self.secret_written,
                "landing_page_updated": self.landing_page_updated,
            },
            **self.changes.to_json(),
        }

    def summary(self) -> str:
        return (
            f"Authentication ({', '.join(self.answers.strategies)}) with the "
            f"'{self.service.names.path}' service ({self.service.adapter})."
        )

    def next_steps(self) -> str:
        steps = "Install the new dependencies: pip install -e '.[test]'"
        if self.service.adapter == "sql":
            steps += "\nCreate the users table: feathers migrate"
        steps += "\nRun its tests: pytest tests/test_authentication.py"
        if self.secret_written:
            steps += f"\nThe signing secret is in .env ({SECRET_VARIABLE}, git-ignored)."
        steps += f"\nIn production set {SECRET_VARIABLE} (32 bytes or more) in the environment."
        if self.landing_page_updated is False:
            tag = DemoLogin(self.service.names.path, self.answers.entity, USERNAME_FIELD).tag()
            steps += (
                '\npublic/index.html has no <meta name="feathers-service"> line: for its demo '
                f"to sign up and log in, add to its <head>: {tag}"
            )
        if not self.channels_updated:
            steps += (
                "\nchannels.py was changed by hand and is left as it is: join connections to "
                "'authenticated' and f\"user/{id}\" on app.on('login', ...) and publish to "
                "'authenticated' (docs/authentication.md, Sockets)."
            )
        return steps


def plan_authentication(
    project: Project, answers: AuthenticationAnswers, *, secret: str | None = None
) -> GeneratedAuthentication:
    """Validate the answers against the project and compute every change, writing nothing.
    `secret` is the one to write into .env (default: a new random one)."""
    _check(project, answers)
    adapter = default_adapter(project)
    # the users get their own schema.py and hooks below, not the generic --schema ones
    service = plan_service(
        project, ServiceAnswers(answers.path, answers.path, adapter, schema="none")
    )
    test_file = next(path for path in service.changes.created if path.name.startswith("test_"))
    plan = Plan(project.root)
    # its own tests are tests/test_authentication.py; the landing page's demo (records with a
    # `text`) opens the project's next service, not users: the page only gets the login tag
    landing_page = project.root / "public" / "index.html"
    plan.extend(service.changes, leave_out=[test_file, landing_page])
    # the demo signs up and logs in first (the app's events go to logged-in connections)
    login = DemoLogin(service.names.path, answers.entity, USERNAME_FIELD)
    landing_updated = plan_demo_authentication(plan, project.root, login)
    context = _context(project, answers, service)
    _plan_users_service(plan, project, service, context)
    _plan_app(plan, project, context)
    channels_updated = _plan_channels(plan, project, context)
    _plan_config(plan, project, context)
    secret_written = _plan_secret(plan, project, secret or secrets.token_urlsafe(48))
    _plan_tests(plan, project, context)
    return GeneratedAuthentication(
        answers, service, channels_updated, secret_written, plan.finish(), landing_updated
    )


def _check(project: Project, answers: AuthenticationAnswers) -> None:
    if not _ENTITY_PATTERN.fullmatch(answers.entity):
        raise UsageError(
            f"--entity {answers.entity!r}: use lower-case letters, digits and '_', "
            "starting with a letter (e.g. user)"
        )
    parse_strategies(",".join(answers.strategies))
    where = authentication_source(project)
    if where is not None:
        raise AlreadyExists(
            f"the project already has authentication ({where}); nothing was written"
        )


def _context(
    project: Project, answers: AuthenticationAnswers, service: GeneratedService
) -> dict[str, Any]:
    names = service.names
    return {
        "package": project.package,
        "entity": answers.entity,
        "entity_class": "".join(part.capitalize() for part in answers.entity.split("_")),
        "path": names.path,
        "table": names.qualified,
        "class_name": names.class_name,
        "module_import": ".".join([project.package, "services", *names.folder]),
        "strategies": ["jwt", *(s for s in answers.strategies if s != "jwt")],
        "username_field": USERNAME_FIELD,
        "id_field": "id",
        "adapter": service.adapter,
        "transports": list(project.config.get("transports", ["socketio"])),
    }


def _plan_users_service(
    plan: Plan, project: Project, service: GeneratedService, context: dict[str, Any]
) -> None:
    folder = project.package_dir.joinpath("services", *service.names.folder)
    registration = folder / "__init__.py"
    entity = context["entity_class"]
    plan.insert(
        registration,
        HOOK_IMPORTS_MARKER,
        [
            "from feathers.authentication import authenticate, hash_password, protect",
            "from feathers.schema import validate_data",
        ],
        where="with the imports at the top",
        sorted_imports=True,
    )
    plan.add_import(registration, f"from .schema import {entity}Data, {entity}Patch")
    # `replace`: the service generator may plan a schema.py of its own (--schema)
    plan.replace(folder / "schema.py", render_fragment("authentication/schema.py.jinja", context))
    for (position, method), templates in _USERS_HOOKS.items():
        hooks = [hook.format(entity=entity) for hook in templates]
        slot = f"# feathers:hooks:{position}:{method}"
        if slot in (plan.changes.created.get(registration) or ""):
            plan.insert(registration, slot, [f"{hook}," for hook in hooks])
        else:
            lines = [f'"{method}": [', *(f"    {hook}," for hook in hooks), f"    {slot}", "],"]
            plan.insert(registration, f"# feathers:hooks:{position}", lines)
    _plan_users_class(plan, service, folder, context)


def _plan_users_class(
    plan: Plan, service: GeneratedService, folder: Path, context: dict[str, Any]
) -> None:
    """The users' service class (`sql` or `memory`, `default_adapter`'s choices) with a unique
    e-mail: sql's table and migration, or memory's check before each write."""
    users_class = render_fragment(f"authentication/{service.adapter}_service.py.jinja", context)
    plan.replace(folder / "service.py", users_class)
    if service.adapter != "sql":
        return
    migration = next(path for path in service.changes.created if "migrations" in path.parts)
    revisions = _revisions(service.changes.created[migration])
    migration_context = {
        **context,
        **revisions,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    plan.replace(migration, render_fragment("authentication/migration.py.jinja", migration_context))


def _revisions(migration: str) -> dict[str, Any]:
    """`revision` and `down_revision` of a planned migration's text."""
    values: dict[str, Any] = {}
    for node in ast.parse(migration).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("revision", "down_revision")
        ):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def _plan_app(plan: Plan, project: Project, context: dict[str, Any]) -> None:
    module = project.package_dir / "authentication.py"
    plan.create(module, render_fragment("authentication/authentication.py.jinja", context))
    app_file = project.package_dir / "app.py"
    plan.insert(
        app_file,
        CONNECTIONS_MARKER,
        ["configure_authentication(app)"],
        where="in create_app(), before the services are registered",
    )
    plan.add_import(app_file, "from .authentication import configure_authentication")
    for requirement in AUTH_DEPENDENCIES:
        plan.add_dependency(project.pyproject, requirement)
    for requirement in TEST_DEPENDENCIES:
        plan.add_dependency(project.pyproject, requirement, extra="test")


def _plan_channels(plan: Plan, project: Project, context: dict[str, Any]) -> bool:
    """channels.py with the login moves, when it is still the one the template rendered."""
    channels = project.package_dir / "channels.py"
    if channels.is_file() and not _as_rendered(project, channels):
        return False
    plan.replace(
        channels,
        render_fragment("authentication/channels.py.jinja", context),
        why="connections move to 'authenticated' and 'user/<id>' on login",
    )
    return True


def _as_rendered(project: Project, path: Path) -> bool:
    """Whether `path` is as the app template rendered it (its hash in the runtime manifest)."""
    import json

    try:
        manifest = json.loads((project.runtime_dir / MANIFEST_NAME).read_text("utf-8"))
        recorded = manifest["template"][path.relative_to(project.root).as_posix()]
        return recorded == sha256_text(path.read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _plan_config(plan: Plan, project: Project, context: dict[str, Any]) -> None:
    block = render_fragment("authentication/config.toml.jinja", context)
    plan.append(project.root / "config" / "default.toml", block, what="[authentication]")
    readme = project.root / "README.md"
    if readme.is_file():
        section = render_fragment("authentication/readme.md.jinja", context)
        plan.append(readme, section, what="## Authentication")


def _plan_secret(plan: Plan, project: Project, secret: str) -> bool:
    """A random FEATHERS_AUTH_SECRET in .env (git-ignored, mode 0600) unless .env has one."""
    env_file = project.root / ".env"
    text = plan.changes.created.get(env_file)
    if text is None and env_file.is_file():
        text = env_file.read_text("utf-8")
    plan.add_line(project.root / ".gitignore", ".env", comment="secrets (FEATHERS_AUTH_SECRET)")
    if text is not None and re.search(rf"^\s*(export\s+)?{SECRET_VARIABLE}\s*=", text, re.M):
        return False
    line = f"{SECRET_VARIABLE}={secret}\n"
    shown = [f"{SECRET_VARIABLE}=<a random secret, {len(secret)} characters>"]
    if text is None:
        plan.create(env_file, _ENV_HEADER + line, private=True)
    else:
        plan.edit(env_file, "end", shown, lambda t: t + ("" if t.endswith("\n") else "\n") + line)
        plan.make_private(env_file)  # it holds the secret now: owner only, as a new one
    return True


_CHANNEL_TEST = "test_a_channel_delivers_events_to_other_connections"


def _channel_test_published(text: str) -> str:
    """The app template's channel test with its anonymous scratch service published to
    `anonymous` (channels.py now publishes to logged-in connections); `text` as it is
    without that test."""
    start = text.find(f"async def {_CHANNEL_TEST}(")
    at = text.find(_SCRATCH_LINE, start) if start >= 0 else -1
    if at < 0:
        return text
    return text[:at] + _SCRATCH_PUBLISHED + text[at + len(_SCRATCH_LINE) :]


def _read(path: Path) -> str:
    return path.read_text("utf-8") if path.is_file() else ""


_ENV_HEADER = (
    "# Local settings and secrets of this checkout: never commit this file (.gitignore has it).\n"
    "# `feathers dev`, `feathers start` and the tests load it; the real environment wins.\n"
)


_SCRATCH_LINE = "    app.use(SCRATCH, MemoryService())\n"
_SCRATCH_PUBLISHED = (
    _SCRATCH_LINE
    + "    # channels.py sends events to logged-in connections; these two are anonymous\n"
    '    app.service(SCRATCH).publish(lambda data, context: app.channel("anonymous"))\n'
)


def _plan_tests(plan: Plan, project: Project, context: dict[str, Any]) -> None:
    test_app = project.root / "tests" / "test_app.py"
    text = plan.changes.edited.get(test_app, ("", ""))[1] or _read(test_app)
    if _channel_test_published(text) != text:
        plan.edit(
            test_app,
            _CHANNEL_TEST,
            _SCRATCH_PUBLISHED.splitlines()[1:],
            _channel_test_published,
        )
    fixture = template_text("authentication/conftest_fixture.py")
    plan.append(project.root / "tests" / "conftest.py", fixture.strip() + "\n", blank_lines=2)
    plan.create(
        project.root / "tests" / "test_authentication.py",
        render_fragment("authentication/test_authentication.py.jinja", context),
    )
