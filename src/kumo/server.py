"""The HTTP front: an ASGI app on uvicorn that turns ASGI into kumo's HttpRequest/HttpResponse.

Bodies are read into a spooled file (memory for small ones, disk for large ones) and
response bodies stream from files or iterators, so large transfers keep memory flat.
uvicorn answers ``Expect: 100-continue`` when the body is first read, accepts chunked
bodies and shuts down gracefully on SIGINT/SIGTERM. kumo's protocol class only makes each
response's status line and headers leave in the same write as its first body bytes.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import unquote

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kumo.aws.http import Body, Headers, HttpRequest, HttpResponse

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
# looks at a request before its body is read; a response refuses it unread
Screen = Callable[[HttpRequest], HttpResponse | None]

CHUNK = 256 * 1024


class AsgiAdapter:
    """ASGI application delegating each HTTP request to ``handler``."""

    def __init__(
        self,
        handler: Handler,
        *,
        screen: Screen | None = None,
        on_startup: Callable[[], Awaitable[None]] | None = None,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.handler = handler
        self.screen = screen
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = request_head(scope)
        if self.screen is not None:
            refused = self.screen(request)
            if refused is not None:
                # the body is never read (a client that sent Expect: 100-continue never
                # sends it); closing the connection discards whatever else is on its way
                refused.headers.set("Connection", "close")
                await write_response(refused, send, head=request.method == "HEAD")
                return
        await read_body(request, receive)
        try:
            response = await self.handler(request)
            await write_response(response, send, head=request.method == "HEAD")
        finally:
            request.body.close()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.on_startup is not None:
                    await self.on_startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.on_shutdown is not None:
                    await self.on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def request_head(scope: Scope) -> HttpRequest:
    """The request as far as its head goes; its body is empty until :func:`read_body`."""
    headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
    raw_path_bytes: bytes | None = scope.get("raw_path")
    raw_path = raw_path_bytes.decode("latin-1") if raw_path_bytes else scope["path"]
    client = scope.get("client")
    return HttpRequest(
        method=scope["method"],
        path=unquote(raw_path),
        raw_path=raw_path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        scheme=scope.get("scheme", "http"),
        client=tuple(client) if client else None,
    )


async def read_body(request: HttpRequest, receive: Receive) -> None:
    """Read the request's body into a spooled file (memory when small, disk when large)."""
    body, spool = Body.spooled()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        if chunk:
            spool.write(chunk)
        if not message.get("more_body", False):
            break
    body.rewind()
    request.body = body


async def write_response(response: HttpResponse, send: Send, *, head: bool = False) -> None:
    headers = response.headers
    body = response.body
    if isinstance(body, bytes | bytearray) and "content-length" not in headers:
        headers.set("Content-Length", str(len(body)))
    raw = [(k.lower().encode("latin-1"), _header_bytes(v)) for k, v in headers.raw_items()]
    await send({"type": "http.response.start", "status": response.status, "headers": raw})
    if head:
        await send({"type": "http.response.body", "body": b""})
        _close(body)
        return
    if isinstance(body, bytes | bytearray):
        await send({"type": "http.response.body", "body": bytes(body)})
        return
    try:
        async for chunk in _chunks(body):
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        _close(body)


def _header_bytes(value: object) -> bytes:
    """A header value safe to send: no CR/LF (no response splitting), latin-1 only."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return text.encode("latin-1", "replace")


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    if hasattr(body, "read"):
        while True:
            chunk = body.read(CHUNK)
            if not chunk:
                return
            yield chunk
    elif hasattr(body, "__aiter__"):
        async for chunk in body:
            yield chunk
    else:
        for chunk in body if isinstance(body, Iterable) else ():
            yield chunk


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if callable(close):
        close()


class _HeadWithBody:
    """A transport that holds a response's head until its first body bytes are written.

    uvicorn writes the status line and headers, then the body, in two writes: on a
    TCP_NODELAY socket that is two segments and two wake-ups of the client for every small
    response. Everything but the head (``100 Continue`` above all) passes straight through.
    """

    __slots__ = ("_head", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            data, self._head = self._head + bytes(data), None
        elif data[:9] == b"HTTP/1.1 " and data[9:10] != b"1":
            self._head = bytes(data)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing each small response in one piece."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_HeadWithBody(transport))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        # a HEAD response (or one without body bytes) has only its head to send
        self.transport.flush()  # type: ignore[attr-defined]
        super().on_response_complete()


def uvicorn_config(app: AsgiAdapter, **kwargs: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop="uvloop",
        http=_HttpProtocol,
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=10,
        **kwargs,
    )


class ServerThread:
    """Runs an ASGI app on uvicorn in a background thread (tests, benchmarks, embedding)."""

    def __init__(self, app: AsgiAdapter, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit this; without it small responses wait on Nagle's
        # algorithm against the client's delayed ACK (~40 ms a request)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        self.server = uvicorn.Server(uvicorn_config(app))
        self.thread = threading.Thread(target=self._run, name="kumo-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if self.server.started:
                return
            deadline.wait(0.01)
        raise RuntimeError("kumo did not start in time")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()
