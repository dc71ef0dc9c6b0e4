"""The messages `sync` sends between processes: what one holds and how it is framed.

One message carries the events of one service call (one per item of a list result) and, once,
what publishers need of the call's context. Its body is JSON encoded by the Socket.io
transport's codec (datetimes as ISO strings, Decimals as numbers, ...) with bytes taken out
as Socket.io's binary attachments, so a client gets the same payload from any process.

A frame, as backends store it::

    b"<origin> <sequence> <json length> <attachment length>...\\n" JSON attachment...

`origin` names the publishing process and `sequence` numbers its messages 1, 2, 3...; a
receiver drops a sequence it has seen (a retried publish) and counts a gap as lost.
Private: used by `sync` only.
"""

from __future__ import annotations

from typing import Any

from socketio.packet import Packet

from ._socket import FeathersPacket
from .hooks import HookContext

__all__ = ["Outgoing", "decode_message", "encode_message", "read_header"]

_CODEC = FeathersPacket.json


class Outgoing:
    """A message on its way out: the events of one call, then its encoded body."""

    __slots__ = ("attachments", "body", "context", "count", "events", "path", "sequence")

    def __init__(self, path: str, event: str, data: Any, context: HookContext | None) -> None:
        self.path = path
        self.context = context
        self.events: list[list[Any]] = []
        self.count = 0
        self.body = b""
        self.attachments: list[bytes] = []
        self.sequence: int | None = None
        self._add(event, data)

    def __repr__(self) -> str:
        return f"{self.path} {self.events[0][0] if self.events else ''}".strip()

    def extend(self, path: str, event: str, data: Any, context: HookContext | None) -> bool:
        """Add another event of the same call; False when it belongs to another message."""
        if context is None or context is not self.context or path != self.path:
            return False
        self._add(event, data)
        return True

    def _add(self, event: str, data: Any) -> None:
        # [event]: the data is the call's result; [event, i]: item i of its list result;
        # [event, None, data]: anything else (a custom event, a hook's own data).
        result = self.context.result if self.context is not None else None
        if self.context is not None and data is result:
            self.events.append([event])
        elif isinstance(result, list) and (index := _index_of(result, data, self.count)) >= 0:
            self.events.append([event, index])
        else:
            self.events.append([event, None, data])
        self.count += 1

    def frame(self, origin: str) -> bytes:
        """The bytes a backend stores: header line, JSON body, attachments."""
        lengths = " ".join(str(len(a)) for a in self.attachments)
        header = f"{origin} {self.sequence} {len(self.body)} {lengths}".rstrip()
        return b"".join((header.encode(), b"\n", self.body, *self.attachments))


def _index_of(items: list[Any], item: Any, guess: int) -> int:
    # The events of a list result come in order: the guess is nearly always right.
    if guess < len(items) and items[guess] is item:
        return guess
    for index, candidate in enumerate(items):
        if candidate is item:
            return index
    return -1


def encode_message(message: Outgoing) -> bytes:
    """Encode a message's body once (sets `body` and `attachments`; returns the body)."""
    context = message.context
    fields: dict[str, Any] | None = None
    if context is not None:
        fields = {
            "method": context.method,
            "id": context.id,
            "result": context.result,
            "dispatch": context.dispatch,
        }
        params = context.params if isinstance(context.params, dict) else {}
        for name in ("user", "provider"):
            if params.get(name) is not None:
                fields[name] = params[name]
    content = {"path": message.path, "context": fields, "events": message.events}
    try:
        text = _CODEC.dumps(content)
    except TypeError:
        # JSON has no bytes: take them out as Socket.io does (placeholders + attachments)
        content, attachments = Packet.deconstruct_binary(content)
        text = _CODEC.dumps(content)
        message.attachments = [bytes(a) for a in attachments]
    message.body = text.encode()
    message.context = None  # the call's objects are not needed any more
    return message.body


def read_header(frame: bytes) -> tuple[str, int, list[int], int]:
    """`(origin, sequence, [json length, attachment lengths...], body offset)` of a frame."""
    end = frame.index(b"\n")
    origin, sequence, *lengths = frame[:end].decode().split(" ")
    return origin, int(sequence), [int(n) for n in lengths], end + 1


def decode_message(frame: bytes, offset: int, lengths: list[int]) -> dict[str, Any]:
    """The message a frame holds (its bytes put back in place)."""
    end = offset + lengths[0]
    content = _CODEC.loads(frame[offset:end])
    if len(lengths) > 1:
        attachments = []
        for length in lengths[1:]:
            attachments.append(frame[end : end + length])
            end += length
        content = Packet.reconstruct_binary(content, attachments)
    return content
