"""Registered services: their options and their hook-enabled methods.

`app.use` wraps a service object in place, as Feathers' mixins do: every standard method it
has and every exposed custom method becomes a `HookedMethod` instance attribute that shadows
the class's method, so `self.get(...)` inside the service goes through hooks too.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .hooks import CUSTOM_ARGUMENTS, METHOD_ARGUMENTS, HookContext, HookStore, call_hook

if TYPE_CHECKING:
    from .application import Application

__all__ = [
    "CUSTOM_ARGUMENTS",
    "DEFAULT_EVENTS",
    "DEFAULT_METHODS",
    "EMITTER_METHODS",
    "METHOD_ARGUMENTS",
    "PROTECTED_METHODS",
    "STANDARD_METHODS",
    "HookedMethod",
    "ServiceOptions",
    "get_service_options",
]

# The standard service methods, in the order of their argument layout (METHOD_ARGUMENTS,
# defined in hooks.py, which this module builds on): the one definition that hooks,
# transports, the client and the CLI's generators use.
STANDARD_METHODS = tuple(METHOD_ARGUMENTS)
DEFAULT_METHODS = STANDARD_METHODS  # the name Feathers' service mixin uses
DEFAULT_EVENTS = {"create": "created", "update": "updated", "patch": "patched", "remove": "removed"}

EMITTER_METHODS = (
    "on",
    "once",
    "off",
    "emit",
    "add_listener",
    "remove_listener",
    "remove_all_listeners",
    "listeners",
    "listener_count",
)

# The names of the emitter and hook API, which a custom method must not take.
PROTECTED_METHODS = frozenset(
    {
        *EMITTER_METHODS,
        "all",
        "around",
        "before",
        "after",
        "error",
        "hooks",
        "setup",
        "teardown",
        "publish",
    }
)


@dataclass
class ServiceOptions:
    """How a service is registered: its path, exposed methods and events."""

    path: str
    methods: list[str]
    events: list[str] = field(default_factory=list)
    service_events: list[str] = field(default_factory=list)
    hooks: HookStore = field(default_factory=HookStore)


def get_service_options(service: Any) -> ServiceOptions | None:
    """The options of a registered service, or None for an object not registered."""
    return getattr(service, "_feathers_options", None)


class HookedMethod:
    """A service method wrapped with the app's and the service's hooks.

    `await svc.get(1)` returns the result; `await svc.get.run(1)` returns the HookContext.
    """

    __slots__ = (
        "_arguments",
        "_chain",
        "_event",
        "_generation",
        "_impl",
        "_is_async",
        "_slots",
        "app",
        "method",
        "names",
        "options",
        "service",
    )

    def __init__(
        self, app: Application, service: Any, method: str, impl: Any, options: ServiceOptions
    ) -> None:
        self.app = app
        self.service = service
        self.method = method
        self.names = METHOD_ARGUMENTS.get(method, CUSTOM_ARGUMENTS)
        self.options = options
        self._event = DEFAULT_EVENTS.get(method)
        self._impl = impl
        self._is_async = inspect.iscoroutinefunction(impl)
        self._generation = -1
        self._chain: list[Any] = []
        # Where id, data and params sit in a positional call (None: not an argument), and
        # a getter of the method's arguments from a context: the per-call fast paths.
        names = self.names
        self._slots = tuple(
            names.index(name) if name in names else None for name in ("id", "data", "params")
        )
        getter = operator.attrgetter(*names)
        self._arguments = (lambda context: (getter(context),)) if len(names) == 1 else getter

    def __repr__(self) -> str:
        return f"<hooked method {self.method} of {self.service!r}>"

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        context = await self.run(*args, **kwargs)
        return context.result

    def context(self, *args: Any, **kwargs: Any) -> HookContext:
        """A fresh HookContext for a call with these arguments (params last, optional)."""
        names = self.names
        if not kwargs and len(args) == len(names):
            # every argument given by position (what the transports do)
            id_at, data_at, params_at = self._slots
            params = args[params_at]
            return HookContext(
                self.app,
                self.service,
                self.options.path,
                self.method,
                {} if params is None else params,
                None if id_at is None else args[id_at],
                None if data_at is None else args[data_at],
                self._event,
            )
        if len(args) > len(names):
            raise TypeError(f"{self.method}() takes at most {len(names)} arguments")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names or key in values:
                raise TypeError(f"{self.method}() got an unexpected argument '{key}'")
            values[key] = value
        params = values.get("params")
        return HookContext(
            self.app,
            self.service,
            self.options.path,
            self.method,
            {} if params is None else params,
            values.get("id"),
            values.get("data"),
            self._event,
        )

    async def run(self, *args: Any, **kwargs: Any) -> HookContext:
        """Run the hook chain and the method; return the context of the call."""
        return await self.run_context(self.context(*args, **kwargs))

    async def run_context(self, context: HookContext) -> HookContext:
        """Run the hook chain and the method for a context made by `context()` (a transport
        prepares it first, e.g. REST sets `context.http`); return it."""
        app = self.app
        if self._generation != app._hook_generation:
            self._chain = [
                *app._hook_store.middleware(self.method),
                *self.options.hooks.middleware(self.method),
            ]
            self._generation = app._hook_generation
        chain = self._chain
        if chain:
            await self._step(chain, 0, context)
        elif not context.has_result:
            await self._call_method(context)
        event = context.event
        if event.__class__ is str:
            self._emit(event, context)
        return context

    def _step(self, chain: list[Any], index: int, context: HookContext) -> Any:
        if index == len(chain):
            if context.has_result:
                return _done()
            return self._call_method(context)
        return call_hook(chain[index], context, lambda: self._step(chain, index + 1, context))

    async def _call_method(self, context: HookContext) -> None:
        if self._is_async:
            context.result = await self._impl(*self._arguments(context))
        else:
            result = self._impl(*self._arguments(context))
            if inspect.isawaitable(result):
                result = await result
            context.result = result

    def _emit(self, event: str, context: HookContext) -> None:
        if event in self.options.events:
            return  # the service sends this event itself
        result = context.result
        emit = self.service.emit
        if isinstance(result, list):
            for item in result:
                emit(event, item, context)
        else:
            emit(event, result, context)


async def _done() -> None:
    return None
