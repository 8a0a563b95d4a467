"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction through boto3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_insert_select_update_delete(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table(("pk", "S"), ("sk", "N"))
    ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 1, 'data': ?, 'tags': <<'a'>>}}",
        Parameters=[{"S": "p"}, {"B": b"\x00\xff"}],
    )
    got = ddb.execute_statement(Statement=f'SELECT * FROM "{table}" WHERE pk = ?',
                                Parameters=[{"S": "p"}])  # fmt: skip
    assert got["Items"] == [
        {"pk": {"S": "p"}, "sk": {"N": "1"}, "data": {"B": b"\x00\xff"}, "tags": {"SS": ["a"]}}
    ]
    updated = ddb.execute_statement(
        Statement=f"UPDATE \"{table}\" SET n = 5 REMOVE tags WHERE pk = 'p' AND sk = 1 "
        "RETURNING MODIFIED NEW *"
    )
    assert updated["Items"] == [{"n": {"N": "5"}}]
    deleted = ddb.execute_statement(
        Statement=f"DELETE FROM \"{table}\" WHERE pk = 'p' AND sk = 1 RETURNING ALL OLD *"
    )
    assert deleted["Items"][0]["n"] == {"N": "5"}
    assert ddb.scan(TableName=table)["Count"] == 0
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 0


def test_write_errors(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': 1}}")
    with pytest.raises(ddb.exceptions.DuplicateItemException) as duplicate:
        ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a'}}")
    assert error_of(duplicate) == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as failed:
        ddb.execute_statement(
            Statement=f"UPDATE \"{table}\" SET v = 2 WHERE pk = 'a' AND v = 3",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert failed.value.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.execute_statement(Statement='SELECT * FROM "no-such-table"')
    with pytest.raises(ClientError) as syntax:
        ddb.execute_statement(Statement=f'SELECT * FROM "{table}" WHERE')
    assert error_of(syntax) == (
        "ValidationException",
        "Statement wasn't well formed, can't be processed: Unexpected end of statement",
    )
    with pytest.raises(ClientError) as params:
        ddb.execute_statement(Statement=f'SELECT * FROM "{table}" WHERE pk = ?')
    assert error_of(params)[1] == "Number of parameters in request and statement don't match."


def test_select_pages(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table(("pk", "S"), ("sk", "N"))
    for n in range(7):
        ddb.execute_statement(
            Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': ?}}",
            Parameters=[{"N": str(n)}],
        )
    seen: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = ddb.execute_statement(
            Statement=f"SELECT sk FROM \"{table}\" WHERE pk = 'p' AND sk >= 2 ORDER BY sk DESC",
            Limit=2,
            **kwargs,
        )
        seen += [item["sk"]["N"] for item in page["Items"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == ["6", "5", "4", "3", "2"]


def test_batch_execute_statement(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?}}", "Parameters": [{"S": k}]}
            for k in ("a", "b")
        ]
        + [{"Statement": f"UPDATE \"{table}\" SET v = 1 WHERE pk = 'ghost'"}]
    )
    assert out["Responses"] == [
        {"TableName": table},
        {"TableName": table},
        {"Error": {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}},
    ]
    reads = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'zz'"},
        ]
    )
    assert reads["Responses"] == [
        {"TableName": table, "Item": {"pk": {"S": "a"}}},
        {"TableName": table},
    ]
    with pytest.raises(ClientError) as mixed:
        ddb.batch_execute_statement(
            Statements=[
                {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"},
                {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'b'"},
            ]
        )
    assert error_of(mixed)[0] == "ValidationException"
    too_many = [{"Statement": f"SELECT * FROM \"{table}\" WHERE pk = '{n}'"} for n in range(26)]
    with pytest.raises(ClientError) as over:
        ddb.batch_execute_statement(Statements=too_many)
    assert error_of(over)[0] == "ValidationException"


def test_execute_transaction(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'n': 10}}")
    ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET n = n - 4 WHERE pk = 'a' AND n >= 4"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'n': 4}}"},
        ],
        ClientRequestToken="transfer-1",
    )
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as cancelled:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"UPDATE \"{table}\" SET n = n - 99 WHERE pk = 'a' AND n >= 99"},
                {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'n': 99}}"},
            ]
        )
    reasons = cancelled.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None"]
    reads = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f'SELECT n FROM "{table}" WHERE pk = ?', "Parameters": [{"S": k}]}
            for k in ("a", "b", "c")
        ]
    )
    assert reads["Responses"] == [{"Item": {"n": {"N": "6"}}}, {"Item": {"n": {"N": "4"}}}, {}]
    with pytest.raises(ddb.exceptions.IdempotentParameterMismatchException):
        ddb.execute_transaction(
            TransactStatements=[{"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a'"}],
            ClientRequestToken="transfer-1",
        )
