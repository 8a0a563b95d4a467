"""No acknowledged message is lost: kill -9 kumo while messages are sent, received and
deleted; restart; drain."""

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

HELD_SECONDS = 12


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
        deadline = time.monotonic() + 60
        while not acknowledged <= received and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                received.add(message["MessageId"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert acknowledged - received == set()
    finally:
        proc.kill()
        proc.wait()


def test_receives_and_deletes_survive_kill_9(tmp_path: Path) -> None:
    """kill -9 while consumers receive and delete: after the restart every acknowledged
    message is either back (its receive's visibility timeout over) or was deleted by its
    consumer, an acknowledged delete stays deleted, and a message in flight at the kill
    stays invisible until its visibility timeout ends."""
    port = free_port()
    proc = start_kumo(tmp_path, port)
    setup = kumo_client("sqs", port)
    url = setup.create_queue(QueueName="churn", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sent: set[str] = set()
    for start in range(0, 200, 10):
        batch = setup.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)],
        )
        sent |= {entry["MessageId"] for entry in batch["Successful"]}
    assert len(sent) == 200
    # held in flight across the kill, for HELD_SECONDS from its receive
    setup.send_message(QueueUrl=url, MessageBody="held")
    held_before = time.time()
    held_mono = time.monotonic()
    held = None
    while held is None:
        for message in setup.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=HELD_SECONDS
        ).get("Messages", []):
            if message["Body"] == "held":
                held = message["MessageId"]
            else:  # put the others straight back
                setup.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    deleted: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    # deletes sent; one the kill cut off may have committed without its answer arriving
    attempted: set[str] = set()

    def consumer() -> None:
        sqs = kumo_client("sqs", port)
        while not stop.is_set():
            try:
                # long enough that no handle goes stale before its delete
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=5)
                messages = got.get("Messages", [])
                if not messages:
                    continue
                ones, rest = messages[:2], messages[2:]
                for message in ones:
                    with lock:
                        attempted.add(message["MessageId"])
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    with lock:
                        deleted.add(message["MessageId"])
                if rest:
                    with lock:
                        attempted.update(m["MessageId"] for m in rest)
                    result = sqs.delete_message_batch(
                        QueueUrl=url,
                        Entries=[
                            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                            for i, m in enumerate(rest)
                        ],
                    )
                    ok = {int(entry["Id"]) for entry in result.get("Successful", [])}
                    with lock:
                        deleted.update(rest[i]["MessageId"] for i in ok)
            except (BotoCoreError, ClientError):
                return

    threads = [threading.Thread(target=consumer) for _ in range(4)]
    for thread in threads:
        thread.start()
    # kill while consumers are busy (they would drain all 200 within a few seconds), and
    # while the held message is still in flight
    deadline = held_mono + HELD_SECONDS - 3
    while time.monotonic() < deadline:
        with lock:
            if len(deleted) >= 40:
                break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for thread in threads:
        thread.join()
    assert 0 < len(deleted) < 200
    assert held not in deleted

    proc = start_kumo(tmp_path, port)
    try:
        sqs = kumo_client("sqs", port)
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while not (sent - deleted) | {held} <= set(seen) and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            now = time.time()
            for message in got.get("Messages", []):
                seen.setdefault(message["MessageId"], now)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        # nothing acknowledged is lost; nothing whose delete was acknowledged returns
        # only a delete that was sent (its answer lost to the kill) may have taken a message
        missing = (sent - deleted) - set(seen) - attempted
        left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert missing == set(), (len(missing), len(deleted), len(seen), left)
        assert deleted & set(seen) == set()
        # the held message came back, and not before its visibility timeout ended
        assert held in seen
        assert seen[held] >= held_before + HELD_SECONDS
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "0"
        assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
    finally:
        proc.kill()
        proc.wait()
