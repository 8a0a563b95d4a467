"""The wire format between kumo, the fork server and instances: length-prefixed frames.

A frame is ``u32 body length | u8 kind | u32 header length | header JSON | data``. The
header carries small structured fields; ``data`` carries bytes that must not be re-encoded
(an event payload, a handler's result, a log line). Kept free of kumo imports: the fork
server and every instance load it.
"""

from __future__ import annotations

import json
import struct
from typing import Any

PREFIX = struct.Struct(">IBI")
PREFIX_SIZE = PREFIX.size

# kumo -> fork server
FORK = ord("F")
SPARE = ord("S")
# fork server -> kumo
HELLO = ord("H")
FORKED = ord("P")
SPARE_READY = ord("Q")
EXITED = ord("X")
# kumo -> instance
CONFIG = ord("C")
INVOKE = ord("I")
# instance -> kumo
READY = ord("N")
LOG = ord("L")
RESULT = ord("R")


def encode(kind: int, header: dict[str, Any] | None = None, data: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode() if header else b""
    return PREFIX.pack(len(head) + len(data) + 5, kind, len(head)) + head + data


def decode_body(kind_and_body: memoryview | bytes) -> tuple[int, dict[str, Any], bytes]:
    """Split what follows the length prefix into (kind, header, data)."""
    kind = kind_and_body[0]
    (head_len,) = struct.unpack_from(">I", kind_and_body, 1)
    head = bytes(kind_and_body[5 : 5 + head_len])
    header = json.loads(head) if head else {}
    return kind, header, bytes(kind_and_body[5 + head_len :])


class FrameReader:
    """Accumulates stream bytes and yields complete frames."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, dict[str, Any], bytes]]:
        buf = self._buf
        buf += data
        frames = []
        pos = 0
        while len(buf) - pos >= 4:
            (size,) = struct.unpack_from(">I", buf, pos)
            if len(buf) - pos - 4 < size:
                break
            frames.append(decode_body(bytes(buf[pos + 4 : pos + 4 + size])))
            pos += 4 + size
        if pos:
            del buf[:pos]
        return frames
