"""ReturnConsumedCapacity on every operation, in the shapes DynamoDB answers: the aggregate
``CapacityUnits`` for single-item, batch and read operations (``Table`` and per-index
figures under INDEXES), and the read/write split on transactional operations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

GSI = [
    {
        "IndexName": "by-g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
]


@pytest.fixture
def table(new_table: Callable[..., str]) -> str:
    return new_table(extra_attributes=[("g", "S")], GlobalSecondaryIndexes=GSI)


def test_single_item_operations_report_the_aggregate(ddb: Any, table: str) -> None:
    item = {"pk": {"S": "a"}, "g": {"S": "x"}, "data": {"S": "y" * 1500}}
    put = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 4.0}
    put = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert put["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 4.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 2.0}},
    }
    update = ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert update["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 4.0}
    get = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert get["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5}
    get = ddb.get_item(
        TableName=table,
        Key={"pk": {"S": "a"}},
        ConsistentRead=True,
        ReturnConsumedCapacity="INDEXES",
    )
    assert get["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }
    missing = ddb.get_item(
        TableName=table, Key={"pk": {"S": "none"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert missing["ConsumedCapacity"]["CapacityUnits"] == 0.5
    delete = ddb.delete_item(
        TableName=table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="INDEXES"
    )
    assert delete["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 2.0}}
    none = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none


def test_reads_on_tables_and_indexes(ddb: Any, table: str) -> None:
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "g": {"S": "x"}})
    query = ddb.query(
        TableName=table,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert query["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 0.5}},
    }
    scan = ddb.scan(TableName=table, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert scan["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}


def test_batches_report_one_entry_per_table(ddb: Any, new_table: Callable[..., str]) -> None:
    a, b = new_table(), new_table()
    out = ddb.batch_write_item(
        RequestItems={
            a: [{"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(3)],
            b: [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert sorted(out["ConsumedCapacity"], key=lambda c: c["TableName"] != a) == [
        {"TableName": a, "CapacityUnits": 3.0},
        {"TableName": b, "CapacityUnits": 1.0},
    ]
    got = ddb.batch_get_item(
        RequestItems={a: {"Keys": [{"pk": {"S": "0"}}, {"pk": {"S": "1"}}]}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert got["ConsumedCapacity"] == [{"TableName": a, "CapacityUnits": 1.0}]


def test_transactions_split_reads_and_writes(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "checked"}})
    out = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "t1"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "t2"}, "g": {"S": "x"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "checked"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
        ReturnConsumedCapacity="INDEXES",
    )
    assert out["ConsumedCapacity"] == [
        {
            "TableName": table,
            "CapacityUnits": 8.0,
            "WriteCapacityUnits": 8.0,
            "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
            "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}},
        }
    ]
    got = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "t1"}}}},
            {"Get": {"TableName": table, "Key": {"pk": {"S": "missing"}}}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert got["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}
    ]
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "t1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ],
            ReturnConsumedCapacity="TOTAL",
        )
    assert "ConsumedCapacity" not in exc.value.response


def test_token_replay_reports_reads(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    token = uuid.uuid4().hex
    items = [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "c"}},
                "UpdateExpression": "ADD n :one SET filler = :f",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":f": {"S": "p" * 1500}},
            }
        }
    ]
    first = ddb.transact_write_items(
        TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL"
    )
    assert first["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}
    ]
    replay = ddb.transact_write_items(
        TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL"
    )
    assert replay["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}
    ]
    quiet = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert "ConsumedCapacity" not in quiet
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "c"}})["Item"]
    assert item["n"] == {"N": "1"}


def test_partiql_transactions_split_too(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    out = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a'}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b'}}"},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert out["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}
    ]
    got = ddb.execute_transaction(
        TransactStatements=[{"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert got["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}
    ]
    single = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'a'", ReturnConsumedCapacity="TOTAL"
    )
    assert single["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5}
