"""The landing page of a freshly generated app with users (`feathers new`'s default
`--auth local,jwt`), served for real by `feathers start`, in headless chromium: two browsers
sign up and log in through the page's form, one creates a record and the other sees it
arrive without a reload; the page shows the server's errors (wrong password, e-mail taken,
validation, too many attempts); logging out returns to the form; a reload stays logged in;
after a server restart the pages log in again by themselves.

The project is made by the CLI in a temporary folder, with a `messages` service and its
SQLite table (as `make demo` does), and run with the interpreter running these tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from feathers_cli.bundles import bundle_files

from ..helpers.projects import (
    free_port,
    generate_project,
    run_feathers,
    running_feathers,
)
from .conftest import open_page, skip_or_fail
from .test_landing_page import demo_app, rendered_public

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> Path:
    """`feathers new chat` (defaults: SQLite, users who log in), a messages service (as
    generated in an app with users: it requires a login; or, parametrized with False, made
    with `--no-auth`) and its table."""
    if bundle_files() is None:
        skip_or_fail("no browser bundles in feathers_cli/_bundles (npm missing at install)")
    root = generate_project(tmp_path, "chat")
    page = (root / "public" / "index.html").read_text()
    assert '<meta name="feathers-authentication" content="users"' in page
    login = getattr(request, "param", True)
    run_feathers(
        root, "generate", "service", "messages", "--yes", *([] if login else ["--no-auth"])
    )
    registration = (root / "chat" / "services" / "messages" / "__init__.py").read_text()
    assert ('authenticate("jwt")' in registration) == login
    run_feathers(root, "migrate")
    # the secret comes from the project's .env, as for anyone who runs it
    monkeypatch.delenv("FEATHERS_AUTH_SECRET", raising=False)
    monkeypatch.delenv("FEATHERS_ENV", raising=False)
    return root


def serve(root: Path, port: int):
    """`feathers start` on 127.0.0.1:port (a context manager), the page's own address
    allowed as an origin (config/default.toml names port 3030)."""
    origins = {"FEATHERS_ORIGINS": f'["http://127.0.0.1:{port}"]'}
    return running_feathers(root, "start", port=port, env=origins)


@pytest.fixture
def served(project: Path) -> Iterator[str]:
    """The project served on a free loopback port; stopped after the test."""
    with serve(project, free_port()) as server:
        yield server.url


async def sign_up(page, email: str, password: str = PASSWORD) -> None:
    await page.fill("#login-email", email)
    await page.fill("#login-password", password)
    await page.click("#login-form button[value=signup]")


async def log_in(page, email: str, password: str = PASSWORD) -> None:
    await page.fill("#login-email", email)
    await page.fill("#login-password", password)
    await page.click("#login-form button[value=login]")


async def expect_logged_out(page) -> None:
    from playwright.async_api import expect

    await expect(page.locator("#login-form")).to_be_visible()
    await expect(page.locator("#user-bar")).to_be_hidden()
    await expect(page.locator("#demo-records")).to_be_hidden()


@pytest.mark.parametrize(
    "project", [True, False], ids=["service-requires-login", "service-without-login"], indirect=True
)
async def test_two_users_sign_up_log_in_and_see_each_others_records(
    served, browser, screenshots, request
):
    from playwright.async_api import expect

    url = served
    if "service-requires-login" in request.node.name:
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.get("/messages")
            assert answer.status_code == 401, answer.text
    problems: list[str] = []
    alice = await open_page(browser, url, problems)
    bob = await open_page(browser, url, problems)
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#demo-status")).to_have_text("Connected")
        await expect_logged_out(page)
        await screenshots.take(page, f"{name}-form")

    await sign_up(alice, "alice@example.com")
    await sign_up(bob, "bob@example.com")
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#user-name")).to_have_text(f"{name}@example.com")
        await expect(page.locator("#login-form")).to_be_hidden()
        await expect(page.locator("#service-path")).to_have_value("messages")
        await expect(page.locator("#records-empty")).to_be_visible()
        await expect(page.locator("#login-password")).to_have_value("")
        await page.evaluate("window.notReloaded = true")
        await screenshots.take(page, f"{name}-logged-in")

    await alice.fill("#record-text", "Hello from Alice")
    await alice.click("#create-form button")
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#records li")).to_have_text(["#1 Hello from Alice"])
        assert await page.evaluate("window.notReloaded") is True
        await screenshots.take(page, f"{name}-sees-alices-record")

    # Bob logs out: the form again, and no records
    await bob.click("#logout")
    await expect_logged_out(bob)
    await expect(bob.locator("#records li")).to_have_count(0)
    assert await bob.evaluate("window.localStorage.length") == 0  # the token is gone
    await alice.fill("#record-text", "while Bob is away")
    await alice.press("#record-text", "Enter")
    await expect(alice.locator("#records li").first).to_have_text("#2 while Bob is away")
    await expect(bob.locator("#records li")).to_have_count(0)
    await screenshots.take(bob, "bob-logged-out")

    # Alice reloads: logged in again from localStorage, the records listed
    await alice.reload()
    await expect(alice.locator("#user-name")).to_have_text("alice@example.com")
    await expect(alice.locator("#login-form")).to_be_hidden()
    await expect(alice.locator("#records li")).to_have_text(
        ["#2 while Bob is away", "#1 Hello from Alice"]
    )
    assert await alice.evaluate("window.notReloaded") is None
    await screenshots.take(alice, "alice-reloaded")

    # Bob logs in again: everything, and new records arrive again
    await log_in(bob, "bob@example.com")
    await expect(bob.locator("#user-name")).to_have_text("bob@example.com")
    await expect(bob.locator("#records li")).to_have_count(2)
    await bob.fill("#record-text", "Back, Bob")
    await bob.click("#create-form button")
    for page in (alice, bob):
        await expect(page.locator("#records li").first).to_have_text("#3 Back, Bob")
    await screenshots.take(bob, "bob-back")
    assert problems == []


async def test_after_a_server_restart_the_pages_log_in_again_and_update_live(
    project, browser, screenshots
):
    from playwright.async_api import expect

    port = free_port()
    problems: list[str] = []
    with serve(project, port) as server:
        alice = await open_page(browser, server.url, problems)
        bob = await open_page(browser, server.url, problems)
        await sign_up(alice, "alice@example.com")
        await sign_up(bob, "bob@example.com")
        for page in (alice, bob):
            await expect(page.locator("#records-empty")).to_be_visible()
            await page.evaluate("window.notReloaded = true")
    for page in (alice, bob):
        await expect(page.locator("#demo-status")).to_contain_text("Disconnected")
    await screenshots.take(bob, "server-stopped")
    # down for longer than the Feathers client's default call timeout (5 s)
    await asyncio.sleep(6)

    with serve(project, port):
        for page in (alice, bob):
            await expect(page.locator("#demo-status")).to_have_text("Connected", timeout=20_000)
        await alice.fill("#record-text", "after the restart")
        await alice.click("#create-form button")
        for name, page in (("alice", alice), ("bob", bob)):
            await expect(page.locator("#records li")).to_have_text(["#1 after the restart"])
            await expect(page.locator("#user-name")).to_have_text(f"{name}@example.com")
            assert await page.evaluate("window.notReloaded") is True
            await screenshots.take(page, f"{name}-after-restart")
    assert problems == []


async def test_the_page_shows_why_a_sign_up_or_log_in_failed(served, browser, screenshots):
    from playwright.async_api import expect

    url = served
    problems: list[str] = []
    page = await open_page(browser, url, problems)
    error = page.locator("#login-error")
    await expect_logged_out(page)
    await expect(error).to_be_hidden()

    await sign_up(page, "carol@example.com", "short")
    await expect(error).to_contain_text("BadRequest: Invalid data: password")
    await expect(error.locator("li")).to_have_text(
        ["password: String should have at least 8 characters"]
    )
    await screenshots.take(page, "too-short-password")

    await sign_up(page, "carol@example.com")
    await expect(page.locator("#user-name")).to_have_text("carol@example.com")
    await page.click("#logout")
    await expect_logged_out(page)
    await expect(error).to_be_hidden()

    await sign_up(page, "carol@example.com")
    await expect(error).to_have_text(
        "Conflict: A record with the same email already exists "
        "This e-mail address already has an account: log in instead."
    )
    await screenshots.take(page, "email-taken")

    await log_in(page, "carol@example.com", "not the password")
    await expect(error).to_have_text("NotAuthenticated: Invalid login")
    await expect(page.locator("#demo-records")).to_be_hidden()
    await screenshots.take(page, "wrong-password")

    # ten failed logins from this address (over HTTP) lock the account for it, even with the
    # right password
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(10):
            wrong = {"strategy": "local", "email": "carol@example.com", "password": "wrong!!!"}
            answer = await http.post("/authentication", json=wrong)
            assert answer.status_code in (401, 429), answer.text
    await log_in(page, "carol@example.com")
    await expect(error).to_have_text(
        "TooManyRequests: Too many failed logins, try again later "
        "Wait a few minutes before trying this account again."
    )
    await expect(page.locator("#login-form button").first).to_be_enabled()
    await screenshots.take(page, "too-many-attempts")
    assert problems == []


async def test_a_page_for_users_served_by_an_app_without_them_is_the_anonymous_demo(
    tmp_path, browser, screenshots
):
    """The tag says the app has users, the server has no authentication service (taken out
    of app.py by hand): the page asks, and opens the demo without a login."""
    from playwright.async_api import expect

    public = rendered_public(tmp_path, with_bundles=True)
    assert (
        '<meta name="feathers-authentication" content="users"'
        in (public / "index.html").read_text()
    )
    app = demo_app(public)
    await app.service("messages").create({"text": "no login needed"})
    async with await app.start(0) as server:
        problems: list[str] = []
        page = await open_page(browser, server.url, problems)
        await expect(page.locator("#records li")).to_have_text(["#0 no login needed"])
        await expect(page.locator("#login-form")).to_be_hidden()
        await expect(page.locator("#user-bar")).to_be_hidden()
        await screenshots.take(page, "anonymous-demo")
    assert problems == []


async def test_without_the_bundles_a_page_for_users_says_how_to_get_the_demo(
    tmp_path, browser, screenshots
):
    from playwright.async_api import expect

    app = demo_app(rendered_public(tmp_path, with_bundles=False))
    async with await app.start(0) as server:
        page = await open_page(browser, server.url, [])
        await expect(page.locator("#demo-missing")).to_be_visible()
        await expect(page.locator("#demo-missing")).to_contain_text("npm install")
        await expect(page.locator("#demo-live")).to_be_hidden()
        await expect(page.locator("#login-form")).to_be_hidden()
        await screenshots.take(page, "no-bundles")
