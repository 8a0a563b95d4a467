"""IAM roles through the wire: create, read, list, update, tag, delete."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from tests.services.iam.helpers import (
    ACCOUNT,
    BASIC_EXECUTION,
    S3_READ,
    TRUST_LAMBDA,
    error_of,
    policy,
    raw_body,
)


def test_create_role_returns_the_role(iam: Any) -> None:
    role = iam.create_role(
        RoleName="fn-exec",
        AssumeRolePolicyDocument=TRUST_LAMBDA,
        Description="runs functions",
        Tags=[{"Key": "team", "Value": "core"}],
    )["Role"]
    assert role["RoleName"] == "fn-exec"
    assert role["Path"] == "/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/fn-exec"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", role["RoleId"])
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_LAMBDA)
    assert role["Description"] == "runs functions"
    assert role["Tags"] == [{"Key": "team", "Value": "core"}]
    created = role["CreateDate"]
    assert created.tzinfo is not None
    assert abs(created - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_get_role_finds_it_whatever_the_case(iam: Any) -> None:
    created = iam.create_role(RoleName="MixedCase", AssumeRolePolicyDocument=TRUST_LAMBDA)
    role = iam.get_role(RoleName="mixedcase")["Role"]
    assert role["RoleName"] == "MixedCase"
    assert role["RoleId"] == created["Role"]["RoleId"]
    assert role["MaxSessionDuration"] == 3600
    assert role["RoleLastUsed"] == {}


def test_trust_policy_is_returned_url_encoded_exactly_as_sent(iam: Any) -> None:
    document = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", ' + (
        '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    bodies = raw_body(iam, "GetRole")
    iam.create_role(RoleName="spaced", AssumeRolePolicyDocument=document)
    iam.get_role(RoleName="spaced")
    raw = re.search(r"<AssumeRolePolicyDocument>(.*)</AssumeRolePolicyDocument>", bodies[0])
    assert raw is not None
    assert raw.group(1).startswith("%7B%0A%20%20%22Version%22%3A")
    assert unquote(raw.group(1)) == document


def test_role_path_is_part_of_the_arn(iam: Any) -> None:
    role = iam.create_role(
        RoleName="svc", Path="/service-role/", AssumeRolePolicyDocument=TRUST_LAMBDA
    )["Role"]
    assert role["Path"] == "/service-role/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/svc"


def test_duplicate_role_name_is_refused_in_any_case(iam: Any) -> None:
    iam.create_role(RoleName="dup", AssumeRolePolicyDocument=TRUST_LAMBDA)
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as excinfo:
        iam.create_role(RoleName="DUP", AssumeRolePolicyDocument=TRUST_LAMBDA)
    assert error_of(excinfo) == ("EntityAlreadyExists", "Role with name DUP already exists.", 409)


def test_missing_role_is_no_such_entity(iam: Any) -> None:
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_role(RoleName="ghost")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        404,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"RoleName": "has space"},
            "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ),
        (
            {"RoleName": "x" * 65},
            f"1 validation error detected: Value '{'x' * 65}' at 'roleName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64",
        ),
        (
            {"RoleName": "ok", "Path": "no-slashes"},
            "1 validation error detected: Value 'no-slashes' at 'path' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ),
        (
            {"RoleName": "ok", "MaxSessionDuration": 50000},
            "1 validation error detected: Value '50000' at 'maxSessionDuration' failed to "
            "satisfy constraint: Member must have value less than or equal to 43200",
        ),
    ],
)
def test_invalid_role_input_is_a_validation_error(
    iam: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(AssumeRolePolicyDocument=TRUST_LAMBDA, **kwargs)
    assert error_of(excinfo) == ("ValidationError", message, 400)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        (
            policy(
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ),
            "Has prohibited field Resource",
        ),
        (
            policy({"Effect": "Allow", "Action": "sts:AssumeRole"}),
            "Missing required field Principal",
        ),
        ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
        (
            json.dumps(
                {"Version": "2020-01-01", "Statement": json.loads(TRUST_LAMBDA)["Statement"]}
            ),
            "The policy failed legacy parsing",
        ),
    ],
)
def test_malformed_trust_policy_is_refused(iam: Any, document: str, message: str) -> None:
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as excinfo:
        iam.create_role(RoleName="bad-trust", AssumeRolePolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", message, 400)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="bad-trust")


def test_list_roles_pages_through_every_role(iam: Any) -> None:
    names = [f"role-{i}" for i in range(7)]
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_LAMBDA)
    first = iam.list_roles(MaxItems=3)
    assert first["IsTruncated"] is True
    assert [r["RoleName"] for r in first["Roles"]] == names[:3]
    second = iam.list_roles(MaxItems=3, Marker=first["Marker"])
    assert [r["RoleName"] for r in second["Roles"]] == names[3:6]
    last = iam.list_roles(MaxItems=3, Marker=second["Marker"])
    assert [r["RoleName"] for r in last["Roles"]] == names[6:]
    assert last["IsTruncated"] is False
    assert "Marker" not in last
    pages = iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
    assert [r["RoleName"] for page in pages for r in page["Roles"]] == names


def test_list_roles_filters_by_path_and_leaves_out_details(iam: Any) -> None:
    iam.create_role(RoleName="a", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.create_role(
        RoleName="b",
        Path="/app/",
        AssumeRolePolicyDocument=TRUST_LAMBDA,
        Tags=[{"Key": "k", "Value": "v"}],
    )
    roles = iam.list_roles(PathPrefix="/app/")["Roles"]
    assert [r["RoleName"] for r in roles] == ["b"]
    assert "Tags" not in roles[0]
    assert "RoleLastUsed" not in roles[0]
    assert len(iam.list_roles()["Roles"]) == 2


def test_update_role_and_its_description(iam: Any) -> None:
    iam.create_role(RoleName="upd", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.update_role(RoleName="upd", Description="first", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="upd")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("first", 7200)
    updated = iam.update_role_description(RoleName="upd", Description="second")["Role"]
    assert updated["Description"] == "second"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.update_role(RoleName="nope", Description="x")


def test_update_assume_role_policy(iam: Any) -> None:
    iam.create_role(RoleName="trusty", AssumeRolePolicyDocument=TRUST_LAMBDA)
    new_trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.update_assume_role_policy(RoleName="trusty", PolicyDocument=new_trust)
    role = iam.get_role(RoleName="trusty")["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(new_trust)
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.update_assume_role_policy(RoleName="trusty", PolicyDocument="[]")


def test_delete_role(iam: Any) -> None:
    iam.create_role(RoleName="gone", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.delete_role(RoleName="gone")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="gone")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.delete_role(RoleName="gone")
    assert error_of(excinfo)[1] == "The role with name gone cannot be found."


def test_delete_role_with_policies_is_a_conflict(iam: Any) -> None:
    iam.create_role(RoleName="busy", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.attach_role_policy(RoleName="busy", PolicyArn=BASIC_EXECUTION)
    iam.put_role_policy(RoleName="busy", PolicyName="inline", PolicyDocument=S3_READ)
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_role(RoleName="busy")
    assert error_of(excinfo) == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    iam.detach_role_policy(RoleName="busy", PolicyArn=BASIC_EXECUTION)
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_role(RoleName="busy")
    assert error_of(excinfo)[1] == "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="busy", PolicyName="inline")
    iam.delete_role(RoleName="busy")


def test_role_tags(iam: Any) -> None:
    iam.create_role(
        RoleName="tagged",
        AssumeRolePolicyDocument=TRUST_LAMBDA,
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    iam.tag_role(
        RoleName="tagged",
        Tags=[{"Key": "ENV", "Value": "prod"}, {"Key": "owner", "Value": "me"}],
    )
    tags = iam.list_role_tags(RoleName="tagged")
    assert tags["Tags"] == [{"Key": "ENV", "Value": "prod"}, {"Key": "owner", "Value": "me"}]
    assert tags["IsTruncated"] is False
    first = iam.list_role_tags(RoleName="tagged", MaxItems=1)
    assert first["IsTruncated"] is True
    rest = iam.list_role_tags(RoleName="tagged", Marker=first["Marker"])
    assert rest["Tags"] == [{"Key": "owner", "Value": "me"}]
    iam.untag_role(RoleName="tagged", TagKeys=["env"])
    assert iam.get_role(RoleName="tagged")["Role"]["Tags"] == [{"Key": "owner", "Value": "me"}]


def test_duplicate_tag_keys_are_invalid_input(iam: Any) -> None:
    with pytest.raises(iam.exceptions.InvalidInputException) as excinfo:
        iam.create_role(
            RoleName="twice",
            AssumeRolePolicyDocument=TRUST_LAMBDA,
            Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}],
        )
    assert error_of(excinfo) == (
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )


def test_permissions_boundary(iam: Any) -> None:
    boundary = iam.create_policy(PolicyName="bound", PolicyDocument=S3_READ)["Policy"]["Arn"]
    role = iam.create_role(
        RoleName="bounded", AssumeRolePolicyDocument=TRUST_LAMBDA, PermissionsBoundary=boundary
    )["Role"]
    expected = {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary,
    }
    assert role["PermissionsBoundary"] == expected
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"] == expected
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=BASIC_EXECUTION)
    role = iam.get_role(RoleName="bounded")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BASIC_EXECUTION


def test_missing_permissions_boundary_is_no_such_entity(iam: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/nothing-here"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.create_role(
            RoleName="nobound", AssumeRolePolicyDocument=TRUST_LAMBDA, PermissionsBoundary=arn
        )
    assert error_of(excinfo)[1] == f"Scope ARN: {arn} does not exist or is not attachable."
