"""kumo's side of failures: a dead fork server is replaced; a killed kumo leaves no orphans."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

SOURCE = """
import os, subprocess, sys
CHILD = None
def handler(event, context):
    global CHILD
    if CHILD is None:
        CHILD = subprocess.Popen(["sleep", "60"])
    sys.stdout.buffer.write(b"bytes too\\n")
    return {"pid": os.getpid(), "child": CHILD.pid}
"""


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids: list[int], seconds: float = 5) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = [p for p in pids if _exists(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _exists(p)]
    return alive


def test_a_killed_fork_server_is_replaced(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SOURCE))

    async def body(h: Harness) -> None:
        first = json.loads((await h.invoke(spec, tail_log=True)).payload)
        server = h.runtime.stats()["fork_server_pid"]
        os.kill(server, signal.SIGKILL)
        # its instances go with it
        assert await asyncio.to_thread(_wait_gone, [server, first["pid"], first["child"]]) == []
        result = await h.invoke(spec, tail_log=True)
        assert result.function_error is None, result.payload
        assert result.init_duration_ms is not None
        assert result.log_tail is not None and "bytes too\n" in result.log_tail
        assert h.runtime.stats()["fork_server_pid"] not in (None, server)

    run_with_runtime(tmp_path / "data", body)


def test_a_killed_kumo_leaves_no_processes(tmp_path: Path) -> None:
    code_dir = write_function(tmp_path, SOURCE)
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys
        from pathlib import Path
        from kumo.config import Settings
        from kumo.runtime import create_runtime
        from kumo.runtime.logs import MemoryLogSink
        from tests.runtime.helpers import invocation, make_spec

        async def main():
            rt = create_runtime(Settings(data_dir=Path({str(tmp_path / "data")!r})),
                                MemoryLogSink())
            spec = make_spec(Path({str(code_dir)!r}))
            result = json.loads((await rt.invoke(spec, invocation(spec))).payload)
            result["server"] = rt.stats()["fork_server_pid"]
            print(json.dumps(result), flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert proc.stdout is not None
        pids = json.loads(proc.stdout.readline())
        assert all(_exists(p) for p in pids.values())
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    left = _wait_gone(list(pids.values()))
    assert left == [], [Path(f"/proc/{p}/cmdline").read_bytes() for p in left]


def test_a_killed_spare_is_not_handed_out(tmp_path: Path) -> None:
    spec = make_spec(
        write_function(tmp_path, "import os\ndef handler(e, c):\n    return os.getpid()\n")
    )

    async def body(h: Harness) -> None:
        await h.invoke(spec)
        deadline = time.monotonic() + 5
        while not h.runtime.stats()["spare_pids"] and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        (spare,) = h.runtime.stats()["spare_pids"]
        os.kill(spare, signal.SIGKILL)
        h.runtime.retire(spec.function_arn)
        result = await h.invoke(spec)
        assert result.function_error is None, result.payload
        assert json.loads(result.payload) != spare

    run_with_runtime(tmp_path / "data", body)
