"""An app with the REST transport only never imports python-socketio (nor python-engineio):
the JSON codec both transports use lives in a module of its own (`_json`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent(
    """
    import asyncio, json, sys

    import httpx

    from feathers_cli.runtime import feathers
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.rest import rest


    async def main():
        app = feathers()
        app.configure(rest())
        app.use("messages", MemoryService())
        server = await app.start(0)
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
                created = await http.post("/messages", json={"text": "hi"})
                found = await http.get("/messages")
        finally:
            await server.stop()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("socketio", "engineio"))
        print(json.dumps({"status": [created.status_code, found.status_code],
                          "found": found.json(), "loaded": loaded}))


    asyncio.run(main())
    """
)


def test_a_rest_only_app_does_not_import_socketio() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == [201, 200]
    assert report["found"] == [{"text": "hi", "id": 0}]
    assert report["loaded"] == []


def test_the_socketio_transport_still_imports_it_for_comparison() -> None:
    program = "import sys; import feathers_cli.runtime.socketio; print('socketio' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "True", result.stderr
