"""SQS tests share the session's kumo; each test uses its own uniquely named queues."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def sqs(aws_client: Any) -> Any:
    return aws_client("sqs")


@pytest.fixture
def new_queue(sqs: Any) -> Callable[..., str]:
    """Create a queue with a unique name; returns its URL."""

    def make(prefix: str = "q", **attributes: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    return make
