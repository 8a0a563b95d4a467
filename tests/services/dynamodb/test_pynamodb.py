"""PynamoDB against kumo: models with hash and range keys, a GSI, conditional saves, update
actions, queries and scans, optimistic locking and transactions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import (
    DeleteError,
    DoesNotExist,
    PutError,
    TransactWriteError,
    UpdateError,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactGet, TransactWrite

from tests.conftest import RunningKumo

REGION = "us-east-1"


@dataclass
class Models:
    counter: Any
    event: Any
    account: Any
    connection: Connection


def _meta(host: str, name: str) -> type:
    return type(
        "Meta",
        (),
        {
            "table_name": name,
            "host": host,
            "region": REGION,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
            "billing_mode": "PAY_PER_REQUEST",
        },
    )


@pytest.fixture
def models(kumo: RunningKumo) -> Iterator[Models]:
    suffix = uuid.uuid4().hex[:10]

    class Counter(Model):
        Meta = _meta(kumo.url, f"pyn-counter-{suffix}")
        name = UnicodeAttribute(hash_key=True)
        count = NumberAttribute(default=0)
        tags = UnicodeSetAttribute(null=True)
        ids = NumberSetAttribute(null=True)
        history = ListAttribute(of=NumberAttribute, null=True)

    class ByUser(GlobalSecondaryIndex["Event"]):
        class Meta:
            index_name = "by-user"
            projection = AllProjection()

        user = UnicodeAttribute(hash_key=True)
        at = NumberAttribute(range_key=True)

    class Details(MapAttribute[str, Any]):
        source = UnicodeAttribute()
        weight = NumberAttribute()

    class Event(Model):
        Meta = _meta(kumo.url, f"pyn-event-{suffix}")
        stream = UnicodeAttribute(hash_key=True)
        at = NumberAttribute(range_key=True)
        user = UnicodeAttribute()
        kind = UnicodeAttribute(default="click")
        details = Details(null=True)
        by_user = ByUser()

    class Account(Model):
        Meta = _meta(kumo.url, f"pyn-account-{suffix}")
        id = UnicodeAttribute(hash_key=True)
        balance = NumberAttribute(default=0)
        version = VersionAttribute()

    for model in (Counter, Event, Account):
        model.create_table(wait=True)
    connection = Connection(host=kumo.url, region=REGION)
    yield Models(Counter, Event, Account, connection)
    for model in (Counter, Event, Account):
        model.delete_table()


def test_create_table_describes_keys_and_index(models: Models) -> None:
    desc = models.event._get_connection().describe_table()
    assert desc["TableStatus"] == "ACTIVE"
    assert {k["AttributeName"]: k["KeyType"] for k in desc["KeySchema"]} == {
        "stream": "HASH",
        "at": "RANGE",
    }
    assert desc["GlobalSecondaryIndexes"][0]["IndexName"] == "by-user"
    assert models.event.exists()


def test_save_get_refresh_and_delete(models: Models) -> None:
    counter = models.counter("page", count=1, tags={"a"})
    counter.save()
    got = models.counter.get("page")
    assert got.count == 1 and got.tags == {"a"}
    counter.count = 5
    counter.save()
    got.refresh()
    assert got.count == 5
    got.delete()
    with pytest.raises(DoesNotExist):
        models.counter.get("page")


def test_conditional_save_and_delete(models: Models) -> None:
    counter = models.counter("unique", count=1)
    counter.save(condition=models.counter.name.does_not_exist())
    with pytest.raises(PutError) as exc:
        models.counter("unique", count=2).save(condition=models.counter.name.does_not_exist())
    assert exc.value.cause_response_code == "ConditionalCheckFailedException"
    assert exc.value.cause_response_message == "The conditional request failed"
    with pytest.raises(DeleteError):
        counter.delete(condition=models.counter.count > 1)
    assert models.counter.get("unique").count == 1


def test_update_actions(models: Models) -> None:
    Counter = models.counter
    counter = Counter("actions", count=0, history=[1])
    counter.save()
    counter.update(
        actions=[
            Counter.count.add(5),
            Counter.tags.add({"x", "y"}),
            Counter.ids.add({1, 2, 3}),
            Counter.history.set(Counter.history.append([2, 3])),
        ]
    )
    assert counter.count == 5
    assert counter.tags == {"x", "y"}
    counter.update(
        actions=[
            Counter.count.set(Counter.count - 2),
            Counter.tags.delete({"x"}),
            Counter.ids.remove(),
            Counter.history[0].remove(),
        ]
    )
    fresh = Counter.get("actions", consistent_read=True)
    assert fresh.count == 3
    assert fresh.tags == {"y"}
    assert fresh.ids is None
    assert fresh.history == [2, 3]
    fresh.update(actions=[Counter.count.set(Counter.count | 100)])
    assert Counter.get("actions").count == 3
    with pytest.raises(UpdateError) as exc:
        fresh.update(actions=[Counter.count.add(1)], condition=Counter.count > 10)
    assert exc.value.cause_response_code == "ConditionalCheckFailedException"


def test_query_scan_count_and_index(models: Models) -> None:
    Event = models.event
    with Event.batch_write() as batch:
        for i in range(30):
            batch.save(
                Event(
                    "s1" if i % 3 else "s2",
                    at=i,
                    user=f"u{i % 2}",
                    details={"source": "web", "weight": i},
                )
            )
    ats = [e.at for e in Event.query("s1", Event.at.between(5, 12))]
    assert ats == [5, 7, 8, 10, 11]
    backwards = [e.at for e in Event.query("s1", scan_index_forward=False, limit=3)]
    assert backwards == [29, 28, 26]
    paged = list(Event.query("s1", page_size=4))
    assert len(paged) == 20
    filtered = [e.at for e in Event.query("s1", filter_condition=Event.details.weight > 25)]
    assert filtered == [26, 28, 29]
    assert Event.count("s2") == 10
    assert Event.count("s1", Event.at < 10) == 6
    by_user = [e.at for e in Event.by_user.query("u0", Event.at >= 20)]
    assert by_user == [20, 22, 24, 26, 28]
    scanned = list(Event.scan(Event.user == "u1"))
    assert len(scanned) == 15
    segments = [{e.at for e in Event.scan(segment=s, total_segments=3)} for s in range(3)]
    assert set().union(*segments) == set(range(30))
    assert sum(len(s) for s in segments) == 30
    got = list(Event.batch_get([("s1", 1), ("s2", 0), ("s2", 1)]))
    assert sorted(e.at for e in got) == [0, 1]


def test_optimistic_locking(models: Models) -> None:
    Account = models.account
    first = Account("acct", balance=10)
    first.save()
    assert first.version == 1
    stale = Account.get("acct")
    first.balance = 20
    first.save()
    assert first.version == 2
    stale.balance = 99
    with pytest.raises(PutError) as exc:
        stale.save()
    assert exc.value.cause_response_code == "ConditionalCheckFailedException"
    assert Account.get("acct").balance == 20


def test_transactions(models: Models) -> None:
    Account, Counter = models.account, models.counter
    Account("a", balance=100).save()
    Account("b", balance=0).save()
    # loaded instances: their version attribute makes each update conditional on it
    with TransactWrite(connection=models.connection) as tx:
        tx.update(
            Account.get("a"),
            actions=[Account.balance.add(-60)],
            condition=Account.balance >= 60,
        )
        tx.update(Account.get("b"), actions=[Account.balance.add(60)])
        tx.save(Counter("transfers", count=1))
    a, b = Account.get("a"), Account.get("b")
    with (
        pytest.raises(TransactWriteError) as exc,
        TransactWrite(connection=models.connection) as tx,
    ):
        tx.update(a, actions=[Account.balance.add(-60)], condition=Account.balance >= 60)
        tx.update(b, actions=[Account.balance.add(60)])
    assert exc.value.cause_response_code == "TransactionCanceledException"
    reasons = exc.value.cancellation_reasons
    assert [r.code if r else None for r in reasons] == ["ConditionalCheckFailed", None]
    with TransactGet(connection=models.connection) as get:
        a = get.get(Account, "a")
        b = get.get(Account, "b")
        transfers = get.get(Counter, "transfers")
    assert (a.get().balance, b.get().balance) == (40, 60)
    assert transfers.get().count == 1
