"""The runtime kumo runs functions with: it routes invocations to instances.

:class:`LocalRuntime` implements :class:`kumo.runtime.api.Runtime`. It owns the pools (one
per function version, see :mod:`kumo.runtime.pool`), forks new instances through a lazily
started fork server, counts in-flight invocations against reserved and account concurrency,
watches memory while instances are busy, reaps instances idle for too long, refills
provisioned ones and retires the pools of an old revision. What an invocation returns and
logs is worded in :mod:`kumo.runtime.outcomes`; the logs are written, one stream per
instance, by :mod:`kumo.runtime.log_flusher`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Sequence
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
from kumo.runtime.log_flusher import LogFlusher
from kumo.runtime.outcomes import invoke_result
from kumo.runtime.pool import Pool

log = logging.getLogger("kumo.runtime")

DEFAULT_ACCOUNT_CONCURRENCY = 1000
DEFAULT_IDLE_SECONDS = 300.0
MEMORY_POLL_SECONDS = 0.02
HOST_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


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
        self._pools: dict[tuple[str, str], Pool] = {}
        self._inflight_by_function: dict[str, int] = {}
        self._inflight = 0
        self._by_pid: dict[int, Instance] = {}
        # exits reported before kumo learned which instance the pid belongs to
        self._early_exits: dict[int, int] = {}
        self._busy: set[Instance] = set()
        self._server: ForkServer | None = None
        self._server_starting: asyncio.Future[ForkServer] | None = None
        self._logs = LogFlusher(log_sink)
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
            instance = pool.take_idle(self._stop_instance)
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
                    pool.make_idle(result)
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
                pool.retire(self._stop_instance)

    async def close(self) -> None:
        self._closed = True
        self._logs.hold()
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
        await self._logs.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def kill_now(self) -> None:
        """Stop the fork server and every instance without an event loop (last resort)."""
        self._closed = True
        self._logs.hold()
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

    def _pool(self, spec: FunctionSpec) -> Pool:
        key = (spec.function_arn, spec.version)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = Pool(spec.revision_id)
        elif pool.revision != spec.revision_id:
            # code or configuration changed: old instances finish what they run, then go
            pool.retire(self._stop_instance)
            pool.revision = spec.revision_id
            pool.spec = None
        return pool

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
        self, spec: FunctionSpec, pool: Pool, provisioned: bool = False, retry: bool = True
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

    def _on_instance_closed(self, pool: Pool, instance: Instance) -> None:
        # a busy instance is cleaned up by the invocation that saw it die
        if not instance.busy and instance in pool.instances:
            self._stop_instance(pool, instance)

    def _stop_instance(self, pool: Pool, instance: Instance) -> None:
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
        pool: Pool,
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
        result = invoke_result(spec, instance, invocation, events, outcome, init_ms)
        self._write_log(instance, events)
        if outcome.kind in ("ok", "error") and instance.alive and not instance.retiring:
            pool.make_idle(instance)
        else:
            self._stop_instance(pool, instance)
        return result

    def _write_log(self, instance: Instance, events: Sequence[LogEvent]) -> None:
        """Queue an invocation's log on its instance's stream (see :class:`LogFlusher`)."""
        spec = instance.spec
        group = spec.log_group or f"/aws/lambda/{spec.function_name}"
        self._logs.write((spec.account_id, spec.region, group, instance.stream), events)

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
                pool.reap(cutoff, self._stop_instance)
                spec = pool.refill_spec()
                if spec is not None:
                    self._refill(pool, spec)

    def _refill(self, pool: Pool, spec: FunctionSpec) -> None:
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
