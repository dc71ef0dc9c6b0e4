"""The REST transport over real HTTP (httpx): Feathers' mapping, params, context.http and
errors. Bad input: test_rest_bad_input.py; CORS: test_rest_cors.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.client import connect
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio

from .rest_app import Echo, Root, create_app, serve


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app()) as http:
        yield http


async def test_crud_mapping_on_a_memory_service(client: httpx.AsyncClient) -> None:
    created = await client.post("/messages", json={"text": "hello"})
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    assert created.json() == {"text": "hello", "id": 0}
    assert (await client.get("/messages/0")).json() == {"text": "hello", "id": 0}
    found = await client.get("/messages")
    assert found.status_code == 200
    assert found.json() == [{"text": "hello", "id": 0}]
    updated = await client.put("/messages/0", json={"text": "replaced"})
    assert (updated.status_code, updated.json()) == (200, {"text": "replaced", "id": 0})
    patched = await client.patch("/messages/0", json={"read": True})
    assert patched.json() == {"text": "replaced", "read": True, "id": 0}
    removed = await client.delete("/messages/0")
    assert (removed.status_code, removed.json()) == (
        200,
        {"text": "replaced", "read": True, "id": 0},
    )
    missing = await client.get("/messages/0")
    assert missing.status_code == 404
    assert missing.json() == {
        "name": "NotFound",
        "message": "No record found for id '0'",
        "code": 404,
        "className": "not-found",
    }


async def test_each_http_method_calls_its_service_method(client: httpx.AsyncClient) -> None:
    calls = {
        ("GET", "/echo"): ("find", None),
        ("GET", "/echo/1"): ("get", "1"),
        ("POST", "/echo"): ("create", None),
        ("POST", "/echo/1"): ("create", None),  # Feathers: create ignores an id
        ("PUT", "/echo/1"): ("update", "1"),
        ("PATCH", "/echo/1"): ("patch", "1"),
        ("DELETE", "/echo/1"): ("remove", "1"),
        ("PUT", "/echo"): ("update", None),
        ("PATCH", "/echo"): ("patch", None),
        ("DELETE", "/echo"): ("remove", None),
    }
    for (method, url), (name, id) in calls.items():
        body = {"n": 1} if method in ("POST", "PUT", "PATCH") else None
        response = await client.request(method, url, json=body)
        result = response.json()
        assert result["method"] == name, (method, url)
        assert result.get("id") == id, (method, url)
        if body is not None:
            assert result["data"] == body


async def test_multi_is_refused_with_the_adapters_messages(client: httpx.AsyncClient) -> None:
    expected = {
        "PATCH": "Can not patch multiple entries",
        "DELETE": "Can not remove multiple entries",
    }
    for method, message in expected.items():
        body = {"read": True} if method == "PATCH" else None
        response = await client.request(method, "/messages", json=body)
        assert response.status_code == 405
        assert response.json()["message"] == message
        assert response.json()["name"] == "MethodNotAllowed"
    put = await client.put("/messages", json={"text": "x"})
    assert put.status_code == 400
    assert put.json()["message"] == "You can not replace multiple instances. Did you mean 'patch'?"
    many = await client.post("/messages", json=[{"text": "a"}, {"text": "b"}])
    assert (many.status_code, many.json()["message"]) == (405, "Can not create multiple entries")


async def test_multi_allowed_where_the_service_allows_it(client: httpx.AsyncClient) -> None:
    created = await client.post("/many", json=[{"n": "a"}, {"n": "b"}])
    assert created.status_code == 201
    assert [item["n"] for item in created.json()] == ["a", "b"]
    patched = await client.patch("/many", json={"seen": True})
    assert [item["seen"] for item in patched.json()] == [True, True]
    # query values are strings, as in Feathers (a schema decides types): n=a matches "a"
    removed = await client.delete("/many?n=a")
    assert removed.json() == [{"n": "a", "id": 0, "seen": True}]
    assert (await client.get("/many")).json() == [{"n": "b", "id": 1, "seen": True}]


async def test_head_is_get_without_a_body(client: httpx.AsyncClient) -> None:
    await client.post("/messages", json={"text": "hello"})
    get = await client.get("/messages/0")
    head = await client.head("/messages/0")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == "application/json"
    assert (await client.head("/messages")).status_code == 200
    assert (await client.head("/messages/404")).status_code == 404


async def test_none_result_is_204_with_an_empty_body(client: httpx.AsyncClient) -> None:
    for method, url in [("GET", "/nothing"), ("GET", "/nothing/1"), ("POST", "/nothing")]:
        body = {"a": 1} if method == "POST" else None
        response = await client.request(method, url, json=body)
        assert response.status_code == 204, (method, url)
        assert response.content == b""
        assert "content-type" not in response.headers
    # Only None is "no content": 0 is data (Feathers JS would answer 204 here)
    zero = await client.delete("/nothing/1")
    assert (zero.status_code, zero.json()) == (200, 0)


async def test_custom_methods_through_x_service_method(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/messages", json={"user": "ann"}, headers={"X-Service-Method": "typing"}
    )
    assert response.status_code == 200
    assert response.json() == {"typing": {"user": "ann"}, "provider": "rest"}
    echoed = await client.post("/echo/7?x=1", json={"a": 1}, headers={"x-service-method": "shout"})
    assert echoed.json()["method"] == "shout"
    assert echoed.json()["data"] == {"a": 1}
    assert echoed.json()["query"] == {"x": "1"}
    # the header only counts on POST
    assert (await client.get("/echo", headers={"X-Service-Method": "shout"})).json()[
        "method"
    ] == "find"


@pytest.mark.parametrize(
    ("method_name", "reason"),
    [
        ("nope", "unknown"),
        ("hidden", "defined on the class but not exposed"),
        ("find", "a standard method"),
        ("create", "a standard method"),
        ("setup", "a lifecycle method"),
    ],
)
async def test_x_service_method_refusals(
    client: httpx.AsyncClient, method_name: str, reason: str
) -> None:
    response = await client.post("/messages", json={}, headers={"X-Service-Method": method_name})
    assert response.status_code == 405, reason
    assert response.json() == {
        "name": "MethodNotAllowed",
        "message": f"Method `{method_name}` is not supported by this endpoint.",
        "code": 405,
        "className": "method-not-allowed",
    }


async def test_methods_a_service_does_not_expose_are_405(client: httpx.AsyncClient) -> None:
    response = await client.post("/readonly", json={"a": 1})
    assert response.status_code == 405
    assert response.json()["message"] == "Method `create` is not supported by this endpoint."
    get = await client.get("/readonly/1")
    assert get.json()["message"] == "Method `get` is not supported by this endpoint."


@pytest.mark.parametrize("verb", ["OPTIONS", "TRACE", "PROPFIND"])
async def test_unknown_http_methods_are_405(client: httpx.AsyncClient, verb: str) -> None:
    response = await client.request(verb, "/messages")
    assert response.status_code == 405
    assert response.json()["message"] == f"Method {verb} not allowed"


async def test_params_provider_query_headers_route(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/echo?$limit=2&name[$in][]=a&name[$in][]=b&a[0]=x&nested[b][c]=1&flag=true",
        headers={"X-Custom": "Yes", "Authorization": "Bearer abc.def"},
    )
    seen = response.json()
    assert seen["provider"] == "rest"
    # the client's address, which the failed-login limit of authentication keys on
    assert seen["address"] == "127.0.0.1"
    assert seen["query"] == {
        "$limit": "2",
        "name": {"$in": ["a", "b"]},
        "a": ["x"],
        "nested": {"b": {"c": "1"}},
        "flag": "true",
    }
    assert seen["headers"]["x-custom"] == "Yes"
    assert seen["headers"]["host"].startswith("127.0.0.1:")
    assert seen["route"] == {}
    assert seen["authentication"] == {"strategy": "jwt", "accessToken": "abc.def"}
    assert seen["has_connection"] is False
    assert (await client.get("/echo")).json()["query"] == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer tok", "tok"),
        ("bearer tok", "tok"),
        ("BEARER tok", "tok"),
        ("JWT tok", "tok"),
        ("jwt tok", "tok"),
        ("tok", "tok"),
        ("Basic dXNlcjpwdw==", None),
        ("Digest abc", None),
        ("", None),
    ],
)
async def test_authentication_from_the_authorization_header(
    client: httpx.AsyncClient, header: str, expected: str | None
) -> None:
    seen = (await client.get("/echo", headers={"Authorization": header})).json()
    if expected is None:
        assert seen["authentication"] is None
    else:
        assert seen["authentication"] == {"strategy": "jwt", "accessToken": expected}


async def test_route_placeholders_and_percent_decoded_ids(client: httpx.AsyncClient) -> None:
    found = (await client.get("/users/42/posts?x=1")).json()
    assert found == {"route": {"user_id": "42"}, "query": {"x": "1"}}
    got = (await client.get("/users/a%20b/posts/p%2F1")).json()
    assert got == {"id": "p/1", "route": {"user_id": "a b"}}
    echoed = (await client.get("/echo/caf%C3%A9%20%26%3F")).json()
    assert echoed["id"] == "café &?"
    assert (await client.get("/echo/1/")).json()["id"] == "1"


async def test_paths_no_service_owns_fall_through_to_404(client: httpx.AsyncClient) -> None:
    for url in ["/", "/nothing-here", "/echo/1/2", "/users/1", "/echo//1", "/a%20b"]:
        response = await client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/json"
        path = url.split("?")[0]
        assert response.json() == {
            "name": "NotFound",
            "message": f"Path {path} not found",
            "code": 404,
            "className": "not-found",
        }
    # Socket.io still answers on its own path
    polling = await client.get("/socket.io/?EIO=4&transport=polling")
    assert polling.status_code == 200


async def test_the_root_service_owns_single_segment_paths() -> None:
    app = create_app()
    app.use("/", Root())
    async with serve(app) as client:
        assert (await client.get("/7")).json() == {"root": True, "id": "7"}
        assert (await client.get("/messages")).json() == []


async def test_context_http_sets_status_headers_and_location() -> None:
    app = create_app()

    def set_http(context: Any) -> None:
        mode = context.params["query"].get("mode")
        if mode == "status":
            context.http["status"] = 202
        elif mode == "headers":
            context.http["headers"] = {"X-Total": "3", "Cache-Control": "no-store"}
        elif mode == "location":
            context.http["location"] = "/somewhere else?q=ü"
        elif mode == "status_code":
            context.status_code = 418

    app.service("echo").hooks({"after": {"all": [set_http]}})
    async with serve(app) as client:
        assert (await client.get("/echo?mode=status")).status_code == 202
        with_headers = await client.get("/echo?mode=headers")
        assert with_headers.headers["x-total"] == "3"
        assert with_headers.headers["cache-control"] == "no-store"
        moved = await client.get("/echo?mode=location")
        assert moved.status_code == 303
        assert moved.headers["location"] == "/somewhere%20else?q=%C3%BC"
        assert (await client.get("/echo?mode=status_code")).status_code == 418
        assert (await client.post("/echo", json={"a": 1})).status_code == 201


async def test_context_dispatch_is_what_the_client_gets() -> None:
    app = create_app()

    def hide(context: Any) -> None:
        context.dispatch = {"safe": True}

    app.service("messages").hooks({"after": {"get": [hide]}})
    async with serve(app) as client:
        await client.post("/messages", json={"secret": 1})
        assert (await client.get("/messages/0")).json() == {"safe": True}
        assert (await client.get("/messages")).json() == [{"secret": 1, "id": 0}]


@pytest.mark.parametrize("name", sorted(errors.error_classes))
async def test_feathers_errors_keep_their_status_and_json(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get(f"/errors/{name}")
    cls = errors.error_classes[name]
    assert response.status_code == cls.code
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "name": name,
        "message": f"Boom: {name}",
        "code": cls.code,
        "className": cls.class_name,
        "data": {"detail": name},
        "errors": ["bad"],
    }


async def test_plain_exceptions_are_500_general_errors() -> None:
    app = create_app()
    async with serve(app) as client:
        response = await client.get("/errors/Exception")
        assert response.status_code == 500
        assert response.json() == {
            "name": "GeneralError",
            "message": "A plain Python exception",
            "code": 500,
            "className": "general-error",
        }
    app.set("env", "production")
    async with serve(app) as client:
        response = await client.get("/errors/Exception")
        assert response.status_code == 500
        assert response.json()["message"] == "Internal server error"
        assert "Python" not in response.text


async def test_sockets_and_rest_share_services_and_events() -> None:
    app = create_app()
    app.on("connection", lambda connection: app.channel("everyone").join(connection))
    app.publish(lambda data, context: app.channel("everyone"))
    server = await app.start(0)
    try:
        socket_client = await connect(server.url, transports=["websocket"])
        received: list[Any] = []
        socket_client.service("messages").on("created", received.append)
        async with httpx.AsyncClient(base_url=server.url) as http:
            await http.post("/messages", json={"text": "over http"})
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.01)
        assert received == [{"text": "over http", "id": 0}]
        await socket_client.close()
    finally:
        await server.stop()


def test_rest_options_are_checked() -> None:
    with pytest.raises(TypeError, match="Unknown rest\\(\\) option 'port'"):
        rest({"port": 1})
    with pytest.raises(TypeError, match="must be a dict"):
        rest("cors")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_body_size"):
        rest({"max_body_size": "1mb"})
    with pytest.raises(TypeError, match="cors"):
        rest({"cors": True})
    app = create_app()
    with pytest.raises(ValueError, match="already configured"):
        app.configure(rest())


class CatchAll:
    """A transport after REST that answers every HTTP request (as static files would)."""

    port = None

    def matches(self, scope: dict[str, Any]) -> bool:
        return scope["type"] == "http"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = f"static {scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def setup(self, app: Any) -> None: ...

    async def close_connections(self) -> None: ...

    async def teardown(self, app: Any) -> None: ...


async def test_paths_no_service_owns_go_to_the_next_transport() -> None:
    app = create_app()
    app.transports.append(CatchAll())
    async with serve(app) as client:
        assert (await client.get("/")).text == "static /"
        assert (await client.get("/index.html")).text == "static /index.html"
        assert (await client.get("/echo/1/2")).text == "static /echo/1/2"
        assert (await client.get("/echo/1")).json()["method"] == "get"
        assert (await client.get("/messages")).json() == []
        assert (await client.post("/messages", json={"a": 1})).status_code == 201


class Odd:
    """Results and errors a transport must survive."""

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        if id == "object":
            return object()  # not JSON
        if id == "code":

            class Weird(errors.FeathersError):
                name, code, class_name = "Weird", 200, "weird"

            raise Weird("not an error status")
        return {"id": id}


async def test_unserializable_results_and_odd_error_codes_are_500() -> None:
    app = create_app()
    app.use("odd", Odd())
    async with serve(app) as client:
        response = await client.get("/odd/object")
        assert response.status_code == 500
        assert response.json()["name"] == "GeneralError"
        assert "not JSON serializable" in response.json()["message"]
        weird = await client.get("/odd/code")
        assert weird.status_code == 500
        assert weird.json()["name"] == "Weird"
        assert (await client.get("/odd/1")).json() == {"id": "1"}


async def test_rest_is_served_on_the_app_port_when_socketio_has_its_own() -> None:
    app = feathers()
    app.configure(socketio(0))
    app.configure(rest())
    app.use("echo", Echo())
    server = await app.start(0)
    try:
        socket_port = next(port for key, port in server.ports.items() if key != "app")
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{server.url}/echo")).json()["method"] == "find"
            other = await http.get(f"http://127.0.0.1:{socket_port}/echo")
            assert other.status_code == 404
    finally:
        await server.stop()
