"""The hooks of `authentication`: `authenticate`, `hash_password` and `protect`, as in
Feathers 5 (`@feathersjs/authentication` hooks, `@feathersjs/authentication-local` hooks).
Private: `authentication` re-exports them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:
    from .hooks import HookContext

__all__ = ["authenticate", "default_authentication", "hash_password", "protect"]


def default_authentication(app: Any, location: str | None = None) -> Any:
    """The app's authentication service (at `location`, or the default one), or None."""
    if location:
        return app.services.get(location.strip("/"))
    key = app.get("defaultAuthentication")
    for service in app.services.values():
        if getattr(service, "config_key", None) == key and hasattr(service, "strategies"):
            return service
    return None


def authenticate(*strategies: str, service: str | None = None) -> Callable[..., Any]:
    """A before (or around) hook: the caller must be authenticated by one of `strategies`.

    Sets `params["user"]` (the entity) and `params["authentication"]` for the rest of the
    call. Internal calls (no `provider`) without authentication pass, as in Feathers.
    """
    names = [name for item in strategies for name in ([item] if isinstance(item, str) else item)]
    if not names:
        raise ValueError("The authenticate hook needs at least one allowed strategy")

    async def authenticate_hook(context: HookContext, next: Callable[[], Any] | None = None) -> Any:
        if context.type not in (None, "before", "around"):
            raise errors.NotAuthenticated("The authenticate hook must be used as a before hook")
        auth_service = default_authentication(context.app, service)
        if auth_service is None or not callable(getattr(auth_service, "authenticate", None)):
            raise errors.NotAuthenticated("Could not find a valid authentication service")
        if context.service is auth_service:
            raise errors.NotAuthenticated(
                "The authenticate hook does not need to be used on the authentication service"
            )
        params = context.params
        authentication = params.get("authentication")
        if params.get("authenticated") is True:
            pass
        elif authentication:
            inner = {k: v for k, v in params.items() if k not in ("provider", "authentication")}
            result = await auth_service.authenticate(authentication, inner, *names)
            extra = {k: v for k, v in result.items() if k != "accessToken"}
            context.params = {**params, **extra, "authenticated": True}
        elif params.get("provider"):
            raise errors.NotAuthenticated("Not authenticated")
        if next is not None:
            await next()

    return authenticate_hook


def hash_password(
    field: str, authentication: str | None = None, strategy: str = "local"
) -> Callable[..., Any]:
    """A before hook: replace `data[field]` (dots for nested fields) by its argon2 hash."""
    if not field:
        raise ValueError("The hashPassword hook requires a field name option")

    async def hash_password_hook(
        context: HookContext, next: Callable[[], Any] | None = None
    ) -> Any:
        if context.data is not None:
            auth_service = default_authentication(context.app, authentication)
            if auth_service is None or not callable(getattr(auth_service, "get_strategies", None)):
                raise errors.BadRequest("Could not find an authentication service to hash password")
            [local] = auth_service.get_strategies(strategy)[:1] or [None]
            if local is None or not callable(getattr(local, "hash_password", None)):
                raise errors.BadRequest(f"Could not find '{strategy}' strategy to hash password")

            async def hashed(item: Any) -> Any:
                path = field.split(".")
                parent = item
                for part in path[:-1]:
                    parent = parent.get(part) if isinstance(parent, dict) else None
                if not isinstance(parent, dict) or path[-1] not in parent:
                    return item
                item = copy.deepcopy(item)
                target = item
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = await local.hash_password(target[path[-1]], context.params)
                return item

            data = context.data
            context.data = (
                [await hashed(d) for d in data] if isinstance(data, list) else await hashed(data)
            )
        if next is not None:
            await next()

    return hash_password_hook


def protect(*fields: str) -> Callable[..., Any]:
    """An after hook: leave `fields` (e.g. `"password"`) out of what external callers get."""

    def omit(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: v for k, v in item.items() if k not in fields}
        return item

    async def protect_hook(context: HookContext, next: Callable[[], Any] | None = None) -> Any:
        if next is not None:
            await next()
        result = context.dispatch if context.dispatch is not None else context.result
        if not result:
            return
        if isinstance(result, list):
            context.dispatch = [omit(item) for item in result]
        elif (
            isinstance(result, dict)
            and isinstance(result.get("data"), list)
            and context.method == "find"
        ):
            context.dispatch = {**result, "data": [omit(item) for item in result["data"]]}
        else:
            context.dispatch = omit(result)
        if context.params.get("provider"):
            context.result = context.dispatch

    return protect_hook
