"""The schema hooks: validate_data, the models they take, resolvers and validate_config."""

from __future__ import annotations

import asyncio
import enum
import json
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.schema import (
    OMIT,
    ConfigError,
    partial_model,
    query_model,
    resolve_data,
    resolve_external,
    resolve_result,
    validate_config,
    validate_data,
    validate_query,
)


class Level(enum.Enum):
    LOW = "low"
    HIGH = "high"


class TaskData(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: str = Field(min_length=1)
    done: bool = False
    level: Level = Level.LOW
    owner_id: int | None = Field(default=None, alias="ownerId")

    @field_validator("title")
    @classmethod
    def strip(cls, value: str) -> str:
        return value.strip()


class Task(TaskData):
    id: int


def make_app(**hooks: Any) -> Any:
    app = feathers()
    app.use("tasks", MemoryService(multi=True))
    app.service("tasks").hooks(
        {
            "before": {
                "create": [validate_data(TaskData)],
                "update": [validate_data(TaskData)],
                "patch": [validate_data(partial_model(TaskData))],
            },
            **hooks,
        }
    )
    return app


async def test_create_fills_defaults_uses_aliases_and_runs_validators() -> None:
    tasks = make_app().service("tasks")
    created = await tasks.create({"title": "  write  ", "ownerId": 3})
    assert created == {"title": "write", "done": False, "level": "low", "ownerId": 3, "id": 0}
    assert type(created["level"]) is str  # the enum's value, storable and JSON-safe
    json.dumps(created)


async def test_patch_keeps_only_the_fields_sent() -> None:
    tasks = make_app().service("tasks")
    await tasks.create({"title": "a", "done": True, "level": "high"})
    patched = await tasks.patch(0, {"title": " b "})
    assert patched == {"title": "b", "done": True, "level": "high", "ownerId": None, "id": 0}
    with pytest.raises(errors.BadRequest, match="Invalid data: done:"):
        await tasks.patch(0, {"done": "perhaps"})
    with pytest.raises(errors.BadRequest, match="Invalid data: title:"):
        await tasks.patch(0, {"title": ""})


async def test_update_needs_the_whole_record() -> None:
    tasks = make_app().service("tasks")
    await tasks.create({"title": "a", "done": True})
    with pytest.raises(errors.BadRequest, match="Invalid data: title: Field required"):
        await tasks.update(0, {"done": False})
    assert (await tasks.update(0, {"title": "c"}))["done"] is False


@pytest.mark.parametrize(
    ("data", "loc", "kind"),
    [
        ({}, ["title"], "missing"),
        ({"title": 5}, ["title"], "string_type"),
        ({"title": "a", "done": "perhaps"}, ["done"], "bool_parsing"),
        ({"title": "a", "level": "medium"}, ["level"], "enum"),
        ({"title": "a", "ownerId": "x"}, ["ownerId"], "int_parsing"),
        ({"title": "a", "secret": 1}, ["secret"], "extra_forbidden"),
    ],
)
async def test_bad_data_is_a_bad_request_naming_the_field(
    data: dict[str, Any], loc: list[Any], kind: str
) -> None:
    tasks = make_app().service("tasks")
    with pytest.raises(errors.BadRequest) as caught:
        await tasks.create(data)
    assert caught.value.data == [{"loc": loc, "msg": caught.value.data[0]["msg"], "type": kind}]
    assert caught.value.message.startswith(f"Invalid data: {loc[0]}: ")
    json.dumps(caught.value.to_json())
    assert await tasks.find() == []


async def test_data_that_is_no_object_is_a_bad_request() -> None:
    tasks = make_app().service("tasks")
    with pytest.raises(errors.BadRequest, match="Invalid data: data: Input should be a valid"):
        await tasks.create("hello")
    with pytest.raises(errors.BadRequest, match="Invalid data: 0: Input should be a valid"):
        await tasks.create([5])


async def test_the_callers_params_keep_their_query() -> None:
    app = feathers()
    app.use("tasks", MemoryService())
    app.service("tasks").hooks({"before": {"find": [validate_query(query_model(Task))]}})
    params = {"query": {"done": "true"}}
    assert await app.service("tasks").find(params) == []
    assert params == {"query": {"done": "true"}}


async def test_a_list_is_validated_item_by_item() -> None:
    tasks = make_app().service("tasks")
    with pytest.raises(errors.BadRequest) as caught:
        await tasks.create([{"title": "a"}, {"title": "b", "done": "x"}])
    assert caught.value.data[0]["loc"] == [1, "done"]
    assert caught.value.message.startswith("Invalid data: 1.done: ")
    created = await tasks.create([{"title": "a"}, {"title": "b"}])
    assert [task["done"] for task in created] == [False, False]


async def test_extra_fields_are_dropped_when_the_model_ignores_them() -> None:
    class Loose(BaseModel):
        title: str

    app = feathers()
    app.use("tasks", MemoryService())
    app.service("tasks").hooks({"before": {"create": [validate_data(Loose)]}})
    assert await app.service("tasks").create({"title": "a", "x": 1}) == {"title": "a", "id": 0}


async def test_validate_data_as_an_around_hook() -> None:
    app = feathers()
    app.use("tasks", MemoryService())
    app.service("tasks").hooks({"around": {"create": [validate_data(TaskData)]}})
    assert (await app.service("tasks").create({"title": "a"}))["done"] is False
    with pytest.raises(errors.BadRequest):
        await app.service("tasks").create({"title": ""})


def test_partial_model_keeps_types_aliases_and_validators() -> None:
    patch = partial_model(TaskData)
    assert patch.__name__ == "TaskDataPatch"
    assert issubclass(patch, TaskData)
    assert patch.model_validate({}).model_dump(exclude_unset=True) == {}
    assert patch.model_validate({"ownerId": "4"}).owner_id == 4
    assert patch.model_validate({"title": " x "}).title == "x"
    with pytest.raises(ValueError, match="extra"):
        patch.model_validate({"secret": 1})
    with pytest.raises(ValueError, match="at least 1 character"):
        patch.model_validate({"title": ""})


def test_query_model_picks_fields() -> None:
    model = query_model(Task, fields=["id", "title", "owner_id"])
    assert list(model.model_fields) == ["id", "title", "owner_id"]
    assert model.model_fields["owner_id"].alias == "ownerId"  # the stored key
    assert model.model_fields["id"].annotation == int | None
    with pytest.raises(ValueError, match="Task has no field secret"):
        query_model(Task, fields=["secret"])


async def test_resolve_data_sync_and_async() -> None:
    async def owner(value: Any, data: Any, context: Any) -> Any:
        return context.params.get("user_id", value)

    app = make_app()
    app.service("tasks").hooks(
        {"before": {"create": [resolve_data({"ownerId": owner, "done": lambda v, d, c: OMIT})]}}
    )
    created = await app.service("tasks").create({"title": "a"}, {"user_id": 7})
    assert created == {"title": "a", "level": "low", "ownerId": 7, "id": 0}


async def test_resolve_result_runs_fields_concurrently() -> None:
    both_started = asyncio.Event()
    started: list[str] = []

    def resolver(name: str) -> Any:
        async def resolve(value: Any, item: Any, context: Any) -> str:
            started.append(name)
            if len(started) == 2:
                both_started.set()
            # sequential resolvers would wait here forever (bounded by the timeout)
            await asyncio.wait_for(both_started.wait(), 2)
            return f"{name}:{item['title']}"

        return resolve

    app = make_app()
    app.service("tasks").hooks(
        {"around": {"get": [resolve_result({"a": resolver("a"), "b": resolver("b")})]}}
    )
    await app.service("tasks").create({"title": "t"})
    got = await app.service("tasks").get(0)
    assert got["a"] == "a:t" and got["b"] == "b:t"


async def test_resolve_result_on_pages_lists_and_select() -> None:
    app = feathers()
    app.use("tasks", MemoryService(paginate={"default": 2, "max": 5}))
    app.service("tasks").hooks(
        {"around": {"all": [resolve_result({"upper": lambda v, t, c: t["title"].upper()})]}}
    )
    tasks = app.service("tasks")
    await tasks.create({"title": "a"})
    await tasks.create({"title": "b"})
    page = await tasks.find()
    assert [task["upper"] for task in page["data"]] == ["A", "B"] and page["total"] == 2
    assert (await tasks.find({"paginate": False}))[1] == {"title": "b", "id": 1, "upper": "B"}
    selected = await tasks.find({"query": {"$select": ["title"]}, "paginate": False})
    assert selected == [{"title": "a", "id": 0}, {"title": "b", "id": 1}]


async def test_resolver_errors_are_bad_requests_naming_the_fields() -> None:
    def broken(value: Any, item: Any, context: Any) -> Any:
        raise ValueError("no way")

    async def forbidden(value: Any, item: Any, context: Any) -> Any:
        raise errors.Forbidden("not yours")

    app = make_app()
    app.service("tasks").hooks(
        {"around": {"get": [resolve_result({"x": broken, "y": forbidden, "z": lambda *a: 1})]}}
    )
    await app.service("tasks").create({"title": "a"})
    with pytest.raises(errors.BadRequest, match="Error resolving data x, y") as caught:
        await app.service("tasks").get(0)
    assert caught.value.data["x"] == {"message": "no way"}
    assert caught.value.data["y"]["name"] == "Forbidden"


def test_resolvers_must_be_callable() -> None:
    with pytest.raises(TypeError, match="resolve_external: the resolver of 'password'"):
        resolve_external({"password": None})  # type: ignore[dict-item]


async def test_resolve_external_leaves_the_result_alone_and_sets_the_dispatch() -> None:
    app = feathers()
    app.use("users", MemoryService())
    seen: list[Any] = []

    async def keep(context: Any, next: Any) -> None:
        await next()
        seen.append((context.result, context.dispatch))

    app.service("users").hooks(
        {"around": {"all": [keep, resolve_external({"password": lambda *_: OMIT})]}}
    )
    users = app.service("users")
    created = await users.create({"email": "a@b", "password": "secret"})
    assert created["password"] == "secret"
    assert seen[-1][1] == {"email": "a@b", "id": 0}
    assert (await users.get(0))["password"] == "secret"
    await users.get(0, {"provider": "rest"})
    assert seen[-1] == ({"email": "a@b", "password": "secret", "id": 0}, {"email": "a@b", "id": 0})


async def test_resolve_external_chains_and_protects_embedded_records() -> None:
    app = feathers()
    app.use("users", MemoryService(paginate={"default": 5}))
    app.use("messages", MemoryService())

    async def user(value: Any, message: Any, context: Any) -> Any:
        return await context.app.service("users").get(message["user_id"])

    app.hooks({"around": {"all": [resolve_external({"internal_note": lambda *_: OMIT})]}})
    app.service("users").hooks(
        {"around": {"all": [resolve_external({"password": lambda *_: OMIT})]}}
    )
    app.service("messages").hooks(
        {"around": {"all": [resolve_external({}), resolve_result({"user": user})]}}
    )
    await app.service("users").create({"email": "a@b", "password": "pw", "internal_note": "x"})
    run = app.service("messages").create.run
    context = await run({"text": "hi", "user_id": 0, "internal_note": "y"}, {"provider": "rest"})
    assert context.result["user"]["password"] == "pw"  # code on the server sees everything
    assert context.dispatch == {
        "text": "hi",
        "user_id": 0,
        "id": 0,
        "user": {"email": "a@b", "id": 0},
    }
    page = await app.service("users").find.run({"provider": "rest"})
    assert page.dispatch == {"total": 1, "limit": 5, "skip": 0, "data": [{"email": "a@b", "id": 0}]}
    assert page.result["data"][0]["internal_note"] == "x"


async def test_resolve_hooks_refuse_to_run_before() -> None:
    app = make_app()
    app.service("tasks").hooks({"before": {"get": [resolve_external({"x": lambda *_: 1})]}})
    with pytest.raises(RuntimeError, match="around or an after hook"):
        await app.service("tasks").get(0)


class AppConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(3030, ge=0, le=65535)


def test_validate_config() -> None:
    assert validate_config(AppConfig, {"port": "8080"}, "config/default.toml").port == 8080
    with pytest.raises(ConfigError) as caught:
        validate_config(AppConfig, {"port": "http"}, "config/default.toml")
    message = str(caught.value)
    assert message.startswith("config/default.toml: port: Input should be a valid integer")
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ConfigError, match=r"^config/test.toml: hots: Extra inputs"):
        validate_config(AppConfig, {"hots": "x"}, "config/test.toml")
    expected = r"^c.toml: host: Input should be a valid string \(and 1 more\)$"
    with pytest.raises(ConfigError, match=expected):
        validate_config(AppConfig, {"port": 70000, "host": 1}, "c.toml")


class Paginate(BaseModel):
    default: int = 10
    max: int = 50


class NestedConfig(BaseModel):
    port: int = 3030
    paginate: Paginate = Paginate()


def test_validate_config_names_where_each_key_came_from() -> None:
    sources = {
        "": "config/default.toml",
        "port": "environment variable PORT",
        "paginate.max": "environment variable FEATHERS_PAGINATE__MAX",
    }
    with pytest.raises(ConfigError, match=r"^environment variable PORT: port: Input should"):
        validate_config(NestedConfig, {"port": "x"}, sources)
    with pytest.raises(ConfigError, match=r"^environment variable FEATHERS_PAGINATE__MAX: pag"):
        validate_config(NestedConfig, {"paginate": {"max": "many"}}, sources)
    with pytest.raises(ConfigError, match=r"^config/default.toml: paginate.default: Input"):
        validate_config(NestedConfig, {"paginate": {"default": "x"}}, sources)
    with pytest.raises(ConfigError, match=r"^configuration: port: Input"):
        validate_config(NestedConfig, {"port": "x"}, {})
