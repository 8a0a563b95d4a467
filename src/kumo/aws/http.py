"""The HTTP request and response values that flow between the server and the wire layer."""

from __future__ import annotations

import io
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qsl

# Bodies up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_MAX_MEMORY = 1024 * 1024


class Headers(Mapping[str, str]):
    """Case-insensitive HTTP headers that keep the order and case they arrived in.

    Repeated headers are joined with ``,`` on lookup, as HTTP allows.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        # lower-cased name -> values, so lookups on the hot path are O(1)
        self._index: dict[str, list[str]] = {}
        if items is None:
            return
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            self.add(key, value)

    def __getitem__(self, key: str) -> str:
        values = self._index.get(key.lower())
        if not values:
            raise KeyError(key)
        return values[0] if len(values) == 1 else ",".join(values)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        values = self._index.get(key.lower())
        if not values:
            return default
        return values[0] if len(values) == 1 else ",".join(values)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for key, _ in self._items:
            lower = key.lower()
            if lower not in seen:
                seen.add(lower)
                yield key

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._index

    def names(self) -> Iterable[str]:
        """The distinct header names, lower-cased."""
        return self._index.keys()

    def get_all(self, key: str) -> list[str]:
        return list(self._index.get(key.lower(), ()))

    def raw_items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def set(self, key: str, value: str) -> None:
        self.remove(key)
        self.add(key, value)

    def add(self, key: str, value: str) -> None:
        self._items.append((key, value))
        self._index.setdefault(key.lower(), []).append(value)

    def remove(self, key: str) -> None:
        lower = key.lower()
        if lower in self._index:
            del self._index[lower]
            self._items = [(k, v) for k, v in self._items if k.lower() != lower]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class Body:
    """A request body read from the client: in memory when small, on disk when large.

    It is a readable binary file; ``read()`` with no size returns what is left.
    """

    def __init__(self, source: IO[bytes] | bytes = b"") -> None:
        if isinstance(source, bytes | bytearray):
            self._file: IO[bytes] = io.BytesIO(bytes(source))
        else:
            self._file = source
        self._cached: bytes | None = None

    @classmethod
    def spooled(cls) -> tuple[Body, IO[bytes]]:
        """A body and the file to write it into; call ``rewind()`` once written."""
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
        return cls(spool), spool

    def rewind(self) -> None:
        self._file.seek(0)
        self._cached = None

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readall(self) -> bytes:
        """The whole body as bytes (read once, then cached). Only for bodies that are small."""
        if self._cached is None:
            self._file.seek(0)
            self._cached = self._file.read()
        return self._cached

    def size(self) -> int:
        pos = self._file.tell()
        self._file.seek(0, io.SEEK_END)
        end = self._file.tell()
        self._file.seek(pos)
        return end

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()


@dataclass
class HttpRequest:
    """One HTTP request as the wire layer sees it."""

    method: str
    path: str  # percent-decoded path
    raw_path: str = ""  # path as sent, still percent-encoded
    query_string: str = ""  # raw query string without the leading "?"
    headers: Headers = field(default_factory=Headers)
    body: Body = field(default_factory=Body)
    scheme: str = "http"
    client: tuple[str, int] | None = None

    def __post_init__(self) -> None:
        if not self.raw_path:
            self.raw_path = self.path

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    def query_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query(self) -> dict[str, str]:
        """The query as a dict; a repeated key keeps its first value."""
        out: dict[str, str] = {}
        for key, value in self.query_items():
            out.setdefault(key, value)
        return out


ResponseBody = bytes | Iterable[bytes] | AsyncIterator[bytes] | IO[bytes]


@dataclass
class HttpResponse:
    """One HTTP response; ``body`` may be bytes, a binary file or an (async) iterator of chunks."""

    status: int = 200
    headers: Headers = field(default_factory=Headers)
    body: ResponseBody = b""

    def data(self) -> bytes:
        """The body as bytes, for bodies known to be in memory (tests, small responses)."""
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        if hasattr(self.body, "read"):
            return self.body.read()  # type: ignore[union-attr]
        if isinstance(self.body, Iterable):
            return b"".join(self.body)
        raise TypeError("async body cannot be read synchronously")


def header_value(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
