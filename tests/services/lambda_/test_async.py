"""Event invocations: the durable queue, retries, destinations and dead-letter queues."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.helpers import error_of

FAILING = "def handler(event, context):\n    raise RuntimeError('nope')\n"
OK = "def handler(event, context):\n    return {'got': event}\n"


@pytest.fixture(autouse=True)
def fast_retries(kumo: Any) -> Iterator[None]:
    queue = kumo.platform.providers["lambda"].queue
    saved = queue.retry_base
    queue.retry_base = 0.05
    yield
    queue.retry_base = saved


@pytest.fixture
def sqs(aws_client: Any) -> Any:
    return aws_client("sqs")


def _queue(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"dest-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _receive(sqs: Any, url: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if got:
            return dict(got[0])
    raise AssertionError("no message arrived")


def test_failures_are_retried_then_sent_to_on_failure(
    lam: Any, sqs: Any, new_function: Any
) -> None:
    url, arn = _queue(sqs)
    name = new_function(files={"app.py": FAILING})["FunctionName"]
    config = lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    assert config["MaximumRetryAttempts"] == 1
    assert config["FunctionArn"].endswith(f":{name}:$LATEST")
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 1}))
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"].endswith(f":{name}:$LATEST")
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "nope"


def test_success_goes_to_on_success(lam: Any, sqs: Any, new_function: Any) -> None:
    url, arn = _queue(sqs)
    name = new_function(files={"app.py": OK})["FunctionName"]
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"x": 2}')
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"got": {"x": 2}}
    assert "functionError" not in record["responseContext"]


def test_dead_letter_queue_gets_the_event(lam: Any, sqs: Any, new_function: Any) -> None:
    url, arn = _queue(sqs)
    name = new_function(files={"app.py": FAILING}, DeadLetterConfig={"TargetArn": arn})[
        "FunctionName"
    ]
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"lost": true}')
    message = _receive(sqs, url)
    assert json.loads(message["Body"]) == {"lost": True}
    attributes = message["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "nope"
    assert "RequestID" in attributes


def test_function_destination_is_invoked(lam: Any, sqs: Any, new_function: Any) -> None:
    url, arn = _queue(sqs)
    second = new_function(files={"app.py": OK})
    lam.put_function_event_invoke_config(
        FunctionName=second["FunctionName"],
        DestinationConfig={"OnSuccess": {"Destination": arn}},
    )
    first = new_function(files={"app.py": OK})["FunctionName"]
    lam.put_function_event_invoke_config(
        FunctionName=first,
        DestinationConfig={"OnSuccess": {"Destination": second["FunctionArn"]}},
    )
    lam.invoke(FunctionName=first, InvocationType="Event", Payload=b'{"hop": 1}')
    record = json.loads(_receive(sqs, url)["Body"])
    # the second function received the first one's invocation record as its event
    inner = record["responsePayload"]["got"]
    assert inner["requestPayload"] == {"hop": 1}
    assert inner["requestContext"]["condition"] == "Success"


def test_event_invoke_config_operations(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": OK}, Publish=True)["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"The function arn:aws:lambda:us-east-1:000000000000:function:{name}:$LATEST doesn't "
        "have an EventInvokeConfig",
    )
    with pytest.raises(ClientError):
        lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=120)
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=0)
    updated = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    assert updated["MaximumEventAgeInSeconds"] == 120
    assert updated["MaximumRetryAttempts"] == 1
    got = lam.get_function_event_invoke_config(FunctionName=name, Qualifier="1")
    assert got["MaximumRetryAttempts"] == 0
    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    arns = sorted(c["FunctionArn"].rsplit(":", 1)[1] for c in listed["FunctionEventInvokeConfigs"])
    assert arns == ["$LATEST", "1"]
    lam.delete_function_event_invoke_config(FunctionName=name, Qualifier="1")
    with pytest.raises(ClientError):
        lam.get_function_event_invoke_config(FunctionName=name, Qualifier="1")


def test_queue_resumes_after_restart(tmp_path: Any) -> None:
    """An event accepted before a stop runs once kumo is back on the same data dir."""
    import boto3

    from kumo.config import Settings
    from kumo.platform import Platform
    from kumo.server import ServerThread
    from kumo.services.lambda_.async_queue import enqueue, new_event
    from kumo.services.lambda_.models import FunctionRef
    from tests.services.lambda_.conftest import TRUST, make_zip

    def start() -> tuple[Platform, ServerThread]:
        settings = Settings(host="127.0.0.1", port=0, data_dir=tmp_path)
        platform = Platform(settings)
        server = ServerThread(platform.app)
        settings.port = server.port
        server.start()
        return platform, server

    def client(server: ServerThread, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    platform, server = start()
    try:
        role = client(server, "iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)[
            "Role"
        ]["Arn"]
        sqs = client(server, "sqs")
        url = sqs.create_queue(QueueName="after-restart")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        lam = client(server, "lambda")
        lam.create_function(
            FunctionName="later",
            Runtime="python3.12",
            Handler="app.handler",
            Role=role,
            Code={"ZipFile": make_zip({"app.py": OK})},
        )
        lam.put_function_event_invoke_config(
            FunctionName="later", DestinationConfig={"OnSuccess": {"Destination": arn}}
        )
    finally:
        server.stop()
        platform.close()
    # an event accepted just before the stop, not yet run
    platform, server = None, None  # type: ignore[assignment]
    from kumo.storage import open_store

    store = open_store(tmp_path)
    ref = FunctionRef("000000000000", "us-east-1", "later")
    store.write(lambda tx: enqueue(tx, new_event(ref, ref.arn, b'{"kept": 1}', None)))
    store.close()
    platform, server = start()
    try:
        message = _receive(client(server, "sqs"), url)
        assert json.loads(message["Body"])["requestPayload"] == {"kept": 1}
    finally:
        server.stop()
        platform.close()


def test_throttled_event_waits_for_concurrency(lam: Any, sqs: Any, new_function: Any) -> None:
    url, arn = _queue(sqs)
    name = new_function(files={"app.py": OK})["FunctionName"]
    lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": arn}},
    )
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"w": 1}')
    time.sleep(1.5)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    lam.delete_function_concurrency(FunctionName=name)
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_sns_destination(lam: Any, sqs: Any, aws_client: Any, new_function: Any) -> None:
    sns = aws_client("sns")
    topic = sns.create_topic(Name=f"dest-{uuid.uuid4().hex[:8]}")["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    name = new_function(files={"app.py": FAILING})["FunctionName"]
    lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"via": "sns"}')
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"via": "sns"}
