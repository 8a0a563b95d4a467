"""PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy and their agreement with
AddPermission / GetPolicy / RemovePermission, through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.helpers import error_of


def _document(arn: str, sid: str = "FromS3", principal: str = "s3.amazonaws.com") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "lambda:InvokeFunction",
                    "Resource": arn,
                }
            ],
        }
    )


def test_put_then_get_returns_the_policy(lam: Any, new_function: Any) -> None:
    arn = new_function()["FunctionArn"]
    put = lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn))
    stored = json.loads(put["Policy"])
    assert stored["Statement"][0]["Sid"] == "FromS3"
    assert stored["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    got = lam.get_resource_policy(ResourceArn=arn)
    assert json.loads(got["Policy"]) == stored
    assert got["RevisionId"] == put["RevisionId"]


def test_get_policy_sees_the_same_policy(lam: Any, new_function: Any) -> None:
    fn = new_function()
    arn = fn["FunctionArn"]
    put = lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn))
    old = lam.get_policy(FunctionName=fn["FunctionName"])
    assert json.loads(old["Policy"])["Statement"] == json.loads(put["Policy"])["Statement"]
    assert old["RevisionId"] == put["RevisionId"]


def test_put_replaces_permissions_added_before(lam: Any, new_function: Any) -> None:
    fn = new_function()
    name, arn = fn["FunctionName"], fn["FunctionArn"]
    lam.add_permission(
        FunctionName=name,
        StatementId="old",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn, sid="new"))
    sids = [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]]
    assert sids == ["new"]
    # AddPermission and RemovePermission keep working on the policy put here
    lam.add_permission(
        FunctionName=name,
        StatementId="more",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
    )
    lam.remove_permission(FunctionName=name, StatementId="new")
    got = json.loads(lam.get_resource_policy(ResourceArn=arn)["Policy"])
    assert [s["Sid"] for s in got["Statement"]] == ["more"]


def test_policies_are_per_qualifier(lam: Any, new_function: Any) -> None:
    fn = new_function(Publish=True)
    version_arn = fn["FunctionArn"]
    unqualified = version_arn.rsplit(":", 1)[0]
    lam.put_resource_policy(ResourceArn=version_arn, Policy=_document(version_arn))
    assert lam.get_policy(FunctionName=fn["FunctionName"], Qualifier="1")["Policy"]
    with pytest.raises(ClientError) as exc:
        lam.get_resource_policy(ResourceArn=unqualified)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )


def test_revision_id_must_match(lam: Any, new_function: Any) -> None:
    arn = new_function()["FunctionArn"]
    first = lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn))
    stale = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as exc:
        lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn), RevisionId=stale)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert error_of(exc)[0] == "PreconditionFailedException"
    second = lam.put_resource_policy(
        ResourceArn=arn, Policy=_document(arn, sid="two"), RevisionId=first["RevisionId"]
    )
    assert second["RevisionId"] != first["RevisionId"]
    with pytest.raises(ClientError) as exc:
        lam.delete_resource_policy(ResourceArn=arn, RevisionId=first["RevisionId"])
    assert error_of(exc)[0] == "PreconditionFailedException"
    lam.delete_resource_policy(ResourceArn=arn, RevisionId=second["RevisionId"])


def test_delete_removes_the_policy(lam: Any, new_function: Any) -> None:
    fn = new_function()
    arn = fn["FunctionArn"]
    lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn))
    response = lam.delete_resource_policy(ResourceArn=arn)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (
        lambda: lam.get_resource_policy(ResourceArn=arn),
        lambda: lam.get_policy(FunctionName=fn["FunctionName"]),
        lambda: lam.delete_resource_policy(ResourceArn=arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
        )


def test_unknown_function_is_not_found(lam: Any, new_function: Any) -> None:
    arn = new_function()["FunctionArn"] + "-gone"
    with pytest.raises(ClientError) as exc:
        lam.put_resource_policy(ResourceArn=arn, Policy=_document(arn))
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {arn}")


def test_bad_documents_are_rejected(lam: Any, new_function: Any) -> None:
    arn = new_function()["FunctionArn"]
    for document in ("{not json", json.dumps({"Version": "2012-10-17"}), "[]"):
        with pytest.raises(ClientError) as exc:
            lam.put_resource_policy(ResourceArn=arn, Policy=document)
        assert error_of(exc)[0] == "InvalidParameterValueException"


def test_resource_arn_must_be_a_complete_arn(lam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        lam.get_resource_policy(ResourceArn="my-function")
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "resourceArn" in message
