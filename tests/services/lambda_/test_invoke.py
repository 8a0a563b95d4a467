"""Invoke through boto3 and the AWS CLI: results, errors, logs, qualifiers, limits."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.conftest import make_zip
from tests.services.lambda_.helpers import error_of

ECHO = """
import os

def handler(event, context):
    print("hello from", context.function_name)
    return {"event": event, "version": context.function_version,
            "arn": context.invoked_function_arn, "stage": os.environ.get("STAGE")}
"""

FAILING = """
def handler(event, context):
    raise ValueError("bad input")
"""

WHOAMI = """
import boto3

def handler(event, context):
    return boto3.client("sts").get_caller_identity()["Arn"]
"""


def _payload(out: dict[str, Any]) -> Any:
    return json.loads(out["Payload"].read())


def test_request_response(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO}, Environment={"Variables": {"STAGE": "dev"}})[
        "FunctionName"
    ]
    out = lam.invoke(FunctionName=name, Payload=json.dumps({"a": 1}))
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in out
    body = _payload(out)
    assert body["event"] == {"a": 1}
    assert body["version"] == "$LATEST"
    assert body["stage"] == "dev"
    assert body["arn"].endswith(f":function:{name}")


def test_tail_log(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    log = base64.b64decode(out["LogResult"]).decode()
    assert "hello from " + name in log
    assert "START RequestId:" in log
    assert "REPORT RequestId:" in log


def test_function_error(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": FAILING})["FunctionName"]
    out = lam.invoke(FunctionName=name, Payload=b"{}")
    assert out["StatusCode"] == 200
    assert out["FunctionError"] == "Unhandled"
    body = _payload(out)
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input"
    assert "requestId" in body
    assert isinstance(body["stackTrace"], list)


def test_function_credentials_are_its_role(lam: Any, new_function: Any, role_arn: str) -> None:
    name = new_function(files={"app.py": WHOAMI})["FunctionName"]
    arn = _payload(lam.invoke(FunctionName=name, Payload=b"{}"))
    role_name = role_arn.rsplit("/", 1)[1]
    assert arn == f"arn:aws:sts::000000000000:assumed-role/{role_name}/{name}"


def test_qualifiers_and_executed_version(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO}, Publish=True)["FunctionName"]
    out = lam.invoke(FunctionName=name, Qualifier="1", Payload=b"{}")
    assert out["ExecutedVersion"] == "1"
    assert _payload(out)["arn"].endswith(f":{name}:1")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    out = lam.invoke(FunctionName=f"{name}:live", Payload=b"{}")
    assert out["ExecutedVersion"] == "1"
    assert _payload(out)["arn"].endswith(f":{name}:live")
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Qualifier="7", Payload=b"{}")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{name}:7",
    )


def test_dry_run_and_event(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert lam.invoke_async(FunctionName=name, InvokeArgs=b"{}")["Status"] == 202


def test_payload_errors(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b"{not json")
    assert error_of(exc)[0] == "InvalidRequestContentException"
    big = json.dumps("x" * (6 * 1024 * 1024)).encode()
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=big)
    assert error_of(exc) == (
        "RequestEntityTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    )
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    event = json.dumps("x" * (300 * 1024)).encode()
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=event, InvocationType="Event")
    assert error_of(exc) == (
        "RequestEntityTooLargeException",
        f"{len(event)} byte payload is too large for the Event invocation type (limit 262144 "
        "bytes)",
    )


def test_reserved_concurrency_zero_throttles(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert error_of(exc)[0] == "TooManyRequestsException"
    assert exc.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_aws_cli_invoke(aws_cli: Any, new_function: Any, tmp_path: Path) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    out_file = tmp_path / "out.json"
    proc = aws_cli(
        "lambda",
        "invoke",
        "--function-name",
        name,
        "--payload",
        '{"k": "v"}',
        str(out_file),
    )
    summary = json.loads(proc.stdout)
    assert summary["StatusCode"] == 200
    assert summary["ExecutedVersion"] == "$LATEST"
    assert json.loads(out_file.read_text())["event"] == {"k": "v"}


def test_layers_are_importable(lam: Any, new_function: Any) -> None:
    layer = lam.publish_layer_version(
        LayerName="greeting",
        Content={"ZipFile": make_zip({"python/greeting.py": "WORD = 'hi from a layer'\n"})},
        CompatibleRuntimes=["python3.12"],
    )
    code = "import greeting\n\ndef handler(event, context):\n    return greeting.WORD\n"
    name = new_function(files={"app.py": code}, Layers=[layer["LayerVersionArn"]])["FunctionName"]
    assert _payload(lam.invoke(FunctionName=name, Payload=b"{}")) == "hi from a layer"
    # a deleted layer version keeps working for the functions that use it
    lam.delete_layer_version(LayerName="greeting", VersionNumber=layer["Version"])
    lam.update_function_configuration(FunctionName=name, Timeout=5)
    assert _payload(lam.invoke(FunctionName=name, Payload=b"{}")) == "hi from a layer"


SLOW = "import time\n\ndef handler(event, context):\n    time.sleep(1.5)\n    return 1\n"


def test_over_reserved_concurrency_is_throttled(lam: Any, new_function: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    name = new_function(files={"app.py": SLOW}, Timeout=10)["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)

    def call(_: int) -> Any:
        try:
            return lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"]
        except ClientError as exc:
            return exc.response

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(call, range(3)))
    assert results.count(200) >= 1
    throttled = [r for r in results if r != 200]
    assert throttled, results
    for response in throttled:
        assert response["Error"]["Code"] == "TooManyRequestsException"
        assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


USES_S3 = """
import boto3

s3 = boto3.client("s3")  # module-level init, as handlers usually do

def handler(event, context):
    s3.put_object(Bucket=event["bucket"], Key="from-lambda.txt", Body=b"written by a function")
    return s3.get_object(Bucket=event["bucket"], Key="from-lambda.txt")["Body"].read().decode()
"""


def test_handler_uses_kumo_s3(lam: Any, aws_client: Any, new_function: Any) -> None:
    s3 = aws_client("s3")
    bucket = f"fn-bucket-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    name = new_function(files={"app.py": USES_S3}, Timeout=30)["FunctionName"]
    out = lam.invoke(FunctionName=name, Payload=json.dumps({"bucket": bucket}))
    assert "FunctionError" not in out, out["Payload"].read()
    assert _payload(out) == "written by a function"
    body = s3.get_object(Bucket=bucket, Key="from-lambda.txt")["Body"].read()
    assert body == b"written by a function"


def test_invoke_with_response_stream(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ECHO})["FunctionName"]
    out = lam.invoke_with_response_stream(FunctionName=name, Payload=b'{"s": 1}', LogType="Tail")
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    events = list(out["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(chunks)["event"] == {"s": 1}
    complete = events[-1]["InvokeComplete"]
    assert "REPORT RequestId:" in base64.b64decode(complete["LogResult"]).decode()
    failing = new_function(files={"app.py": FAILING})["FunctionName"]
    out = lam.invoke_with_response_stream(FunctionName=failing, Payload=b"{}")
    complete = list(out["EventStream"])[-1]["InvokeComplete"]
    assert complete["ErrorCode"] == "Unhandled"
    assert json.loads(complete["ErrorDetails"])["errorMessage"] == "bad input"


CONTEXT = """
def handler(event, context):
    return context.client_context.custom
"""


def test_client_context(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": CONTEXT})["FunctionName"]
    encoded = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    out = lam.invoke(FunctionName=name, Payload=b"{}", ClientContext=encoded)
    assert _payload(out) == {"k": "v"}
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b"{}", ClientContext="not base64!")
    assert error_of(exc) == (
        "InvalidRequestContentException",
        "Client context must be a valid Base64-encoded JSON object.",
    )


def test_a_result_over_6mb_is_a_function_error(lam: Any, new_function: Any) -> None:
    source = "def handler(event, context):\n    return 'x' * event['n']\n"
    name = new_function(files={"app.py": source}, MemorySize=512)["FunctionName"]
    # the JSON string's quotes count: 6291554 characters make 6291556 bytes
    assert len(_payload(lam.invoke(FunctionName=name, Payload=b'{"n": 6291554}'))) == 6291554
    out = lam.invoke(FunctionName=name, Payload=b'{"n": 6291555}')
    assert out["FunctionError"] == "Unhandled"
    assert _payload(out) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
