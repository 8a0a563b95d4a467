"""Managed policies and their versions, customer and AWS managed, through the wire."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.services.iam.helpers import (
    ACCOUNT,
    BASIC_EXECUTION,
    S3_READ,
    TRUST_LAMBDA,
    error_of,
    policy,
)

S3_WRITE = policy({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"})


def test_create_and_get_policy(iam: Any) -> None:
    created = iam.create_policy(
        PolicyName="reader",
        Path="/app/",
        PolicyDocument=S3_READ,
        Description="reads",
        Tags=[{"Key": "k", "Value": "v"}],
    )["Policy"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/app/reader"
    assert re.fullmatch(r"ANPA[A-Z0-9]{17}", created["PolicyId"])
    assert created["DefaultVersionId"] == "v1"
    assert created["AttachmentCount"] == 0
    assert created["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert got["PolicyName"] == "reader"
    assert got["Description"] == "reads"
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert got["CreateDate"] == created["CreateDate"]
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(S3_READ)
    assert version["IsDefaultVersion"] is True


def test_duplicate_policy_name_is_refused_even_on_another_path(iam: Any) -> None:
    iam.create_policy(PolicyName="same", PolicyDocument=S3_READ)
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as excinfo:
        iam.create_policy(PolicyName="same", Path="/other/", PolicyDocument=S3_READ)
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        "A policy called same already exists. Duplicate names are not allowed.",
        409,
    )


def test_missing_policy_is_no_such_entity(iam: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/none"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_policy_arn_must_match_its_path(iam: Any) -> None:
    iam.create_policy(PolicyName="pathed", Path="/a/", PolicyDocument=S3_READ)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/pathed")


def test_managed_policy_has_a_size_quota(iam: Any) -> None:
    actions = [f"s3:Action{i:04d}" for i in range(400)]
    big = policy({"Effect": "Allow", "Action": actions, "Resource": "*"})
    with pytest.raises(iam.exceptions.LimitExceededException) as excinfo:
        iam.create_policy(PolicyName="huge", PolicyDocument=big)
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)


def test_aws_managed_policy_is_in_every_account(iam: Any) -> None:
    got = iam.get_policy(PolicyArn=BASIC_EXECUTION)["Policy"]
    assert got["PolicyName"] == "AWSLambdaBasicExecutionRole"
    assert got["Path"] == "/service-role/"
    assert got["DefaultVersionId"] == "v1"
    version = iam.get_policy_version(PolicyArn=BASIC_EXECUTION, VersionId="v1")["PolicyVersion"]
    statement = version["Document"]["Statement"][0]
    assert statement["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert admin["PolicyId"] == iam.get_policy(PolicyArn=admin["Arn"])["Policy"]["PolicyId"]


def test_aws_managed_policies_cannot_be_changed(iam: Any) -> None:
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=BASIC_EXECUTION, PolicyDocument=S3_READ)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(f"iam:CreatePolicyVersion on resource: policy {BASIC_EXECUTION}")
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.delete_policy(PolicyArn=BASIC_EXECUTION)
    assert error_of(excinfo)[0] == "AccessDenied"


def test_list_policies_by_scope_and_attachment(iam: Any) -> None:
    mine = iam.create_policy(PolicyName="mine", PolicyDocument=S3_READ)["Policy"]["Arn"]
    iam.create_policy(PolicyName="unused", PolicyDocument=S3_READ)
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["mine", "unused"]
    aws = iam.list_policies(Scope="AWS")["Policies"]
    names = {p["PolicyName"] for p in aws}
    assert {"AdministratorAccess", "AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess"} <= names
    assert "mine" not in names
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.attach_role_policy(RoleName="r", PolicyArn=mine)
    iam.attach_role_policy(RoleName="r", PolicyArn=BASIC_EXECUTION)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert sorted(p["Arn"] for p in attached) == sorted([mine, BASIC_EXECUTION])
    assert all(p["AttachmentCount"] == 1 for p in attached)
    assert "Description" not in attached[0]


def test_list_policies_paginates(iam: Any) -> None:
    for i in range(5):
        iam.create_policy(PolicyName=f"pol-{i}", PolicyDocument=S3_READ)
    pages = iam.get_paginator("list_policies").paginate(
        Scope="Local", PaginationConfig={"PageSize": 2}
    )
    counts = [len(page["Policies"]) for page in pages]
    assert counts == [2, 2, 1]


def test_delete_policy(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="temp", PolicyDocument=S3_READ)["Policy"]["Arn"]
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=arn)


def test_delete_attached_policy_is_a_conflict(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="held", PolicyDocument=S3_READ)["Policy"]["Arn"]
    iam.create_role(RoleName="holder", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.attach_role_policy(RoleName="holder", PolicyArn=arn)
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )


def test_policy_versions(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="versioned", PolicyDocument=S3_READ)["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3_WRITE)["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", False)
    assert "Document" not in v2
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3_WRITE, SetAsDefault=True)
    assert v3["PolicyVersion"]["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert {v["VersionId"]: v["IsDefaultVersion"] for v in versions} == {
        "v1": False,
        "v2": False,
        "v3": True,
    }
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == json.loads(S3_WRITE)
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(excinfo)[1] == "Cannot delete the default version of a policy."
    with pytest.raises(iam.exceptions.DeleteConflictException) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo)[1].startswith("This policy has more than one version.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(excinfo)[1] == f"Policy {arn} version v3 does not exist or is not attachable."
    iam.delete_policy(PolicyArn=arn)


def test_a_policy_keeps_at_most_five_versions(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="many", PolicyDocument=S3_READ)["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3_WRITE)
    with pytest.raises(iam.exceptions.LimitExceededException) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3_WRITE)
    assert error_of(excinfo)[1] == (
        "A managed policy can have up to 5 versions. Before you create a new version, you "
        "must delete an existing version."
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3_WRITE)
    assert created["PolicyVersion"]["VersionId"] == "v6"


def test_invalid_version_id_is_a_validation_error(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="vid", PolicyDocument=S3_READ)["Policy"]["Arn"]
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="version-one")
    assert error_of(excinfo)[0] == "ValidationError"


def test_list_entities_for_policy(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=S3_READ)["Policy"]["Arn"]
    role_id = iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"][
        "RoleId"
    ]
    user_id = iam.create_user(UserName="u1")["User"]["UserId"]
    iam.attach_role_policy(RoleName="r1", PolicyArn=arn)
    iam.attach_user_policy(UserName="u1", PolicyArn=arn)
    found = iam.list_entities_for_policy(PolicyArn=arn)
    assert found["PolicyRoles"] == [{"RoleName": "r1", "RoleId": role_id}]
    assert found["PolicyUsers"] == [{"UserName": "u1", "UserId": user_id}]
    assert found["PolicyGroups"] == []
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == []


def test_policy_tags(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="tp", PolicyDocument=S3_READ)["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
