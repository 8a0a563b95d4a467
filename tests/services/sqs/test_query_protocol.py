"""The legacy query protocol, as older SDKs speak it: form-encoded POSTs, XML answers."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

import requests

NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}


def post(kumo: Any, url: str, **form: str) -> requests.Response:
    return requests.post(url, data={**form, "Version": "2012-11-05"}, timeout=10)


def test_query_protocol_round_trip(kumo: Any, sqs: Any) -> None:
    name = f"query-{uuid.uuid4().hex[:12]}"
    created = post(kumo, kumo.url, Action="CreateQueue", QueueName=name)
    assert created.status_code == 200, created.text
    url = ET.fromstring(created.text).findtext(".//sqs:QueueUrl", namespaces=NS)
    assert url == f"{kumo.url}/000000000000/{name}"
    sent = post(
        kumo,
        kumo.url,
        Action="SendMessage",
        QueueUrl=url,
        MessageBody="over query",
        **{
            "MessageAttribute.1.Name": "attribName1",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "attribValue 1",
        },
    )
    assert sent.status_code == 200, sent.text
    root = ET.fromstring(sent.text)
    assert root.findtext(".//sqs:MD5OfMessageAttributes", namespaces=NS) == (
        "19e27d4e946b072f3f58da80d94fd778"
    )
    # the same message through the json protocol
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["Body"] == "over query"
    assert got["MessageId"] == root.findtext(".//sqs:MessageId", namespaces=NS)
    # an old SDK posting to the queue's path may leave QueueUrl out
    post(kumo, url, Action="SendMessage", MessageBody="by path")
    received = post(kumo, url, Action="ReceiveMessage", MaxNumberOfMessages="10")
    bodies = [e.text for e in ET.fromstring(received.text).iterfind(".//sqs:Body", NS)]
    assert bodies == ["by path"]


def test_query_protocol_errors(kumo: Any) -> None:
    missing = post(kumo, kumo.url, Action="GetQueueUrl", QueueName=f"none-{uuid.uuid4().hex}")
    assert missing.status_code == 400
    root = ET.fromstring(missing.text)
    assert root.findtext(".//sqs:Code", namespaces=NS) == (
        "AWS.SimpleQueueService.NonExistentQueue"
    )
    assert root.findtext(".//sqs:Message", namespaces=NS) == "The specified queue does not exist."
