"""kill -9 kumo during a DynamoDB write load: every acknowledged write and its stream record
survive the restart."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.kumo_process import client, free_port, start_kumo

pytestmark = pytest.mark.slow


def test_acknowledged_items_and_stream_survive_kill_9(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    ddb = client("dynamodb", port)
    arn = ddb.create_table(
        TableName="crash",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    ddb.create_table(
        TableName="history",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    acknowledged: dict[str, int] = {}
    history: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        db = client("dynamodb", port)
        n = 0
        while not stop.is_set():
            key = f"w{worker}"
            n += 1
            try:
                db.put_item(TableName="crash", Item={"pk": {"S": f"{key}-{n}"}})
                db.update_item(
                    TableName="crash",
                    Key={"pk": {"S": key}},
                    UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                # a counter and its history row, all or nothing
                db.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": "crash",
                                "Key": {"pk": {"S": "total"}},
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                        {"Put": {"TableName": "history", "Item": {"pk": {"S": f"{key}-{n}"}}}},
                    ]
                )
            except (BotoCoreError, ClientError, OSError):
                return
            with lock:
                acknowledged[f"{key}-{n}"] = 1
                acknowledged[key] = n
                history.add(f"{key}-{n}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(acknowledged) > 20, "too few writes before the kill to prove anything"

    proc = start_kumo(tmp_path, port)
    try:
        ddb = client("dynamodb", port)
        items: dict[str, int] = {}
        for page in ddb.get_paginator("scan").paginate(TableName="crash"):
            for item in page["Items"]:
                items[item["pk"]["S"]] = int(item.get("n", {"N": "1"})["N"])
        for key, n in acknowledged.items():
            assert key in items, f"acknowledged {key} lost"
            # a counter may be one ahead: its last update committed but the answer was cut off
            assert items[key] in (n, n + 1)
        rows = {
            item["pk"]["S"]
            for page in ddb.get_paginator("scan").paginate(TableName="history")
            for item in page["Items"]
        }
        assert history <= rows
        # the transaction's two writes survived together or not at all
        assert items.get("total", 0) == len(rows)
        streams = client("dynamodbstreams", port)
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        changes: dict[str, int] = {}
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            if not page["Records"]:
                break
            for record in page["Records"]:
                pk = record["dynamodb"]["Keys"]["pk"]["S"]
                changes[pk] = changes.get(pk, 0) + 1
            iterator = page.get("NextShardIterator")
        # one record per committed change: one INSERT per item, one per counter increment
        assert changes == items
    finally:
        proc.terminate()
        proc.wait(timeout=15)
