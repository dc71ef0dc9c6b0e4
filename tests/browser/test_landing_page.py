"""The landing page of a generated app in headless chromium: two browsers, one creates a
record in the live demo, both see it arrive without a reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feathers_cli.bundles import bundle_files
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.runtime import feathers
from feathers_cli.runtime.application import Application
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio
from feathers_cli.runtime.static import serve_static

from .conftest import WAIT_MS, open_page, skip_or_fail

pytestmark = pytest.mark.browser


def rendered_public(tmp_path: Path, *, with_bundles: bool) -> Path:
    """The `public/` folder of a project made by `feathers new`, with the bundles copied in
    (what `feathers new` does) or without them."""
    answers = NewAnswers(project_names("demo-app"), description="Demo <app>", database="memory")
    public = create_project(answers, tmp_path / "demo-app", ask=False).root / "public"
    files = bundle_files()
    if with_bundles:
        if files is None:
            skip_or_fail("no browser bundles in feathers_cli/_bundles (npm missing at install)")
        assert all((public / name).is_file() for name in files)  # copied by `feathers new`
    else:
        for name in files or {}:
            (public / name).unlink()
    return public


def demo_app(public: Path, origins: list[str] | None = None) -> Application:
    """The shape of a generated app: Socket.io, channels, a paginated memory service, and
    the public folder served at /."""
    app = feathers()
    app.configure(socketio({"cors": {"origin": origins}} if origins else None))
    app.use("messages", MemoryService(paginate={"default": 10, "max": 50}))
    app.use("notes", MemoryService())  # not paginated: find returns a list
    app.on("connection", lambda connection: app.channel("anonymous").join(connection))
    app.publish(lambda data, context: app.channel("anonymous"))
    app.configure(serve_static(public))
    return app


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Application]]:
    app = demo_app(rendered_public(tmp_path, with_bundles=True))
    await app.service("messages").create({"text": "already there"})
    async with await app.start(0) as server:
        yield server.url, app


async def test_two_browsers_see_a_created_record_without_reloading(served, browser, screenshots):
    from playwright.async_api import expect

    url, app = served
    problems: list[str] = []
    alice = await open_page(browser, url, problems)
    bob = await open_page(browser, url, problems)
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#app-name")).to_have_text("demo-app")
        await expect(page.locator("#demo-status")).to_have_text("Connected", timeout=WAIT_MS)
        await expect(page.locator("#service-path")).to_have_value("messages")
        await expect(page.locator("#records li")).to_have_text(["#0 already there"])
        await expect(page.locator("#demo-missing")).to_be_hidden()
        await page.evaluate("window.notReloaded = true")
        await screenshots.take(page, f"{name}-opened")

    await alice.fill("#record-text", "Hello from Alice")
    await alice.click("#create-form button")
    expected = ["#1 Hello from Alice", "#0 already there"]
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#records li")).to_have_text(expected, timeout=WAIT_MS)
        await screenshots.take(page, f"{name}-sees-alices-record")
    await expect(alice.locator("#record-text")).to_have_value("")

    await bob.fill("#record-text", "Hi Alice, Bob here")
    await bob.press("#record-text", "Enter")
    # and a record created by another kind of client: the server itself
    await app.service("messages").create({"text": "from the server"})
    expected = ["#3 from the server", "#2 Hi Alice, Bob here", *expected]
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#records li")).to_have_text(expected, timeout=WAIT_MS)
        assert await page.evaluate("window.notReloaded") is True
        await screenshots.take(page, f"{name}-sees-every-record")
    stored = await app.service("messages").find({"query": {"$sort": {"id": 1}}})
    assert [record["text"] for record in stored["data"]] == [
        "already there",
        "Hello from Alice",
        "Hi Alice, Bob here",
        "from the server",
    ]

    # A service that does not exist: the page shows the server's error, and nothing else breaks
    await bob.fill("#service-path", "nothing-here")
    await bob.click("#service-form button")
    await expect(bob.locator("#demo-error")).to_contain_text("NotFound", timeout=WAIT_MS)
    assert "service=nothing-here" in bob.url
    await screenshots.take(bob, "bob-unknown-service")
    assert problems == []


async def test_the_address_picks_the_service_and_unpaginated_results_are_listed(
    served, browser, screenshots
):
    from playwright.async_api import expect

    url, app = served
    for record in ({"text": "first note"}, {"title": "no text field"}):
        await app.service("notes").create(record)
    problems: list[str] = []
    page = await open_page(browser, f"{url}/?service=notes", problems)
    await expect(page.locator("#service-path")).to_have_value("notes")
    await expect(page.locator("#records li")).to_have_text(
        ['#1 {"title":"no text field"}', "#0 first note"], timeout=WAIT_MS
    )
    await page.fill("#record-text", "second note")
    await page.click("#create-form button")
    await expect(page.locator("#records li").first).to_have_text("#2 second note")
    await screenshots.take(page, "notes")
    assert problems == []


async def test_without_the_bundles_the_page_says_how_to_get_the_demo(
    tmp_path, browser, screenshots
):
    from playwright.async_api import expect

    app = demo_app(rendered_public(tmp_path, with_bundles=False))
    async with await app.start(0) as server:
        problems: list[str] = []
        page = await open_page(browser, server.url, problems)
        await expect(page.locator("h1")).to_have_text("demo-app")
        await expect(page.locator("header")).to_contain_text("Demo <app>")
        await expect(page.locator("#demo-missing")).to_be_visible()
        await expect(page.locator("#demo-missing")).to_contain_text("npm install")
        await expect(page.locator("#demo-live")).to_be_hidden()
        await screenshots.take(page, "no-bundles")
    # the two missing scripts are the only problems, and no script error
    assert sorted(problems) == [
        f"404 {server.url}/feathers.min.js",
        f"404 {server.url}/socket.io.min.js",
    ]


async def test_a_page_from_an_origin_the_app_does_not_allow_says_so(tmp_path, browser, screenshots):
    from playwright.async_api import expect

    public = rendered_public(tmp_path, with_bundles=True)
    app = demo_app(public, origins=["http://localhost:3030"])
    async with await app.start(0) as server:
        page = await open_page(browser, server.url, [])
        status = page.locator("#demo-status")
        await expect(status).to_contain_text("Cannot connect", timeout=WAIT_MS)
        await expect(status).to_contain_text(f"is {server.url} in the app's `origins`")
        await screenshots.take(page, "origin-not-allowed")
