"""DynamoDB Streams through boto3: records written with every change, read by shard iterator."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def ddb(aws_client: Any) -> Any:
    return aws_client("dynamodb")


@pytest.fixture
def streams(aws_client: Any) -> Any:
    return aws_client("dynamodbstreams")


def make_table(ddb: Any, view: str = "NEW_AND_OLD_IMAGES") -> tuple[str, str]:
    name = f"s-{uuid.uuid4().hex[:12]}"
    desc = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )["TableDescription"]
    return name, desc["LatestStreamArn"]


def read_all(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **kwargs: Any) -> list[Any]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind, **kwargs
    )["ShardIterator"]
    records: list[Any] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        records += page["Records"]
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records


def test_records_for_insert_modify_remove(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb)
    key = {"pk": {"S": "a"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}, "b": {"B": b"\x01"}})
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )  # changes nothing: no record
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    ddb.delete_item(TableName=name, Key=key)
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["eventVersion"] == "1.1"
    assert insert["awsRegion"] == "us-east-1"
    assert insert["dynamodb"]["Keys"] == key
    assert insert["dynamodb"]["NewImage"]["b"] == {"B": b"\x01"}
    assert "OldImage" not in insert["dynamodb"]
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert modify["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert remove["dynamodb"]["OldImage"]["v"] == {"N": "2"}
    seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert all(len(s) >= 21 for s in seqs)
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs)
    assert all(r["dynamodb"]["SizeBytes"] > 0 for r in records)
    assert "userIdentity" not in remove


def test_keys_only_and_iterator_types(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb, "KEYS_ONLY")
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}, "x": {"S": "y"}})
    records = read_all(streams, arn)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["0", "1", "2"]
    assert "NewImage" not in records[0]["dynamodb"]
    second = records[1]["dynamodb"]["SequenceNumber"]
    at = read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=second)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in at] == ["1", "2"]
    after = read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=second)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after] == ["2"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    latest = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
    )["ShardIterator"]
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}})
    page = streams.get_records(ShardIterator=latest)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["new"]
    assert page["NextShardIterator"]


def test_list_and_describe_streams(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb)
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["TableName"] == name
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert desc["Shards"][0]["ShardId"].startswith("shardId-")
    assert "EndingSequenceNumber" not in desc["Shards"][0]["SequenceNumberRange"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in desc["Shards"][0]["SequenceNumberRange"]
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=arn + "x")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_transaction_writes_records_atomically(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb)
    with pytest.raises(ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "a"}}}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"pk": {"S": "gate"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert read_all(streams, arn) == []
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "a"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "b"}}}},
        ]
    )
    assert len(read_all(streams, arn)) == 2


def test_bad_iterator(streams: Any) -> None:
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator="not-an-iterator")
    assert exc.value.response["Error"]["Code"] == "ValidationException"


def test_iterators_expire_after_fifteen_minutes(ddb: Any, streams: Any) -> None:
    import base64
    import json

    _, arn = make_table(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    # the iterator is kumo's own opaque token: age it by 16 minutes
    token = json.loads(base64.urlsafe_b64decode(iterator))
    token["t"] -= 16 * 60
    old = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=old)
    assert exc.value.response["Error"]["Code"] == "ExpiredIteratorException"


def test_list_streams_pages(ddb: Any, streams: Any) -> None:
    arns = {make_table(ddb)[1] for _ in range(3)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Limit": 2}
    while True:
        page = streams.list_streams(**kwargs)
        seen += [s["StreamArn"] for s in page["Streams"]]
        if "LastEvaluatedStreamArn" not in page:
            break
        kwargs["ExclusiveStartStreamArn"] = page["LastEvaluatedStreamArn"]
    assert arns <= set(seen)
    assert len(seen) == len(set(seen))


def test_at_timestamp_iterator(ddb: Any, streams: Any) -> None:
    import datetime as dt

    name, arn = make_table(ddb, "KEYS_ONLY")
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    early = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AT_TIMESTAMP", Timestamp=before
    )["ShardIterator"]
    assert len(streams.get_records(ShardIterator=early)["Records"]) == 1
    later = streams.get_shard_iterator(
        StreamArn=arn,
        ShardId=shard,
        ShardIteratorType="AT_TIMESTAMP",
        Timestamp=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5),
    )["ShardIterator"]
    assert streams.get_records(ShardIterator=later)["Records"] == []
