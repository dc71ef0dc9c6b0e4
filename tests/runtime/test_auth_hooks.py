"""The hooks and config of `authentication` called directly (the socket tests use them
end to end): hash_password, protect, authenticate's checks, config forms, durations."""

from __future__ import annotations

from typing import Any

import pytest

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.authentication import (
    AuthenticationService,
    JWTStrategy,
    LocalStrategy,
    authenticate,
    hash_password,
    protect,
)
from feathers_cli.runtime.hooks import HookContext
from feathers_cli.runtime.memory import MemoryService

from .auth_app import SECRET, make_app


def _context(app: Any, method: str, **fields: Any) -> HookContext:
    context = HookContext(app, app.service("users"), "users", method)
    for name, value in fields.items():
        setattr(context, name, value)
    return context


async def test_hash_password_one_record_a_list_and_nested_fields() -> None:
    app = make_app()
    context = _context(app, "create", type="before", data=[{"password": "a"}, {"name": "b"}])
    await hash_password("password")(context)
    assert context.data[0]["password"].startswith("$argon2id$")
    assert context.data[1] == {"name": "b"}
    original = {"auth": {"password": "c"}}
    context = _context(app, "create", type="before", data=original)
    await hash_password("auth.password")(context)
    assert context.data["auth"]["password"].startswith("$argon2id$")
    assert original == {"auth": {"password": "c"}}  # the caller's data is not changed


async def test_hash_password_errors() -> None:
    app = make_app()
    with pytest.raises(errors.BadRequest, match="The password must be a string"):
        await hash_password("password")(_context(app, "create", data={"password": 123}))
    with pytest.raises(errors.BadRequest, match="Could not find 'github' strategy"):
        await hash_password("password", strategy="github")(
            _context(app, "create", data={"password": "x"})
        )
    bare = feathers()
    bare.use("users", MemoryService())
    with pytest.raises(errors.BadRequest, match="Could not find an authentication service"):
        await hash_password("password")(_context(bare, "create", data={"password": "x"}))
    with pytest.raises(ValueError):
        hash_password("")


async def test_protect_results_pages_and_lists() -> None:
    app = make_app()
    record = {"id": 1, "email": "a", "password": "h"}
    for method, result, expected in [
        ("get", record, {"id": 1, "email": "a"}),
        ("find", [record], [{"id": 1, "email": "a"}]),
        (
            "find",
            {"total": 1, "data": [record]},
            {"total": 1, "data": [{"id": 1, "email": "a"}]},
        ),
    ]:
        context = _context(app, method, type="after", result=result, params={"provider": "rest"})
        await protect("password")(context)
        assert context.dispatch == expected and context.result == expected
    internal = _context(app, "get", type="after", result=record, params={})
    await protect("password")(internal)
    assert internal.result is record and internal.dispatch == {"id": 1, "email": "a"}


async def test_authenticate_hook_checks() -> None:
    app = make_app()
    with pytest.raises(ValueError, match="at least one allowed strategy"):
        authenticate()
    hook = authenticate("jwt")
    with pytest.raises(errors.NotAuthenticated, match="must be used as a before hook"):
        await hook(_context(app, "find", type="after", params={"provider": "rest"}))
    auth_context = HookContext(app, app.service("authentication"), "authentication", "create")
    with pytest.raises(errors.NotAuthenticated, match="does not need to be used"):
        await hook(auth_context)
    bare = feathers()
    bare.use("users", MemoryService())
    with pytest.raises(errors.NotAuthenticated, match="Could not find a valid authentication"):
        await hook(_context(bare, "find", params={}))
    internal = _context(app, "find", type="before", params={})
    await hook(internal)  # internal calls without credentials pass
    assert "user" not in internal.params


async def test_authenticate_hook_over_rest_params() -> None:
    """What the REST transport passes: `params["authentication"]` from the header."""
    app = make_app()
    await app.setup()
    await app.service("users").create({"email": "a@b.c", "password": "pw"})
    login = {"strategy": "local", "email": "a@b.c", "password": "pw"}
    token = (await app.service("authentication").create(login))["accessToken"]
    params = {
        "provider": "rest",
        "headers": {},
        "authentication": {"strategy": "jwt", "accessToken": token},
    }
    assert (await app.service("whoami").find(params))["user_id"] == 0
    with pytest.raises(errors.NotAuthenticated, match="Not authenticated"):
        await app.service("whoami").find({"provider": "rest", "headers": {}})
    with pytest.raises(errors.NotAuthenticated, match="Not authenticated"):
        await app.service("authentication").remove("x", {"provider": "rest", "headers": {}})
    removed = await app.service("authentication").remove(token, dict(params))
    assert removed["accessToken"] == token
    with pytest.raises(errors.NotAuthenticated, match="Token revoked"):
        await app.service("whoami").find(params)


def test_strategy_configuration_errors() -> None:
    app = feathers()
    app.set("authentication", {"secret": SECRET, "local": {"usernameField": "email"}})
    auth = AuthenticationService(app)
    with pytest.raises(ValueError, match="requires a 'passwordField' setting"):
        auth.register("local", LocalStrategy())
    app.set("authentication", {"secret": SECRET, "jwt": {"expiresIn": "1d"}})
    with pytest.raises(ValueError, match=r"Did you mean to set it in 'authentication\.jwtOptions'"):
        auth.register("jwt", JWTStrategy())
    with pytest.raises(ValueError, match="An application instance"):
        AuthenticationService(None)  # type: ignore[arg-type]


async def test_setup_checks_the_entity_service() -> None:
    app = feathers()
    app.set("authentication", {"secret": SECRET, "entity": "user", "service": "people"})
    app.use("authentication", AuthenticationService(app))
    with pytest.raises(ValueError, match="The 'people' entity service does not exist"):
        await app.setup()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(90, 90), ("1d", 86400), ("15m", 900), ("2 hours", 7200), ("500ms", 0.5), ("10", 10)],
)
def test_durations(value: Any, seconds: float) -> None:
    from feathers_cli.runtime.authentication import parse_duration

    assert parse_duration(value) == seconds


def test_bad_duration() -> None:
    from feathers_cli.runtime.authentication import parse_duration

    with pytest.raises(ValueError, match="Invalid duration"):
        parse_duration("soon")
