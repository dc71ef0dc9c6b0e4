"""Authentication: the `authentication` service and its strategies (jwt, local).

The config is `[authentication]` in config/default.toml. The signing secret is never in a
config file: the runtime reads it from the FEATHERS_AUTH_SECRET environment variable (a
random one was written into .env, which `feathers dev`, `feathers start` and the tests
load; in production set it in the server's environment, at least 32 bytes).

Clients log in with `create` on `authentication` (`{"strategy": "local", "email": ...,
"password": ...}`), or with an `Authorization: Bearer <token>` header; the hooks of the
`users` service check the token with `authenticate("jwt")`.
"""

from __future__ import annotations

from feathers import Application
from feathers.authentication import AuthenticationService, JWTStrategy, LocalStrategy

PATH = "authentication"


def configure_authentication(app: Application) -> None:
    """Mount the authentication service with the jwt and local strategies."""
    authentication = AuthenticationService(app)
    authentication.register("jwt", JWTStrategy())
    authentication.register("local", LocalStrategy())
    app.use(PATH, authentication)
