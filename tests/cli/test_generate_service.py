"""`feathers generate service`: files, registration, names, refusals, dry runs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from feathers_cli.generators.new import NewAnswers, create_project, project_names

from ..helpers.generate import minimal_project, run, snapshot


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = minimal_project(tmp_path / "chat")
    monkeypatch.chdir(root)
    return root


def registry(project) -> str:
    return (project / "chat" / "services" / "__init__.py").read_text()


def constants(path) -> dict:
    tree = ast.parse(path.read_text())
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def test_a_memory_service_with_the_default_methods(project):
    result = run("generate", "service", "messages")
    assert result.exit_code == 0, result.output
    folder = project / "chat" / "services" / "messages"
    assert constants(folder / "__init__.py") == {
        "PATH": "messages",
        "METHODS": ["find", "get", "create", "patch", "remove"],
    }
    registration = (folder / "__init__.py").read_text()
    assert "from .service import MessagesService" in registration
    assert 'MessagesService(paginate=app.get("paginate"))' in registration
    for marker in ("around:all", "before:all", "before:create", "after:all", "error:all"):
        assert f"# feathers:hooks:{marker}\n" in registration
    assert "before:update" not in registration
    service = (folder / "service.py").read_text()
    assert "class MessagesService(MemoryService):" in service
    test = (project / "tests" / "services" / "test_messages_service.py").read_text()
    assert "from chat.services.messages import METHODS, PATH" in test
    assert "client.service(PATH)" in test
    assert "from .messages import register_messages\n" in registry(project)
    assert "    register_messages(app)\n    # feathers:service-registrations" in registry(project)
    assert "Created:" in result.stderr
    assert "pytest tests/services/test_messages_service.py" in result.stderr
    for path in project.rglob("*.py"):
        ast.parse(path.read_text())


def test_a_sql_service_by_default_in_a_project_with_a_database(tmp_path, monkeypatch):
    root = create_project(NewAnswers(project_names("chat")), tmp_path / "chat", ask=False).root
    monkeypatch.chdir(root)
    result = run("generate", "service", "api/todos", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["service"]["adapter"] == "sql"
    [migration] = [p for p in output["created"] if p.startswith("migrations/versions/")]
    assert migration.endswith("_create_api_todos.py")
    source = (root / migration).read_text()
    assert 'op.create_table(\n        "api_todos",' in source
    # the table sql_table() derives from schema.py's Model (Field(max_length=1000))
    assert 'sa.Column("text", sa.String(length=1000), nullable=False)' in source
    folder = root / "chat" / "services" / "api" / "todos"
    service = (folder / "service.py").read_text()
    assert "class TodosService(SQLService):" in service
    assert "from .schema import api_todos_table\n" in service
    schema = (folder / "schema.py").read_text()
    assert 'api_todos_table = sql_table(Model, metadata, "api_todos")' in schema
    registration = (folder / "__init__.py").read_text()
    assert 'engine = app.get("database_engine")' in registration
    assert 'TodosService(engine, paginate=app.get("paginate"))' in registration
    test = (root / "tests" / "services" / "test_api_todos_service.py").read_text()
    assert '{"text": "patched"}' in test and '"done"' not in test
    result = run("generate", "service", "messages", "--schema", "none")
    assert result.exit_code == 0, result.output
    assert "Create its table in the development database: feathers migrate" in result.stderr
    service = (root / "chat" / "services" / "messages" / "service.py").read_text()
    assert 'messages_table = sa.Table(\n    "messages",\n    metadata,' in service
    assert not (root / "chat" / "services" / "messages" / "schema.py").exists()
    [migration] = (root / "migrations" / "versions").glob("*_create_messages.py")
    assert 'sa.Column("text", sa.Text, nullable=False)' in migration.read_text()


def test_names_are_derived_consistently(project):
    assert run("g", "service", "MessageThreads").exit_code == 0
    folder = project / "chat" / "services" / "message_threads"
    assert constants(folder / "__init__.py")["PATH"] == "message-threads"
    assert "class MessageThreadsService(MemoryService)" in (folder / "service.py").read_text()
    assert "def register_message_threads(app):" in (folder / "__init__.py").read_text()
    assert "from .message_threads import register_message_threads" in registry(project)
    assert (project / "tests" / "services" / "test_message_threads_service.py").is_file()


@pytest.mark.parametrize("args", [["api/todos"], ["todos", "--path", "/api/todos/"]])
def test_a_nested_path_nests_the_folder_and_keeps_one_path_string(project, args):
    assert run("g", "service", *args).exit_code == 0
    services = project / "chat" / "services"
    assert (services / "api" / "__init__.py").is_file()
    registration = services / "api" / "todos" / "__init__.py"
    assert constants(registration)["PATH"] == "api/todos"
    assert "def register_api_todos(app):" in registration.read_text()
    assert "from .api.todos import register_api_todos" in registry(project)
    test = (project / "tests" / "services" / "test_api_todos_service.py").read_text()
    assert "from chat.services.api.todos import METHODS, PATH" in test

    api_package = (services / "api" / "__init__.py").read_bytes()
    assert run("g", "service", "api/users").exit_code == 0
    assert (services / "api" / "__init__.py").read_bytes() == api_package
    assert constants(services / "api" / "users" / "__init__.py")["PATH"] == "api/users"


def test_a_custom_service_implements_exactly_the_chosen_methods(project):
    result = run("g", "service", "weather", "--adapter", "custom", "--methods", "find,get,update")
    assert result.exit_code == 0, result.output
    tree = ast.parse((project / "chat" / "services" / "weather" / "service.py").read_text())
    [service_class] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    methods = {node.name for node in service_class.body if isinstance(node, ast.AsyncFunctionDef)}
    assert service_class.name == "WeatherService"
    assert methods == {"find", "get", "update"}
    registration = project / "chat" / "services" / "weather" / "__init__.py"
    assert constants(registration)["METHODS"] == ["find", "get", "update"]
    assert "WeatherService(), methods=METHODS" in registration.read_text()


def test_running_twice_fails_and_changes_nothing(project):
    assert run("g", "service", "messages").exit_code == 0
    before = snapshot(project)
    result = run("g", "service", "messages")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert snapshot(project) == before


def test_a_path_already_registered_is_refused(project):
    assert run("g", "service", "messages").exit_code == 0
    before = snapshot(project)
    result = run("g", "service", "chat_messages", "--path", "messages")
    assert result.exit_code == 1
    assert "a service at path 'messages' already exists" in result.stderr
    assert snapshot(project) == before


def test_a_path_registered_by_hand_is_refused(project):
    app_py = project / "chat" / "app.py"
    app_py.write_text(app_py.read_text() + '\n\ndef more(app):\n    app.use("/legacy", object())\n')
    result = run("g", "service", "legacy")
    assert result.exit_code == 1
    assert "registered in chat/app.py" in result.stderr
    assert not (project / "chat" / "services" / "legacy").exists()


def test_an_existing_folder_is_refused(project):
    (project / "chat" / "services" / "messages").mkdir()
    result = run("g", "service", "messages")
    assert result.exit_code == 1
    assert "chat/services/messages already exists" in result.stderr


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("123 bad", "starts with a digit"),
        ("class", "is a Python keyword"),
        ("authentication", "reserved"),
        ("Authentication", "reserved"),
        ("   ", "empty"),
        ("café", "ASCII"),
        ("todos/:id", "placeholders"),
    ],
)
def test_invalid_names_are_refused_before_anything_is_written(project, name, reason):
    before = snapshot(project)
    result = run("g", "service", name)
    assert result.exit_code == 1
    assert reason in result.stderr
    assert snapshot(project) == before


def test_an_invalid_path_is_refused(project):
    result = run("g", "service", "todos", "--path", "api/to dos")
    assert result.exit_code == 1
    assert "invalid service path" in result.stderr
    result = run("g", "service", "things", "--path", "authentication")
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [["--methods", "find,fly"], ["--methods", ","], ["--adapter", "mongodb"]],
)
def test_bad_flags_are_usage_errors(project, args):
    before = snapshot(project)
    result = run("g", "service", "messages", *args)
    assert result.exit_code == 2
    assert "choose from" in result.stderr
    assert snapshot(project) == before


def test_a_missing_marker_writes_nothing_and_prints_the_lines_to_add(project):
    path = project / "chat" / "services" / "__init__.py"
    path.write_text(path.read_text().replace("    # feathers:service-registrations", "    pass"))
    before = snapshot(project)
    result = run("g", "service", "messages")
    assert result.exit_code == 1
    assert "# feathers:service-registrations` is missing" in result.stderr
    assert "\n    register_messages(app)\n" in result.stderr
    assert snapshot(project) == before


def test_works_from_a_subfolder(project, monkeypatch):
    monkeypatch.chdir(project / "chat" / "hooks")
    assert run("g", "service", "messages").exit_code == 0
    assert (project / "chat" / "services" / "messages" / "service.py").is_file()


def test_outside_a_project_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("g", "service", "messages")
    assert result.exit_code == 1
    assert "not inside a Feathers project" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_dry_run_writes_nothing_and_prints_the_plan(project):
    before = snapshot(project)
    result = run("g", "service", "api/todos", "--dry-run")
    assert result.exit_code == 0
    assert snapshot(project) == before
    assert "Dry run, nothing written" in result.stderr
    assert "Would create:" in result.stderr
    assert "chat/services/__init__.py at # feathers:service-imports" in result.stderr
    assert "+ from .api.todos import register_api_todos" in result.stderr


@pytest.mark.parametrize("dry_run", [True, False])
def test_json_output(project, dry_run):
    options = ["--schema", "none", *(["--dry-run"] if dry_run else [])]
    result = run("g", "service", "api/todos", "--json", *options)
    assert result.exit_code == 0
    output = json.loads(result.stdout)
    assert output["dry_run"] is dry_run
    assert output["generator"] == "service"
    assert output["service"] == {
        "name": "api/todos",
        "path": "api/todos",
        "module": "todos",
        "folder": "api/todos",
        "class": "TodosService",
        "adapter": "memory",
        "methods": ["find", "get", "create", "patch", "remove"],
        "schema": "none",
        "auth": False,  # the project has no authentication
    }
    assert sorted(output["created"]) == [
        "chat/services/api/__init__.py",
        "chat/services/api/todos/__init__.py",
        "chat/services/api/todos/service.py",
        "tests/services/test_api_todos_service.py",
    ]
    assert output["edited"] == [
        {
            "file": "chat/services/__init__.py",
            "at": "# feathers:service-imports",
            "marker": "# feathers:service-imports",
            "lines": ["from .api.todos import register_api_todos"],
        },
        {
            "file": "chat/services/__init__.py",
            "at": "# feathers:service-registrations",
            "marker": "# feathers:service-registrations",
            "lines": ["register_api_todos(app)"],
        },
    ]
    assert (project / "chat" / "services" / "api").exists() is not dry_run


def test_help_shows_examples():
    result = run("generate", "service", "--help")
    assert result.exit_code == 0
    assert "feathers g service todos --path api/todos" in result.output


def hook_slot(registration: str, position: str, slot: str) -> list[str]:
    """The entries of one slot of a generated hook map, without its marker."""
    block = registration.split(f'"{position}": {{', 1)[1].split(f'"{slot}": [', 1)[1]
    block = block.split(f"# feathers:hooks:{position}:{slot}", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("methods", "hooks"),
    [
        (
            None,
            {
                ("around", "all"): ["resolve_external({}),"],
                ("before", "all"): ["validate_query(Query),"],
                ("before", "create"): ["validate_data(Data),"],
                ("before", "patch"): ["validate_data(Patch),"],
                ("before", "find"): [],
            },
        ),
        (
            "find,get,update",
            {
                ("before", "all"): ["validate_query(Query),"],
                ("before", "update"): ["validate_data(Data),"],
            },
        ),
    ],
)
def test_a_schema_is_generated_and_wired_into_the_hooks(project, methods, hooks):
    options = ["--methods", methods] if methods else []
    result = run("g", "service", "messages", "--json", *options)
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["service"]["schema"] == "pydantic"
    assert "chat/services/messages/schema.py" in output["created"]
    folder = project / "chat" / "services" / "messages"
    schema = (folder / "schema.py").read_text()
    for line in ("class Data(BaseModel):", "class Model(Data):", "Patch = partial_model(Data)"):
        assert line in schema
    assert 'Query = query_model(Model, fields=["id", "text"])' in schema
    assert "sql_table" not in schema  # a memory service has no table
    registration = (folder / "__init__.py").read_text()
    for (position, slot), expected in hooks.items():
        assert hook_slot(registration, position, slot) == expected
    models = "Data, Patch, Query" if methods is None else "Data, Query"
    assert f"\nfrom .schema import {models}\nfrom .service import MessagesService\n" in registration
    assert "validate_query\n\n# feathers:hook-imports" in registration
    assert '"pydantic>=2.7,<3"' in (project / "pyproject.toml").read_text()
    test = (project / "tests" / "services" / "test_messages_service.py").read_text()
    assert "from feathers.errors import BadRequest" in test


def test_schema_none_and_unknown_schemas(project):
    result = run("g", "service", "messages", "--schema", "none")
    assert result.exit_code == 0, result.output
    folder = project / "chat" / "services" / "messages"
    assert not (folder / "schema.py").exists()
    assert "feathers.schema" not in (folder / "__init__.py").read_text()
    assert "pydantic" not in (project / "pyproject.toml").read_text()
    test = project / "tests" / "services" / "test_messages_service.py"
    assert "BadRequest" not in test.read_text()
    before = snapshot(project)
    result = run("g", "service", "notes", "--schema", "marshmallow")
    assert result.exit_code == 2
    assert "--schema 'marshmallow' is not supported; choose from: pydantic, none" in result.stderr
    assert snapshot(project) == before


# --auth: in a project with authentication clients must log in (Feathers' generator asks
# "Does this service require authentication?" and adds authenticate('jwt') the same way).

AUTH_CONFIG = """[authentication]
entity = "user"
service = "{service}"
auth_strategies = ["jwt", "local"]

[authentication.local]
username_field = "{field}"
password_field = "password"
"""


def with_auth_config(root, service: str = "users", field: str = "email"):
    """`root` with [authentication] in config/default.toml, as `generate authentication`
    writes it."""
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "default.toml").write_text(AUTH_CONFIG.format(service=service, field=field))
    return root


def ruff_clean(root) -> None:
    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_service_requires_a_login_by_default_in_a_project_with_authentication(
    make_project, monkeypatch
):
    root = make_project(database="memory", auth=("local", "jwt")).root
    monkeypatch.chdir(root)
    result = run("g", "service", "messages", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["service"]["auth"] is True
    registration = (root / "chat" / "services" / "messages" / "__init__.py").read_text()
    # first in around `all`: before resolve_external (around) and validate_query (before)
    assert hook_slot(registration, "around", "all") == [
        'authenticate("jwt"),',
        "resolve_external({}),",
    ]
    assert hook_slot(registration, "before", "all") == ["validate_query(Query),"]
    assert registration.count("authenticate") == 3  # the docstring, the import, the hook
    assert (
        "\nfrom feathers.authentication import authenticate\n"
        "from feathers.schema import resolve_external, validate_data, validate_query\n\n"
        "# feathers:hook-imports"
    ) in registration
    test = (root / "tests" / "services" / "test_messages_service.py").read_text()
    assert 'USERS_PATH = "users"' in test
    assert '"email": email, "password": PASSWORD' in test
    logged_in = '@pytest.mark.usefixtures("access_token")\nasync def test_clients_call_the_'
    assert f"{logged_in}service_over_a_socket(app, client):" in test
    assert "async def test_clients_call_the_service_over_rest(app, url, access_token):" in test
    assert "headers=bearer(access_token)" in test
    for transport in ("a_socket", "rest"):
        assert f"async def test_anonymous_calls_are_refused_over_{transport}(app" in test
    # the schema refuses this query and data, but anonymous callers learn only NotAuthenticated
    assert 'await service.find({"query": {"nonexistent": 1}})' in test
    assert 'await http.post(f"/{PATH}", json={"text": 5}),' in test
    ruff_clean(root)


def test_no_auth_in_a_project_with_authentication(make_project, monkeypatch):
    root = make_project(database="memory", auth=("local", "jwt")).root
    monkeypatch.chdir(root)
    result = run("g", "service", "notices", "--no-auth")
    assert result.exit_code == 0, result.output
    assert "schema pydantic; no login)." in result.stderr
    registration = (root / "chat" / "services" / "notices" / "__init__.py").read_text()
    assert "authenticate" not in registration
    assert hook_slot(registration, "around", "all") == ["resolve_external({}),"]
    test = (root / "tests" / "services" / "test_notices_service.py").read_text()
    assert "access_token" not in test and "NotAuthenticated" not in test


def test_auth_without_authentication_is_refused_naming_the_generator(project):
    before = snapshot(project)
    for options in (["--auth"], ["--auth", "--dry-run", "--json"]):
        result = run("g", "service", "messages", *options)
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: --auth: this project has no authentication; add it first with "
            "`feathers generate authentication`; nothing was written\n"
        )
        assert result.stdout == ""
    assert snapshot(project) == before


@pytest.mark.parametrize("where", ["config", "module"])
def test_authentication_is_found_in_config_or_its_module(project, where):
    if where == "config":
        with_auth_config(project, service="members", field="username")
    else:
        (project / "chat" / "authentication.py").write_text('"""Authentication."""\n')
    result = run("g", "service", "api/todos", "--methods", "find,get", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert (output["dry_run"], output["service"]["auth"]) == (True, True)
    assert not (project / "chat" / "services" / "api").exists()
    human = run("g", "service", "api/todos", "--methods", "find,get", "--dry-run")
    assert "methods find,get; schema pydantic; login required)." in human.stderr
    run("g", "service", "api/todos", "--methods", "find,get")
    test = (project / "tests" / "services" / "test_api_todos_service.py").read_text()
    # the users service and login field of [authentication], else Feathers' defaults
    users, field = ("members", "username") if where == "config" else ("users", "email")
    assert f'USERS_PATH = "{users}"' in test
    assert f'login = {{"strategy": "local", "{field}": email, "password": PASSWORD}}' in test
    # only the exposed methods are tried anonymously; the refusal comes before the query check
    refusals = test.split("async def test_anonymous_calls_are_refused_over_a_socket", 1)[1]
    calls = [line.strip() for line in refusals.splitlines() if line.startswith("        await ")]
    assert calls == [
        "await service.find()",
        'await service.get(record["id"])',
        'await service.find({"query": {"nonexistent": 1}})',
    ]


def test_an_unreadable_config_is_a_one_line_error(project):
    (project / "config").mkdir()
    (project / "config" / "default.toml").write_text("[authentication\n")
    before = snapshot(project)
    result = run("g", "service", "messages")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot read config/default.toml: ")
    assert result.stderr.count("\n") == 1
    assert snapshot(project) == before
    # --no-auth does not need to read it
    assert run("g", "service", "messages", "--no-auth").exit_code == 0


def test_hooks_generated_later_go_after_authenticate(project):
    with_auth_config(project)
    assert run("g", "service", "messages").exit_code == 0
    result = run("g", "hook", "log_runtime", "--type", "around", "--service", "messages")
    assert result.exit_code == 0, result.output
    result = run(
        "g",
        "hook",
        "stamp",
        "--type",
        "regular",
        "--service",
        "messages",
        "--method",
        "all",
        "--position",
        "before",
    )
    assert result.exit_code == 0, result.output
    registration = (project / "chat" / "services" / "messages" / "__init__.py").read_text()
    assert hook_slot(registration, "around", "all") == [
        'authenticate("jwt"),',
        "resolve_external({}),",
        "log_runtime,",
    ]
    assert hook_slot(registration, "before", "all") == ["validate_query(Query),", "stamp,"]


@pytest.mark.parametrize("transports", [["socketio"], ["rest"], ["socketio", "rest"]])
def test_the_anonymous_checks_follow_the_transports(project, transports):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('["socketio"]', json.dumps(transports).replace(",", ", "))
    )
    with_auth_config(project)
    assert run("g", "service", "messages").exit_code == 0
    test = (project / "tests" / "services" / "test_messages_service.py").read_text()
    refused = {
        transport: f"async def test_anonymous_calls_are_refused_over_{name}(app" in test
        for transport, name in (("socketio", "a_socket"), ("rest", "rest"))
    }
    assert refused == {"socketio": "socketio" in transports, "rest": "rest" in transports}
    # over REST the test reads the error's name; over a socket it catches the class
    imports_it = "NotAuthenticated, NotFound\n" in test
    assert imports_it is ("socketio" in transports)
    ast.parse(test)
