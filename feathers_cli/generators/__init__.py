"""Generators: each module turns validated answers into files of a project.

Templates ship with the CLI: in a source checkout (or an editable install) they are the
repository's `templates/` folder; in a wheel they are packaged as `feathers_cli/templates`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CLIError

__all__ = ["format_tree", "templates_root"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """The folder holding every template (`app/` for `feathers new`, ...)."""
    for candidate in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates"):
        if (candidate / "app").is_dir():
            return candidate
    raise CLIError(f"the templates of feathers-py are missing next to {_PACKAGE_DIR}; reinstall it")


def format_tree(paths: list[str], root_label: str) -> str:
    """Draw relative POSIX file paths as a tree under `root_label`, folders first.

    >>> print(format_tree(["a/b.py", "c.txt"], "app/"))
    app/
    ├── a/
    │   └── b.py
    └── c.txt
    """
    tree: dict[str, dict] = {}
    for path in paths:
        node = tree
        for part in path.split("/"):
            node = node.setdefault(part, {})
    lines = [root_label]

    def walk(node: dict[str, dict], prefix: str) -> None:
        names = sorted(node, key=lambda name: (not node[name], name))
        for index, name in enumerate(names):
            last = index == len(names) - 1
            children = node[name]
            lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if children else ''}")
            walk(children, prefix + ("    " if last else "│   "))

    walk(tree, "")
    return "\n".join(lines)
