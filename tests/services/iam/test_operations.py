"""The IAM provider's operations match botocore's model of IAM."""

from __future__ import annotations

from kumo.services.iam.provider import IamProvider
from kumo.services.registry import PROVIDERS
from tests.services.iam.helpers import signature_problems


def test_iam_is_registered() -> None:
    assert PROVIDERS["iam"] is IamProvider


def test_operations_match_the_model() -> None:
    assert signature_problems(IamProvider) == []


def test_the_operations_kumo_implements() -> None:
    implemented = set(IamProvider.operations)
    assert {
        "CreateRole",
        "GetRole",
        "ListRoles",
        "DeleteRole",
        "UpdateRole",
        "UpdateAssumeRolePolicy",
        "TagRole",
        "UntagRole",
        "ListRoleTags",
        "PutRolePolicy",
        "GetRolePolicy",
        "DeleteRolePolicy",
        "ListRolePolicies",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "ListAttachedRolePolicies",
        "CreatePolicy",
        "GetPolicy",
        "DeletePolicy",
        "ListPolicies",
        "GetPolicyVersion",
        "CreatePolicyVersion",
        "ListPolicyVersions",
        "DeletePolicyVersion",
        "SetDefaultPolicyVersion",
        "CreateUser",
        "GetUser",
        "DeleteUser",
        "ListUsers",
        "CreateAccessKey",
        "ListAccessKeys",
        "DeleteAccessKey",
        "UpdateAccessKey",
    } <= implemented
