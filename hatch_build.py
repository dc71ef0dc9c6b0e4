"""Build hook: the browser builds of the Feathers client, taken from npm, go into the wheel.

`bundles/package.json` pins `@feathersjs/client` and `socket.io-client` (with the committed
`bundles/package-lock.json`) and lists under `browserBundles` which of their files are shipped,
by the name they get in a project's `public/`. Before a wheel (or an editable install) is
built, `stage_bundles` runs `npm ci` in `bundles/` when needed and copies those files to
`feathers_cli/_bundles/` with a `MANIFEST.json` (versions and sha256 of each file); the wheel
carries that folder, and `feathers_cli.bundles` finds it in a checkout and in an installed
wheel alike. Like node_modules it is build output: git-ignored, never committed.

Without npm (or without network) the build still succeeds, without the bundles: generated
apps then show their landing page without the live demo and say how to get it.

`python hatch_build.py` stages the bundles by hand (`make bundles`), e.g. after installing npm.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SOURCE_DIR = "bundles"
TARGET_DIR = "feathers_cli/_bundles"
MANIFEST_NAME = "MANIFEST.json"
NPM_TIMEOUT = 600  # seconds; a cold `npm ci` of these packages takes ~30 s on a slow link


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _is_current(target: Path, lock_sha256: str) -> bool:
    """Whether `target` already holds the files of this lockfile, unaltered."""
    manifest_path = target / MANIFEST_NAME
    if not manifest_path.is_file():
        return False
    try:
        manifest = _read_json(manifest_path)
        files = manifest["files"]
        if manifest.get("lock_sha256") != lock_sha256 or not files:
            return False
        return all(
            (target / name).is_file() and _sha256(target / name) == digest
            for name, digest in files.items()
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def _installed_versions(source: Path, spec: dict[str, Any]) -> dict[str, str] | None:
    """The versions in `node_modules` of the pinned packages, None when one is missing or
    differs from its pin (then `npm ci` must run)."""
    versions = {}
    for package, pin in spec["dependencies"].items():
        meta = source / "node_modules" / package / "package.json"
        if not meta.is_file():
            return None
        version = _read_json(meta).get("version")
        if version != pin:
            return None
        versions[package] = version
    return versions


def _npm_ci(source: Path, log: Callable[[str], object]) -> bool:
    npm = shutil.which("npm")
    if npm is None:
        log(
            "feathers-py: npm not found, so the browser bundles (@feathersjs/client, "
            "socket.io-client) are not included; generated apps' landing pages will say how "
            "to get the live demo. Install Node.js/npm and rebuild to include them."
        )
        return False
    command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    try:
        done = subprocess.run(
            command, cwd=source, capture_output=True, text=True, timeout=NPM_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log(f"feathers-py: `npm ci` in {source} failed ({error}); no browser bundles included")
        return False
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        log(f"feathers-py: `npm ci` in {source} failed: {reason[0]}; no browser bundles included")
        return False
    return True


def stage_bundles(root: Path = ROOT, log: Callable[[str], object] = print) -> dict[str, Path]:
    """Put the browser bundles in `<root>/feathers_cli/_bundles/` (running `npm ci` in
    `<root>/bundles/` when its node_modules does not match the pins).

    Returns every staged file by its path inside the package (`MANIFEST.json` included), or
    an empty dict when they could not be staged (the reason is logged); never raises for a
    missing npm or a failed install.
    """
    source, target = root / SOURCE_DIR, root / TARGET_DIR
    spec = _read_json(source / "package.json")
    lock_sha256 = _sha256(source / "package-lock.json")
    if not _is_current(target, lock_sha256):
        versions = _installed_versions(source, spec)
        if versions is None:
            if not _npm_ci(source, log):
                return {}
            versions = _installed_versions(source, spec)
            if versions is None:
                log(f"feathers-py: `npm ci` in {source} did not install the pinned packages")
                return {}
        _copy_bundles(source, target, spec["browserBundles"], versions, lock_sha256)
    names = [*_read_json(target / MANIFEST_NAME)["files"], MANIFEST_NAME]
    return {f"{TARGET_DIR}/{name}": target / name for name in names}


def _copy_bundles(
    source: Path, target: Path, files: dict[str, str], versions: dict[str, str], lock: str
) -> None:
    """Copy the files into a fresh folder next to `target`, then swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="._bundles.", dir=target.parent))
    try:
        for name, path in files.items():
            shutil.copyfile(source / "node_modules" / path, staging / name)
        manifest = {
            "lock_sha256": lock,
            "packages": versions,
            "files": {name: _sha256(staging / name) for name in sorted(files)},
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # `python hatch_build.py` in an environment without hatchling
    BuildHookInterface = None

if BuildHookInterface is not None:

    class BrowserBundlesHook(BuildHookInterface):  # type: ignore[misc, valid-type]
        """Stages the bundles for wheels; regular wheels carry them (they are git-ignored,
        so they are force-included), editable installs read them from the source tree."""

        PLUGIN_NAME = "custom"

        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            if self.target_name != "wheel":
                return
            staged = stage_bundles(Path(self.root), log=self.app.display_warning)
            if version != "editable":
                for inside, path in staged.items():
                    build_data["force_include"][str(path)] = inside


if __name__ == "__main__":
    staged = stage_bundles()
    for inside in staged:
        print(inside)
    sys.exit(0 if staged else 1)
