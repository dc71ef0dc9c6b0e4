"""sql_table: a SQLAlchemy table from a pydantic model, used by SQLService and by Alembic."""

from __future__ import annotations

import datetime
import decimal
import enum
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any, Literal

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, Field

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.schema import partial_model, validate_data, validate_query
from feathers_cli.runtime.schema import query_model as make_query_model
from feathers_cli.runtime.sql import SQLService, create_engine, sql_table

REPO = Path(__file__).resolve().parents[2]


class Role(enum.Enum):
    READER = "reader"
    ADMINISTRATOR = "administrator"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class PersonData(BaseModel):
    email: str = Field(max_length=120)
    name: str
    age: int | None = None
    score: float = 0.5
    active: bool = True
    born: datetime.datetime | None = None
    day: datetime.date | None = None
    role: Role = Role.READER
    priority: Priority | None = None
    kind: Literal["a", "bb"] = "a"
    balance: decimal.Decimal | None = None
    token: uuid.UUID | None = None
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] | None = None


class Person(PersonData):
    id: int


def test_columns_types_nullability_and_defaults() -> None:
    table = sql_table(Person, sa.MetaData(), "people", unique=["email", ("name", "born")])
    c = table.c
    assert c.id.primary_key and isinstance(c.id.type, sa.Integer)
    assert table.dialect_options["sqlite"]["autoincrement"] is True
    expected = {
        "email": (sa.String, False),
        "name": (sa.Text, False),
        "age": (sa.Integer, True),
        "score": (sa.Float, False),
        "active": (sa.Boolean, False),
        "born": (sa.DateTime, True),
        "day": (sa.Date, True),
        "role": (sa.String, False),
        "priority": (sa.Integer, True),
        "kind": (sa.String, False),
        "balance": (sa.Numeric, True),
        "token": (sa.Uuid, True),
        "tags": (sa.JSON, False),
        "extra": (sa.JSON, True),
    }
    for name, (column_type, nullable) in expected.items():
        assert type(c[name].type) is column_type, name
        assert c[name].nullable is nullable, name
    assert c.email.type.length == 120 and c.role.type.length == len("administrator")
    assert c.kind.type.length == 2 and c.born.type.timezone is True
    assert c.score.default.arg == 0.5 and c.score.server_default.arg.text == "0.5"
    assert c.active.server_default.arg.text == "true"
    assert c.role.default.arg == "reader" and c.role.server_default.arg == "reader"
    assert c.tags.default is None and c.age.default is None
    uniques = {
        tuple(u.columns.keys()) for u in table.constraints if isinstance(u, sa.UniqueConstraint)
    }
    assert uniques == {("email",), ("name", "born")}


def test_ids_aliases_and_refusals() -> None:
    class Note(BaseModel):
        text: str = Field(alias="body")

    class Keyed(BaseModel):
        key: str
        text: str

    table = sql_table(Note, sa.MetaData(), "notes")
    assert list(table.c.keys()) == ["id", "body"] and table.c.id.primary_key
    keyed = sql_table(Keyed, sa.MetaData(), "keyed", id="key")
    assert keyed.c.key.primary_key and not keyed.dialect_options["sqlite"]["autoincrement"]
    with pytest.raises(ValueError, match="unique: Note has no field email"):
        sql_table(Note, sa.MetaData(), "notes", unique=["email"])

    class Odd(BaseModel):
        value: int | str

    with pytest.raises(TypeError, match="field 'value': a union"):
        sql_table(Odd, sa.MetaData(), "odd")


async def test_a_schema_service_on_sqlite(tmp_path: Path) -> None:
    metadata = sa.MetaData()
    table = sql_table(Person, metadata, "people", unique=["email"])
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    app = feathers()
    app.use("people", SQLService(table, engine))
    app.service("people").hooks(
        {
            "before": {
                "all": [validate_query(make_query_model(Person), operators=["$like"])],
                "create": [validate_data(PersonData)],
                "patch": [validate_data(partial_model(PersonData))],
            }
        }
    )
    people = app.service("people")
    try:
        born = "2000-02-03T04:05:06+00:00"
        ann = await people.create(
            {"email": "ann@x", "name": "Ann", "born": born, "role": "administrator"}
        )
        assert ann["role"] == "administrator" and ann["active"] is True and ann["tags"] == []
        await people.create({"email": "bob@x", "name": "Bob", "age": 40, "priority": 2})
        rest = {"provider": "rest"}
        found = await people.find({"query": {"age": {"$gt": "30"}}, **rest})
        assert [person["name"] for person in found] == ["Bob"]
        found = await people.find({"query": {"born": {"$lt": "2001-01-01T00:00:00Z"}}, **rest})
        assert [person["name"] for person in found] == ["Ann"]
        found = await people.find({"query": {"role": "reader", "active": "true"}, **rest})
        assert [person["name"] for person in found] == ["Bob"]
        assert (await people.patch(ann["id"], {"age": "7"}))["age"] == 7
        found = await people.find({"query": {"name": {"$like": "B%"}}, **rest})
        assert [person["name"] for person in found] == ["Bob"]
        with pytest.raises(errors.BadRequest, match=r"Invalid query: name.\$ilike: Unknown"):
            await people.find({"query": {"name": {"$ilike": "b%"}}, **rest})
        with pytest.raises(errors.Conflict):
            await people.create({"email": "ann@x", "name": "Other Ann"})
        with pytest.raises(errors.BadRequest, match="Invalid data: email: String should have"):
            await people.create({"email": "x" * 121, "name": "Long"})
    finally:
        await engine.dispose()


# -- Alembic autogenerate sees a field added to the model -----------------------------------

MODEL_V1 = """
import sqlalchemy as sa
from pydantic import BaseModel
from feathers_cli.runtime.sql import sql_table

class Person(BaseModel):
    id: int
    email: str
    name: str

metadata = sa.MetaData()
people = sql_table(Person, metadata, "people", unique=["email"])
"""

MODEL_V2 = MODEL_V1.replace("    name: str\n", "    name: str\n    age: int = 0\n")

# the shape of the generated projects' migrations/env.py (async engine, batch mode)
ENV = """
import asyncio

from alembic import context
from feathers_cli.runtime.sql import create_engine

from models import metadata

URL = {url!r}


def run_migrations(connection):
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online():
    engine = create_engine(URL)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


asyncio.run(run_online())
"""


def alembic(root: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def newest_revision(root: Path, before: set[Path]) -> str:
    (created,) = set((root / "migrations" / "versions").glob("*.py")) - before
    return created.read_text()


def test_alembic_autogenerate_adds_a_field_added_to_the_model(tmp_path: Path) -> None:
    database = tmp_path / "app.sqlite"
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(ENV.format(url=f"sqlite:///{database}"))
    mako = REPO / "templates" / "connection" / "migrations" / "script.py.mako"
    (tmp_path / "migrations" / "script.py.mako").write_text(mako.read_text())
    ini = "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
    (tmp_path / "alembic.ini").write_text(ini + "path_separator = os\n")
    models = tmp_path / "models.py"
    models.write_text(textwrap.dedent(MODEL_V1))

    before: set[Path] = set()
    alembic(tmp_path, "revision", "--autogenerate", "-m", "create people")
    first = newest_revision(tmp_path, before)
    assert 'op.create_table(\n        "people"' in first or "op.create_table('people'" in first
    assert "uq_people_email" in first
    alembic(tmp_path, "upgrade", "head")

    models.write_text(textwrap.dedent(MODEL_V2))
    before = set((tmp_path / "migrations" / "versions").glob("*.py"))
    alembic(tmp_path, "revision", "--autogenerate", "-m", "add age")
    second = newest_revision(tmp_path, before)
    assert "add_column" in second and "'age'" in second and "create_table" not in second
    assert "server_default=sa.text('0')" in second
    alembic(tmp_path, "upgrade", "head")

    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        columns = {c["name"]: c for c in sa.inspect(engine).get_columns("people")}
        assert columns["age"]["nullable"] is False
    finally:
        engine.dispose()
    # the model and the migrated database now agree: nothing more to generate
    before = set((tmp_path / "migrations" / "versions").glob("*.py"))
    alembic(tmp_path, "revision", "--autogenerate", "-m", "nothing")
    third = newest_revision(tmp_path, before)
    assert "add_column" not in third and "drop_column" not in third and "alter_column" not in third
