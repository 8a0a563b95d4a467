"""Long polling of many idle consumers costs no CPU: 50 consumers wait on an empty queue and
the server process (a separate kumo, so its CPU time can be read from /proc) stays almost
idle. This asserts CPU seconds used, not latency."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.kumo_process import client as kumo_client
from tests.kumo_process import free_port, start_kumo

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]

CONSUMERS = 50
WAIT_SECONDS = 4


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(times.get(p, 0) for p in tree) / tick


def test_idle_long_pollers_cost_no_cpu(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        url = kumo_client("sqs", port).create_queue(QueueName="idle")["QueueUrl"]
        clients = [kumo_client("sqs", port) for _ in range(CONSUMERS)]
        for sqs in clients[:2]:  # warm the server's code paths
            sqs.receive_message(QueueUrl=url)
        time.sleep(1.0)  # let start-up work finish
        empty: list[bool] = []
        lock = threading.Lock()

        def consume(sqs: object) -> None:
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=WAIT_SECONDS)  # type: ignore[attr-defined]
            with lock:
                empty.append("Messages" not in got)

        before = cpu_seconds(proc.pid)
        started = time.monotonic()
        threads = [threading.Thread(target=consume, args=(sqs,)) for sqs in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        used = cpu_seconds(proc.pid) - before
        assert empty == [True] * CONSUMERS
        assert wall >= WAIT_SECONDS  # they really waited
        # a busy loop would burn a whole core; 50 waits cost the requests' handling only
        assert used < 0.1 * wall, f"{used:.2f}s of CPU over {wall:.2f}s"
    finally:
        proc.kill()
        proc.wait()
