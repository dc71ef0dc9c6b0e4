"""The chat app: configuration, transports, channels, services and app hooks.

`create_app(config)` builds a new app from a configuration (`load_config()` reads
config/*.toml and the environment); the tests build theirs from config/test.toml.
`asgi()` is the factory servers run: `feathers dev`, `feathers start` or
`uvicorn --factory chat.app:asgi`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feathers import Application, feathers
from feathers.rest import rest
from feathers.schema import ConfigError
from feathers.socketio import socketio
from feathers.static import serve_static

from .authentication import configure_authentication
from .channels import channels
from .config import Config, load_config
from .database import configure_database
from .hooks.log_error import log_error
from .services import register_services
from .settings import check_settings

# The landing page and any other static file, served at the paths no service owns.
PUBLIC_DIR = Path(__file__).resolve().parent.parent / "public"


def create_app(config: Config) -> Application:
    """A new app configured from `config`: transports, channels, services, app hooks.

    The config is checked first (settings.py): a bad value is a ConfigError naming the key
    and the file or environment variable that set it.
    """
    check_settings(config)
    app = feathers()
    for key, value in config.items():
        app.set(key, value)
    configure_transports(app)
    app.configure(channels)

    configure_database(app)
    configure_authentication(app)
    # feathers:connections (generators add database connections above this line)
    register_services(app)

    # Hooks for every service method; generators add app.hooks(...) calls above the marker.
    app.hooks({"around": {"all": [log_error]}})
    # feathers:app-hooks
    return app


def configure_transports(app: Application) -> None:
    """The ways clients reach the app, all on one port; generators add transports above the
    marker. The static files of public/ come last: they answer what nothing else owns."""
    # Browser origins allowed to call the app (CORS): `origins` in config/*.toml.
    origins = app.get("origins")
    app.configure(socketio({"cors": {"origin": origins}}))
    app.configure(rest({"cors": {"origin": origins}}))
    # feathers:transports
    app.configure(serve_static(PUBLIC_DIR))


def asgi() -> Any:
    """The ASGI application of an app configured from config/*.toml and the environment
    (FEATHERS_ENV, PORT, HOST, FEATHERS_*): the factory `uvicorn --factory` runs.
    A bad setting stops it with that one line."""
    try:
        return create_app(load_config()).asgi
    except ConfigError as error:
        raise SystemExit(f"Error: {error}") from None
