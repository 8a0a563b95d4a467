"""No acknowledged message is lost: kill -9 kumo while messages are sent, restart, drain."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.kumo_process import client as kumo_client
from tests.kumo_process import free_port, start_kumo

pytestmark = pytest.mark.slow


def test_acknowledged_messages_survive_kill_9(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    url = kumo_client("sqs", port).create_queue(
        QueueName="crash", Attributes={"VisibilityTimeout": "1"}
    )["QueueUrl"]
    # one message in flight when kumo dies: it must come back after its timeout
    client = kumo_client("sqs", port)
    client.send_message(QueueUrl=url, MessageBody="in flight")
    in_flight = client.receive_message(QueueUrl=url)["Messages"][0]["MessageId"]
    acknowledged: set[str] = {in_flight}
    lock = threading.Lock()
    stop = threading.Event()

    def sender(worker: int) -> None:
        sqs = kumo_client("sqs", port)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                sent = sqs.send_message(QueueUrl=url, MessageBody=f"{worker}-{n}")
            except (BotoCoreError, ClientError):
                return
            if "MessageId" not in sent:
                return  # the response was cut off by the kill: not acknowledged
            with lock:
                acknowledged.add(sent["MessageId"])

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) > 10

    proc = start_kumo(tmp_path, port)
    try:
        sqs = kumo_client("sqs", port)
        received: set[str] = set()
        deadline = time.monotonic() + 30
        while not acknowledged <= received and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                received.add(message["MessageId"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert acknowledged - received == set()
    finally:
        proc.kill()
        proc.wait()
