"""The configuration of `authentication`: Feathers' defaults, camelCase names, durations,
and the failed-login limit. Private: `authentication` uses it.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:
    from .authentication import AuthenticationService

__all__ = [
    "DEFAULT_JWT_OPTIONS",
    "DEFAULT_LOGIN_LIMIT",
    "LoginLimiter",
    "normalize_config",
    "parse_duration",
]

DEFAULT_JWT_OPTIONS: dict[str, Any] = {
    "header": {"typ": "access"},
    "audience": "https://yourdomain.com",
    "issuer": "feathers",
    "algorithm": "HS256",
    "expires_in": "1d",
}
DEFAULT_LOGIN_LIMIT: dict[str, Any] = {"max_failures": 10, "window": "15m"}

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31557600}
_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|"
    r"h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)?\s*$",
    re.IGNORECASE,
)


def parse_duration(value: Any) -> float:
    """Seconds from a number of seconds or an `ms`-style string (`"1d"`, `"15m"`, `"2 hours"`)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"Invalid duration {value!r}: use seconds or a string such as '1d'")
    number, unit = float(match.group(1)), (match.group(2) or "s").lower()
    key = "ms" if unit.startswith("ms") or unit.startswith("milli") else unit[0]
    return number * _UNITS[key]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def normalize_config(config: Any) -> dict[str, Any]:
    """The config with Feathers' camelCase names (`authStrategies`, ...) as snake_case."""

    def convert(value: Any, depth: int) -> Any:
        if not isinstance(value, dict) or depth > 3:
            return value
        return {
            _snake(k) if isinstance(k, str) else k: (v if k == "header" else convert(v, depth + 1))
            for k, v in value.items()
        }

    return convert(dict(config or {}), 0)


class LoginLimiter:
    """Counts failed logins per username and client address (`login_limit` config)."""

    def __init__(self, service: AuthenticationService) -> None:
        self.service = service

    @property
    def settings(self) -> tuple[int, float] | None:
        limit = self.service.configuration.get("login_limit", DEFAULT_LOGIN_LIMIT)
        if not limit:
            return None
        merged = {**DEFAULT_LOGIN_LIMIT, **limit}
        return int(merged["max_failures"]), parse_duration(merged["window"])

    def key(self, username: str, params: dict[str, Any]) -> str | None:
        """`username|address` for external calls; internal calls are not limited.

        A key longer than 200 characters (any username can be sent) is its sha256, so that
        every store can keep it (the SQL store's key column holds 512)."""
        if not params.get("provider") or self.settings is None:
            return None
        key = f"{username}|{self.service.client_address(params)}"
        if len(key) > 200:
            return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        return key

    async def check(self, key: str | None) -> None:
        """TooManyRequests when `key` used up its failures in the current window."""
        settings = self.settings
        if key is None or settings is None:
            return
        if await self.service.store.failures(key) >= settings[0]:
            raise errors.TooManyRequests("Too many failed logins, try again later")

    async def failed(self, key: str | None) -> None:
        settings = self.settings
        if key is not None and settings is not None:
            await self.service.store.add_failure(key, settings[1])

    async def succeeded(self, key: str | None) -> None:
        if key is not None:
            await self.service.store.clear_failures(key)
