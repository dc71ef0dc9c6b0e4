"""The browser bundles: staged from npm by hatch_build.py, found by `feathers_cli.bundles`."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from feathers_cli.bundles import BUNDLE_SCRIPTS, bundle_files, copy_bundles
from feathers_cli.commands import bundles as bundles_command

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = set(BUNDLE_SCRIPTS)


def skip_or_fail(reason: str) -> None:
    """Skip (with the reason) where npm is optional; fail when CI=true, where it is not."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser bundles are required in CI: {reason}")
    pytest.skip(reason)


def require_bundles() -> dict[str, Path]:
    """This checkout's bundles (staged by `make install`), or skip/fail saying why not."""
    files = bundle_files()
    if files is None:
        skip_or_fail("no browser bundles in feathers_cli/_bundles (npm missing at `make install`)")
    assert files is not None
    return files


def _load_build_hook():
    spec = importlib.util.spec_from_file_location("hatch_build", REPO / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_bundles(directory: Path, files: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    (directory / "MANIFEST.json").write_text(json.dumps({"files": digests}))


FAKE = {
    "feathers.min.js": b"window.feathers = {};",
    "socket.io.min.js": b"window.io = function () {};",
    "feathers.LICENSE.txt": b"MIT",
}


def test_bundle_files_lists_what_the_manifest_names(tmp_path):
    write_bundles(tmp_path, FAKE)
    assert bundle_files(tmp_path) == {name: tmp_path / name for name in sorted(FAKE)}


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: (d / "MANIFEST.json").unlink(),
        lambda d: (d / "MANIFEST.json").write_text("{not json"),
        lambda d: (d / "MANIFEST.json").write_text('{"files": ["feathers.min.js"]}'),
        lambda d: (d / "socket.io.min.js").unlink(),
        lambda d: (d / "feathers.min.js").write_bytes(b"altered"),
        lambda d: shutil.rmtree(d),
    ],
    ids=["no-manifest", "bad-manifest", "manifest-not-a-dict", "missing", "altered", "no-dir"],
)
def test_incomplete_or_altered_bundles_are_none(tmp_path, spoil):
    write_bundles(tmp_path / "b", FAKE)
    spoil(tmp_path / "b")
    assert bundle_files(tmp_path / "b") is None
    assert copy_bundles(tmp_path / "public", tmp_path / "b") == []
    assert not (tmp_path / "public").exists()


def test_bundles_without_both_scripts_are_none(tmp_path):
    write_bundles(tmp_path, {"feathers.min.js": b"x"})
    assert bundle_files(tmp_path) is None


def test_copy_bundles_writes_every_file_and_replaces_old_ones(tmp_path):
    write_bundles(tmp_path / "b", FAKE)
    public = tmp_path / "project" / "public"
    public.mkdir(parents=True)
    (public / "feathers.min.js").write_text("old")
    (public / "index.html").write_text("<h1>mine</h1>")
    written = copy_bundles(public, tmp_path / "b")
    assert sorted(written) == sorted(public / name for name in FAKE)
    assert {name: (public / name).read_bytes() for name in FAKE} == FAKE
    assert (public / "index.html").read_text() == "<h1>mine</h1>"


def test_the_checkout_finds_its_bundles():
    """`make install` (an editable install) ran the build hook: the bundles are in the tree."""
    files = require_bundles()
    assert set(files) >= SCRIPTS
    assert all(path.parent == REPO / "feathers_cli" / "_bundles" for path in files.values())
    manifest = json.loads((REPO / "feathers_cli/_bundles/MANIFEST.json").read_text())
    lock = json.loads((REPO / "bundles/package-lock.json").read_text())["packages"]
    for package, version in manifest["packages"].items():
        assert lock[f"node_modules/{package}"]["version"] == version
    assert b"feathers" in files["feathers.min.js"].read_bytes()[:400]


def test_the_bundles_are_ignored_by_git():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "feathers_cli/_bundles/feathers.min.js"], cwd=REPO
    )
    assert ignored.returncode == 0


def test_python_m_bundles_copies_them(tmp_path):
    require_bundles()
    done = subprocess.run(
        [sys.executable, "-m", "feathers_cli.commands.bundles", str(tmp_path / "public")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert {path.name for path in (tmp_path / "public").iterdir()} >= SCRIPTS


def test_python_m_bundles_says_how_to_get_them_when_there_are_none(tmp_path, capsys):
    assert bundles_command.main([], tmp_path / "none") == 1
    assert "npm" in capsys.readouterr().err
    assert bundles_command.main([str(tmp_path / "public")], tmp_path / "none") == 1
    assert not (tmp_path / "public").exists()
    assert bundles_command.main(["a", "b"]) == 2


# The build hook, on a copy of bundles/ (package.json, lockfile) in a temporary root


def _root_with_sources(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "bundles").mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(REPO / "bundles" / name, root / "bundles" / name)
    return root


def _fake_node_modules(root: Path) -> None:
    spec = json.loads((root / "bundles/package.json").read_text())
    modules = root / "bundles" / "node_modules"
    for package, version in spec["dependencies"].items():
        (modules / package).mkdir(parents=True)
        (modules / package / "package.json").write_text(json.dumps({"version": version}))
    for name, path in spec["browserBundles"].items():
        (modules / path).parent.mkdir(parents=True, exist_ok=True)
        (modules / path).write_text(f"/* {name} */")


def test_without_npm_the_hook_stages_nothing_and_says_why(tmp_path, monkeypatch):
    hook = _load_build_hook()
    root = _root_with_sources(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    said: list[str] = []
    assert hook.stage_bundles(root, log=said.append) == {}
    assert len(said) == 1 and "npm not found" in said[0]
    assert not (root / "feathers_cli").exists()


def test_the_hook_copies_pinned_node_modules_without_running_npm(tmp_path, monkeypatch):
    hook = _load_build_hook()
    root = _root_with_sources(tmp_path)
    _fake_node_modules(root)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    staged = hook.stage_bundles(root, log=pytest.fail)
    target = root / "feathers_cli" / "_bundles"
    assert bundle_files(target) is not None
    assert set(bundle_files(target) or {}) >= SCRIPTS
    assert set(staged) == {f"feathers_cli/_bundles/{p.name}" for p in target.iterdir()}
    # current: a second run reads the manifest, even with node_modules gone
    shutil.rmtree(root / "bundles" / "node_modules")
    assert hook.stage_bundles(root, log=pytest.fail) == staged


def test_the_hook_restages_when_a_staged_file_was_altered(tmp_path, monkeypatch):
    hook = _load_build_hook()
    root = _root_with_sources(tmp_path)
    _fake_node_modules(root)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    hook.stage_bundles(root, log=pytest.fail)
    staged_script = root / "feathers_cli" / "_bundles" / "feathers.min.js"
    staged_script.write_text("altered")
    hook.stage_bundles(root, log=pytest.fail)
    assert staged_script.read_text() == "/* feathers.min.js */"


def test_a_node_modules_of_other_versions_needs_npm(tmp_path, monkeypatch):
    hook = _load_build_hook()
    root = _root_with_sources(tmp_path)
    _fake_node_modules(root)
    meta = root / "bundles/node_modules/socket.io-client/package.json"
    meta.write_text(json.dumps({"version": "4.0.0"}))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    said: list[str] = []
    assert hook.stage_bundles(root, log=said.append) == {}
    assert "npm not found" in said[0]


def _copy_sources(destination: Path) -> None:
    """The files a wheel is built from, without any staged bundles or node_modules."""
    skip = shutil.ignore_patterns("__pycache__", "_bundles", "node_modules")
    for name in ("feathers_cli", "templates", "bundles"):
        shutil.copytree(REPO / name, destination / name, ignore=skip)
    for name in ("pyproject.toml", "hatch_build.py", "README.md", ".gitignore"):
        shutil.copy(REPO / name, destination / name)


def test_a_wheel_builds_without_npm_and_has_no_bundles(tmp_path):
    source = tmp_path / "source"
    _copy_sources(source)
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v"]
    done = subprocess.run(
        [*pip_wheel, "-w", str(tmp_path / "out"), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "npm not found" in done.stdout + done.stderr
    (wheel,) = (tmp_path / "out").glob("feathers_py-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "feathers_cli/bundles.py" in names
    assert not [name for name in names if "_bundles/" in name]
