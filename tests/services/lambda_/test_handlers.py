"""Unmodified Lambda handlers: plain boto3 against kumo's services, and aws-lambda-powertools.

The handlers are written as they are for AWS: clients built at module level with no endpoint
(``AWS_ENDPOINT_URL`` points them at kumo), powertools carried by a layer built from the
installed packages the way users build one (``python/<package>`` in a zip).
"""

from __future__ import annotations

import functools
import importlib.metadata
import io
import json
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from botocore.exceptions import ClientError

from tests.services.lambda_.conftest import make_zip

BOTO3_APP = """
import json
import os

import boto3

# module-level clients, no endpoint in code: AWS_ENDPOINT_URL sends them to kumo
s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
sqs = boto3.client("sqs")
sts = boto3.client("sts")


def handler(event, context):
    order_id = event["id"]
    s3.put_object(Bucket=os.environ["BUCKET"], Key=f"orders/{order_id}.json",
                  Body=json.dumps(event).encode())
    table.put_item(Item={"pk": order_id, "total": event["total"]})
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps({"id": order_id}))
    return {"caller": sts.get_caller_identity()["Arn"]}
"""


def test_plain_boto3_handler_uses_s3_dynamodb_and_sqs(
    lam: Any, aws_client: Any, new_function: Any, role_arn: str
) -> None:
    suffix = uuid.uuid4().hex[:8]
    s3, ddb, sqs = aws_client("s3"), aws_client("dynamodb"), aws_client("sqs")
    bucket = f"orders-{suffix}"
    s3.create_bucket(Bucket=bucket)
    table = f"orders-{suffix}"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue_url = sqs.create_queue(QueueName=f"orders-{suffix}")["QueueUrl"]
    name = new_function(
        files={"app.py": BOTO3_APP},
        Timeout=30,
        Environment={"Variables": {"BUCKET": bucket, "TABLE": table, "QUEUE_URL": queue_url}},
    )["FunctionName"]

    out = lam.invoke(FunctionName=name, Payload=json.dumps({"id": "o-1", "total": 42}))
    body = json.loads(out["Payload"].read())
    assert "FunctionError" not in out, body
    # every call the function made was signed with its role's credentials
    role_name = role_arn.rsplit("/", 1)[1]
    assert body["caller"] == f"arn:aws:sts::000000000000:assumed-role/{role_name}/{name}"

    stored = s3.get_object(Bucket=bucket, Key="orders/o-1.json")["Body"].read()
    assert json.loads(stored) == {"id": "o-1", "total": 42}
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "o-1"}})["Item"]
    assert item == {"pk": {"S": "o-1"}, "total": {"N": "42"}}
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"]
    assert [json.loads(m["Body"]) for m in messages] == [{"id": "o-1"}]


# -- aws-lambda-powertools ---------------------------------------------------------------

POWERTOOLS_DISTRIBUTIONS = (
    "aws-lambda-powertools",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "annotated_types",
    "typing-inspection",
    "aws-xray-sdk",
    "wrapt",
)


@functools.cache
def powertools_layer_zip() -> bytes:
    """A layer holding powertools, the parser's pydantic and the tracer's X-Ray SDK under
    ``python/``, copied from the installed distributions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in POWERTOOLS_DISTRIBUTIONS:
            dist = importlib.metadata.distribution(name)
            for entry in dist.files or ():
                path = str(entry)
                top = path.split("/", 1)[0]
                if top.startswith("..") or top.endswith((".dist-info", ".data")):
                    continue
                if "__pycache__" in path:
                    continue
                archive.writestr(f"python/{path}", entry.locate().read_bytes())
    return buffer.getvalue()


POWERTOOLS_APP = """
import json

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent, event_source
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import LambdaFunctionUrlModel, SqsModel

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event, context):
    orders = parse(event=event, model=SqsModel)
    bodies = [json.loads(record.body) for record in orders.Records]
    logger.info("orders received", extra={"count": len(bodies)})
    metrics.add_metric(name="OrdersReceived", unit=MetricUnit.Count, value=len(bodies))
    return {"ids": [b["id"] for b in bodies], "queue": orders.Records[0].eventSourceARN}


@event_source(data_class=LambdaFunctionUrlEvent)
def url_handler(event, context):
    # the URL event also has to satisfy powertools' pydantic model of it
    model = parse(event=event.raw_event, model=LambdaFunctionUrlModel)
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({
            "path": event.path,
            "method": event.request_context.http.method,
            "name": event.get_query_string_value("name"),
            "body": event.json_body,
            "model_path": model.rawPath,
        }),
    }
"""

SQS_EVENT = {
    "Records": [
        {
            "messageId": f"059f36b4-87a3-44ab-83d2-66197555555{n}",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
            "body": json.dumps({"id": f"order-{n}"}),
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1545082649183",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1545082649185",
            },
            "messageAttributes": {},
            "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:orders",
            "awsRegion": "us-east-1",
        }
        for n in (1, 2)
    ]
}


def _powertools_function(lam: Any, new_function: Any, handler: str) -> str:
    layer = lam.publish_layer_version(
        LayerName=f"powertools-{uuid.uuid4().hex[:6]}",
        Content={"ZipFile": powertools_layer_zip()},
        CompatibleRuntimes=["python3.12"],
    )
    return str(
        new_function(
            files={"app.py": POWERTOOLS_APP},
            Handler=handler,
            Layers=[layer["LayerVersionArn"]],
            Timeout=30,
            MemorySize=512,
            Environment={
                "Variables": {
                    "POWERTOOLS_SERVICE_NAME": "orders",
                    "POWERTOOLS_METRICS_NAMESPACE": "Shop",
                    "POWERTOOLS_TRACE_DISABLED": "true",
                }
            },
        )["FunctionName"]
    )


def _poll(fetch: Any, timeout: float = 15) -> Any:
    """What ``fetch`` finds once it finds something; function logs are written after the
    invoke returns (as on AWS), so until then even the log group may not exist."""
    deadline = time.time() + timeout
    while True:
        try:
            found = fetch()
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            found = None
        if found or time.time() > deadline:
            return found
        time.sleep(0.2)


def test_powertools_logger_metrics_and_parser(lam: Any, aws_client: Any, new_function: Any) -> None:
    name = _powertools_function(lam, new_function, "app.handler")
    out = lam.invoke(FunctionName=name, Payload=json.dumps(SQS_EVENT))
    body = json.loads(out["Payload"].read())
    assert "FunctionError" not in out, body
    assert body == {
        "ids": ["order-1", "order-2"],
        "queue": "arn:aws:sqs:us-east-1:000000000000:orders",
    }
    request_id = out["ResponseMetadata"]["RequestId"]

    # Logger: one structured JSON line, readable through CloudWatch Logs with a JSON filter
    logs = aws_client("logs")
    events = _poll(
        lambda: logs.filter_log_events(
            logGroupName=f"/aws/lambda/{name}", filterPattern='{ $.message = "orders received" }'
        )["events"]
    )
    assert len(events) == 1, events
    record = json.loads(events[0]["message"])
    assert record["level"] == "INFO"
    assert record["service"] == "orders"
    assert record["count"] == 2
    assert record["function_name"] == name
    assert record["function_request_id"] == request_id
    assert record["cold_start"] is True

    # Metrics: the EMF line the decorator prints becomes a CloudWatch metric
    cloudwatch = aws_client("cloudwatch")
    now = datetime.now(UTC)

    def stats() -> list[dict[str, Any]]:
        return list(
            cloudwatch.get_metric_statistics(
                Namespace="Shop",
                MetricName="OrdersReceived",
                Dimensions=[{"Name": "service", "Value": "orders"}],
                StartTime=now - timedelta(minutes=5),
                EndTime=now + timedelta(minutes=5),
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
        )

    points = _poll(stats)
    assert sum(p["Sum"] for p in points) >= 2
    assert {p["Unit"] for p in points} == {"Count"}

    # warm: the same instance, cold_start now false
    lam.invoke(FunctionName=name, Payload=json.dumps(SQS_EVENT))
    events = _poll(
        lambda: [
            e
            for e in logs.filter_log_events(
                logGroupName=f"/aws/lambda/{name}",
                filterPattern='{ $.message = "orders received" }',
            )["events"]
            if json.loads(e["message"])["cold_start"] is False
        ]
    )
    assert events


def test_powertools_event_source_over_a_function_url(
    kumo: Any, lam: Any, new_function: Any
) -> None:
    name = _powertools_function(lam, new_function, "app.url_handler")
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lam.add_permission(
        FunctionName=name,
        StatementId="public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    response = requests.post(
        f"{kumo.url}/orders/new?name=ada",
        headers={"Host": urlsplit(url).netloc, "content-type": "application/json"},
        data=b'{"qty": 3}',
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "path": "/orders/new",
        "method": "POST",
        "name": "ada",
        "body": {"qty": 3},
        "model_path": "/orders/new",
    }


def test_a_package_not_in_the_zip_or_a_layer_is_not_importable(lam: Any, new_function: Any) -> None:
    """As on Lambda, only the SDK comes with the runtime: powertools must be deployed."""
    name = new_function(
        files={"app.py": "import aws_lambda_powertools\n\ndef handler(e, c):\n    return 1\n"}
    )["FunctionName"]
    out = lam.invoke(FunctionName=name, Payload=b"{}")
    body = json.loads(out["Payload"].read())
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == (
        "Unable to import module 'app': No module named 'aws_lambda_powertools'"
    )
    # the same code with the package in the zip imports it from there
    bundled = make_zip(
        {
            "app.py": "import shipping\n\ndef handler(e, c):\n    return shipping.CARRIER\n",
            "shipping/__init__.py": "CARRIER = 'bundled'\n",
        }
    )
    name = new_function(Code={"ZipFile": bundled})["FunctionName"]
    assert json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == "bundled"
