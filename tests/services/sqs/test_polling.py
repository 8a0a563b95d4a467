"""Long polling: a waiting receive returns as soon as a message arrives, or at its deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def test_long_poll_wakes_on_send(sqs: Any, sqs_client: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sender = sqs_client()

    def send_later() -> None:
        time.sleep(0.5)
        sender.send_message(QueueUrl=url, MessageBody="wake up")

    thread = threading.Thread(target=send_later)
    start = time.monotonic()
    thread.start()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    elapsed = time.monotonic() - start
    thread.join()
    assert got["Messages"][0]["Body"] == "wake up"
    assert 0.4 <= elapsed < 3


def test_long_poll_returns_empty_at_deadline(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    start = time.monotonic()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    elapsed = time.monotonic() - start
    assert "Messages" not in got
    assert 0.9 <= elapsed < 3


def test_long_poll_uses_queue_default_and_sees_delayed_message(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(ReceiveMessageWaitTimeSeconds="5")
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
    start = time.monotonic()
    got = sqs.receive_message(QueueUrl=url)
    elapsed = time.monotonic() - start
    assert got["Messages"][0]["Body"] == "soon"
    assert 0.8 <= elapsed < 3


def test_many_waiters_do_not_block_other_requests(
    sqs_client: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    results: list[int] = []

    def wait() -> None:
        client = sqs_client()
        got = client.receive_message(QueueUrl=url, WaitTimeSeconds=5)
        results.append(len(got.get("Messages", [])))

    threads = [threading.Thread(target=wait) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    sender = sqs_client()
    start = time.monotonic()
    sender.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(5)]
    )
    assert time.monotonic() - start < 1
    for thread in threads:
        thread.join(timeout=10)
    assert sum(results) == 5
