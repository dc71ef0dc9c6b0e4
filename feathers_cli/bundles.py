"""The browser builds of the Feathers client that `feathers new` copies into a project's `public/`.

`feathers.min.js` (`@feathersjs/client` 5) and `socket.io.min.js` (`socket.io-client` 4), with
their license files, are taken from npm when feathers-py is built (`hatch_build.py`, pinned by
`bundles/package-lock.json`) and kept in `feathers_cli/_bundles/` with a `MANIFEST.json`: in the
source tree for a checkout or an editable install, inside the package for a wheel. A build
without npm has none; the landing page then says how to get them.

    files = bundle_files()                 # {"feathers.min.js": Path(...), ...} or None
    copied = copy_bundles(project / "public")

`python -m feathers_cli.commands.bundles [DEST]` says where the bundles are, or copies them to DEST.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

__all__ = ["BUNDLES_DIR", "BUNDLE_SCRIPTS", "bundle_files", "copy_bundles"]

BUNDLES_DIR = Path(__file__).resolve().parent / "_bundles"
# The scripts a page loads, in order (the rest of the files are their license notices).
BUNDLE_SCRIPTS = ("socket.io.min.js", "feathers.min.js")
_MANIFEST = "MANIFEST.json"

HOW_TO_GET_THEM = (
    "the browser bundles are not installed (npm was missing when feathers-py was built): "
    "install Node.js/npm, then reinstall feathers-py (`make install` in a checkout)"
)


def bundle_files(directory: Path = BUNDLES_DIR) -> dict[str, Path] | None:
    """The bundled files by name (scripts and license notices), or None when this build of
    feathers-py has none or they are incomplete or altered (checked against the manifest)."""
    try:
        manifest = json.loads((directory / _MANIFEST).read_text(encoding="utf-8"))
        digests: dict[str, str] = manifest["files"]
        files = {name: directory / name for name in sorted(digests)}
        for name, path in files.items():
            if hashlib.sha256(path.read_bytes()).hexdigest() != digests[name]:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not set(BUNDLE_SCRIPTS) <= set(files):
        return None
    return files


def copy_bundles(dest_dir: Path, directory: Path = BUNDLES_DIR) -> list[Path]:
    """Copy the bundled files into `dest_dir` (created if needed), replacing files of the same
    name; returns the paths written, an empty list when there are no bundles to copy."""
    files = bundle_files(directory)
    if files is None:
        return []
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in files.items():
        shutil.copyfile(path, dest_dir / name)
        written.append(dest_dir / name)
    return written
