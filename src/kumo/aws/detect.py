"""Which AWS service a request on the single endpoint is for.

The signals, strongest first: the ``X-Amz-Target`` prefix (json protocols), the
smithy-rpc-v2-cbor path, well-known REST path prefixes (Lambda, API Gateway, the
``@connections`` management API), SQS queue URLs and hosts, the service in the SigV4
credential scope, the query ``Action``. S3 takes whatever is left, as the real endpoint
layout implies.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import parse_qsl

from kumo.aws.http import HttpRequest
from kumo.aws.models import load_service

# Services whose requests kumo can route; their models are loaded lazily.
ROUTED_SERVICES = (
    "s3", "dynamodb", "dynamodbstreams", "sqs", "sns", "lambda", "kms", "logs",
    "stepfunctions", "events", "kinesis", "cloudformation", "cloudwatch", "sts", "iam",
    "apigateway", "apigatewayv2", "apigatewaymanagementapi",
)  # fmt: skip

# SigV4 signing names that differ from the botocore service name
SIGNING_NAMES = {
    "monitoring": "cloudwatch",
    "states": "stepfunctions",
    "execute-api": "apigatewaymanagementapi",
    "kinesis": "kinesis",
}

# Query-protocol services, in the order an ambiguous Action is resolved
QUERY_SERVICES = ("sts", "iam", "sns", "sqs", "cloudformation", "cloudwatch")

LAMBDA_PATH = re.compile(
    r"^/(2015-03-31/functions|2015-03-31/event-source-mappings|2016-08-19/account-settings"
    r"|2017-03-31/tags|2017-10-31/functions|2018-10-31/layers|2019-09-25/functions"
    r"|2019-09-30/functions|2020-04-22/code-signing-configs|2020-06-30/functions"
    r"|2021-10-31/functions|2021-11-15/functions|2023-06-30/functions|2024-08-31/functions"
    r"|2025-09-30/)"
)
APIGATEWAY_V1_PATH = re.compile(
    r"^/(restapis|apikeys|usageplans|domainnames|clientcertificates|account|vpclinks"
    r"|tags|sdktypes|domainnameaccessassociations)(/|$)"
)
SQS_QUEUE_PATH = re.compile(r"^/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?/?$")
SQS_HOST = re.compile(r"^(?:sqs\.[a-z0-9-]+|queue)\.")
CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/[^/]+$")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/\s,]*/\d{8}/([^/\s,]+)/([^/\s,]+)/aws4_request")
QUERY_CREDENTIAL = re.compile(r"^[^/]*/\d{8}/([^/]+)/([^/]+)/aws4_request$")


@cache
def _target_prefixes() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ROUTED_SERVICES:
        prefix = load_service(name).metadata.get("targetPrefix")
        if prefix:
            out[prefix] = name
    return out


@cache
def _query_actions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in reversed(QUERY_SERVICES):
        for op in load_service(name).operation_names:
            out[op] = name
    return out


def credential_scope(request: HttpRequest) -> tuple[str, str] | None:
    """``(region, signing service)`` from a SigV4 Authorization header or presigned query."""
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-"):
        match = CREDENTIAL_SCOPE.search(auth)
        if match:
            return match.group(1), match.group(2)
        return None
    if "X-Amz-Credential" in request.query_string:
        for key, value in parse_qsl(request.query_string):
            if key == "X-Amz-Credential":
                match = QUERY_CREDENTIAL.match(value)
                if match:
                    return match.group(1), match.group(2)
    return None


def detect_service(request: HttpRequest) -> str:
    """The botocore name of the service this request is for."""
    headers = request.headers
    target = headers.get("x-amz-target")
    if target:
        service = _target_prefixes().get(target.split(".", 1)[0])
        if service:
            return service

    path = request.path
    cbor = CBOR_PATH.match(path)
    if cbor:
        service = _target_prefixes().get(cbor.group(1))
        if service:
            return service
    if LAMBDA_PATH.match(path):
        return "lambda"
    if path.startswith("/@connections/"):
        return "apigatewaymanagementapi"

    host = headers.get("host", "").lower()
    scope = credential_scope(request)
    signing = SIGNING_NAMES.get(scope[1], scope[1]) if scope else None

    if signing == "apigateway" or signing is None:
        if path.startswith("/v2/"):
            return "apigatewayv2"
        if APIGATEWAY_V1_PATH.match(path) and signing == "apigateway":
            return "apigateway"
    if signing == "sqs" or SQS_HOST.match(host):
        return "sqs"
    if signing == "dynamodb":
        # DynamoDB Streams signs as "dynamodb" too; its X-Amz-Target was checked above
        return "dynamodb"
    if signing in ROUTED_SERVICES:
        return signing

    action = _form_action(request)
    if action:
        if SQS_QUEUE_PATH.match(path):
            return "sqs"
        service = _query_actions().get(action)
        if service:
            return service
    if SQS_QUEUE_PATH.match(path) and request.method == "POST":
        return "sqs"
    if signing:
        # signed for a service kumo does not route: name it in the error, do not guess
        return signing
    return "s3"


def _form_action(request: HttpRequest) -> str | None:
    if "Action=" in request.query_string:
        for key, value in parse_qsl(request.query_string):
            if key == "Action":
                return value
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        body = request.body.readall()
        for key, value in parse_qsl(body.decode("utf-8", "replace")):
            if key == "Action":
                return value
    return None


def region_from_host(host: str) -> str | None:
    """The region in hosts like ``sqs.eu-west-1.localhost:4566``."""
    parts = host.split(":")[0].split(".")
    for part in parts[1:-1]:
        if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", part):
            return part
    return None
