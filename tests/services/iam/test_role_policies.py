"""A role's inline policies and attached managed policies, through the wire."""

from __future__ import annotations

import json
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


@pytest.fixture
def role(iam: Any) -> str:
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=TRUST_LAMBDA)
    return "worker"


def test_put_and_get_inline_policy(iam: Any, role: str) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="read", PolicyDocument=S3_READ)
    got = iam.get_role_policy(RoleName="WORKER", PolicyName="read")
    assert got["RoleName"] == "worker"
    assert got["PolicyName"] == "read"
    assert got["PolicyDocument"] == json.loads(S3_READ)


def test_inline_policy_is_url_encoded_on_the_wire(iam: Any, role: str) -> None:
    document = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",' + (
        '"Resource":"arn:aws:s3:::bucket/*"}}'
    )
    bodies = raw_body(iam, "GetRolePolicy")
    iam.put_role_policy(RoleName=role, PolicyName="enc", PolicyDocument=document)
    iam.get_role_policy(RoleName=role, PolicyName="enc")
    start = bodies[0].index("<PolicyDocument>") + len("<PolicyDocument>")
    encoded = bodies[0][start : bodies[0].index("</PolicyDocument>")]
    assert "%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Abucket%2F%2A%22" in encoded
    assert unquote(encoded) == document


def test_put_role_policy_replaces_a_policy_of_the_same_name(iam: Any, role: str) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=S3_READ)
    newer = policy({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=newer)
    got = iam.get_role_policy(RoleName=role, PolicyName="p")
    assert got["PolicyDocument"] == json.loads(newer)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["p"]


def test_list_role_policies_pages_in_name_order(iam: Any, role: str) -> None:
    for name in ["c", "a", "b"]:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=S3_READ)
    first = iam.list_role_policies(RoleName=role, MaxItems=2)
    assert (first["PolicyNames"], first["IsTruncated"]) == (["a", "b"], True)
    rest = iam.list_role_policies(RoleName=role, Marker=first["Marker"])
    assert (rest["PolicyNames"], rest["IsTruncated"]) == (["c"], False)


def test_delete_inline_policy(iam: Any, role: str) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="tmp", PolicyDocument=S3_READ)
    iam.delete_role_policy(RoleName=role, PolicyName="tmp")
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.delete_role_policy(RoleName=role, PolicyName="tmp")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        "The role policy with name tmp cannot be found.",
        404,
    )


def test_inline_policy_of_a_missing_role(iam: Any) -> None:
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.put_role_policy(RoleName="nobody", PolicyName="p", PolicyDocument=S3_READ)
    assert error_of(excinfo)[1] == "The role with name nobody cannot be found."
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_role_policy(RoleName="nobody", PolicyName="p")
    assert error_of(excinfo)[1] == "The role with name nobody cannot be found."


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("nope", "This policy contains invalid Json"),
        (
            policy({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
            "Policy document should not specify a principal.",
        ),
        (policy({"Effect": "Allow", "Action": "s3:*"}), "Policy statement must contain resources."),
        (policy({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
        (
            policy({"Effect": "Allow", "Action": "getobject", "Resource": "*"}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            policy({"Effect": "Allow", "Action": "s3:*", "Resource": "my-bucket"}),
            'Resource my-bucket must be in ARN format or "*".',
        ),
        (
            policy({"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}),
            "Syntax errors in policy.",
        ),
        (
            policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Extra": 1}),
            "Syntax errors in policy.",
        ),
    ],
)
def test_malformed_inline_policy_is_refused(
    iam: Any, role: str, document: str, message: str
) -> None:
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as excinfo:
        iam.put_role_policy(RoleName=role, PolicyName="bad", PolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", message, 400)


def test_inline_policies_of_a_role_have_a_size_quota(iam: Any, role: str) -> None:
    actions = [f"s3:Action{i:04d}" for i in range(400)]
    big = policy({"Effect": "Allow", "Action": actions, "Resource": "*"})
    iam.put_role_policy(RoleName=role, PolicyName="one", PolicyDocument=big)
    with pytest.raises(iam.exceptions.LimitExceededException) as excinfo:
        iam.put_role_policy(RoleName=role, PolicyName="two", PolicyDocument=big)
    assert error_of(excinfo) == (
        "LimitExceeded",
        "Maximum policy size of 10240 bytes exceeded for role worker",
        409,
    )


def test_attach_aws_managed_policy(iam: Any, role: str) -> None:
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    attached = iam.list_attached_role_policies(RoleName=role)
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION}
    ]
    assert attached["IsTruncated"] is False
    assert iam.get_policy(PolicyArn=BASIC_EXECUTION)["Policy"]["AttachmentCount"] == 1


def test_attach_customer_managed_policy_and_page_the_list(iam: Any, role: str) -> None:
    arns = [
        iam.create_policy(PolicyName=f"p{i}", Path="/team/", PolicyDocument=S3_READ)["Policy"][
            "Arn"
        ]
        for i in range(3)
    ]
    for arn in arns:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    first = iam.list_attached_role_policies(RoleName=role, MaxItems=2)
    assert [p["PolicyArn"] for p in first["AttachedPolicies"]] == arns[:2]
    rest = iam.list_attached_role_policies(RoleName=role, Marker=first["Marker"])
    assert [p["PolicyName"] for p in rest["AttachedPolicies"]] == ["p2", "AdministratorAccess"]
    team = iam.list_attached_role_policies(RoleName=role, PathPrefix="/team/")
    assert [p["PolicyArn"] for p in team["AttachedPolicies"]] == arns


def test_attach_missing_policy_is_no_such_entity(iam: Any, role: str) -> None:
    for arn in (f"arn:aws:iam::{ACCOUNT}:policy/absent", "arn:aws:iam::aws:policy/NotAPolicy"):
        with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        assert error_of(excinfo) == (
            "NoSuchEntity",
            f"Policy {arn} does not exist or is not attachable.",
            404,
        )


def test_attach_with_an_invalid_arn_is_invalid_input(iam: Any, role: str) -> None:
    arn = "arn:aws:s3:::not-a-policy-at-all"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert error_of(excinfo) == ("InvalidInput", f"ARN {arn} is not valid.", 400)


def test_attach_to_missing_role(iam: Any) -> None:
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.attach_role_policy(RoleName="nobody", PolicyArn=BASIC_EXECUTION)
    assert error_of(excinfo)[1] == "The role with name nobody cannot be found."


def test_detach_policy(iam: Any, role: str) -> None:
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    iam.detach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.detach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {BASIC_EXECUTION} was not found.", 404)


def test_attached_policies_have_a_quota(iam: Any, role: str) -> None:
    for i in range(20):
        arn = iam.create_policy(PolicyName=f"q{i}", PolicyDocument=S3_READ)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    with pytest.raises(iam.exceptions.LimitExceededException) as excinfo:
        iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    assert error_of(excinfo)[1] == "Cannot exceed quota for PoliciesPerRole: 20"
