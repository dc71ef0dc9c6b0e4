"""Test selection: `slow` tests (end to end: generated projects installed, served, run with
their own tests) are skipped by a default local run and run in CI (CI=true), with
FEATHERS_TEST_SLOW=1, or when asked for with `-m slow`."""

from __future__ import annotations

import os

import pytest

# `feathers new` and the generators install nothing during the tests (as `--no-install`),
# whoever calls them; the first-run e2e test (tests/e2e/test_first_run.py) removes it.
os.environ["FEATHERS_NO_INSTALL"] = "1"

SLOW_REASON = "slow end-to-end test: runs with CI=true, FEATHERS_TEST_SLOW=1 or -m slow"


def run_slow(config: pytest.Config) -> bool:
    """Whether this run includes the slow tests."""
    return (
        os.environ.get("CI") == "true"
        or os.environ.get("FEATHERS_TEST_SLOW") == "1"
        or "slow" in (config.getoption("markexpr", "") or "")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if run_slow(config):
        return
    skip = pytest.mark.skip(reason=SLOW_REASON)
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
