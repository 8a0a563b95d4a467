"""The fork server process: Python, boto3 and the instance bootstrap loaded once, forked often.

kumo starts one per Python runtime (``python -m``-style, from :mod:`kumo.runtime.forkserver`)
and talks to it over a ``SOCK_SEQPACKET`` socket: a ``FORK`` message carries an instance's
configuration and, as ``SCM_RIGHTS``, the instance's channel socket and output pipe; the
server forks, answers ``FORKED`` with the pid, and reports every child's exit status with
``EXITED``. When kumo goes away (its socket closes, or kumo dies and the kernel's
parent-death signal fires) the server kills its instances' process groups and exits, so
nothing a function started is orphaned.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import gc
import importlib
import os
import selectors
import signal
import socket
import sys
import traceback
from typing import Any

from kumo.runtime import _frames

PR_SET_PDEATHSIG = 1
_libc: Any = None


def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl(PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent_pid:
        os._exit(1)


# what every function would otherwise pay for at each cold start
PRELOAD = (
    "base64",
    "datetime",
    "decimal",
    "hashlib",
    "json",
    "logging",
    "urllib.parse",
    "uuid",
    "kumo.runtime._context",
    "kumo.runtime._instance",
    "boto3",
    "boto3.session",
    "botocore.auth",
    "botocore.client",
    "botocore.credentials",
    "botocore.endpoint",
    "botocore.httpsession",
    "botocore.loaders",
    "botocore.parsers",
    "botocore.regions",
    "botocore.serialize",
    "botocore.session",
)


def preload() -> None:
    for name in PRELOAD:
        # a missing SDK is fine: functions then import their own copy from a package or layer
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _recv_fds(sock: socket.socket) -> tuple[bytes, list[int]]:
    fds = array.array("i")
    try:
        msg, ancdata, _flags, _addr = sock.recvmsg(1 << 20, socket.CMSG_SPACE(8 * fds.itemsize))
    except OSError:
        # kumo is gone: same as an orderly close
        return b"", []
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(data) - (len(data) % fds.itemsize)
            fds.frombytes(data[:usable])
    return msg, list(fds)


class Server:
    def __init__(self, sock: socket.socket, parent_pid: int) -> None:
        self.sock = sock
        self.parent_pid = parent_pid
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        self.selector = selectors.DefaultSelector()
        # instances see kumo's sys.path minus anything that points at a working directory
        self.base_path = [p for p in sys.path if p and p != os.getcwd()]

    def serve(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # kumo died (parent-death signal) or asks us to stop: take the instances' whole
        # process groups down, including anything a function started
        signal.signal(signal.SIGTERM, lambda *_: self.shutdown())
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.sock.send(_frames.encode(_frames.HELLO, {"pid": os.getpid(), "python": sys.version}))
        # objects loaded so far are never collected: keeps forked children's pages shared
        gc.freeze()
        while True:
            for key, _ in self.selector.select():
                if key.fileobj is self.sock:
                    msg, fds = _recv_fds(self.sock)
                    if not msg:
                        self.shutdown()
                    if msg[4] == _frames.SPARE:
                        self.spare()
                    else:
                        self.fork(msg, fds)
                else:
                    try:
                        while os.read(self.wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                    self.reap()

    def fork(self, msg: bytes, fds: list[int]) -> None:
        _kind, header, _data = _frames.decode_body(msg[4:])
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in fds:
                os.close(fd)
            self._send(
                _frames.encode(_frames.FORKED, {"token": header["token"], "error": str(exc)})
            )
            return
        if pid == 0:
            self._child(header, fds)
        for fd in fds:
            os.close(fd)
        self.children.add(pid)
        self._send(_frames.encode(_frames.FORKED, {"token": header["token"], "pid": pid}))

    def spare(self) -> None:
        """Fork a blank instance ahead of need; kumo gets its channel and output pipe.

        A cold start then only sends the spare its configuration: no fork, and no round
        trip through this server, on the caller's path.
        """
        ours, theirs = socket.socketpair()
        out_r, out_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (ours.detach(), theirs.detach(), out_r, out_w):
                os.close(fd)
            return
        if pid == 0:
            ours.close()
            os.close(out_r)
            self._child(None, [theirs.detach(), out_w])
        theirs.close()
        os.close(out_w)
        self.children.add(pid)
        frame = _frames.encode(_frames.SPARE_READY, {"pid": pid})
        rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [ours.fileno(), out_r]))]
        try:
            self.sock.sendmsg([frame], rights)
        except OSError:
            self.shutdown()
        finally:
            ours.close()
            os.close(out_r)

    def _child(self, header: dict[str, Any] | None, fds: list[int]) -> None:
        code = 1
        try:
            self.selector.close()
            self.sock.close()
            signal.set_wakeup_fd(-1)
            os.close(self.wake_r)
            os.close(self.wake_w)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            os.setpgid(0, 0)
            server_pid = os.getppid()
            die_with_parent(server_pid)
            from kumo.runtime import _instance

            config = header["config"] if header is not None else None
            _instance.run(config, fds[0], fds[1], self.base_path)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            with contextlib.suppress(Exception):
                traceback.print_exc()
        finally:
            os._exit(code)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            # whatever the function started dies with its instance, as with its sandbox
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            self._send(_frames.encode(_frames.EXITED, {"pid": pid, "status": status}))

    def _send(self, frame: bytes) -> None:
        try:
            self.sock.send(frame)
        except OSError:
            # kumo is gone
            self.shutdown()

    def shutdown(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        for pid in list(self.children):
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
        os._exit(0)


def main() -> None:
    fd, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    die_with_parent(parent_pid, signal.SIGTERM)
    sock = socket.socket(fileno=fd)
    preload()
    Server(sock, parent_pid).serve()


if __name__ == "__main__":
    main()
