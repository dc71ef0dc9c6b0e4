"""The Feathers application: settings, services, app hooks, channels and publishing."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from . import __version__
from .channels import Channel, CombinedChannel, publish_event, register_publisher
from .errors import NotFound
from .events import EventEmitter, run_soon
from .hooks import HookStore
from .routing import Lookup, Router, strip_slashes
from .service import (
    DEFAULT_EVENTS,
    DEFAULT_METHODS,
    EMITTER_METHODS,
    PROTECTED_METHODS,
    HookedMethod,
    ServiceOptions,
    get_service_options,
)

__all__ = ["Application", "feathers"]

logger = logging.getLogger("feathers")


class Application(EventEmitter):
    """A Feathers application. Create one with `feathers()`.

    >>> app = feathers()
    >>> app.set('paginate', {'default': 10}).get('paginate')
    {'default': 10}
    """

    version = __version__

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}
        self.services: dict[str, Any] = {}
        self.routes = Router()
        self.io: Any = None
        self.transports: list[Any] = []
        # `feathers.sync.Sync` when configured: service events then go through it
        self.sync: Any = None
        self._is_setup = False
        self._hook_store = HookStore()
        self._hook_generation = 0
        self._channels: dict[str, Channel] = {}
        self._publishers: dict[str, Callable[..., Any]] = {}
        self.on("disconnect", self._leave_channels)
        self.on("logout", self._logout)

    # Settings and configuration

    def get(self, name: str) -> Any:
        """The setting `name`, or None when it was never set."""
        return self.settings.get(name)

    def set(self, name: str, value: Any) -> Application:
        """Set a setting; returns the app so calls chain."""
        self.settings[name] = value
        return self

    def configure(self, callback: Callable[[Application], Any]) -> Application:
        """Run `callback(app)`: how transports and plugins are added."""
        callback(self)
        return self

    # Services

    def use(
        self,
        path: str,
        service: Any,
        methods: list[str] | None = None,
        events: list[str] | None = None,
    ) -> Application:
        """Register a service at `path`, exposing `methods` and sending custom `events`.

        >>> app = feathers()
        >>> class Messages:
        ...     async def get(self, id, params):
        ...         return {'id': id}
        >>> _ = app.use('/messages/', Messages())
        >>> app.service('messages')
        <...Messages object at ...>
        """
        if not isinstance(path, str):
            raise TypeError(f"'{path}' is not a valid service path.")
        location = strip_slashes(path)
        if isinstance(service, Application):
            # As in Feathers, a sub-app's services keep the sub-app's hooks and publishers.
            for sub_path, sub_service in service.services.items():
                mounted = strip_slashes(f"{location}/{sub_path}")
                self.routes.insert(mounted, sub_service)
                self.services[mounted] = sub_service
            return self
        if get_service_options(service) is not None:
            registered = get_service_options(service).path  # type: ignore[union-attr]
            raise ValueError(f"This service object is already registered at '{registered}'")
        options = _service_options(location, service, methods, events)
        self.routes.insert(location, service)
        try:
            _attach(self, service, options)
        except Exception:
            self.routes.remove(location)
            raise
        self.services[location] = service
        if self._is_setup and callable(getattr(service, "setup", None)):
            result = service.setup(self, location)
            if inspect.isawaitable(result):
                run_soon(result, f"setup of service '{location}'")
        return self

    def service(self, path: str) -> Any:
        """The service registered at `path` (slashes stripped); NotFound when there is none."""
        location = strip_slashes(path)
        try:
            return self.services[location]
        except KeyError:
            raise NotFound(f"Can not find service '{location}'") from None

    def lookup(self, path: Any) -> Lookup | None:
        """The service answering `path` and its route params, or None (see `Router`)."""
        return self.routes.lookup(path)

    async def unuse(self, path: str) -> Any:
        """Unregister the service at `path` (tearing it down first) and return it."""
        location = strip_slashes(path)
        service = self.service(location)
        teardown = getattr(service, "teardown", None)
        if callable(teardown):
            result = teardown(self, location)
            if inspect.isawaitable(result):
                await result
        self.routes.remove(location)
        del self.services[location]
        return service

    async def setup(self, server: Any = None) -> Application:
        """Set up every service, in registration order (`service.setup(app, path)`)."""
        self._is_setup = True
        if self.sync is not None:
            await self.sync.start()
        await self._each_service("setup")
        return self

    async def teardown(self, server: Any = None) -> Application:
        """Tear down every service, in registration order (`service.teardown(app, path)`)."""
        self._is_setup = False
        await self._each_service("teardown")
        if self.sync is not None:
            await self.sync.stop()
        return self

    async def _each_service(self, lifecycle: str) -> None:
        for path, service in list(self.services.items()):
            method = getattr(service, lifecycle, None)
            if callable(method):
                result = method(self, path)
                if inspect.isawaitable(result):
                    await result

    # Hooks

    def hooks(self, hooks: Any) -> Application:
        """Register app hooks, which run for every service (see `hooks` for the forms)."""
        self._hook_store.register(hooks)
        self._hook_generation += 1
        return self

    # Channels and publishing

    def channel(self, *names: str | list[str]) -> Channel:
        """The channel `name` (created on first use), or several combined as one."""
        if len(names) == 1 and isinstance(names[0], list | tuple):
            names = tuple(names[0])
        if not names:
            raise ValueError("app.channel needs at least one channel name")
        if len(names) > 1:
            return CombinedChannel([self.channel(name) for name in names])
        name = names[0]
        if not isinstance(name, str):
            raise TypeError("Channel names must be strings")
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = Channel()
            channel._on_empty = lambda: self._forget_channel(name, channel)
        return channel

    def _forget_channel(self, name: str, channel: Channel) -> None:
        if self._channels.get(name) is channel:
            del self._channels[name]

    @property
    def channels(self) -> list[str]:
        """The names of the channels that exist now."""
        return list(self._channels)

    def publish(self, *args: Any) -> Application:
        """Pick channels for events of every service: `publish(fn)` or `publish(event, fn)`.

        `fn(data, context)` returns a channel, a list of channels, None, or an awaitable.
        """
        register_publisher(self._publishers, None, args)
        return self

    def _leave_channels(self, connection: Any, *_: Any) -> None:
        for channel in list(self._channels.values()):
            channel.leave(connection)

    def _logout(self, _result: Any = None, params: Any = None, *_: Any) -> None:
        connection = (params or {}).get("connection") if isinstance(params, dict) else None
        if connection is not None:
            self._leave_channels(connection)

    # Serving (the transports live in `server` and `socketio`)

    @property
    def asgi(self) -> Any:
        """The app as an ASGI application, for `uvicorn package.app:asgi`."""
        from .server import asgi_app

        return asgi_app(self)

    def listen(self, port: int | None = None, host: str | None = None, **options: Any) -> None:
        """Set up and serve until stopped (Ctrl-C); blocking. Host defaults to 127.0.0.1."""
        from .server import listen

        listen(self, port, host, **options)

    async def start(self, port: int | None = 0, host: str | None = None, **options: Any) -> Any:
        """Set up and start serving; returns a server with `.port` and `await .stop()`."""
        from .server import start

        return await start(self, port, host, **options)


def feathers() -> Application:
    """Create a Feathers application."""
    return Application()


def _service_options(
    path: str, service: Any, methods: list[str] | None, events: list[str] | None
) -> ServiceOptions:
    if methods is None:
        methods = [m for m in DEFAULT_METHODS if callable(getattr(service, m, None))]
    else:
        methods = list(methods)
    for name in methods:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"'{name}' is not a valid method name (service '{path}')")
        if name in PROTECTED_METHODS or name.startswith("_"):
            raise ValueError(f"'{name}' on service '{path}' is not allowed as a custom method name")
        if not callable(getattr(service, name, None)):
            raise ValueError(f"Method '{name}' does not exist on service '{path}'")
    if not methods and not any(
        callable(getattr(service, m, None)) for m in (*DEFAULT_METHODS, "setup", "teardown")
    ):
        raise TypeError(f"Invalid service object passed for path '{path}'")
    events = list(getattr(service, "events", None) or [] if events is None else events)
    service_events = [
        *DEFAULT_EVENTS.values(),
        *(e for e in events if e not in DEFAULT_EVENTS.values()),
    ]
    return ServiceOptions(path, methods, events, service_events)


def _attach(app: Application, service: Any, options: ServiceOptions) -> None:
    """Give a service object its options, hooked methods, emitter, hooks() and publish()."""
    hooked = [m for m in DEFAULT_METHODS if callable(getattr(service, m, None))]
    hooked += [m for m in options.methods if m not in hooked]
    attributes: dict[str, Any] = {"_feathers_options": options, "_feathers_publishers": {}}
    for method in hooked:
        attributes[method] = HookedMethod(app, service, method, getattr(service, method), options)
    if not (callable(getattr(service, "on", None)) and callable(getattr(service, "emit", None))):
        emitter = EventEmitter()
        attributes.update({name: getattr(emitter, name) for name in EMITTER_METHODS})

    def register_hooks(hooks: Any) -> Any:
        options.hooks.register(hooks, hooked)
        app._hook_generation += 1
        return service

    def publish(*args: Any) -> Any:
        register_publisher(service._feathers_publishers, options.service_events, args)
        return service

    attributes["hooks"] = register_hooks
    attributes["publish"] = publish
    try:
        for name, value in attributes.items():
            object.__setattr__(service, name, value)
    except (AttributeError, TypeError):
        raise TypeError(
            f"The service for '{options.path}' must be an object that takes attributes "
            "(an instance of a class without __slots__)"
        ) from None
    for event in options.service_events:
        service.on(event, _publisher_for(app, service, event))


def _publisher_for(app: Application, service: Any, event: str) -> Callable[..., None]:
    def publish_listener(data: Any, context: Any = None) -> None:
        # With sync, every process (this one too) publishes the event when it comes back
        if app.sync is not None:
            app.sync.send_event(service, event, data, context)
        else:
            publish_event(app, service, event, data, context)

    return publish_listener
