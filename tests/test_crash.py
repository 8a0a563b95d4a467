"""Nothing acknowledged is lost: kill -9 kumo during a stream of writes, restart, check."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from tests.kumo_process import client, free_port, start_kumo

pytestmark = pytest.mark.slow

POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    acknowledged: list[str] = []
    refused: list[ClientError] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        iam = client("iam", port)
        n = 0
        while not stop.is_set():
            name = f"role-{worker}-{n}"
            n += 1
            try:
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=POLICY)  # type: ignore[attr-defined]
            except ClientError as exc:
                refused.append(exc)
                return
            except (BotoCoreError, ResponseParserError, OSError):
                return  # the connection died with kumo, maybe mid-response: not acknowledged
            with lock:
                acknowledged.append(name)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert refused == []
    assert len(acknowledged) > 20, "too few writes happened before the kill to prove anything"

    proc = start_kumo(tmp_path, port)
    try:
        iam = client("iam", port)
        missing = []
        for name in acknowledged:
            try:
                role = iam.get_role(RoleName=name)["Role"]  # type: ignore[attr-defined]
                assert role["RoleName"] == name
            except ClientError:
                missing.append(name)
        assert missing == [], f"{len(missing)} acknowledged roles lost: {missing[:5]}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
