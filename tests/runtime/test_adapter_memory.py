"""The adapter conformance suite against MemoryService, standalone and registered in an app."""

from __future__ import annotations

from typing import Any

import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService

from .adapter_suite import EXTRA_CASES, FEATHERS_CASES, AdapterSuite


def build_services() -> dict[str, MemoryService]:
    events = ["testing"]
    return {
        "people": MemoryService(events=events),
        "people-paginate": MemoryService(
            events=events, multi=True, paginate={"default": 10, "max": 100}
        ),
        "people-customid": MemoryService(id="customid", events=events),
    }


class TestMemoryAdapter(AdapterSuite):
    @pytest.fixture(params=["standalone", "registered"])
    def services(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        services = build_services()
        if request.param == "standalone":
            return services
        app = feathers()
        for path, service in services.items():
            app.use(path, service)
        return {path: app.service(path) for path in services}


def test_every_feathers_case_is_a_test() -> None:
    tests = {name for name in dir(AdapterSuite) if name.startswith("test_")}
    cases = {**FEATHERS_CASES, **EXTRA_CASES}
    assert len(set(cases.values())) == len(cases)
    assert set(cases.values()) == tests


async def test_registered_services_send_custom_events() -> None:
    app = feathers()
    app.use("people", MemoryService(events=["testing"]))
    received: list[Any] = []
    app.service("people").on("testing", lambda data, *context: received.append(data))
    app.service("people").on("created", lambda data, *context: received.append(data))
    app.service("people").emit("testing", {"ok": True})
    await app.service("people").create({"name": "Ada"})
    assert received == [{"ok": True}, {"name": "Ada", "id": 0}]
