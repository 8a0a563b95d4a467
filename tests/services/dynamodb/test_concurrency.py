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
