"""Runs the Python blocks of one docs page: `python run_page.py BLOCKS_JSON` (by the tests).

The blocks run in order in one namespace, as a reader would paste them into one session; top-level
`await` is allowed (the blocks of a page share one event loop). `app.listen(port)` would serve until
Ctrl-C: here it sets the app up, serves it on a free port with `app.start()`, and stops it, so that
a listening example is checked to start. A failing block prints its page and line, and the exit
status is 1.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from feathers.application import Application  # the vendored name: PYTHONPATH gives it

LOOP = asyncio.new_event_loop()


def listen_once(app: Application, port: Any = None, host: Any = None, **options: Any) -> None:
    """`Application.listen` for the docs: start on a free port, then stop."""

    async def serve_and_stop() -> int:
        server = await app.start(0, "127.0.0.1", **options)
        try:
            return server.port
        finally:
            await server.stop()

    served = LOOP.run_until_complete(serve_and_stop())
    print(f"app.listen({port!r}): served on 127.0.0.1:{served}, stopped")


def run_blocks(page: str, blocks: list[dict[str, Any]]) -> int:
    # as if the blocks were the module app/app.py of a project in the working directory
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": str(Path("app/app.py").absolute()),
    }
    for block in blocks:
        where = f"{page}:{block['line']}"
        try:
            code = compile(block["source"], where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, namespace)
            if inspect.iscoroutine(result):
                LOOP.run_until_complete(result)
        except BaseException:
            print(f"FAILED: the block at {where}", file=sys.stderr)
            traceback.print_exc()
            return 1
        print(f"ok: {where}")
    return 0


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text())
    Application.listen = listen_once  # type: ignore[method-assign]
    try:
        return run_blocks(spec["page"], spec["blocks"])
    finally:
        LOOP.run_until_complete(LOOP.shutdown_asyncgens())
        LOOP.close()


if __name__ == "__main__":
    sys.exit(main())
