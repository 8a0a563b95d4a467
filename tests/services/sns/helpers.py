"""Helpers the SNS tests share."""

from __future__ import annotations

import json
import queue
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """The code and message boto3 reports for a failed call."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def receive_all(sqs: Any, queue_url: str, expected: int, wait: int = 2) -> list[dict[str, Any]]:
    """Messages received from ``queue_url`` until ``expected`` arrived or a poll came back
    empty."""
    found: list[dict[str, Any]] = []
    while len(found) < expected:
        got = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            break
        found.extend(got)
    return found


def envelope(message: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(message["Body"])
    return body


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Endpoint:
    url: str
    requests: queue.Queue[Received] = field(default_factory=queue.Queue)
    failures: int = 0  # answer 500 to this many requests first

    def next(self, timeout: float = 10) -> Received:
        return self.requests.get(timeout=timeout)
