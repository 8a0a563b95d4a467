"""Time to live: the sweeper deletes expired items and marks their stream records."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.ttl import sweep_once
from tests.conftest import RunningKumo


def test_sweep_deletes_expired_items_with_service_records(
    kumo: RunningKumo, ddb: Any, aws_client: Any, new_table: Callable[..., str]
) -> None:
    name = new_table(
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"},
        extra_attributes=[("g", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    now = time.time()
    ddb.put_item(TableName=name, Item={"pk": {"S": "early"}, "exp": {"N": str(int(now) - 100)}})
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "soon"}, "exp": {"N": str(int(now) + 50)}, "g": {"S": "x"}},
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "exp": {"N": str(int(now) + 5000)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "never"}, "exp": {"S": "not a number"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "ancient"}, "exp": {"N": "1000"}})
    # moved out of expiry before the sweep: must stay
    ddb.put_item(TableName=name, Item={"pk": {"S": "renewed"}, "exp": {"N": str(int(now) + 20)}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "renewed"}},
        UpdateExpression="SET exp = :e",
        ExpressionAttributeValues={":e": {"N": str(int(now) + 9000)}},
    )

    # (kumo's own sweeper may take "early" first: it expired in real time too)
    sweep_once(kumo.platform.store, now=now)
    assert sweep_once(kumo.platform.store, now=now + 100) == 1
    left = sorted(i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"])
    assert left == ["ancient", "later", "never", "renewed"]
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 4
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 0

    streams = aws_client("dynamodbstreams")
    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in removes] == ["early", "soon"]
    for record in removes:
        assert record["userIdentity"] == {
            "Type": "Service",
            "PrincipalId": "dynamodb.amazonaws.com",
        }
        assert "OldImage" in record["dynamodb"]


def test_stream_records_are_trimmed_after_a_day(
    kumo: RunningKumo, ddb: Any, aws_client: Any, new_table: Callable[..., str]
) -> None:
    name = new_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    store = kumo.platform.store

    def count(tx: Any) -> int:
        stream = st.get_stream(tx, "000000000000", "us-east-1", arn)
        return tx.count(st.RECORDS, prefix=st.key(stream["id"]))

    assert store.read(count) == 1
    sweep_once(store, now=time.time() + st.RETENTION + 10)
    assert store.read(count) == 0


def test_reading_trimmed_records_fails(
    kumo: RunningKumo, ddb: Any, aws_client: Any, new_table: Callable[..., str]
) -> None:
    name = new_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    streams = aws_client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    sweep_once(kumo.platform.store, now=time.time() + st.RETENTION + 10)
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=iterator)
    assert exc.value.response["Error"]["Code"] == "TrimmedDataAccessException"
    fresh = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=fresh)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["b"]
