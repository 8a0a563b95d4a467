"""Nothing acknowledged is lost: kill -9 kumo during a stream of writes, restart, check."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

pytestmark = pytest.mark.slow

POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kumo.cli.main", "up", "--port", str(port),
         "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(400):
        if proc.poll() is not None:
            raise RuntimeError(f"kumo exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_kumo/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("kumo did not start")


def _iam(port: int) -> object:
    return boto3.client(
        "iam",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start(tmp_path, port)
    acknowledged: list[str] = []
    refused: list[ClientError] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        iam = _iam(port)
        n = 0
        while not stop.is_set():
            name = f"role-{worker}-{n}"
            n += 1
            try:
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=POLICY)  # type: ignore[attr-defined]
            except ClientError as exc:
                refused.append(exc)
                return
            except (BotoCoreError, OSError):
                return  # the connection died with kumo
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

    proc = _start(tmp_path, port)
    try:
        iam = _iam(port)
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
