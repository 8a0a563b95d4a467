"""Instances over time: concurrency, limits, retiring, idle reaping, provisioning, close."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from kumo.runtime.api import ConcurrencyLimitExceeded
from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

SLEEPY = """
import os, time
def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"pid": os.getpid(), "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


def _pid(payload: bytes) -> int:
    return int(json.loads(payload)["pid"])


def test_concurrent_calls_get_their_own_instances(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        results = await asyncio.gather(*(h.invoke(spec, b'{"sleep": 0.5}') for _ in range(4)))
        assert len({_pid(r.payload) for r in results}) == 4
        assert h.runtime.stats()["idle"] == 4
        # warm instances are reused afterwards
        again = await asyncio.gather(*(h.invoke(spec) for _ in range(2)))
        assert {_pid(r.payload) for r in again} <= {_pid(r.payload) for r in results}

    run_with_runtime(tmp_path / "data", body)


def test_reserved_concurrency(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY), reserved_concurrency=1)
    blocked = make_spec(write_function(tmp_path, SLEEPY), name="off", reserved_concurrency=0)

    async def body(h: Harness) -> None:
        slow = asyncio.ensure_future(h.invoke(spec, b'{"sleep": 1}'))
        await asyncio.sleep(0.3)
        with pytest.raises(ConcurrencyLimitExceeded) as info:
            await h.invoke(spec)
        assert info.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert info.value.message == "Rate Exceeded."
        assert (await slow).function_error is None
        assert (await h.invoke(spec)).function_error is None
        with pytest.raises(ConcurrencyLimitExceeded):
            await h.invoke(blocked)

    run_with_runtime(tmp_path / "data", body)


def test_account_concurrency(tmp_path: Path) -> None:
    one = make_spec(write_function(tmp_path, SLEEPY), name="one")
    two = make_spec(write_function(tmp_path, SLEEPY), name="two")

    async def body(h: Harness) -> None:
        slow = asyncio.ensure_future(h.invoke(one, b'{"sleep": 1}'))
        await asyncio.sleep(0.3)
        with pytest.raises(ConcurrencyLimitExceeded) as info:
            await h.invoke(two)
        assert info.value.reason == "ConcurrentInvocationLimitExceeded"
        await slow
        assert (await h.invoke(two)).function_error is None

    run_with_runtime(tmp_path / "data", body, account_concurrency=1)


def test_new_revision_retires_old_instances_without_failing_calls(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))
    updated = make_spec(spec.code_dir, revision_id="rev-2")

    async def body(h: Harness) -> None:
        old_pid = _pid((await h.invoke(spec)).payload)
        in_flight = asyncio.ensure_future(h.invoke(spec, b'{"sleep": 0.5}'))
        await asyncio.sleep(0.1)
        new = await h.invoke(updated)
        assert new.init_duration_ms is not None and _pid(new.payload) != old_pid
        finished = await in_flight
        assert finished.function_error is None and _pid(finished.payload) == old_pid
        assert old_pid not in h.runtime.stats()["instance_pids"]
        assert h.runtime.stats()["instances"] == 1

    run_with_runtime(tmp_path / "data", body)


def test_retire_stops_idle_instances(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        await h.invoke(spec)
        h.runtime.retire(spec.function_arn)
        assert h.runtime.stats()["instances"] == 0
        assert (await h.invoke(spec)).init_duration_ms is not None

    run_with_runtime(tmp_path / "data", body)


def test_retire_from_a_worker_thread(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        await h.invoke(spec)
        # providers' blocking operations run on threads; pools stay on the event loop
        await asyncio.to_thread(h.runtime.retire, spec.function_arn, "$LATEST")
        await asyncio.sleep(0.05)
        assert h.runtime.stats()["instances"] == 0

    run_with_runtime(tmp_path / "data", body)


def test_runs_on_uvloop(tmp_path: Path) -> None:
    uvloop = pytest.importorskip("uvloop")
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def main() -> None:
        from kumo.config import Settings
        from kumo.runtime import create_runtime
        from kumo.runtime.logs import MemoryLogSink

        runtime = create_runtime(Settings(data_dir=tmp_path / "data"), MemoryLogSink())
        try:
            h = Harness(runtime, MemoryLogSink())
            results = await asyncio.gather(*(h.invoke(spec, b'{"sleep": 0.2}') for _ in range(2)))
            assert all(r.function_error is None for r in results)
            assert (await h.invoke(spec)).init_duration_ms is None
        finally:
            await runtime.close()

    uvloop.run(asyncio.wait_for(main(), 60))


def test_idle_instances_are_reaped(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        pid = _pid((await h.invoke(spec)).payload)
        deadline = time.monotonic() + 5
        while h.runtime.stats()["instances"] and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert h.runtime.stats()["instances"] == 0
        await _wait_gone(pid)
        assert (await h.invoke(spec)).init_duration_ms is not None

    run_with_runtime(tmp_path / "data", body, idle_seconds=0.2)


def test_provisioned_instances_are_ready_and_kept(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        await h.runtime.provision(spec, 2)
        assert h.runtime.stats()["idle"] == 2
        result = await h.invoke(spec)
        assert result.init_duration_ms is None
        assert json.loads(result.payload)["init"] == "provisioned-concurrency"
        await asyncio.sleep(0.5)
        assert h.runtime.stats()["instances"] == 2

    run_with_runtime(tmp_path / "data", body, idle_seconds=0.1)


def test_provisioned_instances_that_die_are_replaced(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY))

    async def body(h: Harness) -> None:
        await h.runtime.provision(spec, 1)
        (pid,) = h.runtime.stats()["instance_pids"]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = h.runtime.stats()["instance_pids"]
            if pids and pid not in pids and h.runtime.stats()["idle"] == 1:
                break
            await asyncio.sleep(0.05)
        assert h.runtime.stats()["idle"] == 1
        assert pid not in h.runtime.stats()["instance_pids"]
        assert (await h.invoke(spec)).init_duration_ms is None

    run_with_runtime(tmp_path / "data", body, idle_seconds=0.2)


async def _wait_gone(*pids: int) -> None:
    deadline = time.monotonic() + 5
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if _exists(p)}
        if alive:
            await asyncio.sleep(0.05)
    assert not alive, f"still running: {alive}"


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_close_leaves_no_processes(tmp_path: Path) -> None:
    source = """
    import os, subprocess
    CHILD = None
    def handler(event, context):
        global CHILD
        CHILD = subprocess.Popen(["sleep", "60"])
        return {"pid": os.getpid(), "child": CHILD.pid}
    """
    spec = make_spec(write_function(tmp_path, source))
    seen: dict[str, int] = {}

    async def body(h: Harness) -> None:
        result = json.loads((await h.invoke(spec)).payload)
        seen.update(result)
        seen["server"] = h.runtime.stats()["fork_server_pid"]
        assert all(_exists(p) for p in seen.values())
        await h.runtime.close()
        await _wait_gone(*seen.values())

    run_with_runtime(tmp_path / "data", body)
    assert not (tmp_path / "data" / "runtime").exists()
    assert os.getpid() not in seen.values()
