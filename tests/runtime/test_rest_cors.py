"""CORS of the REST transport (the `cors` option, the shape socketio() takes), over real
HTTP: allowed origins get CORS headers and preflights answered; others get none."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .rest_app import create_app, serve

ALLOWED = "http://allowed.example"
OTHER = "http://evil.example"


def preflight(origin: str, method: str = "PATCH", headers: str = "") -> dict[str, str]:
    result = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        result["Access-Control-Request-Headers"] = headers
    return result


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_without_the_option_nothing_is_cross_origin() -> None:
    async with serve(create_app()) as client:
        simple = await client.get("/messages", headers={"Origin": ALLOWED})
        assert simple.status_code == 200
        assert cors_headers(simple) == {}
        response = await client.options("/messages", headers=preflight(ALLOWED))
        assert response.status_code == 405
        assert response.json()["message"] == "Method OPTIONS not allowed"
        assert cors_headers(response) == {}


@pytest.mark.parametrize(
    "origin",
    [
        [ALLOWED],
        ALLOWED,
        re.compile(r"^http://allowed\.example$"),
        lambda origin: origin == ALLOWED,
    ],
    ids=["list", "string", "regex", "callable"],
)
async def test_allowed_and_refused_origins(origin: Any) -> None:
    async with serve(create_app({"cors": {"origin": origin}})) as client:
        simple = await client.get("/messages", headers={"Origin": ALLOWED})
        assert simple.status_code == 200
        assert simple.headers["access-control-allow-origin"] == ALLOWED
        assert "Origin" in simple.headers["vary"]

        answer = await client.options(
            "/messages/1", headers=preflight(ALLOWED, "PATCH", "content-type, authorization")
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == ALLOWED
        assert "PATCH" in answer.headers["access-control-allow-methods"]
        allowed_headers = answer.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers
        assert "content-type" in allowed_headers

        custom = await client.options(
            "/messages", headers=preflight(ALLOWED, "POST", "x-service-method")
        )
        assert custom.status_code == 200
        assert "x-service-method" in custom.headers["access-control-allow-headers"].lower()

        refused = await client.get("/messages", headers={"Origin": OTHER})
        assert refused.status_code == 200  # served, but the browser may not read it
        assert cors_headers(refused) == {}
        refused_preflight = await client.options("/messages", headers=preflight(OTHER))
        assert refused_preflight.status_code == 403
        assert refused_preflight.json()["name"] == "Forbidden"
        assert cors_headers(refused_preflight) == {}

        same_origin = await client.get("/messages")
        assert cors_headers(same_origin) == {}


async def test_any_origin_and_credentials() -> None:
    async with serve(create_app({"cors": {"origin": True}})) as client:
        response = await client.get("/messages", headers={"Origin": OTHER})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
    options = {"cors": {"origin": True, "credentials": True}}
    async with serve(create_app(options)) as client:
        response = await client.get("/messages", headers={"Origin": OTHER})
        assert response.headers["access-control-allow-origin"] == OTHER
        assert response.headers["access-control-allow-credentials"] == "true"
        answer = await client.options("/messages", headers=preflight(OTHER, "DELETE"))
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == OTHER
        assert answer.headers["access-control-allow-credentials"] == "true"


async def test_errors_carry_cors_headers_for_allowed_origins() -> None:
    async with serve(create_app({"cors": {"origin": [ALLOWED]}})) as client:
        response = await client.get("/errors/NotFound", headers={"Origin": ALLOWED})
        assert response.status_code == 404
        assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_paths_no_service_owns_get_no_cors_headers() -> None:
    async with serve(create_app({"cors": {"origin": True}})) as client:
        response = await client.get("/elsewhere", headers={"Origin": ALLOWED})
        assert response.status_code == 404
        assert cors_headers(response) == {}


async def test_an_origin_callable_that_raises_refuses_the_origin() -> None:
    def broken(origin: str) -> bool:
        raise RuntimeError("bug in the app's origin check")

    async with serve(create_app({"cors": {"origin": broken}})) as client:
        response = await client.get("/messages", headers={"Origin": ALLOWED})
        assert response.status_code == 200
        assert cors_headers(response) == {}
        preflight_response = await client.options("/messages", headers=preflight(ALLOWED))
        assert preflight_response.status_code == 403
