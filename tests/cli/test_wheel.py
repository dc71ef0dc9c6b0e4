"""Packaging: the wheel carries the templates and the runtime, and `feathers new` works from it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from feathers_cli.vendor import runtime_files

from ..helpers.projects import venv_reusing_packages

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("feathers_py-*.whl")
    return built


def test_the_wheel_contains_templates_runtime_and_the_command(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "templates").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert templates
    assert {f"feathers_cli/{path}" for path in templates} <= names
    assert {f"feathers_cli/runtime/{name}" for name in runtime_files()} <= names
    assert not any("__pycache__" in name for name in names)
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "feathers = feathers_cli.main:app" in text


def test_feathers_new_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    # Dependencies come from the environment running the tests: no index, no network.
    python = venv_reusing_packages(venv, with_editable_installs=False)
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run(
        [*pip, "--no-index", "--no-deps", "--ignore-installed", str(wheel)],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [venv / "bin" / "feathers", "new", "chat", "--yes"],
        cwd=elsewhere,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "chat" / "chat" / "app.py").is_file()
    assert (elsewhere / "chat" / "feathers" / "MANIFEST.json").is_file()
    where = subprocess.run(
        [python, "-c", "import feathers_cli.paths as g; print(g.templates_root())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where


def test_the_wheel_carries_the_browser_bundles(wheel, tmp_path):
    from .test_bundles import require_bundles

    staged = require_bundles()
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"feathers_cli/_bundles/{name}" for name in staged} <= names
    assert "feathers_cli/_bundles/MANIFEST.json" in names
    venv = tmp_path / "venv"
    python = venv_reusing_packages(venv, with_editable_installs=False)
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run([*pip, "--no-index", "--no-deps", str(wheel)], check=True, timeout=300)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    found = subprocess.run(
        [python, "-m", "feathers_cli.commands.bundles", str(tmp_path / "public")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    copied = {Path(line).name: Path(line) for line in found.stdout.split()}
    assert set(copied) == set(staged)
    for name, path in staged.items():
        assert copied[name].read_bytes() == path.read_bytes()
    where = subprocess.run(
        [python, "-c", "import feathers_cli.bundles as b; print(b.BUNDLES_DIR)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
