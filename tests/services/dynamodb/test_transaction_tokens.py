"""ClientRequestToken: a retry within ten minutes answers without writing again, even when
the retries race each other; after ten minutes the token is forgotten."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from kumo.services.dynamodb.ttl import sweep_once
from tests.conftest import RunningKumo


def add_one(table: str, amount: str = "1") -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "counter"}},
                "UpdateExpression": "ADD n :v",
                "ExpressionAttributeValues": {":v": {"N": amount}},
            }
        }
    ]


def count(ddb: Any, table: str) -> str:
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "counter"}}, ConsistentRead=True)
    return str(item["Item"]["n"]["N"])


def test_racing_retries_apply_once(aws_client: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    token = uuid.uuid4().hex
    errors: list[BaseException] = []

    def retry() -> None:
        try:
            aws_client("dynamodb").transact_write_items(
                TransactItems=add_one(table), ClientRequestToken=token
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(aws_client("dynamodb"), table) == "1"


def test_token_is_forgotten_after_ten_minutes(
    kumo: RunningKumo, ddb: Any, new_table: Callable[..., str]
) -> None:
    table = new_table()
    token = uuid.uuid4().hex
    ddb.transact_write_items(TransactItems=add_one(table), ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=add_one(table), ClientRequestToken=token)
    assert count(ddb, table) == "1"
    # nine minutes on, the token still holds
    sweep_once(kumo.platform.store, now=time.time() + 540)
    ddb.transact_write_items(TransactItems=add_one(table), ClientRequestToken=token)
    assert count(ddb, table) == "1"
    # past ten minutes the sweeper forgets it: the same token is a new request
    sweep_once(kumo.platform.store, now=time.time() + 601)
    ddb.transact_write_items(TransactItems=add_one(table, "5"), ClientRequestToken=token)
    assert count(ddb, table) == "6"


def test_token_with_binary_collection_key(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table(
        hash=("pk", "B"),
        range=("sk", "S"),
        extra_attributes=[("l", "S")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    items = [{"Put": {"TableName": table, "Item": {"pk": {"B": b"\x01"}, "sk": {"S": "a"}}}}]
    token = uuid.uuid4().hex
    first = ddb.transact_write_items(
        TransactItems=items, ClientRequestToken=token, ReturnItemCollectionMetrics="SIZE"
    )
    assert first["ItemCollectionMetrics"][table][0]["ItemCollectionKey"] == {"pk": {"B": b"\x01"}}
    again = ddb.transact_write_items(
        TransactItems=items, ClientRequestToken=token, ReturnItemCollectionMetrics="SIZE"
    )
    assert "ConsumedCapacity" not in again
