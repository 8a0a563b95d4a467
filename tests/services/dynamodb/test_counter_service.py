"""The counter service from the issue, end to end through the resource layer: counts that
change with every action, a history table written in the same transaction, and counts
reset (deleted by TTL, with a service-marked stream record) after six months idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeSerializer

from kumo.services.dynamodb.ttl import sweep_once
from tests.conftest import RunningKumo

SIX_MONTHS = 182 * 24 * 3600
DAY = 24 * 3600


def test_counts_history_and_idle_reset(
    kumo: RunningKumo, resource: Any, aws_client: Any, new_table: Callable[..., str]
) -> None:
    ddb = aws_client("dynamodb")
    counters = resource.Table(
        new_table(
            prefix="counts",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    )
    history = resource.Table(new_table(prefix="actions", range=("at", "N")))
    counters.meta.client.update_time_to_live(
        TableName=counters.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
    )
    serialize = TypeSerializer().serialize
    start = time.time()

    def act(user: str, seq: int) -> None:
        expires = int(start) + SIX_MONTHS
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": counters.name,
                        "Key": {"pk": serialize(user)},
                        "UpdateExpression": "ADD #n :one SET expires = :exp",
                        "ExpressionAttributeNames": {"#n": "count"},
                        "ExpressionAttributeValues": {
                            ":one": serialize(1),
                            ":exp": serialize(expires),
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": history.name,
                        "Item": {"pk": serialize(user), "at": serialize(seq)},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    for seq in range(5):
        act("ann", seq)
    for seq in range(3):
        act("bob", seq)
    assert counters.get_item(Key={"pk": "ann"})["Item"]["count"] == Decimal(5)
    assert history.query(KeyConditionExpression=Key("pk").eq("ann"), Select="COUNT")["Count"] == 5

    store = kumo.platform.store
    assert sweep_once(store, now=start + 100 * DAY) == 0
    assert sweep_once(store, now=start + SIX_MONTHS + DAY) == 2
    assert counters.scan()["Items"] == []
    # history is kept: the reset only forgets the counts
    assert history.scan(Select="COUNT")["Count"] == 8

    act("ann", 5)
    assert counters.get_item(Key={"pk": "ann"})["Item"]["count"] == Decimal(1)

    streams = aws_client("dynamodbstreams")
    arn = counters.latest_stream_arn
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in removes) == ["ann", "bob"]
    assert all(r["userIdentity"]["Type"] == "Service" for r in removes)
    # the sweep ran "six months later": the day-old INSERT and MODIFY records were trimmed
    assert [r["eventName"] for r in records] == ["REMOVE", "REMOVE", "INSERT"]
