"""Channels decide which connections receive which real-time events.

A connection without a user is in `anonymous`. Logging in (a `create` on `authentication`,
or a token in the socket's handshake) moves it to `authenticated` and to `user/<id>`, the
channel of every connection of that user; logging out moves it back to `anonymous`.
"""

from __future__ import annotations

from typing import Any

from feathers import Application


def channels(app: Application) -> None:
    """Anonymous and logged-in connections in their channels; events go to logged-in ones."""

    def on_connection(connection: dict[str, Any]) -> None:
        # A real-time connection (a browser tab, a script, ...) has been opened. A token in
        # its handshake has already logged it in (and sent it through on_login).
        if connection.get("user") is None:
            app.channel("anonymous").join(connection)

    def on_login(result: dict[str, Any], params: dict[str, Any], *_: Any) -> None:
        connection = params.get("connection")
        if connection is None:  # a REST login: there is no connection to move
            return
        app.channel("anonymous").leave(connection)
        app.channel("authenticated").join(connection)
        app.channel(f"user/{result['user']['id']}").join(connection)

    def on_logout(result: dict[str, Any], params: dict[str, Any], *_: Any) -> None:
        connection = params.get("connection")
        if connection is None:
            return
        # The runtime has already taken the connection out of every channel.
        app.channel("anonymous").join(connection)

    app.on("connection", on_connection)
    app.on("login", on_login)
    app.on("logout", on_logout)

    # Every logged-in connection receives every event of every service. To narrow that,
    # publish per service and per event, for example only to the connections of one user:
    #   app.service("messages").publish(
    #       "created", lambda data, context: app.channel(f"user/{data['user_id']}")
    #   )
    # or filter a channel: app.channel("authenticated").filter(lambda connection: ...).
    app.publish(lambda data, context: app.channel("authenticated"))
