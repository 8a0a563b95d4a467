"""The runtime kumo runs functions with: instance pools, limits, reaping and logs.

:class:`LocalRuntime` implements :class:`kumo.runtime.api.Runtime`. It keeps a pool of
instances per function version, forks new ones through a lazily started fork server, counts
in-flight invocations against reserved and account concurrency, watches memory while
instances are busy, reaps instances idle for too long, retires instances of an old revision
once they are done, and writes each invocation's log (with Lambda's START/END/REPORT lines)
to the log sink on one stream per instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kumo.runtime import logs
from kumo.runtime.api import (
    ConcurrencyLimitExceeded,
    FunctionSpec,
    Invocation,
    InvokeResult,
    LogEvent,
    LogSink,
    UnsupportedRuntime,
)
from kumo.runtime.environment import instance_config
from kumo.runtime.forkserver import ForkServer, ForkServerError
from kumo.runtime.instance import INIT_TIMEOUT, Instance, InstanceDied, Outcome

log = logging.getLogger("kumo.runtime")

DEFAULT_ACCOUNT_CONCURRENCY = 1000
DEFAULT_IDLE_SECONDS = 300.0
MEMORY_POLL_SECONDS = 0.02
HOST_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"

_SIGNAL_NAMES = {
    1: "hangup",
    2: "interrupt",
    4: "illegal instruction",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    11: "segmentation fault",
    13: "broken pipe",
    15: "terminated",
}


@dataclass
class _Pool:
    """The instances of one function version."""

    revision: str
    idle: list[Instance] = field(default_factory=list)
    instances: set[Instance] = field(default_factory=set)
    provisioned: int = 0
    # the spec provisioned instances are started from (kept to replace ones that die)
    spec: FunctionSpec | None = None
    refilling: bool = False


class LocalRuntime:
    """Runs Python functions in forked instances on this machine."""

    def __init__(
        self,
        data_dir: Path,
        log_sink: LogSink,
        *,
        account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        spares: int = 1,
        private_dir: Path | None = None,
    ) -> None:
        # kumo's data directory: hidden from functions (their code and layers excepted)
        self.private_dir = private_dir
        # blank instances the fork server keeps forked ahead of cold starts
        self.spares = spares
        self.data_dir = data_dir
        self.log_sink = log_sink
        self.account_concurrency = account_concurrency
        self.idle_seconds = idle_seconds
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._inflight_by_function: dict[str, int] = {}
        self._inflight = 0
        self._by_pid: dict[int, Instance] = {}
        # exits reported before kumo learned which instance the pid belongs to
        self._early_exits: dict[int, int] = {}
        self._busy: set[Instance] = set()
        self._server: ForkServer | None = None
        self._server_starting: asyncio.Future[ForkServer] | None = None
        self._log_buffer: dict[tuple[str, str, str, str], list[LogEvent]] = {}
        self._log_flusher: asyncio.Task[None] | None = None
        self._log_wake: asyncio.Future[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._housekeeping: asyncio.Task[None] | None = None
        self._memory_watch: asyncio.Task[None] | None = None
        self._warned_runtimes: set[str] = set()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        # instance dirs left behind by a kumo that was killed
        shutil.rmtree(data_dir, ignore_errors=True)

    # -- the Runtime protocol ----------------------------------------------------------

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvokeResult:
        self._loop = asyncio.get_running_loop()
        self._check_runtime(spec)
        self._admit(spec)
        try:
            pool = self._pool(spec)
            instance = self._take_idle(pool)
            if instance is None:
                instance = await self._start_instance(spec, pool)
            return await self._run(spec, pool, instance, invocation)
        finally:
            self._inflight -= 1
            left = self._inflight_by_function[spec.function_arn] - 1
            if left:
                self._inflight_by_function[spec.function_arn] = left
            else:
                del self._inflight_by_function[spec.function_arn]

    async def provision(self, spec: FunctionSpec, count: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._check_runtime(spec)
        pool = self._pool(spec)
        pool.provisioned = count
        pool.spec = spec
        missing = count - len(pool.instances)
        if missing <= 0:
            return
        started = await asyncio.gather(
            *(self._start_instance(spec, pool, provisioned=True) for _ in range(missing)),
            return_exceptions=True,
        )
        for result in started:
            if isinstance(result, Instance):
                result.busy = False
                if result.init_error is None and result.alive and not result.retiring:
                    # init happened ahead of any call: no Init Duration on its first REPORT
                    result.used = True
                    self._flush_pending(result)
                    self._make_idle(pool, result)
                else:
                    self._stop_instance(pool, result)
            elif isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result

    def retire(self, function_arn: str, version: str | None = None) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                current = asyncio.get_running_loop()
            except RuntimeError:
                current = None
            if current is not loop:
                # called from a provider's worker thread: pools belong to the event loop
                loop.call_soon_threadsafe(self._retire, function_arn, version)
                return
        self._retire(function_arn, version)

    def _retire(self, function_arn: str, version: str | None) -> None:
        for (arn, ver), pool in self._pools.items():
            if arn == function_arn and (version is None or ver == version):
                pool.provisioned = 0
                self._retire_pool(pool)

    async def close(self) -> None:
        self._closed = True
        for task in (self._housekeeping, self._memory_watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._housekeeping = self._memory_watch = None
        for task in list(self._background):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for pool in self._pools.values():
            for instance in list(pool.instances):
                self._stop_instance(pool, instance)
        self._pools.clear()
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            await asyncio.to_thread(server.wait)
        if self._log_flusher is not None:
            self._log_flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._log_flusher
            self._log_flusher = None
        await self._write_pending()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def kill_now(self) -> None:
        """Stop the fork server and every instance without an event loop (last resort)."""
        self._closed = True
        for pool in self._pools.values():
            for instance in pool.instances:
                if instance.pid:
                    with contextlib.suppress(OSError):
                        os.killpg(instance.pid, signal.SIGKILL)
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.kill()
            self._server = None

    # -- admission and pools -----------------------------------------------------------

    def _check_runtime(self, spec: FunctionSpec) -> None:
        if self._closed:
            raise RuntimeError("the runtime is closed")
        if not spec.runtime.startswith("python"):
            raise UnsupportedRuntime(f"kumo runs Python functions only, not {spec.runtime}")
        if spec.runtime != HOST_RUNTIME and spec.runtime not in self._warned_runtimes:
            self._warned_runtimes.add(spec.runtime)
            log.warning(
                "functions asking for %s run on this machine's %s (%s)",
                spec.runtime,
                HOST_RUNTIME,
                sys.executable,
            )

    def _admit(self, spec: FunctionSpec) -> None:
        running = self._inflight_by_function.get(spec.function_arn, 0)
        reserved = spec.reserved_concurrency
        if reserved is not None and running >= reserved:
            raise ConcurrencyLimitExceeded(
                "ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded."
            )
        if self._inflight >= self.account_concurrency:
            raise ConcurrencyLimitExceeded("ConcurrentInvocationLimitExceeded", "Rate Exceeded.")
        self._inflight += 1
        self._inflight_by_function[spec.function_arn] = running + 1

    def _pool(self, spec: FunctionSpec) -> _Pool:
        key = (spec.function_arn, spec.version)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool(spec.revision_id)
        elif pool.revision != spec.revision_id:
            # code or configuration changed: old instances finish what they run, then go
            self._retire_pool(pool)
            pool.revision = spec.revision_id
            pool.spec = None
        return pool

    def _retire_pool(self, pool: _Pool) -> None:
        for instance in list(pool.instances):
            instance.retiring = True
            if not instance.busy:
                self._stop_instance(pool, instance)

    def _take_idle(self, pool: _Pool) -> Instance | None:
        while pool.idle:
            instance = pool.idle.pop()
            if instance.alive and not instance.retiring:
                return instance
            self._stop_instance(pool, instance)
        return None

    def _make_idle(self, pool: _Pool, instance: Instance) -> None:
        instance.last_used = time.monotonic()
        pool.idle.append(instance)

    # -- instances ---------------------------------------------------------------------

    async def _fork_server(self) -> ForkServer:
        if self._server is not None and self._server.alive:
            return self._server
        if self._server_starting is not None:
            return await asyncio.shield(self._server_starting)
        loop = asyncio.get_running_loop()
        self._server_starting = starting = loop.create_future()
        server = ForkServer(self._on_exit, self._on_server_lost, self.spares)
        try:
            await server.start()
        except BaseException as exc:
            starting.set_exception(exc)
            starting.exception()
            raise
        finally:
            self._server_starting = None
        self._server = server
        starting.set_result(server)
        self._ensure_housekeeping()
        return server

    def _on_server_lost(self) -> None:
        log.warning("the function fork server exited; it is restarted on the next invocation")
        self._server = None

    def _on_exit(self, pid: int, status: int) -> None:
        instance = self._by_pid.pop(pid, None)
        if instance is not None:
            instance.on_exit(status)
        elif len(self._early_exits) < 10_000:
            self._early_exits[pid] = status

    def _register(self, instance: Instance) -> None:
        status = self._early_exits.pop(instance.pid, None)
        if status is None:
            self._by_pid[instance.pid] = instance
        else:
            instance.on_exit(status)

    async def _start_instance(
        self, spec: FunctionSpec, pool: _Pool, provisioned: bool = False, retry: bool = True
    ) -> Instance:
        server = await self._fork_server()
        instance_id = uuid.uuid4().hex
        stream = logs.stream_name(spec.version)
        tmp_dir = self.data_dir / instance_id / "tmp"
        tmp_dir.mkdir(parents=True)
        instance = Instance(spec, instance_id, stream, tmp_dir, provisioned)
        # busy while it starts: a retire meanwhile lets its first invocation finish
        instance.busy = True
        instance.on_closed = lambda dead: self._on_instance_closed(pool, dead)
        pool.instances.add(instance)
        config = instance_config(spec, stream, tmp_dir, provisioned, self.private_dir)
        # init is held to the memory size too
        self._busy.add(instance)
        self._ensure_memory_watch()
        try:
            await instance.start(server, config, self._register)
        except ForkServerError:
            self._stop_instance(pool, instance)
            raise
        except InstanceDied:
            if retry and instance.from_spare and not instance.heard and not instance.oom:
                # the spare died before it was handed out (killed from outside): fork anew
                self._stop_instance(pool, instance)
                return await self._start_instance(spec, pool, provisioned, retry=False)
            # otherwise init itself crashed: the invocation reports it
        finally:
            self._busy.discard(instance)
        return instance

    def _on_instance_closed(self, pool: _Pool, instance: Instance) -> None:
        # a busy instance is cleaned up by the invocation that saw it die
        if not instance.busy and instance in pool.instances:
            self._stop_instance(pool, instance)

    def _stop_instance(self, pool: _Pool, instance: Instance) -> None:
        instance.on_closed = None
        instance.kill()
        instance.release_output()
        pool.instances.discard(instance)
        with contextlib.suppress(ValueError):
            pool.idle.remove(instance)
        self._flush_pending(instance)
        shutil.rmtree(instance.tmp_dir.parent, ignore_errors=True)

    def _flush_pending(self, instance: Instance) -> None:
        if instance.pending_events:
            events, instance.pending_events = instance.pending_events, []
            self._write_log(instance, events)

    # -- one invocation ----------------------------------------------------------------

    async def _run(
        self,
        spec: FunctionSpec,
        pool: _Pool,
        instance: Instance,
        invocation: Invocation,
    ) -> InvokeResult:
        request_id = invocation.request_id
        # what init printed comes first, as on Lambda
        events, instance.pending_events = instance.pending_events, []
        init_ms = instance.init_ms if not instance.used else None
        events.append(LogEvent(logs.now_ms(), logs.start_line(request_id, spec.version)))
        instance.used = True
        instance.busy = True
        self._busy.add(instance)
        self._ensure_memory_watch()
        try:
            if instance.init_timed_out:
                outcome = Outcome("timeout", b"", INIT_TIMEOUT * 1000, instance.peak_rss_kb)
            elif instance.init_error is not None:
                outcome = Outcome("init_error", b"", 0.0, instance.peak_rss_kb)
            elif not instance.alive:
                status = await instance.wait_exit()
                outcome = Outcome("died", b"", 0.0, instance.peak_rss_kb, status)
            else:
                outcome = await instance.invoke(invocation, events)
        finally:
            instance.busy = False
            self._busy.discard(instance)
            instance.detach_events()
        result = self._finish(spec, instance, invocation, events, outcome, init_ms)
        if outcome.kind in ("ok", "error") and instance.alive and not instance.retiring:
            self._make_idle(pool, instance)
        else:
            self._stop_instance(pool, instance)
        return result

    def _finish(
        self,
        spec: FunctionSpec,
        instance: Instance,
        invocation: Invocation,
        events: list[LogEvent],
        outcome: Outcome,
        init_ms: float | None,
    ) -> InvokeResult:
        request_id = invocation.request_id
        payload = outcome.payload
        function_error: str | None = None
        status: str | None = None
        error_type: str | None = None
        max_mb = min(spec.memory_mb, math.ceil(outcome.max_rss_kb / 1024))
        if outcome.kind == "error":
            function_error = "Unhandled"
        elif outcome.kind == "init_error":
            function_error = "Unhandled"
            error = dict(instance.init_error or {})
            payload = json.dumps(error, ensure_ascii=False).encode()
            status, error_type = "error", error.get("errorType")
        elif outcome.kind == "timeout":
            function_error = "Unhandled"
            seconds = outcome.duration_ms / 1000
            message = f"Task timed out after {seconds:.2f} seconds"
            events.append(
                LogEvent(
                    logs.now_ms(),
                    f"{logs.timestamp(logs.now_ms())} {request_id} {message}\n",
                )
            )
            payload = _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
            status = "timeout"
        elif outcome.kind == "died":
            function_error = "Unhandled"
            if instance.oom:
                error_type = "Runtime.OutOfMemory"
                reason = "Runtime exited with error: signal: killed"
                max_mb = spec.memory_mb
            else:
                error_type = "Runtime.ExitError"
                reason = exit_reason(outcome.exit_status)
            message = f"RequestId: {request_id} Error: {reason}"
            events.append(LogEvent(logs.now_ms(), f"{message}\n{error_type}\n"))
            payload = _error_doc(error_type, message)
            status = "error"
        events.append(LogEvent(logs.now_ms(), logs.end_line(request_id)))
        events.append(
            LogEvent(
                logs.now_ms(),
                logs.report_line(
                    request_id,
                    outcome.duration_ms,
                    spec.memory_mb,
                    max_mb,
                    init_ms,
                    status,
                    error_type,
                ),
            )
        )
        self._write_log(instance, events)
        return InvokeResult(
            payload=payload,
            function_error=function_error,
            log_tail=logs.tail(events) if invocation.tail_log else None,
            duration_ms=outcome.duration_ms,
            billed_duration_ms=logs.billed_ms(outcome.duration_ms),
            init_duration_ms=init_ms,
            max_memory_used_mb=max_mb,
        )

    def _write_log(self, instance: Instance, events: Sequence[LogEvent]) -> None:
        """Queue an invocation's log for the flusher, which writes it stream by stream."""
        spec = instance.spec
        group = spec.log_group or f"/aws/lambda/{spec.function_name}"
        key = (spec.account_id, spec.region, group, instance.stream)
        pending = self._log_buffer.get(key)
        if pending is None:
            self._log_buffer[key] = list(events)
        else:
            pending.extend(events)
        if self._closed:
            # close() writes what is left
            return
        if self._log_flusher is None or self._log_flusher.done():
            self._log_flusher = asyncio.get_running_loop().create_task(self._flush_logs())
        elif self._log_wake is not None and not self._log_wake.done():
            self._log_wake.set_result(None)

    async def _flush_logs(self) -> None:
        # one long-lived writer: while a batch is written the next piles up, so under load a
        # stream gets one write per round rather than one per invocation
        loop = asyncio.get_running_loop()
        while True:
            if not self._log_buffer:
                self._log_wake = loop.create_future()
                await self._log_wake
            await self._write_pending()

    async def _write_pending(self) -> None:
        while self._log_buffer:
            batch, self._log_buffer = self._log_buffer, {}
            for (account, region, group, stream), events in batch.items():
                try:
                    await self.log_sink(account, region, group, stream, events)
                except Exception:
                    log.exception("could not write function logs to %s", group)

    # -- background work ---------------------------------------------------------------

    def _ensure_housekeeping(self) -> None:
        if self._housekeeping is None or self._housekeeping.done():
            self._housekeeping = asyncio.get_running_loop().create_task(self._reap_idle())

    def _ensure_memory_watch(self) -> None:
        if self._closed:
            return
        if self._memory_watch is None or self._memory_watch.done():
            self._memory_watch = asyncio.get_running_loop().create_task(self._watch_memory())

    async def _reap_idle(self) -> None:
        """Scale to zero: stop instances idle for longer than ``idle_seconds``."""
        interval = max(0.05, min(5.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            cutoff = time.monotonic() - self.idle_seconds
            for key, pool in list(self._pools.items()):
                if not pool.instances and not pool.provisioned:
                    # nothing left of this version: forget it (a new revision starts afresh)
                    del self._pools[key]
                    continue
                spare = len(pool.instances) - pool.provisioned
                for instance in list(pool.idle):
                    if spare <= 0:
                        break
                    if instance.last_used < cutoff or not instance.alive:
                        self._stop_instance(pool, instance)
                        spare -= 1
                if (
                    pool.spec is not None
                    and len(pool.instances) < pool.provisioned
                    and not pool.refilling
                ):
                    self._refill(pool, pool.spec)

    def _refill(self, pool: _Pool, spec: FunctionSpec) -> None:
        """Replace provisioned instances that died."""
        pool.refilling = True

        async def refill() -> None:
            try:
                await self.provision(spec, pool.provisioned)
            except Exception:
                log.exception("could not restart provisioned instances of %s", spec.function_arn)
            finally:
                pool.refilling = False

        task = asyncio.get_running_loop().create_task(refill())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _watch_memory(self) -> None:
        """Kill a busy instance whose resident memory passes its function's memory size."""
        while self._busy:
            for instance in list(self._busy):
                rss = instance.rss_kb()
                if rss > instance.peak_rss_kb:
                    instance.peak_rss_kb = rss
                if rss > instance.spec.memory_mb * 1024 and instance.alive:
                    instance.oom = True
                    instance.kill()
            await asyncio.sleep(MEMORY_POLL_SECONDS)

    def stats(self) -> dict[str, Any]:
        """Counts for tests and the admin API."""
        return {
            "instances": sum(len(p.instances) for p in self._pools.values()),
            "idle": sum(len(p.idle) for p in self._pools.values()),
            "inflight": self._inflight,
            "fork_server_pid": self._server.pid if self._server is not None else None,
            "instance_pids": sorted(i.pid for p in self._pools.values() for i in p.instances),
            "spare_pids": self._server.spare_pids() if self._server is not None else [],
        }


def _error_doc(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def exit_reason(status: int | None) -> str:
    """How Lambda words a runtime process's end."""
    if status is None:
        return "Runtime exited with error: signal: killed"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"Runtime exited with error: signal: {_SIGNAL_NAMES.get(sig, f'signal {sig}')}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {code}"
