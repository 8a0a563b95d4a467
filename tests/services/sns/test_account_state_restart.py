"""Topic permissions, data protection policies, SMS settings, opted-out numbers, platform
applications and endpoints (and an SQS queue's AddPermission statements) survive a restart:
they live in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.kumo_process import client as kumo_client
from tests.kumo_process import free_port, start_kumo

pytestmark = pytest.mark.slow


def test_state_survives_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        sns = kumo_client("sns", port)
        sqs = kumo_client("sqs", port)
        account = kumo_client("sts", port).get_caller_identity()["Account"]
        topic = sns.create_topic(Name="kept")["TopicArn"]
        sns.add_permission(
            TopicArn=topic, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
        sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy='{"Name":"p"}')
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional"})
        opted = requests.post(
            f"http://127.0.0.1:{port}/_kumo/sns/opted-out/{account}/%2B15550100123", timeout=10
        )
        assert opted.status_code == 200
        app = sns.create_platform_application(
            Name="app", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok")
        queue = sqs.create_queue(QueueName="kept")["QueueUrl"]
        sqs.add_permission(
            QueueUrl=queue, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
        )
    finally:
        proc.terminate()
        proc.wait()

    proc = start_kumo(tmp_path, port)
    try:
        sns = kumo_client("sns", port)
        sqs = kumo_client("sqs", port)
        policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        assert [s["Sid"] for s in policy["Statement"]][-1] == "pub"
        protection = sns.get_data_protection_policy(ResourceArn=topic)
        assert protection["DataProtectionPolicy"] == '{"Name":"p"}'
        sms = sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"]
        assert sms == {"DefaultSMSType": "Transactional"}
        assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15550100123")["isOptedOut"]
        again = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok")
        assert again["EndpointArn"] == endpoint["EndpointArn"]
        queue_policy = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])
        assert json.loads(queue_policy["Attributes"]["Policy"])["Statement"][0]["Sid"] == "send"
    finally:
        proc.kill()
        proc.wait()
