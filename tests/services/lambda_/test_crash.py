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

SLOW = "import time\n\ndef handler(event, context):\n    time.sleep(2)\n    return event\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", SLOW)
    return buffer.getvalue()


def test_async_events_survive_kill_9(tmp_path: Path) -> None:
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
        lam.put_function_event_invoke_config(
            FunctionName="slow", DestinationConfig={"OnSuccess": {"Destination": arn}}
        )
        for n in range(4):
            out = lam.invoke(
                FunctionName="slow", InvocationType="Event", Payload=json.dumps({"n": n})
            )
            assert out["StatusCode"] == 202
        time.sleep(0.8)  # the events are being invoked now
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    proc = start_kumo(tmp_path, port)
    try:
        sqs = client("sqs", port)
        seen: set[int] = set()
        deadline = time.time() + 40
        while len(seen) < 4 and time.time() < deadline:
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
            for message in got.get("Messages", []):
                seen.add(json.loads(message["Body"])["requestPayload"]["n"])
        assert seen == {0, 1, 2, 3}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
