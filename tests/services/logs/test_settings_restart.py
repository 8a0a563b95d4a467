"""Resource policies, saved queries, destinations and group protection live in the store:
they are all there again after kumo restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kumo_process import client as kumo_client
from tests.kumo_process import free_port, start_kumo
from tests.services.logs.test_protection import DATA_POLICY

pytestmark = pytest.mark.slow

POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        logs = kumo_client("logs", port)
        logs.create_log_group(logGroupName="/kept")
        logs.put_data_protection_policy(logGroupIdentifier="/kept", policyDocument=DATA_POLICY)
        logs.put_log_group_deletion_protection(
            logGroupIdentifier="/kept", deletionProtectionEnabled=True
        )
        logs.put_resource_policy(policyName="kept", policyDocument=POLICY)
        def_id = logs.put_query_definition(name="kept", queryString="fields @message")[
            "queryDefinitionId"
        ]
        logs.put_destination(
            destinationName="kept",
            targetArn="arn:aws:kinesis:us-east-1:000000000000:stream/s",
            roleArn="arn:aws:iam::000000000000:role/r",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    proc = start_kumo(tmp_path, port)
    try:
        logs = kumo_client("logs", port)
        got = logs.get_data_protection_policy(logGroupIdentifier="/kept")
        assert got["policyDocument"] == DATA_POLICY
        (group,) = logs.describe_log_groups(logGroupNamePrefix="/kept")["logGroups"]
        assert group["deletionProtectionEnabled"] is True
        policies = logs.describe_resource_policies()["resourcePolicies"]
        assert [p["policyName"] for p in policies] == ["kept"]
        definitions = logs.describe_query_definitions()["queryDefinitions"]
        assert [d["queryDefinitionId"] for d in definitions] == [def_id]
        destinations = logs.describe_destinations()["destinations"]
        assert [d["destinationName"] for d in destinations] == ["kept"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
