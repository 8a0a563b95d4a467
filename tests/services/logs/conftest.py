"""Logs tests share the session's kumo; each test uses its own uniquely named log groups."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def logs(aws_client: Any) -> Any:
    return aws_client("logs")


@pytest.fixture
def new_group(logs: Any) -> Callable[..., str]:
    """Create a log group with a unique name; returns the name."""

    def make(prefix: str = "/kumo/test", **kwargs: Any) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        logs.create_log_group(logGroupName=name, **kwargs)
        return name

    return make


@pytest.fixture
def new_stream(logs: Any, new_group: Callable[..., str]) -> Callable[..., tuple[str, str]]:
    """Create a group with one stream; returns (group, stream)."""

    def make(stream: str = "s1") -> tuple[str, str]:
        group = new_group()
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        return group, stream

    return make
