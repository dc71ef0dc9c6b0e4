"""The application: settings, configure, use/service/unuse, setup/teardown, routing."""

import asyncio

import pytest

from feathers_cli.runtime import Lookup, feathers, get_service_options
from feathers_cli.runtime.errors import NotFound


class Todos:
    def __init__(self):
        self.calls = []

    async def find(self, params):
        return [{"route": params.get("route")}]

    async def get(self, id, params):
        return {"id": id}

    async def setup(self, app, path):
        self.calls.append(("setup", path))

    async def teardown(self, app, path):
        self.calls.append(("teardown", path))


def test_settings_get_set_and_configure():
    app = feathers()
    assert app.get("never set") is None
    assert app.set("paginate", {"default": 10, "max": 50}) is app
    assert app.get("paginate") == {"default": 10, "max": 50}

    def plugin(target):
        target.set("configured", True)

    assert app.configure(plugin) is app
    assert app.get("configured") is True


@pytest.mark.parametrize(
    ("registered", "looked_up"),
    [("/messages/", "messages"), ("messages", "/messages"), ("", "/"), ("/", "")],
)
def test_paths_are_normalised(registered, looked_up):
    app = feathers()
    service = Todos()
    app.use(registered, service)
    assert app.service(looked_up) is service


def test_unknown_service_is_a_clear_error():
    app = feathers()
    with pytest.raises(NotFound, match="Can not find service 'nope'"):
        app.service("/nope/")


def test_use_validates_path_service_and_methods():
    app = feathers()
    with pytest.raises(TypeError, match="not a valid service path"):
        app.use(42, Todos())
    with pytest.raises(TypeError, match="Invalid service object"):
        app.use("empty", object())
    with pytest.raises(ValueError, match="does not exist on service 'todos'"):
        app.use("todos", Todos(), methods=["find", "archive"])
    with pytest.raises(ValueError, match="already exists"):
        app.use("twice", Todos())
        app.use("/twice", Todos())


@pytest.mark.parametrize(
    "name", ["hooks", "setup", "teardown", "publish", "on", "emit", "off", "_find"]
)
def test_protected_names_are_refused_as_methods(name):
    class Evil(Todos):
        def hooks(self, data, params): ...
        def publish(self, data, params): ...
        def on(self, data, params): ...
        def emit(self, data, params): ...
        def off(self, data, params): ...
        def _find(self, data, params): ...

    app = feathers()
    with pytest.raises(ValueError, match=f"'{name}' on service 'evil' is not allowed"):
        app.use("evil", Evil(), methods=[name])
    assert "evil" not in app.services


def test_default_methods_are_the_standard_ones_the_object_has():
    app = feathers()
    app.use("todos", Todos())
    options = get_service_options(app.service("todos"))
    assert options.methods == ["find", "get"]
    assert options.service_events == ["created", "updated", "patched", "removed"]


async def test_setup_and_teardown_in_registration_order_and_late_services():
    app = feathers()
    first, second, late = Todos(), Todos(), Todos()
    order = []
    first.setup = lambda app, path: order.append(("setup", path))  # sync setup works too
    app.use("first", first)
    app.use("second", second)
    await app.setup()
    assert order == [("setup", "first")]
    assert second.calls == [("setup", "second")]
    app.use("late", late)
    await asyncio.sleep(0)
    assert late.calls == [("setup", "late")]
    await app.teardown()
    assert second.calls[-1] == ("teardown", "second")
    assert late.calls[-1] == ("teardown", "late")


async def test_unuse_tears_down_and_unregisters():
    app = feathers()
    service = Todos()
    app.use("todos", service)
    assert await app.unuse("/todos") is service
    assert service.calls == [("teardown", "todos")]
    assert app.lookup("todos") is None
    with pytest.raises(NotFound):
        app.service("todos")


async def test_route_placeholders():
    app = feathers()
    service = Todos()
    app.use("users/:user_id/messages", service)
    app.use("users", Todos())
    lookup = app.lookup("/users/5/messages/")
    assert lookup == Lookup(service, {"user_id": "5"})
    assert await lookup.service.find({"route": lookup.params}) == [{"route": {"user_id": "5"}}]
    assert app.lookup("users/5") is None
    assert app.lookup("users/5/messages/7") is None
    assert app.lookup("users").params == {}
    assert app.lookup(None) is None


def test_root_service_answers_only_the_empty_path():
    app = feathers()
    root = Todos()
    app.use("/", root)
    assert app.lookup("").service is root
    assert app.lookup("/").service is root
    assert app.lookup("anything") is None


async def test_sub_app_services_are_mounted_under_a_prefix():
    api = feathers()
    api.use("todos", Todos())
    app = feathers()
    app.use("api/v1", api)
    assert (await app.service("api/v1/todos").get(3)) == {"id": 3}


def test_same_object_cannot_be_registered_twice():
    app = feathers()
    service = Todos()
    app.use("a", service)
    with pytest.raises(ValueError, match="already registered at 'a'"):
        app.use("b", service)


def test_slotted_objects_are_refused_clearly():
    class Slotted:
        __slots__ = ()

        async def get(self, id, params):
            return id

    with pytest.raises(TypeError, match="takes attributes"):
        feathers().use("slotted", Slotted())
