"""Names derived from what the user typed, checked once and used by every generator.

    >>> names = service_names("MessageThreads")
    >>> names.module, names.class_name, names.path
    ('message_threads', 'MessageThreadsService', 'message-threads')
    >>> service_names("todos", path="api/todos").folder
    ('api', 'todos')

Words are split at anything that is not a letter or digit and at camelCase boundaries, so
`message threads`, `message-threads`, `message_threads` and `MessageThreads` all give the
same module `message_threads`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from ..errors import CLIError

__all__ = [
    "RESERVED_SERVICE_NAMES",
    "ServiceNames",
    "kebab_case",
    "pascal_case",
    "python_name",
    "service_names",
    "snake_case",
    "words",
]

# `authentication` is the path Feathers' authentication service takes.
RESERVED_SERVICE_NAMES = frozenset({"authentication"})

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+[0-9]*")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def words(text: str) -> list[str]:
    """The lowercase words of `text`: `"HTTPServer v2"` -> `["http", "server", "v2"]`."""
    return [word.lower() for word in _WORD.findall(text)]


def snake_case(text: str) -> str:
    """`"Message Threads"` -> `"message_threads"`."""
    return "_".join(words(text))


def kebab_case(text: str) -> str:
    """`"MessageThreads"` -> `"message-threads"`."""
    return "-".join(words(text))


def pascal_case(text: str) -> str:
    """`"message-threads"` -> `"MessageThreads"`."""
    return "".join(word[:1].upper() + word[1:] for word in words(text))


def python_name(text: str, what: str) -> str:
    """`text` in snake_case, refused with `CLIError` unless it is a usable Python name.

    `what` names the thing in the message: `python_name("class", "service")` raises
    "invalid service name 'class': 'class' is a Python keyword".
    """
    if not text.strip():
        raise CLIError(f"invalid {what} name {text!r}: it is empty")
    if not text.isascii():
        raise CLIError(f"invalid {what} name {text!r}: use ASCII letters, digits, '-' and '_'")
    name = snake_case(text)
    if not name:
        raise CLIError(f"invalid {what} name {text!r}: it has no letters")
    if name[0].isdigit():
        raise CLIError(
            f"invalid {what} name {text!r}: {name!r} starts with a digit, "
            "so it is not a Python identifier"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise CLIError(f"invalid {what} name {text!r}: {name!r} is a Python keyword")
    return name


@dataclass(frozen=True)
class ServiceNames:
    """Every name of one service; the same strings end up in every generated file."""

    name: str
    """What the user typed."""
    path: str
    """The service path clients use, without surrounding slashes: `api/todos`."""
    module: str
    """The service's folder and module name: `todos`."""
    folder: tuple[str, ...]
    """The service's folder under `<package>/services/`: `("api", "todos")`."""
    class_name: str
    """`TodosService`."""

    @property
    def qualified(self) -> str:
        """A name unique among the services: `api_todos` for `services/api/todos/`."""
        return "_".join(self.folder)

    @property
    def register_function(self) -> str:
        """The function of the service's package that registers it: `register_api_todos`."""
        return f"register_{self.qualified}"


def service_names(name: str, path: str | None = None) -> ServiceNames:
    """Check a service name (and path) and derive the module, class, path and folder.

    `name` may itself be a path (`api/todos`); its last segment names the module and class.
    The path defaults to the name in kebab-case, segment by segment. The folder is the
    path's parent segments in snake_case followed by the module.
    """
    segments = [segment for segment in name.strip().strip("/").split("/")]
    if len(segments) > 1:
        for segment in segments:
            _check_segment(segment, name)
    module = python_name(segments[-1], "service")
    if path is None:
        path = "/".join(kebab_case(segment) for segment in segments)
    path = path.strip().strip("/")
    path_segments = path.split("/")
    for segment in path_segments:
        _check_segment(segment, path)
    folder = tuple(python_name(segment, "path segment") for segment in path_segments[:-1])
    for reserved in RESERVED_SERVICE_NAMES:
        if reserved in (module, path):
            raise CLIError(
                f"invalid service name {name!r}: {reserved!r} is reserved for Feathers' "
                "authentication service"
            )
    return ServiceNames(
        name=name,
        path=path,
        module=module,
        folder=(*folder, module),
        class_name=f"{pascal_case(module)}Service",
    )


def _check_segment(segment: str, path: str) -> None:
    if segment.startswith(":"):
        raise CLIError(
            f"invalid service path {path!r}: route placeholders like {segment!r} are not "
            "generated; generate the service at a plain path and change its PATH by hand"
        )
    if not _PATH_SEGMENT.fullmatch(segment):
        raise CLIError(
            f"invalid service path {path!r}: each segment between '/' takes letters, digits, "
            "'-' and '_', starting with a letter or digit"
        )
