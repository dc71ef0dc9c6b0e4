"""Channels decide which connections receive which real-time events."""

from __future__ import annotations

from typing import Any

from feathers import Application


def channels(app: Application) -> None:
    """Every connection joins `anonymous`, and every service event is published to it."""

    def on_connection(connection: dict[str, Any]) -> None:
        # A real-time connection (a browser tab, a script, ...) has been opened.
        app.channel("anonymous").join(connection)

    app.on("connection", on_connection)

    # Every connected client receives every event of every service. To narrow that, publish
    # per service and per event, for example only to the connections of one room:
    #   app.service("messages").publish(
    #       "created", lambda data, context: app.channel(f"rooms/{data['room_id']}")
    #   )
    # or filter a channel: app.channel("anonymous").filter(lambda connection: ...).
    app.publish(lambda data, context: app.channel("anonymous"))
