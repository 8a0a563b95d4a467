"""Shared bench plumbing: start kumo or moto's standalone server, read their cost from /proc.

Owns the pieces every service bench (s3_bench.py, sqs_bench.py) needs: a free loopback
port, a server subprocess (``kumo up`` or ``python -m moto.server``) with its CPU time and
peak RSS read from /proc, percentiles, the closed-loop thread driver that measures
ops/s and latency, and markdown table output. The parsers are pure functions so the smoke
test can check them without starting anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# -- /proc parsing (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat a bench needs (times in clock ticks)."""

    pid: int
    ppid: int
    utime: int
    stime: int
    cutime: int
    cstime: int


def parse_stat(text: str) -> ProcStat:
    """Parse one /proc/<pid>/stat line; the command name may hold spaces and parentheses."""
    pid = int(text[: text.index(" ")])
    # comm is wrapped in parentheses and may itself contain ") ", so cut at the LAST ')'
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state); utime is field 14, so rest index = field - 3
    return ProcStat(
        pid=pid,
        ppid=int(rest[1]),
        utime=int(rest[11]),
        stime=int(rest[12]),
        cutime=int(rest[13]),
        cstime=int(rest[14]),
    )


def parse_status_kb(text: str, name: str) -> int:
    """A ``kB`` field (``VmHWM``, ``VmRSS``) of /proc/<pid>/status; 0 when absent."""
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, linear interpolation."""
    if not sorted_values:
        return float("nan")
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    pos = (len(sorted_values) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low))


def descendants(root: int, stats: Sequence[ProcStat]) -> list[int]:
    """``root`` and every process below it, from a snapshot of all processes' stats."""
    children: dict[int, list[int]] = {}
    for stat in stats:
        children.setdefault(stat.ppid, []).append(stat.pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


# -- /proc reading ------------------------------------------------------------------------


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:  # the process ended between listing and reading
        return None


def _all_stats() -> list[ProcStat]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            text = _read(f"/proc/{name}/stat")
            if text:
                out.append(parse_stat(text))
    return out


def tree_cpu_seconds(root: int) -> float:
    """utime+stime of ``root`` and its live descendants, plus the children it has reaped."""
    stats = {s.pid: s for s in _all_stats()}
    ticks = 0
    for pid in descendants(root, list(stats.values())):
        stat = stats.get(pid)
        if stat:
            ticks += stat.utime + stat.stime
            if pid == root:
                ticks += stat.cutime + stat.cstime
    return ticks / CLK_TCK


def status_kb(pid: int, name: str) -> int:
    text = _read(f"/proc/{pid}/status")
    return parse_status_kb(text, name) if text else 0


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (writing 5 to clear_refs); False if not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


# -- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server subprocess on 127.0.0.1; ``kind`` is ``kumo`` or ``moto``."""

    kind: str
    fsync: bool = False
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    data_dir: str | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def label(self) -> str:
        return f"{self.kind} (--fsync)" if self.fsync else self.kind

    def start(self, data_root: str | None = None) -> Server:
        env = dict(os.environ, AWS_CONFIG_FILE=os.devnull, PYTHONUNBUFFERED="1")
        if self.kind == "kumo":
            self.data_dir = tempfile.mkdtemp(prefix="kumo-bench-", dir=data_root)
            command = [
                sys.executable, "-m", "kumo.cli.main", "up", "--port", str(self.port),
                "--data-dir", self.data_dir, "--fsync" if self.fsync else "--no-fsync",
            ]  # fmt: skip
            ready = "/_kumo/health"
        elif self.kind == "moto":
            command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
            ready = "/moto-api/"
        else:
            raise ValueError(self.kind)
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_ready(self.endpoint + ready)
        return self

    def _wait_ready(self, url: str) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except urllib.error.HTTPError:
                return  # it answered
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{url} did not come up")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu(self) -> float:
        return tree_cpu_seconds(self.pid)

    def peak_rss_mib(self) -> float:
        return status_kb(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return status_kb(self.pid, "VmRSS") / 1024

    def reset_peak(self) -> bool:
        return reset_peak_rss(self.pid)

    def data_dir_bytes(self) -> int:
        if not self.data_dir:
            return 0
        total = 0
        for dirpath, _, files in os.walk(self.data_dir):
            for name in files:
                with contextlib.suppress(OSError):  # removed meanwhile
                    total += os.path.getsize(os.path.join(dirpath, name))
        return total

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_SESSION: list[Any] = []
_SESSION_LOCK = threading.Lock()


def _session() -> Any:
    # one session for the whole run: creating clients from it is cheap once its loader has
    # read the models (a session is not thread-safe, so boto_client holds the lock)
    if not _SESSION:
        import boto3

        _SESSION.append(
            boto3.session.Session(
                aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
            )
        )
    return _SESSION[0]


def boto_client(service: str, endpoint: str, **config: Any) -> Any:
    """A boto3 client for one thread (clients are not shared between threads)."""
    from botocore.config import Config

    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config)
    with _SESSION_LOCK:
        return _session().client(service, endpoint_url=endpoint, config=cfg)


# -- load driver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    ops: int  # operations (or messages) completed
    seconds: float
    latencies: list[float]  # sorted, seconds per call
    server_cpu: float  # server CPU seconds used during the run
    errors: int

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def cpu_ms_per_op(self) -> float:
        return self.server_cpu / self.ops * 1000 if self.ops else float("nan")


def run_load(
    server: Server,
    threads: int,
    seconds: float,
    make_op: Callable[[int], Callable[[int], int]],
) -> LoadResult:
    """Closed loop: ``threads`` workers call their op as fast as they can for ``seconds``.

    ``make_op(thread_index)`` runs before the clock starts (build clients, warm up) and
    returns ``op(n) -> units done`` (1 for a call, 10 for a batch of ten messages).
    """
    ops = [make_op(i) for i in range(threads)]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    units = [0] * threads
    errors = [0] * threads
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        op, own = ops[index], latencies[index]
        barrier.wait()
        n = 0
        while time.perf_counter() < stop_at[0]:
            start = time.perf_counter()
            try:
                units[index] += op(n)
            except Exception:  # a failed call counts as an error, not a rate
                errors[index] += 1
            own.append(time.perf_counter() - start)
            n += 1

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    cpu0 = server.cpu()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    barrier.wait()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu = server.cpu() - cpu0
    flat = sorted(x for own in latencies for x in own)
    return LoadResult(sum(units), elapsed, flat, cpu, sum(errors))


def run_parallel(threads: int, items: Sequence[Any], fn: Callable[[int, Any], None]) -> float:
    """Run ``fn(thread_index, item)`` over ``items`` on ``threads`` workers; seconds taken."""
    lock = threading.Lock()
    position = [0]

    def worker(index: int) -> None:
        while True:
            with lock:
                if position[0] >= len(items):
                    return
                item = items[position[0]]
                position[0] += 1
            fn(index, item)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start


# -- output --------------------------------------------------------------------------------


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; floats keep the precision the caller formatted them with."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += [markdown_row(row) for row in rows]
    return "\n".join(lines)


def markdown_row(row: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in row) + " |"


def ratio(kumo: float, moto: float) -> str:
    if not moto or moto != moto:
        return "n/a"
    return f"{kumo / moto:.2f}x"


def fmt(value: float, digits: int = 0) -> str:
    if value != value:
        return "n/a"
    return f"{value:,.{digits}f}"


def machine_note() -> str:
    import platform

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load:.1f} at start, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def here() -> Path:
    return Path(__file__).resolve().parent
