"""A griffe extension for the API reference (mkdocs.yml): doctest examples as code blocks.

The runtime's docstrings show examples as doctest lines (`>>> app = feathers()`) in their prose,
which Markdown would read as nested quotes. Each run of such lines, with the output lines up to
the next blank line, becomes a fenced `pycon` block. tests/docs/test_docstrings.py runs them.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """`text` with each doctest example (from `>>>` to the next blank line) fenced as pycon."""
    lines, out, index = text.splitlines(), [], 0
    while index < len(lines):
        line = lines[index]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            index += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        end = index
        while end < len(lines) and lines[end].strip():
            end += 1
        block = [text_line[len(indent) :] for text_line in lines[index:end]]
        out += [f"{indent}```pycon", *(f"{indent}{b}" for b in block), f"{indent}```"]
        index = end
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fences the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
