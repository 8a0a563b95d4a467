"""Each StreamViewType writes exactly the images it names."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

IMAGES = {
    "KEYS_ONLY": set(),
    "NEW_IMAGE": {"NewImage"},
    "OLD_IMAGE": {"OldImage"},
    "NEW_AND_OLD_IMAGES": {"NewImage", "OldImage"},
}


@pytest.mark.parametrize("view", sorted(IMAGES))
def test_view_types(aws_client: Any, view: str) -> None:
    ddb, streams = aws_client("dynamodb"), aws_client("dynamodbstreams")
    name = f"view-{uuid.uuid4().hex[:10]}"
    arn = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )["TableDescription"]["LatestStreamArn"]
    key = {"pk": {"S": "k"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "2"}})
    ddb.delete_item(TableName=name, Key=key)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    present = {"INSERT": {"NewImage"}, "MODIFY": {"NewImage", "OldImage"}, "REMOVE": {"OldImage"}}
    for record in records:
        body = record["dynamodb"]
        assert body["StreamViewType"] == view
        assert body["Keys"] == key
        images = {n for n in ("NewImage", "OldImage") if n in body}
        assert images == IMAGES[view] & present[record["eventName"]]
    versions = [
        (r["dynamodb"].get("OldImage", {}).get("v"), r["dynamodb"].get("NewImage", {}).get("v"))
        for r in records
    ]
    expected = [(None, {"N": "1"}), ({"N": "1"}, {"N": "2"}), ({"N": "2"}, None)]
    for (old, new), (want_old, want_new) in zip(versions, expected, strict=True):
        assert old == (want_old if "OldImage" in IMAGES[view] else None)
        assert new == (want_new if "NewImage" in IMAGES[view] else None)
