"""Routing: finding the service for a path, with `:name` placeholders.

`app.use('users/:user_id/messages', svc)` then `app.lookup('users/5/messages')` gives that
service and the route params `{'user_id': '5'}`. Exact segments win over placeholders.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Lookup", "Router", "strip_slashes"]


def strip_slashes(path: str) -> str:
    """`'/messages/'` -> `'messages'`; the empty path is the root service `'/'`."""
    return path.strip("/") or "/"


class Lookup(NamedTuple):
    """A service found by `app.lookup(path)` and the route params its path matched."""

    service: Any
    params: dict[str, str]


class _Node:
    __slots__ = ("children", "name", "placeholders", "service")

    def __init__(self, name: str) -> None:
        self.name = name
        self.service: Any = None
        self.children: dict[str, _Node] = {}
        self.placeholders: list[_Node] = []

    def insert(self, segments: list[str], service: Any) -> None:
        node = self
        for segment in segments:
            if segment.startswith(":"):
                name = segment[1:]
                child = next((p for p in node.placeholders if p.name == name), None)
                if child is None:
                    child = _Node(name)
                    node.placeholders.append(child)
            else:
                child = node.children.setdefault(segment, _Node(segment))
            node = child
        if node.service is not None:
            raise ValueError(f"Path '{'/'.join(segments)}' already exists")
        node.service = service

    def remove(self, segments: list[str]) -> None:
        if not segments:
            self.service = None
            return
        head, rest = segments[0], segments[1:]
        if head.startswith(":"):
            for child in self.placeholders:
                if child.name == head[1:]:
                    child.remove(rest)
                    if child.empty:
                        self.placeholders.remove(child)
                    return
        elif head in self.children:
            child = self.children[head]
            child.remove(rest)
            if child.empty:
                del self.children[head]

    def has_placeholders(self) -> bool:
        return bool(self.placeholders) or any(c.has_placeholders() for c in self.children.values())

    @property
    def empty(self) -> bool:
        return self.service is None and not self.children and not self.placeholders

    def lookup(self, segments: list[str], index: int, params: dict[str, str]) -> Any:
        if index == len(segments):
            return self.service
        segment = segments[index]
        child = self.children.get(segment)
        if child is not None:
            found = child.lookup(segments, index + 1, params)
            if found is not None:
                return found
        for placeholder in self.placeholders:
            found = placeholder.lookup(segments, index + 1, params)
            if found is not None:
                params[placeholder.name] = segment
                return found
        return None


class Router:
    """Services by path, including paths with placeholders."""

    def __init__(self) -> None:
        self._root = _Node("")
        self._exact: dict[str, Any] = {}
        self._with_placeholders = False  # whether any path has a `:name` segment

    @staticmethod
    def _segments(path: str) -> list[str]:
        return [] if path == "/" else path.split("/")

    def insert(self, path: str, service: Any) -> None:
        """Add a service at a normalised path; a path that exists already is an error."""
        self._root.insert(self._segments(path), service)
        if ":" not in path:
            self._exact[path] = service
        self._with_placeholders = self._root.has_placeholders()

    def remove(self, path: str) -> None:
        """Forget the service at a normalised path."""
        self._root.remove(self._segments(path))
        self._exact.pop(path, None)
        self._with_placeholders = self._root.has_placeholders()

    def lookup(self, path: Any) -> Lookup | None:
        """The service for a path (slashes stripped) and its route params, or None."""
        if not isinstance(path, str):
            return None
        path = strip_slashes(path)
        service = self._exact.get(path)
        if service is not None:
            return Lookup(service, {})
        if not self._with_placeholders:
            return None  # only exact paths exist (REST asks again without the id)
        params: dict[str, str] = {}
        service = self._root.lookup(self._segments(path), 0, params)
        return None if service is None else Lookup(service, params)
