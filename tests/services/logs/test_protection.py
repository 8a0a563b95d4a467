"""Log group data protection policies and deletion protection."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms

DATA_POLICY = json.dumps(
    {
        "Name": "data-protection-policy",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit-policy",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "redact-policy",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
)


def _describe(logs: Any, group: str) -> dict[str, Any]:
    (found,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    out: dict[str, Any] = found
    return out


def test_data_protection_policy_lifecycle(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    assert logs.get_data_protection_policy(logGroupIdentifier=group)["logGroupIdentifier"] == group
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    assert "dataProtectionStatus" not in _describe(logs, group)

    before = now_ms()
    put = logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=DATA_POLICY)
    assert put["logGroupIdentifier"] == group
    assert put["policyDocument"] == DATA_POLICY
    assert put["lastUpdatedTime"] >= before

    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    got = logs.get_data_protection_policy(logGroupIdentifier=arn)
    assert got["logGroupIdentifier"] == arn
    assert got["policyDocument"] == DATA_POLICY
    assert got["lastUpdatedTime"] == put["lastUpdatedTime"]
    assert _describe(logs, group)["dataProtectionStatus"] == "ACTIVATED"

    logs.delete_data_protection_policy(logGroupIdentifier=group)
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    with pytest.raises(ClientError) as excinfo:
        logs.delete_data_protection_policy(logGroupIdentifier=group)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_data_protection_policy_goes_with_the_group(
    logs: Any, new_group: Callable[..., str]
) -> None:
    group = new_group()
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=DATA_POLICY)
    logs.delete_log_group(logGroupName=group)
    logs.create_log_group(logGroupName=group)
    try:
        assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    finally:
        logs.delete_log_group(logGroupName=group)


def test_data_protection_errors(logs: Any, new_group: Callable[..., str]) -> None:
    for call in (
        lambda: logs.put_data_protection_policy(
            logGroupIdentifier="/kumo/none-such", policyDocument=DATA_POLICY
        ),
        lambda: logs.get_data_protection_policy(logGroupIdentifier="/kumo/none-such"),
        lambda: logs.delete_data_protection_policy(logGroupIdentifier="/kumo/none-such"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == (
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        )
    group = new_group()
    policy = json.loads(DATA_POLICY)
    other_ids = json.loads(DATA_POLICY)
    other_ids["Statement"][1]["DataIdentifier"] = [
        "arn:aws:dataprotection::aws:data-identifier/Ssn"
    ]
    masked = json.loads(DATA_POLICY)
    masked["Statement"][1]["Operation"]["Deidentify"]["MaskConfig"] = {"x": 1}
    no_findings = json.loads(DATA_POLICY)
    del no_findings["Statement"][0]["Operation"]["Audit"]["FindingsDestination"]
    swapped = dict(policy, Statement=policy["Statement"][::-1])
    bad_documents = [
        "not json",
        "[]",
        json.dumps({"Name": "x", "Statement": []}),
        json.dumps(dict(policy, Statement=policy["Statement"][:1])),
        json.dumps(other_ids),
        json.dumps(masked),
        json.dumps(no_findings),
        json.dumps(swapped),
    ]
    for bad in bad_documents:
        with pytest.raises(ClientError) as excinfo:
            logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=bad)
        assert error_of(excinfo)[0] == "InvalidParameterException"


def test_deletion_protection(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    assert _describe(logs, group)["deletionProtectionEnabled"] is False
    logs.put_log_group_deletion_protection(logGroupIdentifier=group, deletionProtectionEnabled=True)
    assert _describe(logs, group)["deletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName=group)
    assert error_of(excinfo) == (
        "ValidationException",
        "Cannot delete log group with deletion protection enabled. "
        "Disable deletion protection first.",
    )
    assert _describe(logs, group)["logGroupName"] == group

    logs.put_log_group_deletion_protection(
        logGroupIdentifier=group, deletionProtectionEnabled=False
    )
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []


def test_deletion_protection_at_creation(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group(deletionProtectionEnabled=True)
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName=group)
    assert error_of(excinfo)[0] == "ValidationException"
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"
    logs.put_log_group_deletion_protection(logGroupIdentifier=arn, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=group)


def test_deletion_protection_of_unknown_group(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.put_log_group_deletion_protection(
            logGroupIdentifier="/kumo/none-such", deletionProtectionEnabled=True
        )
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
