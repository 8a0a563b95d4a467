"""AddPermission / RemovePermission on a topic's Policy, and Get/PutDataProtectionPolicy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sns.helpers import error_of

OTHER = "111122223333"
THIRD = "444455556666"


def _statements(sns: Any, arn: str) -> list[dict[str, Any]]:
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    statements: list[dict[str, Any]] = policy["Statement"]
    return statements


def test_add_permission_appends_to_the_default_policy(
    sns: Any, new_topic: Callable[..., str]
) -> None:
    arn = new_topic()
    sns.add_permission(TopicArn=arn, Label="pub", AWSAccountId=[OTHER], ActionName=["Publish"])
    statements = _statements(sns, arn)
    assert [s["Sid"] for s in statements] == ["__default_statement_ID", "pub"]
    assert statements[1] == {
        "Sid": "pub",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": "SNS:Publish",
        "Resource": arn,
    }


def test_several_accounts_and_actions(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    sns.add_permission(
        TopicArn=arn,
        Label="many",
        AWSAccountId=[OTHER, THIRD],
        ActionName=["Subscribe", "Receive"],
    )
    statement = _statements(sns, arn)[-1]
    assert statement["Principal"] == {
        "AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{THIRD}:root"]
    }
    assert statement["Action"] == ["SNS:Subscribe", "SNS:Receive"]


def test_remove_permission(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    sns.add_permission(TopicArn=arn, Label="a", AWSAccountId=[OTHER], ActionName=["Publish"])
    sns.add_permission(TopicArn=arn, Label="b", AWSAccountId=[OTHER], ActionName=["Subscribe"])
    sns.remove_permission(TopicArn=arn, Label="a")
    assert [s["Sid"] for s in _statements(sns, arn)] == ["__default_statement_ID", "b"]
    # a label the policy does not hold is not an error
    sns.remove_permission(TopicArn=arn, Label="never-added")
    assert [s["Sid"] for s in _statements(sns, arn)] == ["__default_statement_ID", "b"]


def test_add_permission_keeps_a_policy_set_by_attributes(
    sns: Any, new_topic: Callable[..., str]
) -> None:
    arn = new_topic()
    own = {"Version": "2012-10-17", "Id": "mine", "Statement": []}
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(own))
    sns.add_permission(TopicArn=arn, Label="x", AWSAccountId=[OTHER], ActionName=["Publish"])
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert policy["Id"] == "mine"
    assert [s["Sid"] for s in policy["Statement"]] == ["x"]


def test_duplicate_label(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    sns.add_permission(TopicArn=arn, Label="dup", AWSAccountId=[OTHER], ActionName=["Publish"])
    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(TopicArn=arn, Label="dup", AWSAccountId=[THIRD], ActionName=["Publish"])
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Statement already exists")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_action_out_of_scope(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(TopicArn=arn, Label="x", AWSAccountId=[OTHER], ActionName=["Invoke"])
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Policy statement action out of service scope!",
    )
    assert [s["Sid"] for s in _statements(sns, arn)] == ["__default_statement_ID"]


def test_unknown_topic(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(TopicArn=arn, Label="x", AWSAccountId=[OTHER], ActionName=["Publish"])
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")
    with pytest.raises(ClientError) as excinfo:
        sns.remove_permission(TopicArn=arn, Label="x")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")


def test_data_protection_policy(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == ""
    document = json.dumps(
        {
            "Name": "basic",
            "Description": "",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "Sid": "deny-ssn",
                    "DataDirection": "Inbound",
                    "Principal": ["*"],
                    "DataIdentifier": [
                        "arn:aws:dataprotection::aws:data-identifier/UsSocialSecurityNumber"
                    ],
                    "Operation": {"Deny": {}},
                }
            ],
        }
    )
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=document)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == document
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DataProtectionPolicy"] == document


def test_data_protection_policy_errors(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="{not json")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: DataProtectionPolicy")
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.get_data_protection_policy(ResourceArn=arn)
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")
    with pytest.raises(ClientError) as excinfo:
        sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="{}")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")
