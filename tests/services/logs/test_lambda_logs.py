"""A function's output reaches CloudWatch Logs, and its EMF lines become metrics."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
import zipfile
from typing import Any

from botocore.exceptions import ClientError

HANDLER = """
import json
import logging
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    print("hello from", context.function_name)
    logger.info("handled %s", event["n"])
    print(json.dumps({
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": event["namespace"],
                "Dimensions": [["service"]],
                "Metrics": [{"Name": "Handled", "Unit": "Count"}],
            }],
        },
        "service": "e2e",
        "Handled": 1,
    }))
    return {"ok": True}
"""

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def messages_of(logs: Any, group: str) -> list[str]:
    """The group's messages so far; none while its first lines are still on their way."""
    try:
        events = logs.filter_log_events(logGroupName=group)["events"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return []
    return [e["message"] for e in events]


def test_function_logs_and_emf_metrics(aws_client: Any, logs: Any) -> None:
    lam, iam, cloudwatch = aws_client("lambda"), aws_client("iam"), aws_client("cloudwatch")
    suffix = uuid.uuid4().hex[:10]
    role = iam.create_role(RoleName=f"logs-e2e-{suffix}", AssumeRolePolicyDocument=TRUST)
    name = f"logs-e2e-{suffix}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Handler="app.handler",
        Role=role["Role"]["Arn"],
        Code={"ZipFile": package()},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    namespace = f"Kumo/E2E-{suffix}"
    for n in range(2):
        out = lam.invoke(
            FunctionName=name, Payload=json.dumps({"n": n, "namespace": namespace}).encode()
        )
        assert "FunctionError" not in out
    group = f"/aws/lambda/{name}"
    messages: list[str] = []
    for _ in range(100):
        messages = messages_of(logs, group)
        if sum(m.startswith("REPORT") for m in messages) == 2:
            break
        time.sleep(0.1)
    assert sum(m.startswith("START RequestId:") for m in messages) == 2
    assert sum(m.startswith("REPORT RequestId:") for m in messages) == 2
    assert any(f"hello from {name}" in m for m in messages)
    assert any("handled 1" in m for m in messages)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert streams and all("[$LATEST]" in s["logStreamName"] for s in streams)
    now = dt.datetime.now(dt.UTC)
    stats = cloudwatch.get_metric_statistics(
        Namespace=namespace, MetricName="Handled", Dimensions=[{"Name": "service", "Value": "e2e"}],
        StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(minutes=5),
        Period=900, Statistics=["Sum"],
    )  # fmt: skip
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 2.0
    insights = logs.start_query(
        logGroupName=group,
        startTime=int(now.timestamp()) - 600,
        endTime=int(now.timestamp()) + 60,
        queryString='filter @type = "REPORT" | stats count(*) as invocations, max(@duration)',
    )
    result = logs.get_query_results(queryId=insights["queryId"])
    row = {f["field"]: f["value"] for f in result["results"][0]}
    assert row["invocations"] == "2"
