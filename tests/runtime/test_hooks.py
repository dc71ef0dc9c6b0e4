"""Hooks: registration forms, Feathers' order, skipping, errors, context fields."""

import pytest

from feathers_cli.runtime import HookContext, feathers
from feathers_cli.runtime.errors import BadRequest, GeneralError, NotFound


class Messages:
    def __init__(self, log=None):
        self.log = log if log is not None else []

    async def find(self, params):
        self.log.append("method")
        return [{"id": 1}]

    async def get(self, id, params):
        self.log.append("method")
        if id == "missing":
            raise NotFound("No record found")
        return {"id": id, "params": params}

    async def create(self, data, params):
        self.log.append("method")
        return data

    async def shout(self, data, params):
        self.log.append("method")
        return {"shouted": str(data).upper()}


def around(log, name):
    async def hook(context, next):
        log.append(f"{name} >")
        await next()
        log.append(f"{name} <")

    return hook


def regular(log, name):
    def hook(context):
        log.append(name)

    return hook


def app_with_every_hook(log):
    app = feathers()
    app.hooks(
        {
            "around": {
                "all": [around(log, "app around all")],
                "get": [around(log, "app around get")],
            },
            "before": {
                "all": [regular(log, "app before all")],
                "get": [regular(log, "app before get")],
            },
            "after": {
                "all": [regular(log, "app after all")],
                "get": [regular(log, "app after get")],
            },
            "error": {
                "all": [regular(log, "app error all")],
                "get": [regular(log, "app error get")],
            },
        }
    )
    app.use("messages", Messages(log))
    app.service("messages").hooks(
        {
            "around": {
                "all": [around(log, "svc around all")],
                "get": [around(log, "svc around get")],
            },
            "before": {
                "all": [regular(log, "svc before all")],
                "get": [regular(log, "svc before get")],
            },
            "after": {
                "all": [regular(log, "svc after all")],
                "get": [regular(log, "svc after get")],
            },
            "error": {
                "all": [regular(log, "svc error all")],
                "get": [regular(log, "svc error get")],
            },
        }
    )
    return app


async def test_full_order_of_every_hook_position():
    log = []
    app = app_with_every_hook(log)
    assert (await app.service("messages").get(1))["id"] == 1
    assert log == [
        "app around all >",
        "app around get >",
        "app before all",
        "app before get",
        "svc around all >",
        "svc around get >",
        "svc before all",
        "svc before get",
        "method",
        "svc after all",
        "svc after get",
        "svc around get <",
        "svc around all <",
        "app after all",
        "app after get",
        "app around get <",
        "app around all <",
    ]


async def test_error_hooks_run_method_first_then_all_service_before_app():
    log = []
    app = app_with_every_hook(log)
    with pytest.raises(NotFound):
        await app.service("messages").get("missing")
    errors = [entry for entry in log if "error" in entry]
    assert errors == ["svc error get", "svc error all", "app error get", "app error all"]
    assert "svc after all" not in log and "app after all" not in log


async def test_service_error_hook_result_swallows_and_app_after_hooks_still_run():
    log = []
    app = feathers()
    app.hooks({"after": [regular(log, "app after")], "error": [regular(log, "app error")]})
    app.use("messages", Messages(log))

    def recover(context):
        assert isinstance(context.error, NotFound)
        assert context.type == "error"
        context.result = {"recovered": True}

    app.service("messages").hooks({"error": {"get": [recover]}})
    assert await app.service("messages").get("missing") == {"recovered": True}
    assert log == ["method", "app after"]


async def test_registration_forms_accumulate():
    log = []
    app = feathers()
    app.use("messages", Messages(log))
    service = app.service("messages")
    service.hooks([around(log, "list")])
    service.hooks({"get": [around(log, "per method")]})
    service.hooks({"before": regular(log, "single before")})
    service.hooks({"before": {"all": [regular(log, "before all")], "create": [regular(log, "c")]}})
    await service.get(1)
    assert log == [
        "list >",
        "per method >",
        "single before",
        "before all",
        "method",
        "per method <",
        "list <",
    ]


async def test_result_set_in_before_hook_skips_method_but_not_other_hooks():
    log = []
    app = feathers()
    app.use("messages", Messages(log))

    def cached(context):
        context.result = {"cached": True}

    app.service("messages").hooks(
        {"before": [cached, regular(log, "second before")], "after": [regular(log, "after")]}
    )
    assert await app.service("messages").get(1) == {"cached": True}
    assert log == ["second before", "after"]


async def test_result_set_in_around_hook_before_next_skips_only_the_method():
    log = []
    app = feathers()
    app.use("messages", Messages(log))

    async def short_circuit(context, next):
        context.result = None  # even None counts as a result
        await next()

    app.service("messages").hooks(
        {
            "around": [short_circuit],
            "before": [regular(log, "before")],
            "after": [regular(log, "after")],
        }
    )
    assert await app.service("messages").get(1) is None
    assert log == ["before", "after"]


async def test_before_hook_changes_what_the_method_receives():
    app = feathers()
    app.use("messages", Messages())

    async def replace(context):
        context.params = {"query": {"changed": True}}
        context.id = 42

    app.service("messages").hooks({"before": {"get": [replace]}})
    result = await app.service("messages").get(1)
    assert result == {"id": 42, "params": {"query": {"changed": True}}}


async def test_context_fields_during_hooks():
    seen = {}
    app = feathers()
    app.use("messages", Messages())

    def capture(context: HookContext):
        seen[context.method] = (
            context.app,
            context.path,
            context.type,
            context.event,
            context.id,
            context.data,
            context.params,
        )

    service = app.service("messages")
    service.hooks({"before": [capture]})
    await service.create({"text": "hi"}, {"provider": "test"})
    await service.get(3)
    await service.find()
    assert seen["create"] == (
        app,
        "messages",
        "before",
        "created",
        None,
        {"text": "hi"},
        {"provider": "test"},
    )
    assert seen["get"][3:6] == (None, 3, None)
    assert seen["find"][3] is None and seen["find"][6] == {}


async def test_after_hook_sees_result_and_can_set_dispatch():
    app = feathers()
    app.use("messages", Messages())

    def after(context):
        assert context.type == "after"
        context.dispatch = {"safe": context.result["id"]}

    app.service("messages").hooks({"after": {"get": [after]}})
    context = await app.service("messages").get.run(5)
    assert context.result["id"] == 5
    assert context.dispatch == {"safe": 5}


async def test_hooks_on_custom_methods():
    log = []
    app = feathers()
    app.use("messages", Messages(log), methods=["find", "shout"])
    app.service("messages").hooks({"before": {"shout": [regular(log, "before shout")]}})
    assert await app.service("messages").shout("hey") == {"shouted": "HEY"}
    assert log == ["before shout", "method"]


async def test_methods_not_exposed_get_no_hooks_unless_standard():
    app = feathers()
    service = Messages()
    app.use("messages", service, methods=["find"])
    # get is a standard method: hook-enabled even when not exposed to clients
    assert type(service.get).__name__ == "HookedMethod"
    # shout is neither standard nor exposed: it stays the plain method
    assert type(service.shout).__name__ == "method"
    with pytest.raises(ValueError, match="not a hook-enabled method"):
        service.hooks({"before": {"shout": [regular([], "x")]}})


async def test_error_in_before_hook_is_seen_by_error_hooks_and_raised():
    app = feathers()
    app.use("messages", Messages())
    seen = []

    def fail(context):
        raise BadRequest("Invalid text")

    def watch(context):
        seen.append((context.error.message, context.original.method))

    app.service("messages").hooks({"before": [fail], "error": [watch]})
    with pytest.raises(BadRequest, match="Invalid text"):
        await app.service("messages").create({})
    assert seen == [("Invalid text", "create")]


async def test_error_hook_can_replace_the_error():
    app = feathers()
    app.use("messages", Messages())

    def replace(context):
        context.error = GeneralError("replaced")

    app.service("messages").hooks({"error": [replace]})
    with pytest.raises(GeneralError, match="replaced"):
        await app.service("messages").get("missing")


async def test_async_and_sync_hooks_and_methods_mix():
    class SyncService:
        def get(self, id, params):
            return {"id": id}

    app = feathers()
    app.use("sync", SyncService())

    async def add(context):
        context.result["async"] = True

    def add_sync(context):
        context.result["sync"] = True

    app.service("sync").hooks({"after": [add, add_sync]})
    assert await app.service("sync").get(1) == {"id": 1, "async": True, "sync": True}


async def test_hooks_added_after_first_call_take_effect():
    log = []
    app = feathers()
    app.use("messages", Messages(log))
    await app.service("messages").get(1)
    app.hooks({"before": [regular(log, "late app hook")]})
    await app.service("messages").get(1)
    assert log == ["method", "late app hook", "method"]


def test_invalid_hook_registrations_are_refused():
    app = feathers()
    app.use("messages", Messages())
    with pytest.raises(ValueError, match="'sometimes' is not a valid hook type"):
        app.service("messages").hooks({"before": [], "sometimes": []})
    with pytest.raises(TypeError, match="not callable"):
        app.hooks({"before": ["nope"]})


async def test_calls_accept_keyword_arguments_and_refuse_too_many():
    app = feathers()
    app.use("messages", Messages())
    assert (await app.service("messages").get(id=2, params={"a": 1}))["params"] == {"a": 1}
    with pytest.raises(TypeError):
        await app.service("messages").get(1, {}, "extra")
