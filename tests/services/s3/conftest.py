"""S3 tests share the session's kumo; each test works in buckets of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def s3(aws_client: Any) -> Any:
    return aws_client("s3")


@pytest.fixture
def new_name() -> Callable[[], str]:
    """A bucket name no other test uses."""
    return lambda: f"kumo-test-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def bucket(s3: Any, new_name: Callable[[], str]) -> str:
    name = new_name()
    s3.create_bucket(Bucket=name)
    return name
