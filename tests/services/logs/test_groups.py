"""Log groups: create, describe, delete, retention and tags."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of


def test_create_and_describe(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group(tags={"team": "a"})
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert len(groups) == 1
    group = groups[0]
    assert group["logGroupName"] == name
    assert group["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}"
    assert group["storedBytes"] == 0
    assert group["metricFilterCount"] == 0
    assert group["creationTime"] > 0
    assert "retentionInDays" not in group
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "a"}


def test_create_twice_is_refused(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName=name)
    assert error_of(excinfo) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )


def test_invalid_name(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="bad name!")
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert "failed to satisfy constraint: Member must satisfy regular expression" in message


def test_reserved_prefix(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="aws/my-agent")
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Log groups starting with AWS/ are reserved for AWS.",
    )


def test_delete(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName=name)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_pattern_and_pagination(logs: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    names = [f"/kumo/page-{tag}/{i:02d}" for i in range(7)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"logGroupNamePrefix": f"/kumo/page-{tag}/", "limit": 3}
    while True:
        page = logs.describe_log_groups(**kwargs)
        assert len(page["logGroups"]) <= 3
        seen += [g["logGroupName"] for g in page["logGroups"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert seen == names
    found = logs.describe_log_groups(logGroupNamePattern=f"page-{tag}/03")["logGroups"]
    assert [g["logGroupName"] for g in found] == [names[3]]
    # a case-sensitive search that reports only the name, creation time and ARN
    assert set(found[0]) == {"logGroupName", "creationTime", "arn"}
    assert logs.describe_log_groups(logGroupNamePattern=f"PAGE-{tag}")["logGroups"] == []
    listed = logs.list_log_groups(logGroupNamePattern=f"^/kumo/page-{tag}/0[12]$")["logGroups"]
    assert listed == [
        {
            "logGroupName": name,
            "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{name}",
            "logGroupClass": "STANDARD",
        }
        for name in names[1:3]
    ]
    paginator = logs.get_paginator("describe_log_groups")
    all_names = [
        g["logGroupName"]
        for page in paginator.paginate(logGroupNamePrefix=f"/kumo/page-{tag}/", limit=2)
        for g in page["logGroups"]
    ]
    assert all_names == names


def test_prefix_and_pattern_exclusive(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(logGroupNamePrefix="a", logGroupNamePattern="b")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_retention(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    assert group["retentionInDays"] == 7
    logs.delete_retention_policy(logGroupName=name)
    group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    assert "retentionInDays" not in group


def test_retention_must_be_an_allowed_value(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName=name, retentionInDays=2)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '2' at 'retentionInDays'")
    assert "[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400," in message


def test_retention_on_missing_group(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName="/kumo/missing-x", retentionInDays=1)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_tags_by_name_and_by_arn(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    logs.tag_log_group(logGroupName=name, tags={"a": "1", "b": "2"})
    logs.untag_log_group(logGroupName=name, tags=["a"])
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"b": "2"}
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{name}"
    logs.tag_resource(resourceArn=arn, tags={"c": "3"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2", "c": "3"}
    logs.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn + ":*")["tags"] == {"c": "3"}


def test_tags_on_missing_group(logs: Any) -> None:
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:/kumo/none-such"
    with pytest.raises(ClientError) as excinfo:
        logs.list_tags_for_resource(resourceArn=arn)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_too_many_tags(logs: Any, new_group: Callable[..., str]) -> None:
    name = new_group()
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{name}"
    logs.tag_resource(resourceArn=arn, tags={f"a{i}": "v" for i in range(30)})
    with pytest.raises(ClientError) as excinfo:
        logs.tag_resource(resourceArn=arn, tags={f"b{i}": "v" for i in range(30)})
    assert error_of(excinfo)[0] == "TooManyTagsException"


def test_describe_by_identifiers(logs: Any, new_group: Callable[..., str]) -> None:
    first, second = new_group(), new_group()
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{second}:*"
    found = logs.describe_log_groups(logGroupIdentifiers=[first, arn])["logGroups"]
    assert sorted(g["logGroupName"] for g in found) == sorted([first, second])
