"""aws-lambda-powertools' idempotency utility on its DynamoDB persistence layer, against kumo.

The utility relies on DynamoDB's conditional PutItem with
ReturnValuesOnConditionCheckFailure=ALL_OLD, conditional UpdateItem and DeleteItem.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)


@dataclass
class FakeContext:
    """The members of a Lambda context the utility reads."""

    function_name: str = "counter"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:counter"
    aws_request_id: str = "req-1"
    calls: list[str] = field(default_factory=list)

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def in_lambda(**options: Any) -> IdempotencyConfig:
    """A config that knows the (fake) Lambda context, as a real handler registers it."""
    config = IdempotencyConfig(**options)
    config.register_lambda_context(FakeContext())
    return config


@pytest.fixture
def persistence(ddb: Any, new_table: Callable[..., str]) -> DynamoDBPersistenceLayer:
    name = new_table(hash=("id", "S"), prefix="idem")
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
    )
    return DynamoDBPersistenceLayer(table_name=name, boto3_client=ddb)


def test_handler_runs_once_per_payload(persistence: DynamoDBPersistenceLayer, ddb: Any) -> None:
    calls: list[dict[str, Any]] = []

    @idempotent(persistence_store=persistence)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"count": len(calls), "user": event["user"]}

    context = FakeContext()
    first = handler({"user": "ann", "action": "click"}, context)
    again = handler({"user": "ann", "action": "click"}, context)
    other = handler({"user": "bob", "action": "click"}, context)
    assert first == again == {"count": 1, "user": "ann"}
    assert other == {"count": 2, "user": "bob"}
    assert len(calls) == 2
    rows = ddb.scan(TableName=persistence.table_name, ConsistentRead=True)["Items"]
    assert len(rows) == 2
    assert {row["status"]["S"] for row in rows} == {"COMPLETED"}
    assert all("expiration" in row and "data" in row for row in rows)


def test_in_progress_record_blocks_a_second_call(persistence: DynamoDBPersistenceLayer) -> None:
    config = in_lambda(event_key_jmespath="id")
    seen: list[BaseException] = []

    @idempotent_function(
        data_keyword_argument="order", persistence_store=persistence, config=config
    )
    def place(order: dict[str, Any]) -> str:
        # the same order again while the first call still runs: its record is INPROGRESS
        try:
            place(order=order)
        except IdempotencyAlreadyInProgressError as exc:
            seen.append(exc)
        return "placed"

    assert place(order={"id": 7}) == "placed"
    assert len(seen) == 1
    assert place(order={"id": 7}) == "placed"
    assert len(seen) == 1


def test_failed_call_is_retried(persistence: DynamoDBPersistenceLayer, ddb: Any) -> None:
    attempts: list[int] = []

    @idempotent_function(
        data_keyword_argument="job", persistence_store=persistence, config=in_lambda()
    )
    def run(job: dict[str, Any]) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("transient")
        return len(attempts)

    with pytest.raises(RuntimeError):
        run(job={"id": "j"})
    # the utility deleted the INPROGRESS record, so the retry runs
    assert ddb.scan(TableName=persistence.table_name)["Count"] == 0
    assert run(job={"id": "j"}) == 2
    assert run(job={"id": "j"}) == 2
    assert len(attempts) == 2


def test_payload_validation(persistence: DynamoDBPersistenceLayer) -> None:
    config = in_lambda(event_key_jmespath="id", payload_validation_jmespath="amount")

    @idempotent_function(
        data_keyword_argument="payment", persistence_store=persistence, config=config
    )
    def pay(payment: dict[str, Any]) -> str:
        return f"paid {payment['amount']}"

    assert pay(payment={"id": "p1", "amount": 10}) == "paid 10"
    assert pay(payment={"id": "p1", "amount": 10}) == "paid 10"
    with pytest.raises(IdempotencyValidationError):
        pay(payment={"id": "p1", "amount": 99})


def test_expired_records_run_again(persistence: DynamoDBPersistenceLayer) -> None:
    config = in_lambda(expires_after_seconds=1)
    calls: list[int] = []

    @idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=config
    )
    def work(event: dict[str, Any]) -> int:
        calls.append(1)
        return len(calls)

    assert work(event={"k": 1}) == 1
    assert work(event={"k": 1}) == 1
    time.sleep(2.1)
    # the conditional put overwrites the expired record (expiration < now)
    assert work(event={"k": 1}) == 2


def test_composite_key_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(hash=("pk", "S"), range=("sk", "S"), prefix="idem")
    persistence = DynamoDBPersistenceLayer(
        table_name=name, key_attr="pk", sort_key_attr="sk", boto3_client=ddb
    )
    calls: list[int] = []

    @idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=in_lambda()
    )
    def work(event: dict[str, Any]) -> int:
        calls.append(1)
        return len(calls)

    assert work(event={"a": 1}) == work(event={"a": 1}) == 1
    assert work(event={"a": 2}) == 2
    rows = ddb.scan(TableName=name)["Items"]
    assert len(rows) == 2
    assert {row["status"]["S"] for row in rows} == {"COMPLETED"}
