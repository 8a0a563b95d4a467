"""kumo as a separate process, for tests that kill it (``kill -9``) and start it again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_kumo(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """``kumo up`` on ``port`` with ``data_dir``, once its health endpoint answers."""
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


def client(service: str, port: int) -> Any:
    """A boto3 client for kumo on ``port`` that fails fast instead of retrying."""
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )
