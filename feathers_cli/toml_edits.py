"""TOML edits as pure text functions, through tomlkit: comments, order and layout are kept.

    >>> text = '[project] # metadata\\nname = "chat"\\ndependencies = [\\n  "uvicorn",\\n]\\n'
    >>> print(add_dependency(text, "aiosqlite>=0.20"), end="")
    [project] # metadata
    name = "chat"
    dependencies = [
      "uvicorn",
      "aiosqlite>=0.20",
    ]
    >>> print(set_value('port = 3030\\n', "database.url", "sqlite://"), end="")
    port = 3030
    <BLANKLINE>
    [database]
    url = "sqlite://"

`inject.Plan` is the API generators use; these functions only compute text. Each raises
`TomlEditError` with a message for people when the document cannot take the edit.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["TomlEditError", "add_dependency", "get_value", "requirement_name", "set_value"]

_NAME_END = re.compile(r"[\[<>=!~;@ (]")


class TomlEditError(Exception):
    """The document does not parse, or does not have the shape the edit needs."""


class KeyExists(TomlEditError):
    """The key to add is already set (and `replace` was not asked)."""


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a requirement: `SQLAlchemy[asyncio]>=2` ->
    `sqlalchemy`.

    >>> requirement_name("Python_SocketIO >=5.11")
    'python-socketio'
    """
    name = _NAME_END.split(requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def add_dependency(text: str, requirement: str, *, extra: str | None = None) -> str:
    """`requirement` added to `[project] dependencies` (or to the optional dependencies
    `extra`), unless a requirement on the same distribution is there; one per line when
    the list is written one per line."""
    document = _parse(text)
    project = document.get("project")
    if not isinstance(project, dict):
        raise TomlEditError("it has no [project] table")
    if extra is None:
        items = project.setdefault("dependencies", [])
        where = "[project] dependencies"
    else:
        items = project.setdefault("optional-dependencies", {}).setdefault(extra, [])
        where = f"[project.optional-dependencies] {extra}"
    if not isinstance(items, list):
        raise TomlEditError(f"{where} is not a list")
    wanted = requirement_name(requirement)
    if any(requirement_name(str(item)) == wanted for item in items):
        return text
    if getattr(items, "_multiline", False) or "\n" in items.as_string():
        items.add_line(requirement, indent=_indent_of(items))
    else:
        items.append(requirement)
    return _dumps(document)


def set_value(
    text: str, dotted_key: str, value: Any, *, comment: str | None = None, replace: bool = False
) -> str:
    """`dotted_key` (`database.url`) set to `value`, creating the tables on the way (a new
    table goes at the end); `comment` goes on a line above a new key. A key already set is
    refused with `KeyExists` unless `replace`, which keeps the comments around it."""
    import tomlkit

    document = _parse(text)
    *tables, key = dotted_key.split(".")
    container: Any = document
    for name in tables:
        if name not in container:
            container[name] = tomlkit.table(is_super_table=name != tables[-1])
        container = container[name]
        if not isinstance(container, dict):
            raise TomlEditError(f"{name} is not a table")
    if key in container:
        if not replace:
            raise KeyExists(f"{dotted_key} is already set")
        container[key] = value
        return _dumps(document)
    if comment is not None:
        container.add(tomlkit.comment(comment))
    container.add(key, value)
    return _dumps(document)


def get_value(text: str, dotted_key: str, default: Any = None) -> Any:
    """The value at `dotted_key`, or `default` when a table or the key is missing."""
    value: Any = _parse(text)
    for name in dotted_key.split("."):
        if not isinstance(value, dict) or name not in value:
            return default
        value = value[name]
    return value.unwrap() if hasattr(value, "unwrap") else value


def _parse(text: str) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as error:
        raise TomlEditError(f"it is not valid TOML ({error})") from None


def _dumps(document: Any) -> str:
    import tomllib

    import tomlkit

    text = tomlkit.dumps(document)
    tomllib.loads(text)  # what tomlkit writes must read back
    return text


def _indent_of(items: Any) -> str:
    match = re.search(r"\n([ \t]+)\S", items.as_string())
    return match.group(1) if match else "  "
