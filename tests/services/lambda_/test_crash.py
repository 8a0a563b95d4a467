"""An accepted asynchronous invocation is never lost: kill -9 kumo mid-invoke, restart."""

from __future__ import annotations

import io
import json
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest

from tests.kumo_process import client, free_port, start_kumo
from tests.services.lambda_.conftest import TRUST

pytestmark = pytest.mark.slow

SLOW = "import time\n\ndef handler(event, context):\n    time.sleep(1)\n    return event\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", SLOW)
    return buffer.getvalue()


def test_async_events_survive_kill_9(tmp_path: Path) -> None:
    """Six events are accepted (202) while the function runs one at a time; kumo is killed
    with one running and the rest queued. After a restart every event is delivered."""
    events = 6
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        role = client("iam", port).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        sqs = client("sqs", port)
        url = sqs.create_queue(QueueName="done")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        lam = client("lambda", port)
        lam.create_function(
            FunctionName="slow",
            Runtime="python3.12",
            Handler="app.handler",
            Role=role["Role"]["Arn"],
            Code={"ZipFile": _zip()},
            Timeout=10,
        )
        # one at a time: the events wait in the queue
        lam.put_function_concurrency(FunctionName="slow", ReservedConcurrentExecutions=1)
        lam.put_function_event_invoke_config(
            FunctionName="slow", DestinationConfig={"OnSuccess": {"Destination": arn}}
        )
        for n in range(events):
            out = lam.invoke(
                FunctionName="slow", InvocationType="Event", Payload=json.dumps({"n": n})
            )
            assert out["StatusCode"] == 202
        time.sleep(0.5)  # the first event is running now
        # nothing has finished yet: every event is still kumo's to deliver
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        assert attributes == {
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
        }
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL

    proc = start_kumo(tmp_path, port)
    try:
        sqs = client("sqs", port)
        delivered: list[int] = []
        deadline = time.time() + 60
        while set(delivered) != set(range(events)) and time.time() < deadline:
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
            for message in got.get("Messages", []):
                delivered.append(json.loads(message["Body"])["requestPayload"]["n"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        # at least once: each event arrives; only the one cut off mid-run may come twice
        assert set(delivered) == set(range(events)), delivered
        assert len(delivered) - len(set(delivered)) <= 1, delivered
    finally:
        proc.terminate()
        proc.wait(timeout=15)
