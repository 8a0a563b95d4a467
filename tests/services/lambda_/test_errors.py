"""Lambda's error shapes for bad input across operations: code, HTTP status and message."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def _error(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    response = exc.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_unknown_runtime_is_refused(new_function: Any) -> None:
    status, code, message = _error(new_function, Runtime="cobol")
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'cobol' at 'runtime' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )


def test_a_runtime_kumo_cannot_run_fails_at_invoke(lam: Any, new_function: Any) -> None:
    name = new_function(Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    assert _error(lam.invoke, FunctionName=name, Payload=b"{}") == (
        502,
        "InvalidRuntimeException",
        "The runtime nodejs20.x is not supported by kumo, which runs Python functions only.",
    )


def test_handler_with_whitespace(new_function: Any, lam: Any) -> None:
    expected = (
        400,
        "ValidationException",
        "1 validation error detected: Value 'app handler' at 'handler' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [^\s]+",
    )
    assert _error(new_function, Handler="app handler") == expected
    name = new_function()["FunctionName"]
    assert _error(lam.update_function_configuration, FunctionName=name, Handler="app handler") == (
        expected
    )


def test_bad_qualifiers(lam: Any, new_function: Any) -> None:
    name = new_function(Publish=True)["FunctionName"]
    status, code, message = _error(lam.invoke, FunctionName=name, Qualifier="bad!q", Payload=b"{}")
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'bad!q' at 'qualifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
    )
    for call in (lam.invoke, lam.get_function, lam.get_function_configuration):
        assert _error(call, FunctionName=name, Qualifier="nope") == (
            404,
            "ResourceNotFoundException",
            f"Function not found: {ARN}{name}:nope",
        )
    assert _error(lam.invoke, FunctionName=f"{name}:1", Qualifier="2", Payload=b"{}") == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )
    assert _error(lam.delete_function, FunctionName=name, Qualifier="$LATEST") == (
        400,
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
    )


def test_alias_routing_errors(lam: Any, new_function: Any) -> None:
    name = new_function(Publish=True)["FunctionName"]
    assert _error(
        lam.create_alias,
        FunctionName=name,
        Name="live",
        FunctionVersion="$LATEST",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    ) == (
        400,
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )
    assert _error(
        lam.create_alias,
        FunctionName=name,
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    ) == (
        400,
        "InvalidParameterValueException",
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
    )
    assert _error(
        lam.create_alias,
        FunctionName=name,
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"1": 1.5}},
    ) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '1.5' at 'routingConfig.additionalVersionWeights.1."
        "member' failed to satisfy constraint: Member must have value less than or equal to 1.0",
    )
    assert _error(lam.create_alias, FunctionName=name, Name="123", FunctionVersion="1")[:2] == (
        400,
        "ValidationException",
    )
    assert _error(lam.get_alias, FunctionName=name, Name="missing") == (
        404,
        "ResourceNotFoundException",
        f"Alias not found: {ARN}{name}:missing",
    )


def test_missing_resources(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    for call, kwargs in (
        (lam.invoke, {"FunctionName": "no-such-function", "Payload": b"{}"}),
        (lam.invoke, {"FunctionName": "no-such-function", "InvocationType": "DryRun"}),
        (lam.update_function_configuration, {"FunctionName": "no-such-function", "Timeout": 3}),
        (lam.publish_version, {"FunctionName": "no-such-function"}),
    ):
        assert _error(call, **kwargs) == (
            404,
            "ResourceNotFoundException",
            f"Function not found: {ARN}no-such-function",
        )
    assert _error(lam.get_policy, FunctionName=name) == (
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )
    assert _error(lam.get_function_event_invoke_config, FunctionName=name) == (
        404,
        "ResourceNotFoundException",
        f"The function {ARN}{name}:$LATEST doesn't have an EventInvokeConfig",
    )
    assert _error(
        lam.update_function_configuration,
        FunctionName=name,
        Role="arn:aws:iam::000000000000:role/ghost",
    ) == (
        400,
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )


def test_permission_input_is_checked(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    assert _error(
        lam.add_permission,
        FunctionName=name,
        StatementId="s3",
        Action="s3:GetObject",
        Principal="s3.amazonaws.com",
    ) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 's3:GetObject' at 'action' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "(lambda:[*]|lambda:[a-zA-Z]+|[*])",
    )
    assert _error(
        lam.add_permission,
        FunctionName=name,
        StatementId="has space",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )[:2] == (400, "ValidationException")
    lam.add_permission(
        FunctionName=name,
        StatementId="s1",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    assert _error(
        lam.add_permission,
        FunctionName=name,
        StatementId="s1",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    ) == (
        409,
        "ResourceConflictException",
        "The statement id (sid) provided already exists. Please choose a new statement id, or "
        "remove the existing statement.",
    )
