"""kumo's side of one instance: its channel, its output, its lifecycle and one invocation.

An :class:`Instance` is forked through the fork server and then driven over a stream
socket: kumo writes an ``INVOKE`` frame, the instance streams ``LOG`` frames and ends with a
``RESULT`` frame. Raw writes to file descriptors 1 and 2 (C extensions, subprocesses) arrive
on a pipe and join the same log. Death of the process shows as the channel closing; its exit
status comes from the fork server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kumo.runtime import _frames
from kumo.runtime.api import FunctionSpec, Invocation, LogEvent
from kumo.runtime.forkserver import ForkServer
from kumo.runtime.logs import now_ms, split_lines

# Lambda's init phase limit for on-demand functions
INIT_TIMEOUT = 10.0
# how long to wait for the fork server to report a dead instance's exit status
EXIT_STATUS_WAIT = 2.0


class InstanceDied(Exception):
    """The instance's process ended while kumo was waiting on it."""


class InstanceTimedOut(Exception):
    """The invocation ran past the function's timeout."""


@dataclass
class Outcome:
    """What came back from one invocation, before it is dressed as an InvokeResult."""

    # "ok", "error" (the handler or the runtime reported an error), "timeout", "died"
    kind: str
    payload: bytes
    duration_ms: float
    max_rss_kb: int
    exit_status: int | None = None


class _Protocol(asyncio.Protocol):
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.reader = _frames.FrameReader()

    def data_received(self, data: bytes) -> None:
        for kind, header, body in self.reader.feed(data):
            self.instance._on_frame(kind, header, body)

    def connection_lost(self, exc: Exception | None) -> None:
        self.instance._on_closed()


class Instance:
    """One running copy of one function version."""

    def __init__(
        self,
        spec: FunctionSpec,
        instance_id: str,
        stream: str,
        tmp_dir: Path,
        provisioned: bool = False,
    ) -> None:
        self.spec = spec
        self.id = instance_id
        self.stream = stream
        self.tmp_dir = tmp_dir
        self.provisioned = provisioned
        self.pid = 0
        self.busy = False
        self.alive = False
        self.retiring = False
        self.used = False
        self.oom = False
        self.init_ms = 0.0
        self.init_error: dict[str, Any] | None = None
        self.init_timed_out = False
        self.from_spare = False
        # whether the process has said anything yet (a spare that died unused has not)
        self.heard = False
        # time the instance spent becoming the function's sandbox, before its init
        self.setup_ms = 0.0
        self.base_rss_kb = 0
        self.peak_rss_kb = 0
        self.last_used = time.monotonic()
        self.pending_events: list[LogEvent] = []
        self._events: list[LogEvent] | None = None
        self._transport: asyncio.Transport | None = None
        self._out_fd = -1
        self._out_partial = b""
        self._ready: asyncio.Future[dict[str, Any]] | None = None
        self._result: asyncio.Future[tuple[dict[str, Any], bytes]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.exit_status: asyncio.Future[int] | None = None
        # told when the channel closes, so an idle instance that died is cleaned up at once
        self.on_closed: Callable[[Instance], None] | None = None

    # -- start -------------------------------------------------------------------------

    async def start(
        self, server: ForkServer, config: dict[str, Any], on_pid: Callable[[Instance], None]
    ) -> None:
        """Fork the instance and wait for its init to finish (or fail)."""
        loop = self._loop = asyncio.get_running_loop()
        self.exit_status = loop.create_future()
        self._ready = loop.create_future()
        spare = server.take_spare()
        self.from_spare = spare is not None
        if spare is not None:
            self.pid, ours, out_r = spare.pid, spare.channel, spare.out_fd
            spare.out_fd = -1
        else:
            ours, theirs = socket.socketpair()
            out_r, out_w = os.pipe()
            try:
                self.pid = await server.fork(config, [theirs.fileno(), out_w])
            except BaseException:
                ours.close()
                os.close(out_r)
                raise
            finally:
                theirs.close()
                os.close(out_w)
        self.alive = True
        on_pid(self)
        os.set_blocking(out_r, False)
        self._out_fd = out_r
        loop.add_reader(out_r, self._on_output)
        transport, _ = await loop.create_unix_connection(lambda: _Protocol(self), sock=ours)
        self._transport = transport  # type: ignore[assignment]
        if spare is not None:
            transport.write(_frames.encode(_frames.CONFIG, {"config": config}))
        timer = loop.call_later(INIT_TIMEOUT, self._expire, self._ready)
        try:
            ready = await self._ready
        except InstanceTimedOut:
            self.init_timed_out = True
            self.kill()
            return
        finally:
            timer.cancel()
        self.init_ms = float(ready["init_ms"])
        self.setup_ms = float(ready.get("setup_ms", 0.0))
        self.init_error = ready.get("error")
        self.base_rss_kb = self.peak_rss_kb = int(ready.get("rss", 0))

    # -- invoke ------------------------------------------------------------------------

    async def invoke(self, invocation: Invocation, events: list[LogEvent]) -> Outcome:
        """Run one invocation; ``events`` collects its log lines as they arrive."""
        assert self._loop is not None and self._transport is not None
        loop = self._loop
        spec = self.spec
        self._events = events
        deadline = now_ms() + spec.timeout_seconds * 1000
        header: dict[str, Any] = {
            "id": invocation.request_id,
            "deadline": deadline,
            "arn": invocation.invoked_function_arn,
        }
        if invocation.trace_id:
            header["trace"] = invocation.trace_id
        client_context = decode_client_context(invocation.client_context)
        if client_context is not None:
            header["cc"] = client_context
        fut: asyncio.Future[tuple[dict[str, Any], bytes]] = loop.create_future()
        self._result = fut
        started = time.perf_counter()
        if not self.alive:
            fut.set_exception(InstanceDied())
        else:
            self._transport.write(_frames.encode(_frames.INVOKE, header, invocation.payload))
        timer = loop.call_later(spec.timeout_seconds, self._expire, fut)
        try:
            reply, body = await fut
        except InstanceTimedOut:
            self.kill()
            return Outcome("timeout", b"", _elapsed_ms(started), self.peak_rss_kb)
        except InstanceDied:
            status = await self.wait_exit()
            return Outcome("died", b"", _elapsed_ms(started), self.peak_rss_kb, status)
        finally:
            timer.cancel()
            self._result = None
        self.peak_rss_kb = max(self.peak_rss_kb, int(reply.get("rss", 0)))
        kind = "error" if reply.get("err") else "ok"
        return Outcome(kind, body, _elapsed_ms(started), self.peak_rss_kb)

    def detach_events(self) -> None:
        """Output from now on belongs to no invocation (until the next one)."""
        self._events = None

    async def wait_exit(self) -> int | None:
        if self.exit_status is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(self.exit_status), EXIT_STATUS_WAIT)
        except TimeoutError:
            return None

    def _expire(self, fut: asyncio.Future[Any]) -> None:
        if not fut.done():
            fut.set_exception(InstanceTimedOut())

    # -- what the instance sends -------------------------------------------------------

    def _append(self, event: LogEvent) -> None:
        if self._events is not None:
            self._events.append(event)
        else:
            self.pending_events.append(event)

    def _on_frame(self, kind: int, header: dict[str, Any], body: bytes) -> None:
        self.heard = True
        if kind == _frames.LOG:
            text = body.decode("utf-8", "replace")
            stamp = int(header.get("t") or now_ms())
            if header.get("w"):
                self._append(LogEvent(stamp, text))
            else:
                for line in split_lines(text):
                    self._append(LogEvent(stamp, line))
        elif kind == _frames.RESULT:
            # raw output written before the result is already in the pipe: take it first
            self._on_output()
            if self._result is not None and not self._result.done():
                self._result.set_result((header, body))
        elif kind == _frames.READY and self._ready is not None and not self._ready.done():
            self._ready.set_result(header)

    def _on_output(self) -> None:
        if self._out_fd < 0:
            return
        chunks = []
        eof = False
        while True:
            try:
                data = os.read(self._out_fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                eof = True
                break
            chunks.append(data)
        if chunks:
            data = self._out_partial + b"".join(chunks)
            cut = data.rfind(b"\n") + 1
            self._out_partial = data[cut:]
            stamp = now_ms()
            for line in split_lines(data[:cut].decode("utf-8", "replace")):
                self._append(LogEvent(stamp, line))
        if eof:
            if self._out_partial:
                self._append(LogEvent(now_ms(), self._out_partial.decode("utf-8", "replace")))
                self._out_partial = b""
            self._close_output()

    def _close_output(self) -> None:
        if self._out_fd >= 0:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._out_fd)
            os.close(self._out_fd)
            self._out_fd = -1

    def _on_closed(self) -> None:
        self.alive = False
        self._on_output()
        for fut in (self._ready, self._result):
            if fut is not None and not fut.done():
                fut.set_exception(InstanceDied())
        if self.on_closed is not None:
            self.on_closed(self)

    def on_exit(self, status: int) -> None:
        """The fork server reported this instance's exit status."""
        self.alive = False
        if self.exit_status is not None and not self.exit_status.done():
            self.exit_status.set_result(status)

    # -- stop --------------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL the instance and everything it started (its process group)."""
        exited = self.exit_status is not None and self.exit_status.done()
        if self.pid and not exited:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)
        self.alive = False
        self.close_channel()

    def close_channel(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(InstanceDied())
            self._ready.exception()

    def release_output(self) -> None:
        self._on_output()
        self._close_output()

    def rss_kb(self) -> int:
        """Current resident memory, from /proc (0 when it cannot be read)."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                fields = f.read().split()
            return int(fields[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            return 0


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def decode_client_context(value: str | None) -> dict[str, Any] | None:
    """X-Amz-Client-Context is base64 of a JSON object; the handler sees the object."""
    if not value:
        return None
    try:
        decoded = json.loads(base64.b64decode(value))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None
