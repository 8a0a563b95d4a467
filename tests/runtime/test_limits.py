"""Timeouts, memory, crashes and /tmp size: the instance dies, kumo and other functions don't."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

SLEEPY = """
import os, time
def handler(event, context):
    print("going to sleep")
    time.sleep(event.get("sleep", 0))
    return os.getpid()
"""


def test_timeout_kills_the_instance(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SLEEPY), timeout_seconds=1)

    async def body(h: Harness) -> None:
        first_pid = json.loads((await h.invoke(spec)).payload)
        result = await h.invoke(spec, b'{"sleep": 30}', request_id="req-slow", tail_log=True)
        assert result.function_error == "Unhandled"
        doc = json.loads(result.payload)
        assert doc["errorType"] == "Sandbox.Timedout"
        assert re.fullmatch(
            r"RequestId: req-slow Error: Task timed out after 1\.\d\d seconds", doc["errorMessage"]
        )
        assert 1000 <= result.duration_ms < 3000
        assert result.log_tail is not None
        assert "going to sleep" in result.log_tail
        assert re.search(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z req-slow Task timed out after 1\.\d\d seconds",
            result.log_tail,
        )
        assert "Status: timeout" in result.log_tail
        # the next call gets a fresh instance
        after = await h.invoke(spec)
        assert after.init_duration_ms is not None
        assert json.loads(after.payload) != first_pid

    run_with_runtime(tmp_path / "data", body)


def test_memory_limit_kills_the_instance(tmp_path: Path) -> None:
    source = """
    def handler(event, context):
        hog = []
        for _ in range(400):
            hog.append(bytearray(b"x" * (1024 * 1024)))
        return len(hog)
    """
    spec = make_spec(write_function(tmp_path, source), memory_mb=128, timeout_seconds=20)

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="req-oom", tail_log=True)
        doc = json.loads(result.payload)
        assert doc == {
            "errorType": "Runtime.OutOfMemory",
            "errorMessage": "RequestId: req-oom Error: Runtime exited with error: signal: killed",
        }
        assert result.max_memory_used_mb == 128
        assert result.log_tail is not None
        assert "Error Type: Runtime.OutOfMemory" in result.log_tail

    run_with_runtime(tmp_path / "data", body)


def test_memory_limit_holds_during_init(tmp_path: Path) -> None:
    source = """
    HOG = [bytearray(b"x" * (1024 * 1024)) for _ in range(400)]
    def handler(event, context):
        return len(HOG)
    """
    spec = make_spec(write_function(tmp_path, source), memory_mb=128)

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="req-init-oom")
        assert json.loads(result.payload)["errorType"] == "Runtime.OutOfMemory"

    run_with_runtime(tmp_path / "data", body)


def test_crashes_are_isolated(tmp_path: Path) -> None:
    source = """
    import ctypes, os, sys
    def handler(event, context):
        how = event.get("how")
        if how == "exit":
            os._exit(3)
        if how == "segv":
            ctypes.string_at(0)
        if how == "sys_exit":
            sys.exit(0)
        return "fine"
    """
    spec = make_spec(write_function(tmp_path, source))
    bystander = make_spec(write_function(tmp_path, SLEEPY), name="bystander")

    async def body(h: Harness) -> None:
        bystander_pid = json.loads((await h.invoke(bystander)).payload)
        exited = await h.invoke(spec, b'{"how": "exit"}', request_id="r1")
        assert json.loads(exited.payload) == {
            "errorType": "Runtime.ExitError",
            "errorMessage": "RequestId: r1 Error: Runtime exited with error: exit status 3",
        }
        assert exited.function_error == "Unhandled"
        segv = await h.invoke(spec, b'{"how": "segv"}', request_id="r2")
        assert json.loads(segv.payload)["errorMessage"] == (
            "RequestId: r2 Error: Runtime exited with error: signal: segmentation fault"
        )
        quit_ = await h.invoke(spec, b'{"how": "sys_exit"}', request_id="r3")
        assert json.loads(quit_.payload)["errorMessage"] == (
            "RequestId: r3 Error: Runtime exited without providing a reason"
        )
        fine = await h.invoke(spec)
        assert fine.payload == b'"fine"' and fine.init_duration_ms is not None
        # another function's warm instance is untouched
        again = await h.invoke(bystander)
        assert json.loads(again.payload) == bystander_pid and again.init_duration_ms is None

    run_with_runtime(tmp_path / "data", body)


def test_crash_during_init(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, "import os\nos._exit(7)\n"))

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="r-init")
        assert json.loads(result.payload) == {
            "errorType": "Runtime.ExitError",
            "errorMessage": "RequestId: r-init Error: Runtime exited with error: exit status 7",
        }

    run_with_runtime(tmp_path / "data", body)


def test_ephemeral_storage_limit(tmp_path: Path) -> None:
    source = """
    import os, tempfile
    def handler(event, context):
        path = os.path.join(tempfile.gettempdir(), "big")
        try:
            with open(path, "wb") as f:
                f.write(b"x" * (3 * 1024 * 1024))
        except OSError as exc:
            return exc.strerror
        return "written"
    """
    spec = make_spec(write_function(tmp_path, source), ephemeral_storage_mb=1)

    async def body(h: Harness) -> None:
        assert json.loads((await h.invoke(spec)).payload) == "File too large"

    run_with_runtime(tmp_path / "data", body)
