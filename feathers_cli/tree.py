"""File lists drawn as trees, for what commands print.

>>> print(format_tree(["a/b.py", "c.txt"], "app/"))
app/
├── a/
│   └── b.py
└── c.txt
"""

from __future__ import annotations

__all__ = ["format_tree"]


def format_tree(paths: list[str], root_label: str) -> str:
    """Draw relative POSIX file paths as a tree under `root_label`, folders first."""
    tree: dict[str, dict] = {}
    for path in paths:
        node = tree
        for part in path.split("/"):
            node = node.setdefault(part, {})
    lines = [root_label]
    _walk(tree, "", lines)
    return "\n".join(lines)


def _walk(node: dict[str, dict], prefix: str, lines: list[str]) -> None:
    names = sorted(node, key=lambda name: (not node[name], name))
    for index, name in enumerate(names):
        last = index == len(names) - 1
        children = node[name]
        lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if children else ''}")
        _walk(children, prefix + ("    " if last else "│   "), lines)
