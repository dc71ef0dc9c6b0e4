"""The Python client: talk to any Feathers server (Python or Node) over Socket.io.

Run a server first (e.g. python examples/socketio/params.py), then this script.
"""

import asyncio
import sys

from feathers_cli.runtime import errors
from feathers_cli.runtime.client import connect


async def main(url: str) -> None:
    async with await connect(url) as client:
        messages = client.service("messages")
        messages.on("created", lambda message: print("created event:", message))
        print(await messages.create({"text": "Hello from Python"}))
        try:
            await client.service("nowhere").find()
        except errors.NotFound as error:
            print("typed error:", error.name, error.message)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3030"))
