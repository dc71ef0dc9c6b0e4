"""Python source edits as pure text functions: lines above a marker comment, sorted imports.

A marker is a comment line such as `# feathers:service-imports (generators add imports
above this line)`; it matches when the comment starts with the marker text followed by the
end of the line or a space, so `# feathers:hooks:before` does not match
`# feathers:hooks:before:all`. Lines go directly above the marker, at its indentation.

    >>> text = "def f():\\n    # feathers:calls\\n"
    >>> print(insert_at_marker(text, "# feathers:calls", ("g()",)), end="")
    def f():
        g()
        # feathers:calls

`inject.Plan` is the API generators use; these functions only compute text.
"""

from __future__ import annotations

__all__ = [
    "AlreadyThere",
    "MarkerNotFound",
    "add_import",
    "has_marker",
    "insert_at_marker",
]


class MarkerNotFound(Exception):
    """The marker is missing or appears more than once (the message says which)."""


class AlreadyThere(Exception):
    """The first line to insert is already at its place (the message is that line)."""


def has_marker(text: str, marker: str) -> bool:
    """Whether `text` has a line that is the marker comment."""
    return any(_is_marker(line, marker) for line in text.splitlines())


def insert_at_marker(
    text: str, marker: str, lines: tuple[str, ...], *, sorted_imports: bool = False
) -> str:
    """`text` with `lines` above its marker line, indented like the marker.

    With `sorted_imports`, the lines are import statements: they join the group of imports
    just above the marker at their sorted place, and that group stays apart from the marker
    by a blank line, which is how ruff's isort and formatter leave it.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    source = text.splitlines(keepends=True)
    found = [index for index, line in enumerate(source) if _is_marker(line, marker)]
    if not found:
        raise MarkerNotFound(f"the marker `{marker}` is missing")
    if len(found) > 1:
        raise MarkerNotFound(f"the marker `{marker}` appears {len(found)} times")
    at = found[0]
    indent = _indentation(source[at])
    new_lines = [_indented(line, indent, newline) for line in lines]
    if sorted_imports:
        return _insert_import(source, at, indent, new_lines, newline)
    first = lines[0].strip()
    block = at
    while block > 0 and source[block - 1].strip() and _indentation(source[block - 1]) >= indent:
        block -= 1
        if _indentation(source[block]) == indent and source[block].strip() == first:
            raise AlreadyThere(first)
    return _splice(source, at, new_lines, newline)


def add_import(text: str, statement: str) -> str:
    """`statement` at its sorted place among the module's top-level imports of the same kind:
    a relative one (`from .x import y`) among the relative imports, an absolute one among
    the imports of the same top-level package (else after the last absolute import). For
    files without an import marker, such as the `app.py` of any generated project.

    >>> print(add_import("import a\\nfrom .c import c\\n", "from .b import b"), end="")
    import a
    from .b import b
    from .c import c
    >>> app_py = "from feathers import f\\n\\nfrom .c import c\\n"
    >>> print(add_import(app_py, "from feathers.x import x"), end="")
    from feathers import f
    from feathers.x import x
    <BLANKLINE>
    from .c import c
    """
    lines = text.splitlines(keepends=True)
    if any(line.strip() == statement for line in lines):
        raise AlreadyThere(statement)
    module = statement.split()[1]
    tops = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
    if module.startswith("."):
        group = [i for i in tops if lines[i].startswith("from .")]
    else:
        package = module.split(".")[0]
        absolute = [i for i in tops if not lines[i].startswith(("from .", "from __future__"))]
        group = [i for i in absolute if lines[i].split()[1].split(".")[0] == package]
        group = group or absolute[-1:]
    if not group:
        at = tops[-1] + 1 if tops else 0
    else:
        at = group[0]
        key = _import_key(statement)
        while at <= group[-1] and at in group and _import_key(lines[at].strip()) < key:
            at += 1
    newline = "\r\n" if "\r\n" in text else "\n"
    return _splice(lines, at, [statement + newline], newline)


def _insert_import(
    lines: list[str], marker_at: int, indent: str, new_lines: list[str], newline: str
) -> str:
    end = marker_at
    if end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and _is_import(lines[start - 1], indent):
        start -= 1
    first = new_lines[0].strip()
    if any(line.strip() == first for line in lines[start:end]):
        raise AlreadyThere(first)
    if start < end and all(_is_relative(line) != _is_relative(first) for line in lines[start:end]):
        # isort's sections: a relative import never joins a group of absolute ones (the
        # `from feathers.schema import ...` of a service with a schema), nor the reverse.
        start = end
    if start == end:
        # A new group of imports, with a blank line on either side.
        if end > 0 and lines[end - 1].strip():
            new_lines.insert(0, newline)
        if end == marker_at:
            new_lines.append(newline)
        return _splice(lines, end, new_lines, newline)
    key = _import_key(first)
    at = start
    while at < end and _import_key(lines[at].strip()) <= key:
        at += 1
    return _splice(lines, at, new_lines, newline)


def _splice(lines: list[str], at: int, new_lines: list[str], newline: str) -> str:
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    return "".join([*lines[:at], *new_lines, *lines[at:]])


def _indented(line: str, indent: str, newline: str) -> str:
    return f"{indent}{line}{newline}" if line.strip() else newline


def _is_marker(line: str, marker: str) -> bool:
    text = line.strip()
    return text == marker or text.startswith(marker + " ")


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _is_import(line: str, indent: str) -> bool:
    return _indentation(line) == indent and line.strip().startswith(("from ", "import "))


def _is_relative(statement: str) -> bool:
    return statement.strip().startswith("from .")


def _import_key(statement: str) -> tuple[int, str]:
    # ruff's isort order within a section: relative imports furthest first, then by module.
    module = statement.split()[1] if len(statement.split()) > 1 else statement
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module.lstrip(".").lower())
