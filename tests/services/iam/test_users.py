"""IAM users and their policies, through the wire."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.services.iam.helpers import ACCOUNT, BASIC_EXECUTION, S3_READ, error_of


def test_create_and_get_user(iam: Any) -> None:
    user = iam.create_user(UserName="alice", Path="/staff/", Tags=[{"Key": "k", "Value": "v"}])[
        "User"
    ]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/staff/alice"
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", user["UserId"])
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    got = iam.get_user(UserName="ALICE")["User"]
    assert (got["UserName"], got["UserId"], got["Path"]) == ("alice", user["UserId"], "/staff/")


def test_duplicate_and_missing_users(iam: Any) -> None:
    iam.create_user(UserName="bob")
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as excinfo:
        iam.create_user(UserName="bob")
    assert error_of(excinfo) == ("EntityAlreadyExists", "User with name bob already exists.", 409)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_user(UserName="carol")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        "The user with name carol cannot be found.",
        404,
    )


def test_get_user_without_a_name_is_the_caller(iam: Any, aws_client: Any) -> None:
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["UserId"] == ACCOUNT
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    as_dave = aws_client(
        "iam",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assert as_dave.get_user()["User"]["UserName"] == "dave"


def test_list_users_pages_and_filters(iam: Any) -> None:
    for name in ["u3", "u1", "u2"]:
        iam.create_user(UserName=name, Path="/ops/" if name == "u2" else "/")
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["u1", "u2"]
    rest = iam.list_users(Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["u3"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/ops/")["Users"]] == ["u2"]


def test_delete_user_and_its_conflicts(iam: Any) -> None:
    iam.create_user(UserName="erin")
    key = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    iam.attach_user_policy(UserName="erin", PolicyArn=BASIC_EXECUTION)
    iam.put_user_policy(UserName="erin", PolicyName="inline", PolicyDocument=S3_READ)
    conflicts = []
    for undo in (
        lambda: iam.delete_access_key(UserName="erin", AccessKeyId=key),
        lambda: iam.detach_user_policy(UserName="erin", PolicyArn=BASIC_EXECUTION),
        lambda: iam.delete_user_policy(UserName="erin", PolicyName="inline"),
    ):
        with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
            iam.delete_user(UserName="erin")
        conflicts.append(error_of(excinfo)[1])
        undo()
    assert conflicts == [
        "Cannot delete entity, must delete access keys first.",
        "Cannot delete entity, must detach all policies first.",
        "Cannot delete entity, must delete policies first.",
    ]
    iam.delete_user(UserName="erin")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName="erin")


def test_user_inline_and_attached_policies(iam: Any) -> None:
    iam.create_user(UserName="frank")
    iam.put_user_policy(UserName="frank", PolicyName="read", PolicyDocument=S3_READ)
    got = iam.get_user_policy(UserName="frank", PolicyName="read")
    assert (got["UserName"], got["PolicyDocument"]) == ("frank", json.loads(S3_READ))
    assert iam.list_user_policies(UserName="frank")["PolicyNames"] == ["read"]
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_user_policy(UserName="frank", PolicyName="write")
    assert error_of(excinfo)[1] == "The user policy with name write cannot be found."
    iam.attach_user_policy(UserName="frank", PolicyArn=BASIC_EXECUTION)
    attached = iam.list_attached_user_policies(UserName="frank")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION}]
    iam.detach_user_policy(UserName="frank", PolicyArn=BASIC_EXECUTION)
    assert iam.list_attached_user_policies(UserName="frank")["AttachedPolicies"] == []


def test_user_tags(iam: Any) -> None:
    iam.create_user(UserName="gina")
    iam.tag_user(UserName="gina", Tags=[{"Key": "a", "Value": "1"}])
    assert iam.list_user_tags(UserName="gina")["Tags"] == [{"Key": "a", "Value": "1"}]
    iam.untag_user(UserName="gina", TagKeys=["A"])
    assert iam.list_user_tags(UserName="gina")["Tags"] == []
