"""BatchExecuteStatement and ExecuteTransaction run in-process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.ql import Scope, batch_execute_statement, execute_transaction

from .helpers import item_count, run, stream_events


def stmt(text: str, *parameters: Any, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": text, **extra}
    if parameters:
        out["Parameters"] = list(parameters)
    return out


def raises(call: Callable[[], Any]) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


# -- BatchExecuteStatement -------------------------------------------------------------------


def test_batch_writes_each_with_its_own_result(
    scope: Scope, make_table: Callable[..., str]
) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'taken', 'v': 1}")
    run(scope, "INSERT INTO t VALUE {'pk': 'kept', 'v': 1}")
    out = batch_execute_statement(
        scope,
        [
            stmt("INSERT INTO t VALUE {'pk': ?}", {"S": "new"}),
            stmt("INSERT INTO t VALUE {'pk': 'taken'}"),
            stmt("UPDATE t SET v = 2 WHERE pk = 'ghost'"),
            stmt(
                "UPDATE t SET v = 3 WHERE pk = 'kept' AND v = 9",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            stmt("DELETE FROM t WHERE pk = ?"),
            stmt("INSERT INTO nope VALUE {'pk': 'x'}"),
            stmt("UPSERT t"),
        ],
    )
    assert out["Responses"] == [
        {"TableName": "t"},
        {"Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}},
        {"Error": {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}},
        {
            "Error": {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": {"pk": {"S": "kept"}, "v": {"N": "1"}},
            }
        },
        {
            "Error": {
                "Code": "ValidationError",
                "Message": "Number of parameters in request and statement don't match.",
            }
        },
        {"Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}},
        {
            "Error": {
                "Code": "ValidationError",
                "Message": "Statement wasn't well formed, can't be processed: Expected data "
                "manipulation",
            }
        },
    ]
    assert item_count(scope, "t") == 3


def test_batch_reads_single_items(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t", ("pk", "S"), ("sk", "N"))
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'sk': 1, 'v': 'x'}")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'sk': 3, 'v': 'x'}")
    out = batch_execute_statement(
        scope,
        [
            stmt("SELECT v FROM t WHERE pk = 'a' AND sk = 1"),
            stmt("SELECT * FROM t WHERE pk = 'a' AND sk = 2"),
            stmt("SELECT * FROM t WHERE pk = 'a' AND sk = 3 AND v = 'other'"),
            stmt("SELECT * FROM t WHERE pk = 'b'"),
        ],
        return_consumed_capacity="TOTAL",
    )
    assert out["Responses"] == [
        {"TableName": "t", "Item": {"v": {"S": "x"}}},
        {"TableName": "t"},
        {"TableName": "t"},
        {
            "Error": {
                "Code": "ValidationError",
                "Message": "Where clause does not contain a mandatory equality on all key "
                "attributes",
            }
        },
    ]
    assert out["ConsumedCapacity"][0]["TableName"] == "t"


def test_batch_rejects_mixed_and_duplicate_statements(
    scope: Scope, make_table: Callable[..., str]
) -> None:
    make_table("t")
    mixed = raises(
        lambda: batch_execute_statement(
            scope,
            [stmt("SELECT * FROM t WHERE pk = 'a'"), stmt("DELETE FROM t WHERE pk = 'b'")],
        )
    )
    assert mixed.message == "Read and write requests together in the same batch is not supported."
    duplicate = raises(
        lambda: batch_execute_statement(
            scope,
            [stmt("INSERT INTO t VALUE {'pk': 'a'}"), stmt("DELETE FROM t WHERE pk = 'a'")],
        )
    )
    assert duplicate.message == "Provided list of item keys contains duplicates"
    assert item_count(scope, "t") == 0


# -- ExecuteTransaction ----------------------------------------------------------------------


def test_transaction_writes_everything(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("accounts", stream="NEW_IMAGE")
    run(scope, "INSERT INTO accounts VALUE {'pk': 'alice', 'balance': 100}")
    out = execute_transaction(
        scope,
        [
            stmt("UPDATE accounts SET balance = balance - 30 WHERE pk = 'alice' AND balance >= 30"),
            stmt("INSERT INTO accounts VALUE {'pk': 'bob', 'balance': 30}"),
            stmt("DELETE FROM accounts WHERE pk = 'nobody'"),
        ],
    )
    assert out == {"Responses": [{}, {}, {}]}
    balances = run(scope, "SELECT pk, balance FROM accounts")["Items"]
    assert sorted((i["pk"]["S"], i["balance"]["N"]) for i in balances) == [
        ("alice", "70"),
        ("bob", "30"),
    ]
    assert stream_events(scope, "accounts") == ["INSERT", "MODIFY", "INSERT"]


def test_transaction_is_all_or_nothing(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 1}")
    run(scope, "INSERT INTO t VALUE {'pk': 'c', 'v': 1}")
    error = raises(
        lambda: execute_transaction(
            scope,
            [
                stmt("INSERT INTO t VALUE {'pk': 'b'}"),
                stmt("UPDATE t SET v = 2 WHERE pk = 'ghost'"),
                stmt("INSERT INTO t VALUE {'pk': 'a'}"),
                stmt(
                    "EXISTS(SELECT * FROM t WHERE pk = 'c' AND v = 5)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
            ],
        )
    )
    assert error.code == "TransactionCanceledException"
    assert error.message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, DuplicateItem, ConditionalCheckFailed]"
    )
    assert error.fields["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": {"S": "c"}, "v": {"N": "1"}},
        },
    ]
    assert item_count(scope, "t") == 2


def test_transaction_condition_check_passes(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'gate', 'open': true}")
    execute_transaction(
        scope,
        [
            stmt("EXISTS(SELECT * FROM t WHERE pk = 'gate' AND \"open\" = true)"),
            stmt("INSERT INTO t VALUE {'pk': 'x'}"),
        ],
    )
    assert item_count(scope, "t") == 2


def test_transaction_reads(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 1, 'w': 2}")
    out = execute_transaction(
        scope,
        [stmt("SELECT v FROM t WHERE pk = 'a'"), stmt("SELECT * FROM t WHERE pk = 'b'")],
    )
    assert out == {"Responses": [{"Item": {"v": {"N": "1"}}}, {}]}
    error = raises(lambda: execute_transaction(scope, [stmt("SELECT * FROM t WHERE v = 1")]))
    assert error.message == (
        "Select statements within ExecuteTransaction must specify the primary key in the where "
        "clause."
    )


def test_transaction_validation(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    mixed = raises(
        lambda: execute_transaction(
            scope, [stmt("SELECT * FROM t WHERE pk = 'a'"), stmt("DELETE FROM t WHERE pk = 'b'")]
        )
    )
    assert mixed.message == (
        "ExecuteTransaction API does not support both read and write operations in the same "
        "request."
    )
    twice = raises(
        lambda: execute_transaction(
            scope,
            [stmt("INSERT INTO t VALUE {'pk': 'a'}"), stmt("UPDATE t SET v = 1 WHERE pk = 'a'")],
        )
    )
    assert twice.message == "Transaction request cannot include multiple operations on one item"
    returning = raises(
        lambda: execute_transaction(
            scope, [stmt("DELETE FROM t WHERE pk = 'a' RETURNING ALL OLD *")]
        )
    )
    assert returning.code == "ValidationException"
    syntax = raises(lambda: execute_transaction(scope, [stmt("SELEKT 1")]))
    assert syntax.message.startswith("Statement wasn't well formed")


def test_transaction_token_is_idempotent(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'counter', 'n': 0}")
    bump = [stmt("UPDATE t SET n = n + 1 WHERE pk = 'counter'")]
    first = execute_transaction(scope, bump, client_request_token="tok-1")
    again = execute_transaction(scope, bump, client_request_token="tok-1")
    assert first == again
    assert run(scope, "SELECT n FROM t WHERE pk = 'counter'")["Items"] == [{"n": {"N": "1"}}]
    other = [stmt("UPDATE t SET n = n + 5 WHERE pk = 'counter'")]
    error = raises(lambda: execute_transaction(scope, other, client_request_token="tok-1"))
    assert error.code == "IdempotentParameterMismatchException"
