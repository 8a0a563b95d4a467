"""Stream records compared with a golden GetRecords answer written from AWS's documented
example (``fixtures/get_records.json``): the same members, nesting and JSON types on the
wire, and the same SizeBytes for the same items. Values that differ per call (ids, times,
sequence numbers) are compared by type and form only."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.ttl import sweep_once
from tests.conftest import RunningKumo

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "get_records.json").read_text())


def shape(value: Any) -> Any:
    """Member names and JSON types, recursively (numbers are one type, as JSON has one)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def raw_get_records(streams: Any, iterator: str) -> dict[str, Any]:
    """GetRecords' answer as the JSON on the wire, before botocore parses it."""
    bodies: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    streams.meta.events.register("before-parse.dynamodbstreams.GetRecords", keep)
    try:
        streams.get_records(ShardIterator=iterator)
    finally:
        streams.meta.events.unregister("before-parse.dynamodbstreams.GetRecords", keep)
    parsed: dict[str, Any] = json.loads(bodies[-1])
    return parsed


def test_records_match_the_documented_shape(kumo: RunningKumo, aws_client: Any) -> None:
    ddb, streams = aws_client("dynamodb"), aws_client("dynamodbstreams")
    name = f"golden-{uuid.uuid4().hex[:10]}"
    table = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    ddb.put_item(TableName=name, Item={"Message": {"S": "New item!"}, "Id": {"N": "101"}})
    ddb.update_item(
        TableName=name,
        Key={"Id": {"N": "101"}},
        UpdateExpression="SET Message = :m",
        ExpressionAttributeValues={":m": {"S": "This item has changed"}},
    )
    ddb.delete_item(TableName=name, Key={"Id": {"N": "101"}})
    now = time.time()
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    ddb.put_item(
        TableName=name,
        Item={"Message": {"S": "Expiring item"}, "Id": {"N": "102"}, "exp": {"N": str(int(now))}},
    )
    # the item is deleted by the TTL sweeper, not by a caller
    sweep_once(kumo.platform.store, now=now + 10)

    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    got = raw_get_records(streams, iterator)
    records = got["Records"]
    # the fourth golden record is the TTL delete; kumo's INSERT of item 102 comes before it
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE", "INSERT", "REMOVE"]
    ttl_insert = records.pop(3)
    assert "userIdentity" not in ttl_insert
    for mine, golden in zip(records, GOLDEN["Records"], strict=True):
        ttl_attr = mine["dynamodb"].get("OldImage", {}).pop("exp", None)
        assert ttl_attr is None or ttl_attr == {"N": str(int(now))}
        assert shape(mine) == shape(golden)
        assert mine["dynamodb"]["Keys"] == golden["dynamodb"]["Keys"]
        for image in ("NewImage", "OldImage"):
            assert mine["dynamodb"].get(image) == golden["dynamodb"].get(image)
        sequence = mine["dynamodb"]["SequenceNumber"]
        assert sequence.isdigit() and 21 <= len(sequence) <= 40
        assert len(mine["eventID"]) == 32
        assert mine["awsRegion"] == "us-east-1"
        assert mine["eventVersion"] == golden["eventVersion"]
        assert mine["eventSource"] == golden["eventSource"]
    sizes = [r["dynamodb"]["SizeBytes"] for r in records[:3]]
    assert sizes == [r["dynamodb"]["SizeBytes"] for r in GOLDEN["Records"][:3]]
    assert records[3]["userIdentity"] == GOLDEN["Records"][3]["userIdentity"]
    created = [r["dynamodb"]["ApproximateCreationDateTime"] for r in records]
    assert all(now - 60 < t <= now + 60 for t in created)
    assert created == sorted(created)
    assert shape(got["NextShardIterator"]) == "str"


LAMBDA_EVENT = json.loads((Path(__file__).parent / "fixtures" / "lambda_event.json").read_text())


def test_stored_records_are_lambda_event_records(kumo: RunningKumo, aws_client: Any) -> None:
    """The stored form is what a stream poller hands a function: Lambda's record shape
    (binary base64, lower-case userIdentity) without eventSourceARN, which the poller adds."""
    ddb = aws_client("dynamodb")
    name = f"lambda-{uuid.uuid4().hex[:10]}"
    arn = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    now = time.time()
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    item = {"Message": {"S": "New item!"}, "Id": {"N": "101"}, "Data": {"B": b"\x00\x01"}}
    ddb.put_item(TableName=name, Item={**item, "exp": {"N": str(int(now))}})
    sweep_once(kumo.platform.store, now=now + 10)

    def stored(tx: Any) -> list[dict[str, Any]]:
        stream = st.get_stream(tx, "000000000000", "us-east-1", arn)
        return [data["r"] for _, data in st.read_records(tx, stream, -1, 10)]

    records = kumo.platform.store.read(stored)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    for mine, golden in zip(records, LAMBDA_EVENT["Records"], strict=True):
        mine = json.loads(json.dumps(mine))
        for image in ("NewImage", "OldImage"):
            mine["dynamodb"].get(image, {}).pop("exp", None)
        expected = {k: v for k, v in golden.items() if k != "eventSourceARN"}
        assert shape(mine) == shape(expected)
        assert mine["dynamodb"].get("NewImage") == golden["dynamodb"].get("NewImage")
        assert mine["dynamodb"].get("OldImage") == golden["dynamodb"].get("OldImage")
    assert records[1]["userIdentity"] == LAMBDA_EVENT["Records"][1]["userIdentity"]
