"""Browser tests: Debian's chromium driven by Playwright for Python.

The browser is the system's (`scripts/chromium.sh` installs it; FEATHERS_CHROMIUM or
`chromium` on PATH finds it): Playwright never downloads one. Without chromium or the browser
bundles the tests skip with the reason; with CI=true they fail instead.

Each test gets a folder of screenshots, `test-artifacts/browser/<test>/` (git-ignored; CI
keeps it as an artifact).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
# What a headless browser in CI needs, and nothing that talks to the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every wait of a browser test is bounded by this (ms): a page that never updates fails.
WAIT_MS = 10_000


def skip_or_fail(reason: str) -> None:
    """Skip with the reason locally; fail when CI=true, where the browser tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> str:
    """Debian's chromium (FEATHERS_CHROMIUM, else `chromium` on PATH), or skip/fail."""
    path = os.environ.get("FEATHERS_CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        skip_or_fail("chromium is not installed (scripts/chromium.sh installs it)")
    assert path is not None
    return path


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """A headless Debian chromium, closed after the test."""
    executable = chromium_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


class Screenshots:
    """Numbered screenshots of a test's steps: `await shots.take(page, "created")`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def take(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshots(request) -> Screenshots:
    """A fresh `test-artifacts/browser/<test name>/` for the test's screenshots."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)


async def open_page(browser, url: str, problems: list[str], viewport=(900, 900)):
    """`url` in a browser context of its own (its own localStorage: another user), with every
    page error, console error and HTTP response >= 400 appended to `problems`."""
    context = await browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")  # the responses above
            and problems.append(f"console: {message.text}")
        ),
    )
    await page.goto(url)
    return page
