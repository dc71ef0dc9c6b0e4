"""The browser test harness itself: chromium is found through the project's script, and a
missing browser skips the tests locally but fails them in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_chromium_sh_prints_the_installed_browser():
    installed = shutil.which("chromium") or shutil.which("chromium-browser")
    done = subprocess.run(
        ["bash", str(REPO / "scripts/chromium.sh"), "path"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if installed is None:
        assert done.returncode == 1 and "not found" in done.stderr
    else:
        assert (done.returncode, done.stdout.strip()) == (0, installed)
    usage = subprocess.run(["bash", str(REPO / "scripts/chromium.sh"), "nonsense"], timeout=60)
    assert usage.returncode == 2


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_without_chromium_browser_tests_skip_locally_and_fail_in_ci(tmp_path, ci, outcome):
    env = {**os.environ, "CI": ci, "FEATHERS_CHROMIUM": str(tmp_path / "no-chromium")}
    pytest_args = ["-rs", "-p", "no:cacheprovider", "-q", "-k", "without_the_bundles"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args, "tests/browser/test_landing_page.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert outcome in done.stdout, done.stdout
    assert (done.returncode == 0) == (ci != "true")
    assert "chromium is not installed (scripts/chromium.sh installs it)" in done.stdout
