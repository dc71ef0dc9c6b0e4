"""examples/chat in headless chromium: the example served for real (a copy prepared as
`make chat` prepares it, migrated, `feathers start` on a free port), two browsers as two
users who sign up, chat and see each other's messages and sign-ups arrive without a reload;
a wrong password, a taken e-mail address, an empty and a too long message show the server's
errors; a reload keeps the login; logging out returns to the login form; "Load older
messages" pages back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from feathers_cli.bundles import bundle_files
from feathers_cli.runtime.client import connect

from ..helpers.example_chat import migrate, origins, prepared_example
from ..helpers.projects import free_port, running_feathers
from .conftest import WAIT_MS, open_page, skip_or_fail

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ALICE = "alice@example.com"
BOB = "bob@example.com"


@pytest.fixture
def chat_url(tmp_path: Path) -> Iterator[str]:
    """The example, served on 127.0.0.1 by `feathers start` until the test ends."""
    if bundle_files() is None:
        skip_or_fail("no browser bundles in feathers_cli/_bundles (npm missing at install)")
    root = prepared_example(tmp_path)
    migrate(root)
    port = free_port()
    with running_feathers(root, "start", port=port, env=origins(port)) as server:
        yield server.url


async def fill_login(page, email: str, password: str) -> None:
    await page.fill("#email", email)
    await page.fill("#password", password)


async def test_two_users_chat_in_real_time(chat_url, browser, screenshots):
    from playwright.async_api import expect

    problems: list[str] = []
    alice = await open_page(browser, chat_url, problems, viewport=(1000, 800))
    bob = await open_page(browser, chat_url, problems, viewport=(1000, 800))
    for page in (alice, bob):
        await expect(page.locator("#login-screen")).to_be_visible()
        await expect(page.locator("#chat-screen")).to_be_hidden()
    await screenshots.take(alice, "login-form")

    await fill_login(alice, ALICE, PASSWORD)
    await alice.click("#signup")
    await expect(alice.locator("#me")).to_have_text(f"Logged in as {ALICE}")
    await expect(alice.locator("#users li")).to_have_text([ALICE])
    await expect(alice.locator("#no-messages")).to_be_visible()
    await alice.evaluate("window.notReloaded = true")
    await screenshots.take(alice, "alice-signed-up")

    await fill_login(bob, BOB, PASSWORD)
    await bob.click("#signup")
    await expect(bob.locator("#me")).to_have_text(f"Logged in as {BOB}")
    await expect(bob.locator("#users li")).to_have_text([ALICE, BOB])
    # Bob's sign-up reaches Alice's page as it happens
    await expect(alice.locator("#users li")).to_have_text([ALICE, BOB], timeout=WAIT_MS)
    await screenshots.take(alice, "alice-sees-bob-sign-up")

    await alice.fill("#text", "Hello Bob")
    await alice.click("#send-form button")
    await expect(alice.locator("#text")).to_have_value("")
    for page in (alice, bob):
        await expect(page.locator("#messages li .text")).to_have_text(
            ["Hello Bob"], timeout=WAIT_MS
        )
        await expect(page.locator("#messages li .sender")).to_have_text([ALICE])
        await expect(page.locator("#messages li time")).to_have_count(1)
    await screenshots.take(bob, "bob-sees-alices-message")

    await bob.fill("#text", "Hi Alice, Bob here")
    await bob.press("#text", "Enter")
    for name, page in (("alice", alice), ("bob", bob)):
        await expect(page.locator("#messages li .text")).to_have_text(
            ["Hello Bob", "Hi Alice, Bob here"], timeout=WAIT_MS
        )
        await expect(page.locator("#messages li .sender")).to_have_text([ALICE, BOB])
        await screenshots.take(page, f"{name}-sees-both-messages")
    assert await alice.evaluate("window.notReloaded") is True

    # the server refuses an empty and a too long text: the page says why, nothing is sent
    for text in ("", "x" * 401):
        await alice.fill("#text", text)
        await alice.click("#send-form button")
        await expect(alice.locator("#send-error")).to_contain_text("text", timeout=WAIT_MS)
        await screenshots.take(alice, f"alice-refused-{len(text)}-characters")
    await expect(alice.locator("#messages li")).to_have_count(2)

    # a reload logs in again with the stored token
    await bob.reload()
    await expect(bob.locator("#me")).to_have_text(f"Logged in as {BOB}")
    await expect(bob.locator("#messages li")).to_have_count(2)

    await bob.click("#logout")
    await expect(bob.locator("#login-screen")).to_be_visible()
    await expect(bob.locator("#chat-screen")).to_be_hidden()
    await screenshots.take(bob, "bob-logged-out")

    await fill_login(bob, BOB, "not the password")
    await bob.click("#login")
    await expect(bob.locator("#login-error")).to_have_text("Invalid login", timeout=WAIT_MS)
    await expect(bob.locator("#chat-screen")).to_be_hidden()
    await screenshots.take(bob, "bob-wrong-password")

    # signing up with an address already taken says so
    await fill_login(bob, ALICE, PASSWORD)
    await bob.click("#signup")
    await expect(bob.locator("#login-error")).to_contain_text("already exists", timeout=WAIT_MS)
    await expect(bob.locator("#chat-screen")).to_be_hidden()

    await fill_login(bob, BOB, PASSWORD)
    await bob.click("#login")
    await expect(bob.locator("#me")).to_have_text(f"Logged in as {BOB}")
    await expect(bob.locator("#login-error")).to_be_hidden()
    await screenshots.take(bob, "bob-logged-in-again")
    assert problems == []


async def test_the_newest_25_messages_then_older_ones(chat_url, browser, screenshots):
    from playwright.async_api import expect

    client = await connect(chat_url)
    try:
        await client.service("users").create({"email": ALICE, "password": PASSWORD})
        await client.authenticate({"strategy": "local", "email": ALICE, "password": PASSWORD})
        for number in range(1, 31):
            await client.service("messages").create({"text": f"message {number}"})
    finally:
        await client.close()

    problems: list[str] = []
    page = await open_page(browser, chat_url, problems, viewport=(1000, 800))
    await fill_login(page, ALICE, PASSWORD)
    await page.click("#login")
    texts = page.locator("#messages li .text")
    await expect(texts).to_have_text([f"message {n}" for n in range(6, 31)], timeout=WAIT_MS)
    await expect(page.locator("#load-older")).to_be_visible()
    await screenshots.take(page, "newest-25")

    await page.click("#load-older")
    await expect(texts).to_have_text([f"message {n}" for n in range(1, 31)], timeout=WAIT_MS)
    await expect(page.locator("#load-older")).to_be_hidden()
    await screenshots.take(page, "all-30")
    assert problems == []
