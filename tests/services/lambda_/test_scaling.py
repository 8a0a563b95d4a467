"""The account's concurrency limit and scale-to-zero, with kumo started as users start it
(``kumo up``) and configured through its environment settings."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.kumo_process import free_port, start_kumo
from tests.services.lambda_.conftest import TRUST, make_zip

pytestmark = pytest.mark.slow

APP = """
import os, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"pid": os.getpid(), "stream": context.log_stream_name}
"""


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KUMO_LAMBDA_CONCURRENCY", "2")
        env.setenv("KUMO_LAMBDA_IDLE_SECONDS", "1")
        chosen = free_port()
        proc = start_kumo(tmp_path_factory.mktemp("scaling"), chosen)
    try:
        yield chosen
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _client(service: str, port: int) -> Any:
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, read_timeout=30),
    )


def _function(port: int, name: str) -> Any:
    lam = _client("lambda", port)
    role = _client("iam", port).create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=TRUST)
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Handler="app.handler",
        Role=role["Role"]["Arn"],
        Code={"ZipFile": make_zip({"app.py": APP})},
        Timeout=10,
    )
    return lam


def test_account_concurrency_throttles_sync_calls_and_async_events_wait(port: int) -> None:
    lam = _function(port, "busy")
    limits = lam.get_account_settings()["AccountLimit"]
    assert limits["ConcurrentExecutions"] == 2
    sqs = _client("sqs", port)
    url = sqs.create_queue(QueueName="busy-done")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.put_function_event_invoke_config(
        FunctionName="busy", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )

    def call(_: int) -> Any:
        try:
            return lam.invoke(FunctionName="busy", Payload=b'{"sleep": 2}')["StatusCode"]
        except ClientError as exc:
            return exc.response

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(call, range(3)))
        # both slots are taken now: an event is accepted and waits for one
        assert (
            lam.invoke(FunctionName="busy", InvocationType="Event", Payload=b'{"e": 1}')[
                "StatusCode"
            ]
            == 202
        )
    assert results.count(200) == 2, results
    throttled = next(r for r in results if r != 200)
    assert throttled["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert throttled["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert throttled["ResponseMetadata"]["HTTPStatusCode"] == 429
    deadline = time.time() + 20
    records: list[Any] = []
    while not records and time.time() < deadline:
        records = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    assert records, "the waiting event never ran"
    record = json.loads(records[0]["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"e": 1}


def test_idle_instances_are_reaped(port: int) -> None:
    lam = _function(port, "idle")

    def invoke() -> tuple[dict[str, Any], str]:
        out = lam.invoke(FunctionName="idle", Payload=b"{}", LogType="Tail")
        return json.loads(out["Payload"].read()), base64.b64decode(out["LogResult"]).decode()

    first, log = invoke()
    assert "Init Duration" in log
    warm, log = invoke()
    assert warm == first and "Init Duration" not in log
    time.sleep(2.5)  # idle for longer than KUMO_LAMBDA_IDLE_SECONDS: scaled to zero
    cold, log = invoke()
    assert "Init Duration" in log
    assert cold["pid"] != first["pid"]
    assert cold["stream"] != first["stream"]
    logs = _client("logs", port)
    expected = {first["stream"], cold["stream"]}
    deadline = time.time() + 15
    names: set[str] = set()
    while names != expected and time.time() < deadline:  # logs land after the invoke returns
        streams = logs.describe_log_streams(logGroupName="/aws/lambda/idle")["logStreams"]
        names = {s["logStreamName"] for s in streams}
        time.sleep(0.1)
    assert names == expected


def test_provisioned_instances_are_started_again_after_a_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        lam = _function(port, "kept")
        lam.publish_version(FunctionName="kept")
        lam.put_provisioned_concurrency_config(
            FunctionName="kept", Qualifier="1", ProvisionedConcurrentExecutions=1
        )
        _wait_ready(lam)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    proc = start_kumo(tmp_path, port)
    try:
        lam = _client("lambda", port)
        _wait_ready(lam)
        out = lam.invoke(FunctionName="kept", Qualifier="1", Payload=b"{}", LogType="Tail")
        # the instance was started ahead of the call, by the restarted kumo
        assert "Init Duration" not in base64.b64decode(out["LogResult"]).decode()
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _wait_ready(lam: Any) -> None:
    deadline = time.time() + 20
    while True:
        config = lam.get_provisioned_concurrency_config(FunctionName="kept", Qualifier="1")
        if config["Status"] == "READY" or time.time() > deadline:
            break
        time.sleep(0.1)
    assert config["Status"] == "READY", config
