"""Shared fixtures: a kumo started in-process on a free port with a temporary data dir.

``kumo`` is one server for the whole session; ``aws_client("sts")`` makes boto3 clients
pointed at it; ``aws_cli(...)`` runs the AWS CLI against it. Tests that need a clean
slate use ``clean_state``, which resets kumo through its admin endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

# Never let a developer's own AWS configuration leak into the tests.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


@dataclass
class RunningKumo:
    url: str
    data_dir: Path
    platform: Any

    def reset(self) -> None:
        requests.post(f"{self.url}/_kumo/state/reset", timeout=10).raise_for_status()


@pytest.fixture(scope="session")
def kumo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKumo]:
    from kumo.config import Settings
    from kumo.platform import Platform
    from kumo.server import ServerThread

    data_dir = tmp_path_factory.mktemp("kumo-data")
    settings = Settings(host="127.0.0.1", port=0, data_dir=data_dir)
    platform = Platform(settings)
    server = ServerThread(platform.app)
    settings.port = server.port
    server.start()
    try:
        yield RunningKumo(url=server.url, data_dir=data_dir, platform=platform)
    finally:
        server.stop()
        platform.close()


ClientFactory = Callable[..., Any]


@pytest.fixture
def aws_client(kumo: RunningKumo) -> ClientFactory:
    def make(service: str, **kwargs: Any) -> Any:
        kwargs.setdefault("region_name", "us-east-1")
        kwargs.setdefault("aws_access_key_id", "test")
        kwargs.setdefault("aws_secret_access_key", "test")
        kwargs.setdefault("config", Config(retries={"max_attempts": 1, "mode": "standard"}))
        return boto3.client(service, endpoint_url=kumo.url, **kwargs)

    return make


@pytest.fixture
def clean_state(kumo: RunningKumo) -> Iterator[None]:
    kumo.reset()
    yield


@pytest.fixture
def aws_cli(kumo: RunningKumo) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``aws <args>`` (the awscli package) against kumo."""

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, AWS_ENDPOINT_URL=kumo.url, AWS_PAGER="")
        proc = subprocess.run(
            [sys.executable, "-m", "awscli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {proc.stderr}")
        return proc

    return run
