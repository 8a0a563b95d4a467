"""Resource policies (account and log-group scoped) and subscription destinations."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["route53.amazonaws.com"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/route53/*",
            }
        ],
    }
)


@pytest.mark.usefixtures("clean_state")
def test_put_describe_update_delete_account_policy(logs: Any) -> None:
    before = now_ms()
    out = logs.put_resource_policy(policyName="route53", policyDocument=POLICY)
    policy = out["resourcePolicy"]
    assert policy["policyName"] == "route53"
    assert policy["policyDocument"] == POLICY
    assert policy["policyScope"] == "ACCOUNT"
    assert policy["lastUpdatedTime"] >= before
    assert "revisionId" not in out

    described = logs.describe_resource_policies()["resourcePolicies"]
    assert described == [policy]

    updated = json.dumps({"Version": "2012-10-17", "Statement": []})
    logs.put_resource_policy(policyName="route53", policyDocument=updated)
    described = logs.describe_resource_policies()["resourcePolicies"]
    assert [p["policyDocument"] for p in described] == [updated]

    logs.delete_resource_policy(policyName="route53")
    assert logs.describe_resource_policies()["resourcePolicies"] == []


@pytest.mark.usefixtures("clean_state")
def test_delete_unknown_policy(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.delete_resource_policy(policyName="nope")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Policy with name [nope] does not exist",
    )


@pytest.mark.usefixtures("clean_state")
def test_policy_document_must_be_json(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="bad", policyDocument="{not json")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert logs.describe_resource_policies()["resourcePolicies"] == []


@pytest.mark.usefixtures("clean_state")
def test_ten_account_policies_at_most(logs: Any) -> None:
    for i in range(10):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument=POLICY)
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="p10", policyDocument=POLICY)
    assert error_of(excinfo) == ("LimitExceededException", "Resource limit exceeded.")
    # updating one of the ten is still allowed
    logs.put_resource_policy(policyName="p3", policyDocument=POLICY)
    first = logs.describe_resource_policies(limit=4)
    assert [p["policyName"] for p in first["resourcePolicies"]] == ["p0", "p1", "p2", "p3"]
    rest = logs.describe_resource_policies(limit=50, nextToken=first["nextToken"])
    assert len(rest["resourcePolicies"]) == 6
    assert "nextToken" not in rest


@pytest.mark.usefixtures("clean_state")
def test_group_scoped_policy_with_revisions(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    out = logs.put_resource_policy(policyName="g", policyDocument=POLICY, resourceArn=arn)
    revision = out["revisionId"]
    assert out["resourcePolicy"]["policyScope"] == "RESOURCE"
    assert out["resourcePolicy"]["resourceArn"] == arn
    assert out["resourcePolicy"]["revisionId"] == revision

    # an update must name the revision it read
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="g", policyDocument=POLICY, resourceArn=arn)
    assert error_of(excinfo)[0] == "OperationAbortedException"
    again = logs.put_resource_policy(
        policyName="g", policyDocument=POLICY, resourceArn=arn, expectedRevisionId=revision
    )
    assert again["revisionId"] != revision

    by_arn = logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"]
    assert [p["revisionId"] for p in by_arn] == [again["revisionId"]]
    scoped = logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"]
    assert [p["resourceArn"] for p in scoped] == [arn]
    # account-scoped listing does not include it
    assert logs.describe_resource_policies()["resourcePolicies"] == []

    with pytest.raises(ClientError) as excinfo:
        logs.delete_resource_policy(policyName="g", resourceArn=arn)
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.delete_resource_policy(policyName="g", resourceArn=arn, expectedRevisionId=revision)
    assert error_of(excinfo)[0] == "OperationAbortedException"
    logs.delete_resource_policy(
        policyName="g", resourceArn=arn, expectedRevisionId=again["revisionId"]
    )
    assert logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"] == []

    # a group's policy goes away with its group
    logs.put_resource_policy(policyName="g", policyDocument=POLICY, resourceArn=arn)
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"] == []


def test_group_scoped_policy_needs_the_group(logs: Any) -> None:
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:/kumo/none-such"
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="g", policyDocument=POLICY, resourceArn=arn)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


# -- destinations ---------------------------------------------------------------------------

TARGET = "arn:aws:kinesis:us-east-1:000000000000:stream/logs-in"
ROLE = "arn:aws:iam::000000000000:role/CWLtoKinesis"


@pytest.mark.usefixtures("clean_state")
def test_destination_lifecycle(logs: Any) -> None:
    before = now_ms()
    dest = logs.put_destination(destinationName="central", targetArn=TARGET, roleArn=ROLE)[
        "destination"
    ]
    assert dest["destinationName"] == "central"
    assert dest["targetArn"] == TARGET
    assert dest["roleArn"] == ROLE
    assert dest["arn"] == "arn:aws:logs:us-east-1:000000000000:destination:central"
    assert dest["creationTime"] >= before
    assert "accessPolicy" not in dest

    access = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "111111111111"},
                    "Action": "logs:PutSubscriptionFilter",
                    "Resource": dest["arn"],
                }
            ],
        }
    )
    logs.put_destination_policy(destinationName="central", accessPolicy=access)
    (described,) = logs.describe_destinations()["destinations"]
    assert described["accessPolicy"] == access
    assert described["creationTime"] == dest["creationTime"]

    # putting again repoints it and keeps its policy and creation time
    other = "arn:aws:firehose:us-east-1:000000000000:deliverystream/other"
    logs.put_destination(destinationName="central", targetArn=other, roleArn=ROLE)
    (described,) = logs.describe_destinations(DestinationNamePrefix="cen")["destinations"]
    assert described["targetArn"] == other
    assert described["accessPolicy"] == access
    assert logs.describe_destinations(DestinationNamePrefix="zzz")["destinations"] == []

    logs.delete_destination(destinationName="central")
    assert logs.describe_destinations()["destinations"] == []


@pytest.mark.usefixtures("clean_state")
def test_destination_pages(logs: Any) -> None:
    for i in range(5):
        logs.put_destination(destinationName=f"d{i}", targetArn=TARGET, roleArn=ROLE)
    first = logs.describe_destinations(limit=2)
    assert [d["destinationName"] for d in first["destinations"]] == ["d0", "d1"]
    names: list[str] = []
    paginator = logs.get_paginator("describe_destinations")
    for page in paginator.paginate(PaginationConfig={"PageSize": 2}):
        names += [d["destinationName"] for d in page["destinations"]]
    assert names == ["d0", "d1", "d2", "d3", "d4"]


def test_destination_errors(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.delete_destination(destinationName="no-such-destination")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified destination does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        logs.put_destination_policy(destinationName="no-such-destination", accessPolicy="{}")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.put_destination(destinationName="a:b", targetArn=TARGET, roleArn=ROLE)
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.put_destination(destinationName="x", targetArn="not-an-arn", roleArn=ROLE)
    assert error_of(excinfo)[0] == "InvalidParameterException"
    logs.put_destination(destinationName="policy-check", targetArn=TARGET, roleArn=ROLE)
    try:
        with pytest.raises(ClientError) as excinfo:
            logs.put_destination_policy(destinationName="policy-check", accessPolicy="[oops")
        assert error_of(excinfo)[0] == "InvalidParameterException"
    finally:
        logs.delete_destination(destinationName="policy-check")


@pytest.mark.usefixtures("clean_state")
def test_destination_tags(logs: Any) -> None:
    dest = logs.put_destination(
        destinationName="tagged", targetArn=TARGET, roleArn=ROLE, tags={"team": "a"}
    )["destination"]
    arn = dest["arn"]
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    logs.delete_destination(destinationName="tagged")
    with pytest.raises(ClientError) as excinfo:
        logs.list_tags_for_resource(resourceArn=arn)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified destination does not exist.",
    )
