"""Nothing published is lost: kill -9 kumo while HTTP deliveries are failing and being
retried, restart it, and every notification still reaches the endpoint."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.kumo_process import client as kumo_client
from tests.kumo_process import free_port, start_kumo
from tests.services.sns.helpers import Endpoint

pytestmark = pytest.mark.slow


def test_http_deliveries_survive_kill_9(tmp_path: Path, endpoint: Endpoint) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        sns = kumo_client("sns", port)
        topic = sns.create_topic(Name="crash")["TopicArn"]
        policy = {
            "healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 50}
        }
        sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=endpoint.url,
            Attributes={"DeliveryPolicy": json.dumps(policy)},
        )
        token = json.loads(endpoint.next().body)["Token"]
        sns.confirm_subscription(TopicArn=topic, Token=token)
        endpoint.failures = 10**6  # the endpoint is down
        published = {sns.publish(TopicArn=topic, Message=f"m{i}")["MessageId"] for i in range(5)}
        time.sleep(1.5)  # let deliveries fail and be rescheduled
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    endpoint.failures = 0  # the endpoint is back
    proc = start_kumo(tmp_path, port)
    try:
        delivered: set[str] = set()
        deadline = time.monotonic() + 40
        while not published <= delivered and time.monotonic() < deadline:
            request = endpoint.next(timeout=max(0.1, deadline - time.monotonic()))
            delivered.add(json.loads(request.body)["MessageId"])
        assert published - delivered == set()
    finally:
        proc.kill()
        proc.wait()
