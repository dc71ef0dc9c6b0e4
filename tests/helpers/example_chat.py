"""examples/chat, ready to run in a temporary folder: a copy of the committed files with the
build output restored as `make chat` restores it (`scripts/example_chat.py --prepare`).

    root = prepared_example(tmp_path)
    with running_feathers(root, "start", port=port, env=origins(port)) as server: ...
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .projects import run_feathers

__all__ = [
    "EXAMPLE",
    "REPO",
    "SCRIPT",
    "copy_example",
    "load_script",
    "migrate",
    "origins",
    "prepared_example",
    "run_script",
]

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "chat"
SCRIPT = REPO / "scripts" / "example_chat.py"
# Never copied from the checkout: build output and what running the example leaves behind.
_NOT_COPIED = (
    "feathers",
    "data",
    ".env",
    "*.min.js",
    "*.LICENSE.txt",
    "__pycache__",
    ".*_cache",
    ".venv",
    "*.egg-info",
)


def load_script():
    """scripts/example_chat.py as a module (its functions, for tests that call them)."""
    if "example_chat" in sys.modules:
        return sys.modules["example_chat"]
    spec = importlib.util.spec_from_file_location("example_chat", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["example_chat"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def copy_example(parent: Path) -> Path:
    """A copy of the committed files of examples/chat in `parent/chat` (no build output)."""
    root = parent / "chat"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(*_NOT_COPIED))
    return root


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    """`python scripts/example_chat.py ARGS` with this interpreter (no FEATHERS_ENV)."""
    environ = {key: value for key, value in os.environ.items() if key != "FEATHERS_ENV"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def prepared_example(parent: Path) -> Path:
    """A copy of examples/chat in `parent/chat` with its runtime, bundles and `.env`."""
    root = copy_example(parent)
    done = run_script("--prepare", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def migrate(root: Path) -> None:
    """`feathers migrate` in the project (its development database, under data/)."""
    run_feathers(root, "migrate")


def origins(port: int) -> dict[str, str]:
    """The environment letting a page served on 127.0.0.1:`port` connect (config `origins`)."""
    return {"FEATHERS_ORIGINS": f'["http://127.0.0.1:{port}"]'}
