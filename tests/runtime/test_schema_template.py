"""The generator templates for schemas (templates/service/schema.py.jinja and
templates/sql/schema_migration.py.jinja, which `feathers generate service --schema pydantic`
renders): the schema works with the runtime, and the migration matches the table derived
from it (tests/e2e/test_schema_project.py runs them in a whole generated project)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"

# run inside a subprocess: the rendered code imports `feathers`, which is the runtime
ALIAS_RUNTIME = """
import importlib, sys
import feathers_cli.runtime as runtime
sys.modules["feathers"] = runtime
for name in ("schema", "sql", "errors", "memory"):
    sys.modules[f"feathers.{name}"] = importlib.import_module(f"feathers_cli.runtime.{name}")
"""

CHECK_SCHEMA = """
import asyncio
from feathers import feathers
from feathers.errors import BadRequest
from feathers.memory import MemoryService
from feathers.schema import validate_data, validate_query
from demo.schema import Data, Model, Patch, Query

app = feathers()
app.use("messages", MemoryService())
app.service("messages").hooks({"before": {
    "all": [validate_query(Query)],
    "create": [validate_data(Data)],
    "patch": [validate_data(Patch)],
}})


async def main():
    messages = app.service("messages")
    created = await messages.create({"text": "hi"})
    Model.model_validate(created)
    assert await messages.find({"query": {"id": "0"}, "provider": "rest"}) == [created]
    for bad in ({"text": 5}, {"text": ""}, {"text": "a", "other": 1}):
        try:
            await messages.create(bad)
        except BadRequest as error:
            print(error.message)
        else:
            raise AssertionError(bad)
    assert (await messages.patch(0, {}))["text"] == "hi"


asyncio.run(main())
"""

ENV = """
import asyncio
from alembic import context
from feathers_cli.runtime.sql import create_engine
from demo.database import metadata
import demo.schema  # noqa: F401  (defines the table)

URL = {url!r}


def run_migrations(connection):
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online():
    engine = create_engine(URL)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


asyncio.run(run_online())
"""


def render(template: str, **context: object) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True
    )
    return environment.get_template(template).render(**context)


def make_project(root: Path, adapter: str) -> None:
    package = root / "demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    database = "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n"
    (package / "database.py").write_text(database)
    schema = render(
        "service/schema.py.jinja",
        path="messages",
        table="messages",
        package="demo",
        adapter=adapter,
    )
    (package / "schema.py").write_text(schema)
    compile(schema, "schema.py", "exec")


def run(root: Path, code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("adapter", ["memory", "sql"])
def test_the_rendered_schema_validates(tmp_path: Path, adapter: str) -> None:
    make_project(tmp_path, adapter)
    printed = run(tmp_path, ALIAS_RUNTIME + CHECK_SCHEMA).splitlines()
    assert printed[0].startswith("Invalid data: text: Input should be a valid string")
    assert printed[1].startswith("Invalid data: text: String should have at least 1 character")
    assert printed[2].startswith("Invalid data: other: Extra inputs are not permitted")


def test_the_rendered_migration_matches_the_derived_table(tmp_path: Path) -> None:
    make_project(tmp_path, "sql")
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True)
    env = ENV.format(url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    (migrations / "env.py").write_text(ALIAS_RUNTIME + env)
    mako = TEMPLATES / "connection" / "migrations" / "script.py.mako"
    (migrations / "script.py.mako").write_text(mako.read_text())
    first = render(
        "sql/schema_migration.py.jinja",
        table="messages",
        path="messages",
        revision="0001",
        down_revision=None,
        created="2026-01-01",
    )
    (migrations / "versions" / "0001_messages.py").write_text(first)
    ini = "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
    (tmp_path / "alembic.ini").write_text(ini + "path_separator = os\n")
    run(tmp_path, "", "-m", "alembic", "upgrade", "head")
    run(tmp_path, "", "-m", "alembic", "revision", "--autogenerate", "-m", "check")
    (generated,) = set((migrations / "versions").glob("*.py")) - {
        migrations / "versions" / "0001_messages.py"
    }
    upgrade = generated.read_text().split("def upgrade() -> None:")[1].split("def downgrade")[0]
    statements = [line.strip() for line in upgrade.splitlines() if line.strip()[:1] not in "#"]
    assert statements == ["pass"], upgrade
