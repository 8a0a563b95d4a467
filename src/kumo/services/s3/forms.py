"""Reading a ``multipart/form-data`` body as S3's POST upload reads it.

The fields before the ``file`` field are read into memory (S3 caps them); the file's bytes
stream into a sink in chunks, so an upload of any size holds no more than a chunk plus a
boundary in memory. Fields after the file are ignored, as S3 ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Protocol

from kumo.aws.errors import ServiceError

__all__ = ["Form", "boundary_of", "read_form"]

_CHUNK = 1024 * 1024
MAX_FIELDS_SIZE = 20 * 1024  # what S3 accepts before the file
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)  # as sent (case kept)
    filename: str | None = None
    file_content_type: str | None = None
    has_file: bool = False


def _malformed() -> ServiceError:
    return ServiceError(
        "The body of your POST request is not well-formed multipart/form-data.",
        code="MalformedPOSTRequest",
    )


def boundary_of(content_type: str) -> bytes | None:
    found = _BOUNDARY.search(content_type)
    return found.group(1).encode() if found else None


def _disposition(headers: bytes) -> tuple[str, str | None, str | None]:
    """The part's (name, filename, content type) from its header block."""
    message = Message()
    for line in headers.decode("utf-8", "replace").split("\r\n"):
        header, sep, value = line.partition(":")
        if sep:
            message[header.strip()] = value.strip()
    disposition = message.get("Content-Disposition", "")
    probe = Message()
    probe["Content-Disposition"] = disposition
    field_name = probe.get_param("name", header="Content-Disposition")
    filename = probe.get_param("filename", header="Content-Disposition")
    if not isinstance(field_name, str):
        raise _malformed()
    content_type = message.get("Content-Type")
    return (
        field_name,
        filename if isinstance(filename, str) else None,
        str(content_type) if content_type is not None else None,
    )


class _Reader:
    def __init__(self, src: Readable) -> None:
        self.src = src
        self.buffer = b""
        self.done = False

    def fill(self) -> bool:
        if self.done:
            return False
        chunk = self.src.read(_CHUNK)
        if not chunk:
            self.done = True
            return False
        self.buffer += chunk
        return True

    def until(self, marker: bytes, limit: int) -> bytes:
        """Everything before ``marker`` (which is consumed); at most ``limit`` bytes."""
        while True:
            found = self.buffer.find(marker)
            if found >= 0:
                out, self.buffer = self.buffer[:found], self.buffer[found + len(marker) :]
                return out
            if len(self.buffer) > limit + len(marker):
                raise ServiceError(
                    "Your POST request fields preceeding the upload file was too large.",
                    code="MaxPostPreDataLengthExceededError",
                )
            if not self.fill():
                raise _malformed()

    def stream_until(self, marker: bytes, write: Callable[[bytes], None]) -> None:
        """Pass everything before ``marker`` to ``write``, in chunks; consume the marker."""
        while True:
            found = self.buffer.find(marker)
            if found >= 0:
                write(self.buffer[:found])
                self.buffer = self.buffer[found + len(marker) :]
                return
            # keep a possible partial marker at the end of the buffer
            safe = len(self.buffer) - len(marker) + 1
            if safe > 0:
                write(self.buffer[:safe])
                self.buffer = self.buffer[safe:]
            if not self.fill():
                raise _malformed()


def read_form(
    src: Readable, boundary: bytes, open_file: Callable[[Form], Callable[[bytes], None]]
) -> Form:
    """Read the form; the ``file`` part's bytes go to the writer ``open_file(form)`` returns
    (called once the fields before it are known)."""
    reader = _Reader(src)
    delimiter = b"--" + boundary
    reader.until(delimiter, MAX_FIELDS_SIZE)
    form = Form()
    used = 0
    while True:
        while len(reader.buffer) < 2 and reader.fill():
            pass
        if reader.buffer.startswith(b"--"):
            return form  # the closing delimiter
        if reader.until(b"\r\n", 2) != b"":
            raise _malformed()
        headers = reader.until(b"\r\n\r\n", MAX_FIELDS_SIZE)
        name, filename, content_type = _disposition(headers)
        if name.lower() == "file":
            form.has_file = True
            form.filename = filename or ""
            form.file_content_type = content_type
            reader.stream_until(b"\r\n" + delimiter, open_file(form))
            return form  # fields after the file are ignored
        value = reader.until(b"\r\n" + delimiter, MAX_FIELDS_SIZE - used)
        used += len(value)
        form.fields[name] = value.decode("utf-8", "replace")
