"""The JSON codec of the transports and the client: orjson when it is installed, else the
standard library, with JSON for what Python has and JSON has not (dates, decimals, UUIDs,
sets, models) and exact integers beyond 64 bits.

Private: the Socket.io transport (`_socket`), the REST transport (`rest`) and the client use
it. A module of its own so that an app with REST only never imports python-socketio.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import uuid
from typing import Any

__all__ = ["json_codec"]


def _to_json(value: Any) -> Any:
    """JSON for what Python has and JSON has not: dates, decimals, UUIDs, sets, models."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    for method in ("to_json", "model_dump", "dict"):
        convert = getattr(value, method, None)
        if callable(convert):
            return convert()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_LONG_DIGITS = re.compile(r"[0-9]{20}")
_LONG_DIGITS_BYTES = re.compile(rb"[0-9]{20}")


class _OrjsonCodec:
    """orjson behind the `json` module interface python-socketio expects (str, not bytes)."""

    def __init__(self, orjson: Any) -> None:
        self._orjson = orjson
        self._options = orjson.OPT_NON_STR_KEYS

    def dumps(self, obj: Any, **_: Any) -> str:
        try:
            return self._orjson.dumps(obj, default=_to_json, option=self._options).decode()
        except TypeError:
            # orjson refuses integers beyond 64 bits (and bytes); the standard library
            # encodes the former and raises the same TypeError for the latter.
            return _STDLIB_ENCODER.encode(obj)

    def dumpb(self, obj: Any) -> bytes:
        """`dumps` as UTF-8 bytes (what an HTTP body is), without a round trip through str."""
        try:
            return self._orjson.dumps(obj, default=_to_json, option=self._options)
        except TypeError:
            return _STDLIB_ENCODER.encode(obj).encode("utf-8")

    def loads(self, data: str | bytes, **_: Any) -> Any:
        # orjson reads an integer beyond 64 bits as a float; such a number (20+ digits in
        # a row, which JSON strings may also hold: then the result is the same) is read by
        # the standard library, so it stays an exact int (under engine.io's size guard).
        long_digits = _LONG_DIGITS if isinstance(data, str) else _LONG_DIGITS_BYTES
        if long_digits.search(data) is not None:
            return _StdlibCodec.loads(data)
        return self._orjson.loads(data)


# One encoder and one decoder for every call: json.dumps / engineio's json.loads with options
# build a new one each time, which costs more than coding a small message.
_STDLIB_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_to_json)


def _safe_int(digits: str) -> int:
    # engine.io's guard: int() of a very long digit string is slow (quadratic)
    if len(digits) > 100:
        raise ValueError("Integer is too large")
    return int(digits)


_STDLIB_DECODER = json.JSONDecoder(parse_int=_safe_int)


class _StdlibCodec:
    """The standard library's json, compact, with engine.io's guard against huge integers."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return _STDLIB_ENCODER.encode(obj)

    def dumpb(self, obj: Any) -> bytes:
        return _STDLIB_ENCODER.encode(obj).encode("utf-8")

    @staticmethod
    def loads(data: str | bytes, **kwargs: Any) -> Any:
        if isinstance(data, bytes | bytearray):
            data = data.decode("utf-8")
        return _STDLIB_DECODER.decode(data)


def json_codec() -> Any:
    """orjson when it is installed (several times faster), else the standard library."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is optional
        return _StdlibCodec()
    return _OrjsonCodec(orjson)
