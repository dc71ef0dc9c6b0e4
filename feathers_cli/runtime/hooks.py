"""Hooks: the middleware that runs around, before, after and on errors of service methods.

The order is Feathers 5's. For one call the chain is::

    app around (all, then the method's)
      app before/error 'all' -> app before/after/error of the method -> app after 'all'
        service around (all, then the method's)
          service before/error 'all' -> the method's before/after/error -> service after 'all'
            the service method (skipped when a hook already set `context.result`)

Regular hooks of one group are collected into a single around middleware, like Feathers'
`collect`: its before hooks run in order, its after hooks run in order after `next`, and its
error hooks run when anything inside the group raised. Because the `all` groups are outside
the method's own group, after hooks of `all` run first and error hooks of the method first.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .application import Application

__all__ = [
    "CUSTOM_ARGUMENTS",
    "HOOK_TYPES",
    "METHOD_ARGUMENTS",
    "HookContext",
    "HookStore",
    "call_hook",
    "normalize_hook_map",
]

HOOK_TYPES = ("around", "before", "after", "error")
# The argument layout of each standard service method (params always last), the one
# definition: service.py takes its STANDARD_METHODS from it. A custom method takes
# CUSTOM_ARGUMENTS.
METHOD_ARGUMENTS = {
    "find": ("params",),
    "get": ("id", "params"),
    "create": ("data", "params"),
    "update": ("id", "data", "params"),
    "patch": ("id", "data", "params"),
    "remove": ("id", "params"),
}
CUSTOM_ARGUMENTS = ("data", "params")

_UNSET: Any = object()

Next = Callable[[], Awaitable[Any]]
Middleware = Callable[["HookContext", Next], Awaitable[Any]]


class HookContext:
    """Everything about one service method call, shared by all its hooks.

    Setting `result` before the method runs skips the method; setting `event = None`
    suppresses the event; `dispatch` (if set) is what goes to clients instead of `result`.
    Hooks may set other attributes of their own on it too.
    """

    __slots__ = (
        "__dict__",
        "_result",
        "app",
        "data",
        "dispatch",
        "error",
        "event",
        "http",
        "id",
        "method",
        "params",
        "path",
        "service",
        "type",
    )

    def __init__(
        self,
        app: Application | None,
        service: Any,
        path: str | None,
        method: str | None,
        params: dict[str, Any] | None = None,
        id: Any = None,
        data: Any = None,
        event: str | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.path = path
        self.method = method
        self.type = "around"
        self.params: dict[str, Any] = {} if params is None else params
        self.id = id
        self.data = data
        self._result: Any = _UNSET
        self.error: BaseException | None = None
        self.dispatch: Any = None
        self.event = event
        self.http: dict[str, Any] | None = None

    @property
    def result(self) -> Any:
        """The method's result, or what a hook set (None while unset)."""
        return None if self._result is _UNSET else self._result

    @result.setter
    def result(self, value: Any) -> None:
        self._result = value

    @result.deleter
    def result(self) -> None:
        self._result = _UNSET

    @property
    def has_result(self) -> bool:
        """True once the method ran or a hook set `result` (even to None)."""
        return self._result is not _UNSET

    @property
    def status_code(self) -> int | None:
        """The HTTP status a REST transport will send (`http['status']`)."""
        return (self.http or {}).get("status")

    @status_code.setter
    def status_code(self, value: int) -> None:
        self.http = {**(self.http or {}), "status": value}

    def arguments(self) -> tuple[Any, ...]:
        """The method's arguments as they are now (hooks may have changed them)."""
        names = METHOD_ARGUMENTS.get(self.method, CUSTOM_ARGUMENTS)
        return tuple([getattr(self, name) for name in names])

    def __repr__(self) -> str:
        return f"<HookContext {self.type} {self.path}.{self.method}>"


async def call_hook(hook: Callable[..., Any], *args: Any) -> Any:
    """Call a plain or async hook function and return its (awaited) result."""
    result = hook(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


async def _run_regular(hooks: list[Callable[..., Any]], context: HookContext, kind: str) -> None:
    previous = context.type
    context.type = kind
    try:
        for hook in hooks:
            await call_hook(hook, context)
    finally:
        context.type = previous


def _collect(
    before: list[Callable[..., Any]],
    after: list[Callable[..., Any]],
    error: list[Callable[..., Any]],
) -> Middleware | None:
    """One around middleware running a group of regular hooks, like Feathers' `collect`."""
    if not (before or after or error):
        return None

    async def regular_hooks(context: HookContext, next: Next) -> None:
        try:
            if before:
                await _run_regular(before, context, "before")
            await next()
            if after:
                await _run_regular(after, context, "after")
        except Exception as raised:
            if not error:
                raise
            if context.error is not raised or context.has_result:
                context.original = _snapshot(context)  # type: ignore[attr-defined]
                context.error = raised
                del context.result
            try:
                await _run_regular(error, context, "error")
            except Exception as replaced:
                context.error = replaced
                raise
            if not context.has_result and context.error is not None:
                raise context.error from None

    return regular_hooks


def _snapshot(context: HookContext) -> HookContext:
    copy = HookContext.__new__(HookContext)
    for name in HookContext.__slots__[1:]:
        setattr(copy, name, getattr(context, name))
    copy.__dict__.update(context.__dict__)
    return copy


def normalize_hook_map(hooks: Any) -> dict[str, dict[str, list[Callable[..., Any]]]]:
    """Turn every registration form into `{type: {method: [hooks]}}`.

    Forms: `{'before': [h]}` (all methods), `{'before': {'all': [...], 'create': [...]}}`,
    a list (around hooks for all methods), or `{'find': [h]}` (around hooks per method).
    """
    if isinstance(hooks, list | tuple) or callable(hooks):
        return {"around": {"all": _as_list(hooks)}}
    if not isinstance(hooks, dict):
        raise TypeError("Hooks must be a dict or a list of hook functions")
    if not any(key in HOOK_TYPES for key in hooks):
        return {"around": {method: _as_list(value) for method, value in hooks.items()}}
    result: dict[str, dict[str, list[Callable[..., Any]]]] = {}
    for kind, value in hooks.items():
        if kind not in HOOK_TYPES:
            raise ValueError(f"'{kind}' is not a valid hook type")
        if isinstance(value, dict):
            result[kind] = {method: _as_list(fns) for method, fns in value.items()}
        else:
            result[kind] = {"all": _as_list(value)}
    return result


def _as_list(value: Any) -> list[Callable[..., Any]]:
    hooks = list(value) if isinstance(value, list | tuple) else [value]
    for hook in hooks:
        if not callable(hook):
            raise TypeError(f"Hook {hook!r} is not callable")
    return hooks


class HookStore:
    """The hooks registered on one app or service, and their collected middleware."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, list[Callable[..., Any]]]] = {k: {} for k in HOOK_TYPES}
        self._collected: dict[str, list[Middleware]] = {}

    def register(self, hooks: Any, methods: Iterable[str] | None = None) -> None:
        """Add hooks (any registration form); they accumulate after the ones already there."""
        hook_map = normalize_hook_map(hooks)
        if methods is not None:
            known = {"all", *methods}
            for by_method in hook_map.values():
                for method in by_method:
                    if method not in known:
                        raise ValueError(f"'{method}' is not a hook-enabled method")
        for kind, by_method in hook_map.items():
            for method, fns in by_method.items():
                self.hooks[kind].setdefault(method, []).extend(fns)
        self._collected.clear()

    def middleware(self, method: str) -> list[Middleware]:
        """Around hooks, then the collected regular hooks, for one method."""
        collected = self._collected.get(method)
        if collected is None:
            hooks = self.hooks
            before_all = _collect(hooks["before"].get("all", []), [], hooks["error"].get("all", []))
            own = _collect(
                hooks["before"].get(method, []),
                hooks["after"].get(method, []),
                hooks["error"].get(method, []),
            )
            after_all = _collect([], hooks["after"].get("all", []), [])
            collected = [
                *hooks["around"].get("all", []),
                *hooks["around"].get(method, []),
                *(mw for mw in (before_all, own, after_all) if mw is not None),
            ]
            self._collected[method] = collected
        return collected
