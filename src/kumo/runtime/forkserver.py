"""kumo's handle on a fork server process: start it, ask it to fork instances, hear exits.

The server itself runs :mod:`kumo.runtime._forkserver`. It is started with an environment
scrubbed of kumo's own settings and credentials (``AWS_*``, ``KUMO_*``), so nothing of kumo's
leaks into a function through the interpreter's start-up either.
"""

from __future__ import annotations

import array
import asyncio
import collections
import contextlib
import itertools
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kumo.runtime import _frames

log = logging.getLogger("kumo.runtime")

# how long the fork server may take to import Python, boto3 and the bootstrap
START_TIMEOUT = 60.0
_SCRUBBED_PREFIXES = ("AWS_", "KUMO_", "PYTHONSTARTUP", "PYTHONINSPECT")


@dataclass
class Spare:
    """A forked instance waiting for its configuration."""

    pid: int
    channel: socket.socket
    out_fd: int

    def close(self) -> None:
        self.channel.close()
        if self.out_fd >= 0:
            os.close(self.out_fd)
            self.out_fd = -1


class ForkServerError(Exception):
    """The fork server could not start or could not fork."""


def scrubbed_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}


class ForkServer:
    """One running fork server."""

    def __init__(
        self, on_exit: Callable[[int, int], None], on_lost: Callable[[], None], spares: int = 1
    ) -> None:
        self._on_exit = on_exit
        self._spare_target = spares
        # blank instances forked ahead of need: (pid, channel socket, output pipe read end)
        self._spares: collections.deque[Spare] = collections.deque()
        self._spares_requested = 0
        self._on_lost = on_lost
        self._tokens = itertools.count(1)
        self._pending: dict[int, asyncio.Future[int]] = {}
        self._hello: asyncio.Future[dict[str, Any]] | None = None
        self._sock: socket.socket | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = 0
        self.alive = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    "-c",
                    "from kumo.runtime._forkserver import main; main()",
                    str(theirs.fileno()),
                    str(os.getpid()),
                ],
                pass_fds=[theirs.fileno()],
                env=scrubbed_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                cwd="/",
            )
        except OSError as exc:
            ours.close()
            raise ForkServerError(f"cannot start the fork server: {exc}") from exc
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        self.alive = True
        self._hello = loop.create_future()
        loop.add_reader(ours.fileno(), self._on_readable)
        try:
            hello = await asyncio.wait_for(asyncio.shield(self._hello), START_TIMEOUT)
        except (TimeoutError, ForkServerError) as exc:
            self.kill()
            raise ForkServerError(f"the fork server did not start: {exc}") from exc
        self.pid = int(hello["pid"])
        self._replenish()

    def _on_readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        while True:
            fds = array.array("i")
            try:
                msg, ancdata, _flags, _addr = sock.recvmsg(
                    1 << 16, socket.CMSG_SPACE(4 * fds.itemsize)
                )
            except BlockingIOError:
                return
            except OSError:
                msg, ancdata = b"", []
            for level, kind_, data in ancdata:
                if level == socket.SOL_SOCKET and kind_ == socket.SCM_RIGHTS:
                    fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            if not msg:
                for fd in fds:
                    os.close(fd)
                self._lost()
                return
            kind, header, _ = _frames.decode_body(msg[4:])
            if kind == _frames.SPARE_READY and len(fds) == 2:
                self._spares_requested = max(0, self._spares_requested - 1)
                chan = socket.socket(fileno=fds[0])
                self._spares.append(Spare(int(header["pid"]), chan, fds[1]))
            elif fds:
                for fd in fds:
                    os.close(fd)
            if kind == _frames.FORKED:
                fut = self._pending.pop(int(header["token"]), None)
                if fut is not None and not fut.done():
                    if "error" in header:
                        fut.set_exception(ForkServerError(f"fork failed: {header['error']}"))
                    else:
                        fut.set_result(int(header["pid"]))
            elif kind == _frames.EXITED:
                pid = int(header["pid"])
                spare = next((sp for sp in self._spares if sp.pid == pid), None)
                if spare is not None:
                    self._spares.remove(spare)
                    spare.close()
                    self._replenish()
                else:
                    self._on_exit(pid, int(header["status"]))
            elif kind == _frames.HELLO and self._hello is not None and not self._hello.done():
                self._hello.set_result(header)

    def _lost(self) -> None:
        if not self.alive:
            return
        self.alive = False
        self._close_socket()
        error = ForkServerError("the fork server exited")
        if self._hello is not None and not self._hello.done():
            self._hello.set_exception(error)
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(error)
        self._pending.clear()
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=1)
        self._on_lost()

    def spare_pids(self) -> list[int]:
        return [spare.pid for spare in self._spares]

    def take_spare(self) -> Spare | None:
        """A blank instance ready for its configuration, if one is waiting."""
        spare = self._spares.popleft() if self._spares else None
        self._replenish()
        return spare

    def _replenish(self) -> None:
        if self._sock is None or not self.alive:
            return
        while len(self._spares) + self._spares_requested < self._spare_target:
            try:
                self._sock.send(_frames.encode(_frames.SPARE))
            except OSError:
                return
            self._spares_requested += 1

    async def fork(self, config: dict[str, Any], fds: list[int]) -> int:
        """Fork an instance that takes over ``fds`` (channel socket, output pipe)."""
        if not self.alive or self._sock is None:
            raise ForkServerError("the fork server is not running")
        token = next(self._tokens)
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending[token] = fut
        frame = _frames.encode(_frames.FORK, {"token": token, "config": config})
        rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
        while True:
            try:
                self._sock.sendmsg([frame], rights)
                break
            except BlockingIOError:
                await asyncio.sleep(0.001)
            except OSError as exc:
                self._pending.pop(token, None)
                raise ForkServerError(f"cannot reach the fork server: {exc}") from exc
        return await fut

    def _close_socket(self) -> None:
        while self._spares:
            self._spares.popleft().close()
        if self._sock is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        """Close kumo's end (on the event loop): the server kills its instances and exits."""
        self.alive = False
        self._close_socket()

    def wait(self) -> None:
        """Block until the server has exited (SIGKILL after two seconds)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """Stop the server now; it takes its instances with it."""
        self.close()
        self.wait()
