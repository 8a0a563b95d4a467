"""Documents and small helpers the IAM and STS tests share."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST_LAMBDA = json.dumps(
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

S3_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
    }
)

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ACCOUNT = "000000000000"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    """The code, message and HTTP status boto3 reports for a failed call."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def raw_body(client: Any, operation: str) -> list[str]:
    """Collects the raw response bodies of ``operation`` made with ``client``."""
    bodies: list[str] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.text)

    client.meta.events.register(
        f"after-call.{client.meta.service_model.service_name}.{operation}", keep
    )
    return bodies


def signature_problems(provider: type[Any]) -> list[str]:
    """Where a provider's methods disagree with its botocore model: unknown operations,
    parameters that are no input member, required members a method does not accept."""
    import inspect

    from botocore import xform_name

    from kumo.aws.models import load_service

    model = load_service(provider.service)
    problems: list[str] = []
    for operation, attr in sorted(provider.operations.items()):
        if operation not in model.operation_names:
            problems.append(f"{operation}: not an operation of {provider.service}")
            continue
        shape = model.operation_model(operation).input_shape
        members = {xform_name(m): m for m in (shape.members if shape else {})}
        required = {xform_name(m) for m in (shape.required_members if shape else [])}
        params = list(inspect.signature(getattr(provider, attr)).parameters.values())[2:]
        names = {p.name for p in params}
        problems += [f"{operation}: {n} is no input member" for n in names - set(members)]
        problems += [f"{operation}: required {n} not accepted" for n in required - names]
        for p in params:
            if p.name in required and p.default is not inspect.Parameter.empty:
                problems.append(f"{operation}: required {p.name} has a default")
            if p.name not in required and p.default is inspect.Parameter.empty:
                problems.append(f"{operation}: optional {p.name} has no default")
    return problems
