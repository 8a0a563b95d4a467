"""AddPermission / RemovePermission: the statements they write to a queue's Policy, on both
SQS protocols."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of

OTHER = "111122223333"
THIRD = "444455556666"


def _policy(sqs: Any, url: str) -> dict[str, Any] | None:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    text = attributes.get("Attributes", {}).get("Policy")
    return json.loads(text) if text else None


def _arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def test_add_permission_writes_a_statement(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    arn = _arn(sqs, url)
    sqs.add_permission(
        QueueUrl=url, Label="send-only", AWSAccountIds=[OTHER], Actions=["SendMessage"]
    )
    assert _policy(sqs, url) == {
        "Version": "2012-10-17",
        "Id": f"{arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "send-only",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "SQS:SendMessage",
                "Resource": arn,
            }
        ],
    }


def test_several_accounts_and_actions_are_lists(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(
        QueueUrl=url,
        Label="shared",
        AWSAccountIds=[OTHER, THIRD],
        Actions=["ReceiveMessage", "DeleteMessage"],
    )
    sqs.add_permission(QueueUrl=url, Label="all", AWSAccountIds=[THIRD], Actions=["*"])
    policy = _policy(sqs, url)
    assert policy is not None
    shared, everything = policy["Statement"]
    assert shared["Principal"] == {
        "AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{THIRD}:root"]
    }
    assert shared["Action"] == ["SQS:ReceiveMessage", "SQS:DeleteMessage"]
    assert everything["Sid"] == "all"
    assert everything["Action"] == "SQS:*"


def test_remove_permission_drops_the_statement(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(QueueUrl=url, Label="a", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    sqs.add_permission(QueueUrl=url, Label="b", AWSAccountIds=[OTHER], Actions=["PurgeQueue"])
    sqs.remove_permission(QueueUrl=url, Label="a")
    policy = _policy(sqs, url)
    assert policy is not None
    assert [statement["Sid"] for statement in policy["Statement"]] == ["b"]
    # the last statement gone, the queue has no policy any more
    sqs.remove_permission(QueueUrl=url, Label="b")
    assert _policy(sqs, url) is None
    all_attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert "Policy" not in all_attributes["Attributes"]


def test_add_permission_extends_a_policy_set_by_attributes(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    arn = _arn(sqs, url)
    own = {
        "Version": "2012-10-17",
        "Id": "mine",
        "Statement": {"Sid": "own", "Effect": "Deny", "Principal": "*", "Action": "SQS:*"},
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(own)})
    sqs.add_permission(QueueUrl=url, Label="extra", AWSAccountIds=[OTHER], Actions=["GetQueueUrl"])
    policy = _policy(sqs, url)
    assert policy is not None
    assert policy["Id"] == "mine"
    assert [statement["Sid"] for statement in policy["Statement"]] == ["own", "extra"]
    assert policy["Statement"][1]["Resource"] == arn


def test_duplicate_label(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(QueueUrl=url, Label="dup", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=url, Label="dup", AWSAccountIds=[THIRD], Actions=["ReceiveMessage"]
        )
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert message == "Value dup for parameter Label is invalid. Reason: Already exists."
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_label(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="nope")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value nope for parameter Label is invalid. Reason: can't find label on existing policy.",
    )


@pytest.mark.parametrize("action", ["AddPermission", "CreateQueue", "SetQueueAttributes", "Bogus"])
def test_actions_only_the_owner_may_use(
    sqs: Any, new_queue: Callable[..., str], action: str
) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=[action])
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        f"Value SQS:{action} for parameter ActionName is invalid. Reason: Only the queue owner "
        "is allowed to invoke this action.",
    )
    assert _policy(sqs, url) is None


def test_too_many_actions(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    actions = [
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "PurgeQueue",
        "ListDeadLetterSourceQueues",
    ]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=actions)
    assert error_of(excinfo) == ("OverLimit", "8 Actions were found, maximum allowed is 7.")
    # seven is allowed
    sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=actions[:7])


def test_missing_actions_and_accounts(
    sqs: Any, new_queue: Callable[..., str], protocol: str
) -> None:
    url = new_queue()
    if protocol == "query":
        # the query protocol cannot send an empty list: the member is simply absent
        with pytest.raises(ClientError) as excinfo:
            sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=[])
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=[])
    assert error_of(excinfo) == (
        "MissingParameter",
        "The request must contain the parameter Actions.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[], Actions=["SendMessage"])
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.",
    )


def test_unknown_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=["*"])
    assert error_of(excinfo)[1] == "The specified queue does not exist."
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="x")
    assert error_of(excinfo)[1] == "The specified queue does not exist."
