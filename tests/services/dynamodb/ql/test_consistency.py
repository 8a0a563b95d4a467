"""Indexes, counts and streams stay right, and transactions stay atomic under threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.ql import Scope, execute_transaction

from .helpers import item_count, run, stream_events


def test_index_follows_every_write(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table(
        "users",
        extra=[("email", "S")],
        gsi=[
            {
                "IndexName": "byEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        stream="KEYS_ONLY",
    )
    by_email = 'SELECT * FROM "users"."byEmail" WHERE email = ?'
    run(scope, "INSERT INTO users VALUE {'pk': 'u1', 'email': 'a@x', 'name': 'A'}")
    assert run(scope, by_email, {"S": "a@x"})["Items"] == [
        {"pk": {"S": "u1"}, "email": {"S": "a@x"}}
    ]
    run(scope, "UPDATE users SET email = 'b@x' WHERE pk = 'u1'")
    assert run(scope, by_email, {"S": "a@x"})["Items"] == []
    assert len(run(scope, by_email, {"S": "b@x"})["Items"]) == 1
    run(scope, "UPDATE users REMOVE email WHERE pk = 'u1'")
    assert run(scope, 'SELECT * FROM "users"."byEmail"')["Items"] == []
    run(scope, "DELETE FROM users WHERE pk = 'u1'")
    run(scope, "DELETE FROM users WHERE pk = 'u1'")
    assert item_count(scope, "users") == 0
    assert stream_events(scope, "users") == ["INSERT", "MODIFY", "MODIFY", "REMOVE"]


def test_concurrent_transfers_keep_the_total(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("bank")
    for name in ("x", "y"):
        run(scope, "INSERT INTO bank VALUE {'pk': ?, 'n': 500}", {"S": name})
    run(scope, "INSERT INTO bank VALUE {'pk': 'count', 'n': 0}")
    moved = [0]
    lock = threading.Lock()

    def worker(source: str, target: str) -> None:
        for _ in range(20):
            try:
                execute_transaction(
                    scope,
                    [
                        {
                            "Statement": "UPDATE bank SET n = n - 7 WHERE pk = ? AND n >= 7",
                            "Parameters": [{"S": source}],
                        },
                        {
                            "Statement": "UPDATE bank SET n = n + 7 WHERE pk = ?",
                            "Parameters": [{"S": target}],
                        },
                        {"Statement": "UPDATE bank SET n = n + 1 WHERE pk = 'count'"},
                    ],
                )
            except ServiceError as exc:
                assert exc.code == "TransactionCanceledException"
                continue
            with lock:
                moved[0] += 1

    threads = [
        threading.Thread(target=worker, args=("x", "y") if i % 2 else ("y", "x")) for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = {
        item["pk"]["S"]: int(item["n"]["N"]) for item in run(scope, "SELECT * FROM bank")["Items"]
    }
    assert rows["x"] + rows["y"] == 1000
    assert rows["count"] == moved[0]
