"""BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems through boto3."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


def k(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def test_batch_write_and_get(ddb: Any, new_table: Callable[..., str]) -> None:
    a, b = new_table(), new_table()
    out = ddb.batch_write_item(
        RequestItems={
            a: [{"PutRequest": {"Item": {**k(str(i)), "v": {"N": str(i)}}}} for i in range(20)],
            b: [{"PutRequest": {"Item": k("x")}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert out["UnprocessedItems"] == {}
    assert {c["TableName"] for c in out["ConsumedCapacity"]} == {a, b}
    ddb.batch_write_item(RequestItems={a: [{"DeleteRequest": {"Key": k("0")}}]})
    got = ddb.batch_get_item(
        RequestItems={
            a: {"Keys": [k("0"), k("1"), k("2")], "ProjectionExpression": "v"},
            b: {"Keys": [k("x")], "ConsistentRead": True},
        }
    )
    assert sorted(i["v"]["N"] for i in got["Responses"][a]) == ["1", "2"]
    assert got["Responses"][b] == [k("x")]
    assert got["UnprocessedKeys"] == {}


def test_batch_duplicates_and_limits(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={name: {"Keys": [k("a"), k("a")]}})
    assert error_of(exc) == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
    )
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(
            RequestItems={
                name: [{"PutRequest": {"Item": k("a")}}, {"DeleteRequest": {"Key": k("a")}}]
            }
        )
    assert error_of(exc) == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
    )
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={name: {"Keys": [k(str(i)) for i in range(101)]}})
    assert error_of(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(
            RequestItems={name: [{"PutRequest": {"Item": k(str(i))}} for i in range(26)]}
        )
    assert error_of(exc)[0] == "ValidationException"
    assert "Item" not in ddb.get_item(TableName=name, Key=k("a"))


def test_transact_write_all_or_nothing(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    ddb.put_item(TableName=name, Item={**k("from"), "balance": {"N": "10"}})
    ddb.put_item(TableName=name, Item={**k("to"), "balance": {"N": "0"}})

    def transfer(amount: int) -> dict[str, Any]:
        return ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": name,
                        "Key": k("from"),
                        "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": name,
                        "Key": k("to"),
                        "UpdateExpression": "SET balance = balance + :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                    }
                },
                {"Put": {"TableName": name, "Item": {**k(f"log-{amount}")}}},
            ],
            ReturnConsumedCapacity="TOTAL",
        )

    out = transfer(7)
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 6.0
    with pytest.raises(ClientError) as exc:
        transfer(7)
    code, message = error_of(exc)
    assert code == "TransactionCanceledException"
    assert message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None, None]"
    )
    reasons = exc.value.response["CancellationReasons"]
    assert reasons[0]["Code"] == "ConditionalCheckFailed"
    assert reasons[0]["Item"] == {**k("from"), "balance": {"N": "3"}}
    assert reasons[1] == {"Code": "None"}
    assert ddb.get_item(TableName=name, Key=k("to"))["Item"]["balance"] == {"N": "7"}
    assert "Item" in ddb.get_item(TableName=name, Key=k("log-7"))
    got = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": name, "Key": k("from")}},
            {"Get": {"TableName": name, "Key": k("missing")}},
        ]
    )["Responses"]
    assert got[0]["Item"]["balance"] == {"N": "3"}
    assert got[1] == {}


def test_transact_condition_check_and_same_item(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": k("a")}},
                {"Delete": {"TableName": name, "Key": k("a")}},
            ]
        )
    assert error_of(exc) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
    )
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": k("b")}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": k("gate"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert error_of(exc)[1].endswith("[None, ConditionalCheckFailed]")
    assert "Item" not in ddb.get_item(TableName=name, Key=k("b"))


def test_client_request_token_is_idempotent(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    token = uuid.uuid4().hex
    items = [
        {
            "Update": {
                "TableName": name,
                "Key": k("n"),
                "UpdateExpression": "ADD v :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert ddb.get_item(TableName=name, Key=k("n"))["Item"]["v"] == {"N": "1"}
    items[0]["Update"]["ExpressionAttributeValues"] = {":one": {"N": "2"}}
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert error_of(exc)[0] == "IdempotentParameterMismatchException"


def test_resource_batch_and_transact(resource: Any, new_table: Callable[..., str]) -> None:
    table = resource.Table(new_table())
    with table.batch_writer(overwrite_by_pkeys=["pk"]) as writer:
        for i in range(60):
            writer.put_item(Item={"pk": f"i{i % 50}", "n": i})
    assert table.scan(Select="COUNT")["Count"] == 50
    client = table.meta.client
    got = resource.batch_get_item(RequestItems={table.name: {"Keys": [{"pk": "i1"}]}})
    assert got["Responses"][table.name] == [{"pk": "i1", "n": 51}]
    client.transact_write_items(
        TransactItems=[{"Delete": {"TableName": table.name, "Key": {"pk": "i1"}}}]
    )
    assert "Item" not in table.get_item(Key={"pk": "i1"})


def test_batch_get_beyond_16_mb_is_unprocessed(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    blob = "x" * (390 * 1024)
    for i in range(45):
        ddb.put_item(TableName=name, Item={**k(str(i)), "d": {"S": blob}})
    got = ddb.batch_get_item(
        RequestItems={name: {"Keys": [k(str(i)) for i in range(45)], "ConsistentRead": True}}
    )
    returned = {i["pk"]["S"] for i in got["Responses"][name]}
    left = {key["pk"]["S"] for key in got["UnprocessedKeys"][name]["Keys"]}
    assert got["UnprocessedKeys"][name]["ConsistentRead"] is True
    assert returned | left == {str(i) for i in range(45)}
    assert returned and left and not returned & left


def test_transaction_item_errors_are_reasons(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    ddb.put_item(TableName=name, Item={**k("s"), "v": {"S": "text"}})
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": k("other")}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": k("s"),
                        "UpdateExpression": "ADD v :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    code, message = error_of(exc)
    assert code == "TransactionCanceledException"
    assert message.endswith("[None, ValidationError]")
    reason = exc.value.response["CancellationReasons"][1]
    assert reason["Code"] == "ValidationError"
    assert reason["Message"]
    assert "Item" not in ddb.get_item(TableName=name, Key=k("other"))
