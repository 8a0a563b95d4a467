"""PartiQL through boto3: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


@pytest.fixture
def table(new_table: Callable[..., str]) -> str:
    return new_table(range=("sk", "N"))


def run(ddb: Any, statement: str, *params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    if params:
        kwargs["Parameters"] = list(params)
    return ddb.execute_statement(Statement=statement, **kwargs)


def test_insert_select_update_delete(ddb: Any, table: str) -> None:
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'n': 5, 'tags': <<'x','y'>>}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?}}", {"S": "a"}, {"N": "2"})
    with pytest.raises(ClientError) as exc:
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}")
    assert error_of(exc) == ("DuplicateItemException", "Duplicate primary key exists in table")

    items = run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'a'")["Items"]
    assert [i["sk"]["N"] for i in items] == ["1", "2"]
    assert items[0]["tags"] == {"SS": ["x", "y"]}
    projected = run(ddb, f'SELECT n FROM "{table}" WHERE pk = ? AND sk = 1', {"S": "a"})
    assert projected["Items"] == [{"n": {"N": "5"}}]
    scanned = run(ddb, f'SELECT pk FROM "{table}" WHERE n > 3')["Items"]
    assert scanned == [{"pk": {"S": "a"}}]

    run(ddb, f"UPDATE \"{table}\" SET n = n + 2 SET m = 'new' WHERE pk = 'a' AND sk = 1")
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert got["n"] == {"N": "7"} and got["m"] == {"S": "new"}
    run(ddb, f"UPDATE \"{table}\" REMOVE m WHERE pk = 'a' AND sk = 1")
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'a' AND sk = 1 AND n = 0")
    assert error_of(exc)[0] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'missing' AND sk = 1")
    assert error_of(exc)[0] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as exc:
        run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a'")
    assert error_of(exc) == (
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
    )
    run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 2")
    assert [i["sk"]["N"] for i in run(ddb, f'SELECT * FROM "{table}"')["Items"]] == ["1"]


def test_select_paging_and_conditions(ddb: Any, table: str) -> None:
    for i in range(7):
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "name": {"S": f"item-{i}"}},
        )
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Limit": 3}
    while True:
        page = run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = 'p'", **kwargs)
        seen += [i["sk"]["N"] for i in page["Items"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == [str(i) for i in range(7)]
    found = run(
        ddb,
        f"SELECT sk FROM \"{table}\" WHERE pk = 'p' AND sk BETWEEN 2 AND 4 "
        "AND begins_with(name, 'item') AND sk IN (1, 3, 4) AND other IS MISSING",
    )["Items"]
    assert found == [{"sk": {"N": "3"}}, {"sk": {"N": "4"}}]


def test_batch_execute_statement(ddb: Any, table: str) -> None:
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}")
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 2}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
        ]
    )["Responses"]
    assert "Error" not in out[0]
    assert out[1]["Error"]["Code"] == "DuplicateItem"
    got = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b' AND sk = 1"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b' AND sk = 9"},
        ]
    )["Responses"]
    assert got[0]["Item"] == {"pk": {"S": "b"}, "sk": {"N": "1"}}
    assert "Item" not in got[1]


def test_execute_transaction(ddb: Any, table: str) -> None:
    ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 't', 'sk': 1, 'v': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 't', 'sk': 2, 'v': 1}}"},
        ]
    )
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"UPDATE \"{table}\" SET v = 2 WHERE pk = 't' AND sk = 1"},
                {"Statement": f"UPDATE \"{table}\" SET v = 2 WHERE pk = 't' AND sk = 2 AND v = 5"},
            ]
        )
    assert error_of(exc)[0] == "TransactionCanceledException"
    got = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
            {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 't' AND sk = 2"},
        ]
    )["Responses"]
    assert got == [{"Item": {"v": {"N": "1"}}}, {"Item": {"v": {"N": "1"}}}]


def test_syntax_errors(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as exc:
        run(ddb, f'SELEC * FROM "{table}"')
    assert error_of(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        run(ddb, f'SELECT * FROM "{table}" WHERE pk = ?')
    assert error_of(exc) == (
        "ValidationException",
        "Number of parameters in request and statement don't match.",
    )
