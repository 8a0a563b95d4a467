"""Atomicity under concurrent clients: counters, conditional transfers and their history."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

THREADS = 8
OPS = 40
ACCOUNTS = 4
START = 100


def test_counter_and_transfers_stay_exact(aws_client: Any, new_table: Callable[..., str]) -> None:
    counters, history = new_table(prefix="counters"), new_table(prefix="history")
    setup = aws_client("dynamodb")
    for i in range(ACCOUNTS):
        setup.put_item(
            TableName=counters, Item={"pk": {"S": f"acct{i}"}, "balance": {"N": str(START)}}
        )
    committed: list[tuple[int, int, int]] = []
    cancelled = [0]
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        ddb = aws_client("dynamodb")
        rng = random.Random(seed)
        try:
            for _ in range(OPS):
                ddb.update_item(
                    TableName=counters,
                    Key={"pk": {"S": "hits"}},
                    UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                src, dst = rng.sample(range(ACCOUNTS), 2)
                amount = rng.randint(1, 60)
                try:
                    ddb.transact_write_items(
                        TransactItems=[
                            {
                                "Update": {
                                    "TableName": counters,
                                    "Key": {"pk": {"S": f"acct{src}"}},
                                    "UpdateExpression": "SET balance = balance - :a",
                                    "ConditionExpression": "balance >= :a",
                                    "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                                }
                            },
                            {
                                "Update": {
                                    "TableName": counters,
                                    "Key": {"pk": {"S": f"acct{dst}"}},
                                    "UpdateExpression": "SET balance = balance + :a",
                                    "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                                }
                            },
                            {
                                "Put": {
                                    "TableName": history,
                                    "Item": {
                                        "pk": {"S": uuid.uuid4().hex},
                                        "src": {"N": str(src)},
                                        "dst": {"N": str(dst)},
                                        "amount": {"N": str(amount)},
                                    },
                                    "ConditionExpression": "attribute_not_exists(pk)",
                                }
                            },
                        ]
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    with lock:
                        cancelled[0] += 1
                    continue
                with lock:
                    committed.append((src, dst, amount))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    ddb = aws_client("dynamodb")
    hits = ddb.get_item(TableName=counters, Key={"pk": {"S": "hits"}}, ConsistentRead=True)
    assert hits["Item"]["n"] == {"N": str(THREADS * OPS)}

    expected = [START] * ACCOUNTS
    for src, dst, amount in committed:
        expected[src] -= amount
        expected[dst] += amount
    balances = []
    for i in range(ACCOUNTS):
        item = ddb.get_item(TableName=counters, Key={"pk": {"S": f"acct{i}"}})["Item"]
        balances.append(int(item["balance"]["N"]))
    assert sum(balances) == START * ACCOUNTS
    assert min(balances) >= 0
    assert balances == expected

    rows: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=history):
        rows += page["Items"]
    assert len(rows) == len(committed)
    assert len(committed) + cancelled[0] == THREADS * OPS
    assert ddb.describe_table(TableName=history)["Table"]["ItemCount"] == len(committed)
    replay = [START] * ACCOUNTS
    for row in rows:
        replay[int(row["src"]["N"])] -= int(row["amount"]["N"])
        replay[int(row["dst"]["N"])] += int(row["amount"]["N"])
    assert replay == balances


def test_optimistic_increments_lose_nothing(aws_client: Any, new_table: Callable[..., str]) -> None:
    """Read, then write back only if the version is unchanged: every increment lands once,
    and a history row (written in the same transaction) records each one."""
    counters, history = new_table(prefix="optimistic"), new_table(prefix="ohistory")
    aws_client("dynamodb").put_item(
        TableName=counters, Item={"pk": {"S": "c"}, "n": {"N": "0"}, "version": {"N": "0"}}
    )
    increments = 10
    conflicts = [0]
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        ddb = aws_client("dynamodb")
        try:
            done = attempts = 0
            while done < increments:
                attempts += 1
                assert attempts < 50 * increments, "no progress"
                item = ddb.get_item(
                    TableName=counters, Key={"pk": {"S": "c"}}, ConsistentRead=True
                )["Item"]
                version = int(item["version"]["N"])
                try:
                    ddb.transact_write_items(
                        TransactItems=[
                            {
                                "Put": {
                                    "TableName": counters,
                                    "Item": {
                                        "pk": {"S": "c"},
                                        "n": {"N": str(int(item["n"]["N"]) + 1)},
                                        "version": {"N": str(version + 1)},
                                    },
                                    "ConditionExpression": "version = :v",
                                    "ExpressionAttributeValues": {":v": {"N": str(version)}},
                                }
                            },
                            {
                                "Put": {
                                    "TableName": history,
                                    "Item": {
                                        "pk": {"S": f"v{version + 1}"},
                                        "by": {"N": str(index)},
                                    },
                                    "ConditionExpression": "attribute_not_exists(pk)",
                                }
                            },
                        ]
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    with lock:
                        conflicts[0] += 1
                    continue
                done += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ddb = aws_client("dynamodb")
    item = ddb.get_item(TableName=counters, Key={"pk": {"S": "c"}}, ConsistentRead=True)["Item"]
    total = THREADS * increments
    assert item["n"] == {"N": str(total)} and item["version"] == {"N": str(total)}
    rows = [r for p in ddb.get_paginator("scan").paginate(TableName=history) for r in p["Items"]]
    assert sorted(int(r["pk"]["S"][1:]) for r in rows) == list(range(1, total + 1))
