"""Inside one instance: Lambda's environment, the function's init, then one invocation at a time.

Runs in a process forked from the fork server. It replaces the environment with the one
Lambda gives a function, points ``sys.path``, the working directory and the temp dir at
the function's own files (of the host's installed packages only the AWS SDK stays
importable, as on Lambda), hides kumo's data and other instances from it, imports the
handler module (reporting import errors the way
Lambda's Python runtime does), then answers ``INVOKE`` frames on its channel with
``RESULT`` frames. Everything the function prints or logs goes to kumo as ``LOG`` frames
the moment it is written, so output survives a timeout kill.
"""

from __future__ import annotations

import contextlib
import decimal
import importlib
import io
import json
import logging
import math
import os
import re
import resource
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from kumo.runtime import _frames
from kumo.runtime._context import LambdaContext
from kumo.runtime._sandbox import (
    RuntimePackages,
    hide_dir,
    isolate_tmp,
    make_undumpable,
    outermost_under,
    split_site_dirs,
)

# third-party packages the fork server imports ahead of time; a deployment package or layer
# that bundles its own copy gets that copy instead, as on Lambda
PRELOADED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class Channel:
    """The instance's end of its socket to kumo."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()
        self._prefix = bytearray(4)

    def send(self, kind: int, header: dict[str, Any] | None = None, data: bytes = b"") -> None:
        frame = _frames.encode(kind, header, data)
        with self.lock:
            self.sock.sendall(frame)

    def log(self, text: str, whole: bool = False) -> None:
        header: dict[str, Any] = {"t": int(time.time() * 1000)}
        if whole:
            header["w"] = 1
        self.send(_frames.LOG, header, text.encode("utf-8", "backslashreplace"))

    def _read_exact(self, size: int) -> bytes | None:
        buf = bytearray(size)
        view = memoryview(buf)
        got = 0
        while got < size:
            n = self.sock.recv_into(view[got:])
            if n == 0:
                return None
            got += n
        return bytes(buf)

    def recv(self) -> tuple[int, dict[str, Any], bytes] | None:
        prefix = self._read_exact(4)
        if prefix is None:
            return None
        body = self._read_exact(int.from_bytes(prefix, "big"))
        if body is None:
            return None
        return _frames.decode_body(body)


class _BinaryView(io.RawIOBase):
    """``sys.stdout.buffer``: bytes written there join the same log."""

    def __init__(self, text: LogWriter) -> None:
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._text.write(data.decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


class LogWriter(io.TextIOBase):
    """``sys.stdout``/``sys.stderr``: each completed line becomes a log line at once."""

    def __init__(self, channel: Channel, fd: int) -> None:
        self._channel = channel
        self._fd = fd
        self._pending = ""
        self.buffer = _BinaryView(self)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def write(self, s: str) -> int:
        if not s:
            return 0
        text = self._pending + s
        cut = text.rfind("\n")
        if cut < 0:
            self._pending = text
        else:
            self._pending = text[cut + 1 :]
            self._channel.log(text[: cut + 1])
        return len(s)

    def flush(self) -> None:
        if self._pending:
            text, self._pending = self._pending, ""
            self._channel.log(text)


class _State:
    request_id = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _State.request_id
        return True


class LambdaLogHandler(logging.Handler):
    """The root logger's handler: one log event per record, multi-line messages kept whole."""

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self._channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._channel.log(self.format(record), whole=True)
        except Exception:
            self.handleError(record)


class Fault(Exception):
    """A failure the runtime itself reports, with Lambda's ``Runtime.*`` error type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def make_error(
    message: str, error_type: str, trace: list[str] | None, request_id: str
) -> dict[str, Any]:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id,
        "stackTrace": trace if trace is not None else [],
    }


def exception_error(exc: BaseException, request_id: str) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    # the runtime's own frames are dropped, as Lambda's bootstrap drops its own
    start = 0
    while start < len(frames) and frames[start].filename == __file__:
        start += 1
    trace = traceback.format_list(frames[start:])
    return make_error(str(exc), type(exc).__name__, trace, request_id)


def error_log_text(error: dict[str, Any]) -> str:
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            head += ":"
        head += " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(element.splitlines() if element else [""])
    return "\n".join(lines) + "\n"


_DECIMAL_MARK = "\x00kumo-decimal:"
_DECIMAL_RE = re.compile(r'"\\u0000kumo-decimal:([^"\\]*)\\u0000"')


def to_json(obj: Any) -> bytes:
    """Serialise a handler's result as Lambda's Python runtime does (Decimal kept exact)."""
    seen_decimal = False

    def default(o: Any) -> Any:
        nonlocal seen_decimal
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            seen_decimal = True
            return f"{_DECIMAL_MARK}{o}\x00"
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    text = json.dumps(obj, default=default, ensure_ascii=False, allow_nan=True)
    if seen_decimal:
        text = _DECIMAL_RE.sub(r"\1", text)
    return text.encode("utf-8")


def load_handler(handler: str) -> Callable[..., Any]:
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc}",
            trace,
        ) from None
    try:
        return getattr(module, function_name)  # type: ignore[no-any-return]
    except AttributeError:
        fault = Fault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )

        def missing(event: Any, context: Any) -> Any:
            raise fault

        return missing


def _purge_shadowed(dirs: list[str]) -> None:
    for name in PRELOADED:
        if not any(
            os.path.isdir(os.path.join(d, name)) or os.path.isfile(os.path.join(d, name + ".py"))
            for d in dirs
        ):
            continue
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]


def _dir_usage(path: str, skip: frozenset[str] = frozenset()) -> int:
    total = 0
    stack = [path]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.path not in skip:
                            stack.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


def setup(config: dict[str, Any], channel: Channel, base_path: list[str]) -> None:
    """Turn this freshly forked process into the function's sandbox."""
    code_dir = config["code_dir"]
    tmp = config["tmp"]
    # the interpreter too: a function may start ``sys.executable``, and a virtual
    # environment's python needs its prefix (pyvenv.cfg) beside it
    interpreter = [sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)]
    needed = [code_dir, *config["layer_paths"], *base_path, *interpreter]
    keep = outermost_under("/tmp", needed)
    hidden = os.path.realpath(config["hide"]) if config.get("hide") else None
    if isolate_tmp(os.path.realpath(tmp), keep):
        tmp = config["tmp"] = "/tmp"
        config["env"]["TMPDIR"] = "/tmp"
        # what was bound back in is the function's code, not its use of /tmp
        config["tmp_skip"] = keep
        if hidden is not None and not hide_dir(hidden, outermost_under(hidden, needed)):
            # kumo's data stays in reach: do not run the function with it
            raise OSError("could not hide kumo's data directory from the function")
    make_undumpable()
    os.environ.clear()
    os.environ.update(config["env"])
    time.tzset()
    os.chdir(code_dir)
    tempfile.tempdir = tmp
    import_dirs = [code_dir, *config["layer_paths"]]
    library, site_dirs = split_site_dirs(base_path)
    sys.path[:] = [*import_dirs, *library]
    # after the path finder: a bundled copy of the SDK wins over the host's
    sys.meta_path.append(RuntimePackages(site_dirs, PRELOADED))
    _purge_shadowed(import_dirs)
    importlib.invalidate_caches()

    limit = int(config["ephemeral_mb"]) * 1024 * 1024
    # a host with a lower hard limit keeps its own
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        # an oversized write fails with EFBIG instead of killing the instance
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.argv = [__file__]

    sys.stdout = LogWriter(channel, 1)
    sys.stderr = LogWriter(channel, 2)
    handler = LambdaLogHandler(channel)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
    handler.addFilter(RequestIdFilter())
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = config["env"].get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def run(config: dict[str, Any] | None, chan_fd: int, out_fd: int, base_path: list[str]) -> None:
    """The instance's life: set up, init, serve invocations until kumo closes the channel.

    A spare (forked before any function needed it) has no ``config`` yet and waits for
    kumo's ``CONFIG`` frame first.
    """
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    channel = Channel(socket.socket(fileno=chan_fd))
    if config is None:
        frame = channel.recv()
        if frame is None:
            return
        config = frame[1]["config"]
    configured = time.perf_counter()
    setup(config, channel, base_path)
    started = time.perf_counter()
    handler: Callable[..., Any] | None = None
    init_error: dict[str, Any] | None = None
    try:
        handler = load_handler(config["handler"])
    except Fault as fault:
        init_error = make_error(fault.message, fault.error_type, fault.trace, "")
    except Exception as exc:
        init_error = exception_error(exc, "")
    init_ms = (time.perf_counter() - started) * 1000
    _flush_std()
    if init_error is not None:
        channel.log(error_log_text(init_error), whole=True)
    channel.send(
        _frames.READY,
        {
            "init_ms": init_ms,
            "setup_ms": (started - configured) * 1000,
            "error": init_error,
            "rss": _max_rss_kb(),
        },
    )
    if handler is None:
        return
    serve(channel, handler, config)


def _max_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def serve(channel: Channel, handler: Callable[..., Any], config: dict[str, Any]) -> None:
    ephemeral_limit = int(config["ephemeral_mb"]) * 1024 * 1024
    tmp = config["tmp"]
    skip = frozenset(config.get("tmp_skip", ()))
    while True:
        frame = channel.recv()
        if frame is None:
            return
        _, header, payload = frame
        body, failed = invoke(channel, handler, header, payload)
        channel.send(_frames.RESULT, {"err": failed, "rss": _max_rss_kb()}, body)
        # checked after answering, off the caller's path: a full /tmp ends this instance
        if _dir_usage(tmp, skip) > ephemeral_limit:
            channel.log(
                f"kumo: /tmp holds more than the function's {config['ephemeral_mb']} MB of "
                "ephemeral storage; this instance is retired\n"
            )
            return


def invoke(
    channel: Channel, handler: Callable[..., Any], header: dict[str, Any], payload: bytes
) -> tuple[bytes, bool]:
    request_id = header["id"]
    _State.request_id = request_id
    trace_id = header.get("trace")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    error: dict[str, Any] | None = None
    body = b""
    try:
        context = LambdaContext(
            request_id,
            header.get("cc"),
            header.get("ci"),
            header["deadline"],
            header["arn"],
            log=lambda msg: channel.log(msg if msg.endswith("\n") else msg + "\n", whole=True),
        )
        try:
            event = json.loads(payload) if payload else {}
        except ValueError as exc:
            raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}") from None
        result = handler(event, context)
        try:
            body = to_json(result)
        except (TypeError, ValueError) as exc:
            raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace, request_id)
    except Exception as exc:
        error = exception_error(exc, request_id)
    finally:
        _flush_std()
    if error is not None:
        channel.log(error_log_text(error), whole=True)
        return json.dumps(error, ensure_ascii=False).encode("utf-8"), True
    return body, False
