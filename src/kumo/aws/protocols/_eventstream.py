"""The ``application/vnd.amazon.eventstream`` framing of streamed responses.

Owns encoding one message (prelude, typed headers, payload and CRCs) and
:class:`EventStreamWriter`, which turns a provider's events, modeled exceptions and
errors raised mid-stream into messages. The payload format is the protocol's: json,
rest-json and smithy-rpc-v2-cbor pass their codec and dumper, rest-xml an XML one.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any, Protocol

from botocore.model import Shape

from kumo.aws.errors import ServiceError
from kumo.aws.protocols._values import blob_bytes, format_timestamp

__all__ = [
    "EVENT_STREAM_CONTENT_TYPE",
    "EventBody",
    "EventCodec",
    "EventStreamWriter",
    "event_message",
]

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"


class EventCodec(Protocol):
    """Turns an event's params into the document its payload carries."""

    def encode(self, shape: Shape, value: Any) -> Any: ...


def _event_header(name: str, value: Any, kind: str = "string") -> bytes:
    key = name.encode()
    head = len(key).to_bytes(1, "big") + key
    if kind == "boolean":
        return head + (b"\x00" if value else b"\x01")
    if kind == "integer":
        return head + b"\x04" + struct.pack(">i", value)
    if kind == "long":
        return head + b"\x05" + struct.pack(">q", value)
    if kind == "timestamp":
        millis = round(float(format_timestamp(value, "unixtimestamp")) * 1000)
        return head + b"\x08" + struct.pack(">q", millis)
    data = blob_bytes(value) if kind == "blob" else str(value).encode()
    return head + (b"\x06" if kind == "blob" else b"\x07") + len(data).to_bytes(2, "big") + data


def event_message(headers: Iterable[bytes], payload: bytes) -> bytes:
    """One message of an ``application/vnd.amazon.eventstream`` body."""
    head = b"".join(headers)
    prelude = struct.pack(">II", 16 + len(head) + len(payload), len(head))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + head + payload
    return message + struct.pack(">I", zlib.crc32(message))


EventBody = Iterator[bytes] | AsyncIterator[bytes]


class EventStreamWriter:
    """Frames a provider's events as an event-stream body.

    A provider returns the stream member as an iterable (or async iterable) of one-key
    dicts, ``{"PayloadChunk": {"Payload": b"..."}}``; a key naming one of the stream's
    modeled errors sends that error. A ``ServiceError`` raised while iterating ends the
    stream with an error message, since the HTTP status has already gone out.
    """

    def __init__(self, codec: EventCodec, dump: Callable[[Any], bytes], content_type: str) -> None:
        self.codec = codec
        self.dump = dump
        self.content_type = content_type

    def rpc_body(self, shape: Shape, output: Mapping[str, Any]) -> EventBody:
        """An RPC protocol's body: the other output members in an initial-response event,
        then the stream's events."""
        name = shape.event_stream_name
        headers = [
            _event_header(":message-type", "event"),
            _event_header(":event-type", "initial-response"),
            _event_header(":content-type", self.content_type),
        ]
        rest = {k: v for k, v in output.items() if k != name}
        first = event_message(headers, self.dump(self.codec.encode(shape, rest)))
        return self.body(shape.members[name], output.get(name), first)

    def body(self, stream: Shape, events: Any, first: bytes | None = None) -> EventBody:
        if hasattr(events, "__aiter__"):
            return self._async_body(stream, events, first)
        return self._body(stream, events or (), first)

    def _body(self, stream: Shape, events: Iterable[Any], first: bytes | None) -> Iterator[bytes]:
        if first is not None:
            yield first
        try:
            for event in events:
                yield self.event(stream, event)
        except ServiceError as exc:
            yield self.error(stream, exc)

    async def _async_body(
        self, stream: Shape, events: AsyncIterable[Any], first: bytes | None
    ) -> AsyncIterator[bytes]:
        if first is not None:
            yield first
        try:
            async for event in events:
                yield self.event(stream, event)
        except ServiceError as exc:
            yield self.error(stream, exc)

    def event(self, stream: Shape, event: Mapping[str, Any]) -> bytes:
        ((name, value),) = event.items()
        member = stream.members[name]
        if member.metadata.get("exception"):
            return self._exception(name, member, value)
        headers = [_event_header(":message-type", "event"), _event_header(":event-type", name)]
        rest: dict[str, Any] = {}
        content_type, payload = self.content_type, None
        for key, shape in member.members.items():
            item = value.get(key)
            if item is None:
                continue
            if shape.serialization.get("eventheader"):
                headers.append(_event_header(key, item, shape.type_name))
            elif shape.serialization.get("eventpayload"):
                if shape.type_name == "blob":
                    content_type, payload = "application/octet-stream", blob_bytes(item)
                elif shape.type_name == "string":
                    content_type, payload = "text/plain", str(item).encode()
                else:
                    payload = self.dump(self.codec.encode(shape, item))
            else:
                rest[key] = item
        if payload is None:
            payload = self.dump(self.codec.encode(member, rest))
        headers.append(_event_header(":content-type", content_type))
        return event_message(headers, payload)

    def error(self, stream: Shape, exc: ServiceError) -> bytes:
        member = stream.members.get(exc.code)
        if member is not None and member.metadata.get("exception"):
            fields = dict(exc.fields)
            for key in member.members:
                if key.lower() == "message":
                    fields.setdefault(key, exc.message)
            return self._exception(exc.code, member, fields)
        headers = [
            _event_header(":message-type", "error"),
            _event_header(":error-code", exc.code),
            _event_header(":error-message", exc.message),
        ]
        return event_message(headers, b"")

    def _exception(self, name: str, shape: Shape, fields: Mapping[str, Any]) -> bytes:
        headers = [
            _event_header(":message-type", "exception"),
            _event_header(":exception-type", name),
            _event_header(":content-type", self.content_type),
        ]
        return event_message(headers, self.dump(self.codec.encode(shape, fields)))
